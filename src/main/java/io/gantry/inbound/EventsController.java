package io.gantry.inbound;

import io.gantry.catalog.ComponentRef;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.shared.InvalidInputException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.security.Principal;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * CloudEvents-wrapped CDEvents received over HTTP, in structured mode ({@code application/cloudevents+json})
 * or binary mode ({@code ce-*} headers and the CDEvent as the body): {@code artifact.published} registers
 * a version, {@code artifact.signed} records a signature. The artifact's package URL (without version)
 * names the component through a declared InboundHook of provider cdevents.
 */
@RestController
@Tag(name = "Inbound hooks", description = "Signed webhooks from GitHub and GitLab that register versions")
class EventsController {

  /** Those who may register versions by event, in the component's service (as those who push them). */
  static final Set<Role> REGISTRARS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER,
      Role.TECHNICAL_SPECIALIST);

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final InboundHooks hooks;
  private final HookReceiver receiver;
  private final Access access;

  EventsController(InboundHooks hooks, HookReceiver receiver, Access access) {
    this.hooks = hooks;
    this.receiver = receiver;
    this.access = access;
  }

  @PostMapping("/api/v1/events")
  @Operation(summary = "A CDEvents 0.5.1 artifact.published (registers the version its subject names) or "
      + "artifact.signed (records the signature), as a CloudEvent in structured or binary HTTP mode; needs one of "
      + "the roles deployment-manager, deployment-practitioner, technical-specialist in the component's service")
  ResponseEntity<?> receive(HttpServletRequest request, Principal principal) throws IOException {
    byte[] body;
    try (InputStream in = request.getInputStream()) {
      body = in.readNBytes(HookController.MAX_BODY + 1);
    }
    if (body.length > HookController.MAX_BODY) {
      throw new HookController.BodyTooLarge();
    }
    JsonNode json;
    try {
      json = JSON.readTree(body);
    } catch (JacksonException e) {
      throw InvalidInputException.of("body", "not JSON: " + e.getOriginalMessage());
    }
    String contentType = request.getContentType() == null ? "" : request.getContentType();
    CdEventsIn.Event event;
    if (contentType.startsWith("application/cloudevents+json")) {
      if (json == null || !json.isObject()) {
        throw InvalidInputException.of("body", "a structured CloudEvent is a JSON object");
      }
      require(json, "specversion", "1.0");
      String type = attribute(json, "type");
      String id = attribute(json, "id");
      String source = attribute(json, "source");
      JsonNode dct = json.path("datacontenttype");
      if (dct.isString() && !dct.asString().startsWith("application/json")) {
        throw InvalidInputException.of("datacontenttype", "a CDEvent is carried as application/json, not "
            + dct.asString());
      }
      event = CdEventsIn.read(json.path("data"), type, id, source);
    } else if (contentType.startsWith("application/json")) {
      String version = request.getHeader("ce-specversion");
      if (version == null) {
        throw InvalidInputException.of("ce-specversion", "a CloudEvent in binary mode carries ce-specversion, "
            + "ce-type, ce-id and ce-source headers; in structured mode it is sent as application/cloudevents+json");
      }
      if (!version.equals("1.0")) {
        throw InvalidInputException.of("ce-specversion", "CloudEvents " + version + " is not taken; send 1.0");
      }
      event = CdEventsIn.read(json, header(request, "ce-type"), header(request, "ce-id"),
          header(request, "ce-source"));
    } else {
      throw InvalidInputException.of("Content-Type", "send application/cloudevents+json (structured mode) or "
          + "application/json with ce-* headers (binary mode), not " + (contentType.isEmpty() ? "nothing"
          : contentType));
    }
    InboundHook hook = hooks.forArtifact(event.subject().artifact()).orElseThrow(() -> InvalidInputException.of(
        "data.subject.id", "no InboundHook of provider cdevents declares the artifact " + event.subject().artifact()));
    access.require(principal.getName(), REGISTRARS, Scope.service(hook.definition().component().service()),
        "registering a version by event");
    String delivery = event.source() + " " + event.id();
    var earlier = receiver.earlier(hook, delivery);
    if (earlier.isPresent()) {
      return ResponseEntity.ok(earlier.get());
    }
    HookReceiver.Outcome outcome = event.type().equals(CdEventsIn.PUBLISHED)
        ? receiver.published(hook, event, principal.getName())
        : receiver.signed(hook, event, principal.getName());
    return ResponseEntity.status(outcome.status().equals("already-registered") ? HttpStatus.OK : HttpStatus.CREATED)
        .contentType(MediaType.APPLICATION_JSON).body(outcome);
  }

  @GetMapping("/api/v1/artifact-signatures")
  @Operation(summary = "The signatures recorded from artifact.signed events for a version, as received (not verified)")
  List<HookReceiver.RecordedSignature> signatures(@RequestParam String component, @RequestParam String version,
      Principal principal) {
    ComponentRef ref;
    try {
      ref = ComponentRef.parse(component);
    } catch (IllegalArgumentException e) {
      throw InvalidInputException.of("component", e.getMessage());
    }
    access.reach(principal.getName(), Access.INSIDERS).requireSees("the signatures of " + ref,
        Scope.service(ref.service()));
    return receiver.signatures(ref, version);
  }

  private static void require(JsonNode json, String field, String value) {
    JsonNode n = json.path(field);
    if (!n.isString() || !n.asString().equals(value)) {
      throw InvalidInputException.of(field, "must be \"" + value + "\"");
    }
  }

  private static String attribute(JsonNode json, String field) {
    JsonNode n = json.path(field);
    if (!n.isString() || n.asString().isBlank()) {
      throw InvalidInputException.of(field, "a CloudEvent carries its " + field);
    }
    return n.asString();
  }

  private static String header(HttpServletRequest request, String name) {
    String v = request.getHeader(name);
    if (v == null || v.isBlank()) {
      throw InvalidInputException.of(name, "a CloudEvent in binary mode carries the header " + name);
    }
    return v;
  }
}
