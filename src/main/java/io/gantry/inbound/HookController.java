package io.gantry.inbound;

import io.gantry.secret.SecretUnavailableException;
import io.gantry.secret.Secrets;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.ProblemResponses;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The webhook endpoints of the declared inbound hooks. They take no API token: the delivery's signature
 * under the hook's secret is what authenticates it, and nothing is read from the payload or written
 * before it is verified.
 */
@RestController
@Tag(name = "Inbound hooks", description = "Signed webhooks from GitHub and GitLab that register versions")
class HookController {

  /** The largest delivery read: release, tag and run payloads are a few tens of KB. */
  static final int MAX_BODY = 1024 * 1024;

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final InboundHooks hooks;
  private final Secrets secrets;
  private final HookReceiver receiver;
  private final Clock clock;

  HookController(InboundHooks hooks, Secrets secrets, HookReceiver receiver, Clock clock) {
    this.hooks = hooks;
    this.secrets = secrets;
    this.receiver = receiver;
    this.clock = clock;
  }

  @PostMapping("/api/v1/hooks/github/{name}")
  @Operation(summary = "A GitHub webhook delivery for the inbound hook NAME (release published, push of a tag, "
      + "workflow_run completed, ping), signed with X-Hub-Signature-256; no API token")
  ResponseEntity<?> github(@PathVariable String name, HttpServletRequest request) throws IOException {
    InboundHook hook = hook(name, HookProvider.GITHUB);
    byte[] body = body(request);
    String secret = secret(hook);
    if (!HookSignatures.github(request.getHeader("X-Hub-Signature-256"), body, secret)) {
      return unauthorized("the delivery is not signed with hook " + name + "'s secret: X-Hub-Signature-256 must be "
          + "sha256=<hex HMAC-SHA256 of the body>");
    }
    String delivery = request.getHeader("X-GitHub-Delivery");
    if (delivery == null || delivery.isBlank() || delivery.length() > 200) {
      throw InvalidInputException.of("X-GitHub-Delivery", "a GitHub delivery carries its id in X-GitHub-Delivery");
    }
    String event = request.getHeader("X-GitHub-Event");
    return act(hook, delivery, event == null ? "" : event, payload -> WebhookEvent.github(event, payload), body);
  }

  @PostMapping("/api/v1/hooks/gitlab/{name}")
  @Operation(summary = "A GitLab webhook delivery for the inbound hook NAME (tag push, pipeline, release), "
      + "verified by X-Gitlab-Token or, with a signing token, by webhook-signature; no API token")
  ResponseEntity<?> gitlab(@PathVariable String name, HttpServletRequest request) throws IOException {
    InboundHook hook = hook(name, HookProvider.GITLAB);
    byte[] body = body(request);
    String secret = secret(hook);
    String signature = request.getHeader("webhook-signature");
    boolean verified = signature != null
        ? HookSignatures.gitlabSigned(signature, request.getHeader("webhook-id"),
            request.getHeader("webhook-timestamp"), body, secret, clock.instant())
        : HookSignatures.gitlabToken(request.getHeader("X-Gitlab-Token"), secret);
    if (!verified) {
      return unauthorized(signature != null ? "the delivery's webhook-signature does not verify with hook " + name
          + "'s secret (or its webhook-timestamp is more than 5 minutes away)"
          : "the delivery's X-Gitlab-Token is not hook " + name + "'s secret");
    }
    String delivery = first(request, "webhook-id", "Idempotency-Key", "X-Gitlab-Event-UUID");
    if (delivery == null) {
      delivery = "sha256:" + HexFormat.of().formatHex(HookSignatures.sha256(new String(body,
          java.nio.charset.StandardCharsets.UTF_8)));
    }
    String event = request.getHeader("X-Gitlab-Event");
    return act(hook, delivery, event == null ? "" : event, WebhookEvent::gitlab, body);
  }

