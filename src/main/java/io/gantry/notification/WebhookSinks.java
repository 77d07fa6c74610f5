package io.gantry.notification;

import io.gantry.deployment.Deployments;
import io.gantry.events.DeliveryFailure;
import io.gantry.events.Destination;
import io.gantry.events.Signature;
import io.gantry.events.Sink;
import io.gantry.events.StoredEvent;
import io.gantry.secret.Secrets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The sinks that post a notification to an incoming webhook whose URL a secret holds (the destination's address is
 * the secret's name): Slack's and Microsoft Teams' message formats, and a generic JSON webhook signed like every
 * Gantry webhook ({@link Signature}, keyed with the secret {@code NAME-signing}). A 2xx answer delivers it; 408, 429,
 * 5xx and network errors are tried again; any other answer, a redirect too, ends the delivery.
 */
@Configuration(proxyBeanMethods = false)
class WebhookSinks {

  @Bean
  Sink slackSink(Secrets secrets, Deployments deployments, Clock clock,
      @Value("${gantry.events.http.timeout:10s}") Duration timeout) {
    return new Post(Channel.SLACK, secrets, deployments, clock, timeout);
  }

  @Bean
  Sink teamsSink(Secrets secrets, Deployments deployments, Clock clock,
      @Value("${gantry.events.http.timeout:10s}") Duration timeout) {
    return new Post(Channel.TEAMS, secrets, deployments, clock, timeout);
  }

  @Bean
  Sink webhookSink(Secrets secrets, Deployments deployments, Clock clock,
      @Value("${gantry.events.http.timeout:10s}") Duration timeout) {
    return new Post(Channel.WEBHOOK, secrets, deployments, clock, timeout);
  }

  /** The suffix of the secret a generic webhook's deliveries are signed with. */
  static final String SIGNING = "-signing";

  /** One channel's posts. */
  static final class Post implements Sink {

    private final Channel channel;
    private final Secrets secrets;
    private final Deployments deployments;
    private final Clock clock;
    private final Duration timeout;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();

    Post(Channel channel, Secrets secrets, Deployments deployments, Clock clock, Duration timeout) {
      this.channel = channel;
      this.secrets = secrets;
      this.deployments = deployments;
      this.clock = clock;
      this.timeout = timeout;
    }

    @Override
    public String channel() {
      return channel.id();
    }

    @Override
    public String send(StoredEvent event, Destination destination) throws Exception {
      Notice notice = NotificationSinks.notice(event, deployments);
      String body = switch (channel) {
        case SLACK -> Messages.slack(notice);
        case TEAMS -> Messages.teams(notice);
        case WEBHOOK -> Messages.webhook(notice, event.type());
        case EMAIL -> throw new IllegalStateException("e-mail is not posted");
      };
      URI uri = url(destination.address());
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", "Gantry")
          .header("Content-Type", "application/json; charset=utf-8").header("Gantry-Event-Id", event.eventId())
          .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
      if (channel == Channel.WEBHOOK) {
        String key = secret(destination.address() + SIGNING, "its deliveries are signed with");
        request.header(Signature.HEADER, Signature.header(key, clock.instant().getEpochSecond(), bytes));
      }
      HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      int status = response.statusCode();
      // Teams' connectors answer a throttled post with 200 and this text
      if (status >= 200 && status < 300 && !response.body().contains("HTTP error 429")) {
        return "HTTP " + status;
      }
      boolean retryable = status == 408 || status == 429 || status >= 500 || response.body().contains("HTTP error 429");
      // the URL is a credential: the error names the secret, never the address
      throw new DeliveryFailure("HTTP " + status + " from the " + channel.id() + " webhook of secret "
          + destination.address() + (status >= 300 && status < 400 ? " (redirects are not followed)" : ""), retryable);
    }

    private URI url(String secretName) throws DeliveryFailure {
      String value = secret(secretName, "holds the webhook's URL").strip();
      URI uri;
      try {
        uri = new URI(value);
      } catch (java.net.URISyntaxException e) {
        throw new DeliveryFailure("the secret " + secretName + " does not hold a URL", false);
      }
      if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new DeliveryFailure("the secret " + secretName + " holds no http:// or https:// URL with a host",
            false);
      }
      return uri;
    }

    private String secret(String name, String what) throws DeliveryFailure {
      try {
        return secrets.value(name);
      } catch (RuntimeException e) {
        // it may be set later: tried again with backoff until the attempts run out
        throw new DeliveryFailure("the secret " + name + ", which " + what + ", cannot be read: " + e.getMessage()
            + " (gantry secret set " + name + ")", true);
      }
    }
  }
}
