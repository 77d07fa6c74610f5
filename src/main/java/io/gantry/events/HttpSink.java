package io.gantry.events;

import io.gantry.secret.Secrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Sends events to HTTP endpoints as CloudEvents (HTTP protocol binding): structured mode posts the whole CloudEvent
 * as {@code application/cloudevents+json}; binary mode puts its attributes in {@code ce-} headers and posts the
 * CDEvent as {@code application/json}. Every request is signed ({@link Signature}) and carries the event id in
 * {@code Gantry-Event-Id}. A 2xx answer delivers it; 408, 429, 5xx and network errors are tried again; any other
 * answer (a redirect too: they are not followed) ends the delivery.
 */
@Component
class HttpSink implements Sink {

  private final HttpClient client;
  private final Secrets secrets;
  private final Clock clock;
  private final Duration timeout;

  HttpSink(Secrets secrets, Clock clock, @Value("${gantry.events.http.timeout:10s}") Duration timeout) {
    this.secrets = secrets;
    this.clock = clock;
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public String channel() {
    return "http";
  }

  @Override
  public String send(StoredEvent event, Destination destination) throws Exception {
    boolean binary = "binary".equals(destination.settings().get("mode"));
    byte[] body = (binary ? event.data() : event.structured()).getBytes(StandardCharsets.UTF_8);
    String secretName = destination.settings().get("secret");
    if (secretName == null) {
      throw new DeliveryFailure("the subscription names no secret to sign with", false);
    }
    String secret;
    try {
      secret = secrets.value(secretName);
    } catch (RuntimeException e) {
      throw new DeliveryFailure("the secret " + secretName + " cannot be read: " + e.getMessage(), true);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(destination.address())).timeout(timeout)
        .header("User-Agent", "Gantry").header("Gantry-Event-Id", event.eventId())
        .header(Signature.HEADER, Signature.header(secret, clock.instant().getEpochSecond(), body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (binary) {
      request.header("Content-Type", "application/json").header("ce-specversion", "1.0")
          .header("ce-id", event.eventId()).header("ce-source", event.source()).header("ce-type", event.type())
          .header("ce-time", Outbox.timestamp(event.time()));
      if (event.subject() != null) {
        request.header("ce-subject", event.subject());
      }
    } else {
      request.header("Content-Type", "application/cloudevents+json; charset=utf-8");
    }
    HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return "HTTP " + status;
    }
    boolean retryable = status == 408 || status == 429 || status >= 500;
    throw new DeliveryFailure("HTTP " + status + " from " + destination.address()
        + (status >= 300 && status < 400 ? " (redirects are not followed)" : ""), retryable);
  }
}