  private ResponseEntity<?> act(InboundHook hook, String delivery, String event,
      java.util.function.Function<JsonNode, WebhookEvent> read, byte[] body) {
    var earlier = receiver.earlier(hook, delivery);
    if (earlier.isPresent()) {
      return ResponseEntity.ok(earlier.get());
    }
    JsonNode payload;
    try {
      payload = JSON.readTree(body);
    } catch (JacksonException e) {
      throw InvalidInputException.of("body", "the delivery is not JSON: " + e.getOriginalMessage());
    }
    if (payload == null || !payload.isObject()) {
      throw InvalidInputException.of("body", "the delivery is not a JSON object");
    }
    WebhookEvent what = read.apply(payload);
    String declared = hook.definition().repository();
    if (what.repository() != null ? !what.repository().equalsIgnoreCase(declared)
        : what instanceof WebhookEvent.Register) {
      return ResponseEntity.status(HttpStatus.FORBIDDEN).contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .body(ProblemResponses.problem(HttpStatus.FORBIDDEN, "unknown-repository", "Unknown repository",
              "the delivery is about repository " + what.repository() + ", but hook " + hook.name()
                  + " is declared for " + declared + "; nothing was registered", List.of()));
    }
    HookReceiver.Outcome outcome = receiver.receive(hook, delivery, event, what);
    HttpStatus status = switch (outcome.status()) {
      case "registered" -> HttpStatus.CREATED;
      case "ignored" -> HttpStatus.ACCEPTED;
      default -> HttpStatus.OK;
    };
    return ResponseEntity.status(status).body(outcome);
  }

  private InboundHook hook(String name, HookProvider provider) {
    return hooks.find(name).filter(h -> h.definition().provider() == provider)
        .orElseThrow(() -> new NotFoundException(provider.id() + " inbound hook", name));
  }

  private String secret(InboundHook hook) {
    try {
      return secrets.value(hook.definition().secret());
    } catch (SecretUnavailableException e) {
      throw new HookUnavailable("hook " + hook.name() + " cannot verify deliveries: " + e.getMessage());
    }
  }

  /** The hook's secret cannot be read: nothing can be verified, so nothing is accepted. */
  static final class HookUnavailable extends RuntimeException {
    HookUnavailable(String message) {
      super(message);
    }
  }

  @org.springframework.web.bind.annotation.ExceptionHandler(HookUnavailable.class)
  ResponseEntity<?> unavailable(HookUnavailable e) {
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(ProblemResponses.problem(HttpStatus.SERVICE_UNAVAILABLE, "hook-unavailable", "Hook unavailable",
            e.getMessage(), List.of()));
  }

  private static ResponseEntity<?> unauthorized(String detail) {
    return ResponseEntity.status(HttpStatus.UNAUTHORIZED).contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(ProblemResponses.problem(HttpStatus.UNAUTHORIZED, "bad-signature", "Bad signature", detail,
            List.of()));
  }

  private static String first(HttpServletRequest request, String... headers) {
    for (String h : headers) {
      String v = request.getHeader(h);
      if (v != null && !v.isBlank() && v.length() <= 200) {
        return v;
      }
    }
    return null;
  }

  /** The body's bytes as sent (the signature is over them), refused past {@link #MAX_BODY}. */
  private static byte[] body(HttpServletRequest request) throws IOException {
    if (request.getContentLengthLong() > MAX_BODY) {
      throw new BodyTooLarge();
    }
    try (InputStream in = request.getInputStream()) {
      byte[] bytes = in.readNBytes(MAX_BODY + 1);
      if (bytes.length > MAX_BODY) {
        throw new BodyTooLarge();
      }
      return bytes;
    }
  }

  static final class BodyTooLarge extends RuntimeException {}

  @org.springframework.web.bind.annotation.ExceptionHandler(BodyTooLarge.class)
  ResponseEntity<?> tooLarge() {
    return ResponseEntity.status(HttpStatus.CONTENT_TOO_LARGE).contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .body(ProblemResponses.problem(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Body too large",
            "a webhook delivery is read up to " + MAX_BODY + " bytes", List.of()));
  }

}
