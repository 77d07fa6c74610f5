package io.gantry.inbound;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Library;
import io.gantry.shared.ConflictException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Acts on a verified delivery: registers the version its tag names (once per delivery id: a delivery
 * sent again is answered as the first time and changes nothing), and keeps what was done with it.
 */
@Service
class HookReceiver {

  private final JdbcClient jdbc;
  private final Library library;
  private final ComponentVersions versions;
  private final Clock clock;

  HookReceiver(JdbcClient jdbc, Library library, ComponentVersions versions, Clock clock) {
    this.jdbc = jdbc;
    this.library = library;
    this.versions = versions;
    this.clock = clock;
  }

  /** What was done with a delivery. */
  record Outcome(String hook, String delivery, String event, String status, String component, String version,
      String detail) {}

  /** The outcome of a delivery already received, if it was. */
  Optional<Outcome> earlier(InboundHook hook, String delivery) {
    return jdbc.sql("""
        select hook, delivery_id, event, status, version, detail from inbound_deliveries
         where provider = :provider and delivery_id = :id
        """).param("provider", hook.definition().provider().name()).param("id", delivery)
        .query((rs, n) -> new Outcome(rs.getString(1), rs.getString(2), rs.getString(3), "duplicate",
            hook.definition().component().toString(), rs.getString(5),
            "delivery " + delivery + " was received before (" + rs.getString(4) + "): " + rs.getString(6)))
        .optional();
  }

  /** The actor a hook's versions are registered by, as the library and the triggers' records name it. */
  static String actor(InboundHook hook) {
    return "hook:" + hook.name();
  }

  Outcome receive(InboundHook hook, String delivery, String event, WebhookEvent what) {
    InboundHookDefinition h = hook.definition();
    return recorded(hook, delivery, event, switch (what) {
      case WebhookEvent.Ignored i -> new Outcome(hook.name(), delivery, event, "ignored", h.component().toString(),
          null, i.reason());
      case WebhookEvent.Register r -> register(hook, delivery, event, r.version(), r.attributes(h.provider()),
          actor(hook), "tag " + r.tag() + " of " + r.repository() + " registered as " + h.component() + "@"
              + r.version());
    });
  }

  /** An artifact.published CDEvent: registers the version its subject names, by the caller. */
  Outcome published(InboundHook hook, CdEventsIn.Event e, String actor) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("artifactId", e.subject().artifact() + "@" + e.subject().version());
    attributes.put("eventSource", e.source());
    JsonNode uri = e.content().path("sbom").path("uri");
    String sbom = uri.isString() ? uri.asString() : null;
    if (sbom != null) {
      attributes.put("sbomUri", sbom);
    }
    String delivery = e.source() + " " + e.id();
    return recorded(hook, delivery, e.type(), register(hook, delivery, e.type(), e.subject().version(), attributes,
        actor, e.subject().artifact() + "@" + e.subject().version() + " published by " + e.source()
            + ", registered as " + hook.definition().component() + "@" + e.subject().version()));
  }

  /** An artifact.signed CDEvent: records the signature, as received, beside the version it is about. */
  Outcome signed(InboundHook hook, CdEventsIn.Event e, String actor) {
    InboundHookDefinition h = hook.definition();
    String version = e.subject().version();
    String delivery = e.source() + " " + e.id();
    if (versions.find(h.component(), version).isEmpty()) {
      throw io.gantry.shared.InvalidInputException.of("data.subject.id", h.component() + "@" + version
          + " is not registered: send its artifact.published first");
    }
    String signature = e.content().path("signature").asString();
    if (signature.length() > 8000) {
      throw io.gantry.shared.InvalidInputException.of("data.subject.content.signature", "longer than 8000 characters");
    }
    jdbc.sql("""
        insert into artifact_signatures (service, component, version, artifact_id, signature, event_source, event_id,
                                         recorded_by, recorded_at)
        values (:service, :component, :version, :artifact, :signature, :source, :id, :by, :now)
        """).param("service", h.component().service()).param("component", h.component().component())
        .param("version", version).param("artifact", e.subject().artifact() + "@" + version)
        .param("signature", signature).param("source", e.source()).param("id", e.id()).param("by", actor)
        .param("now", Timestamp.from(clock.instant())).update();
    return recorded(hook, delivery, e.type(), new Outcome(hook.name(), delivery, e.type(), "signature-recorded",
        h.component().toString(), version, "signature recorded as received, not verified: the event carries "
            + "neither the key nor the signed bytes, and requireSignature checks only OpenPGP signatures by a "
            + "TrustedKey"));
  }

  /** A signature recorded from an artifact.signed event. */
  record RecordedSignature(String artifactId, String signature, String eventSource, String eventId,
      String recordedBy, java.time.Instant recordedAt) {}

  List<RecordedSignature> signatures(io.gantry.catalog.ComponentRef component, String version) {
    return jdbc.sql("""
        select artifact_id, signature, event_source, event_id, recorded_by, recorded_at from artifact_signatures
         where service = :service and component = :component and version = :version order by id
        """).param("service", component.service()).param("component", component.component())
        .param("version", version)
        .query((rs, n) -> new RecordedSignature(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getString(5), rs.getTimestamp(6).toInstant())).list();
  }

  private Outcome recorded(InboundHook hook, String delivery, String event, Outcome outcome) {
    InboundHookDefinition h = hook.definition();
    try {
      jdbc.sql("""
          insert into inbound_deliveries (provider, delivery_id, hook, event, received_at, status, version, detail)
          values (:provider, :id, :hook, :event, :now, :status, :version, :detail)
          """).param("provider", h.provider().name()).param("id", delivery).param("hook", hook.name())
          .param("event", truncate(event, 100)).param("now", Timestamp.from(clock.instant()))
          .param("status", outcome.status()).param("version", outcome.version())
          .param("detail", truncate(outcome.detail(), 2000)).update();
    } catch (DuplicateKeyException e) {
      // the same delivery received twice at once: the other one recorded it; the version is the same
    }
    return outcome;
  }

  private Outcome register(InboundHook hook, String delivery, String event, String version,
      Map<String, String> attributes, String actor, String detail) {
    InboundHookDefinition h = hook.definition();
    Optional<ComponentVersion> existing = versions.find(h.component(), version);
    if (existing.isPresent()) {
      return new Outcome(hook.name(), delivery, event, "already-registered", h.component().toString(), version,
          h.component() + "@" + version + " was registered by " + existing.get().createdBy() + " at "
              + existing.get().createdAt() + "; versions are immutable, this delivery changes nothing");
    }
    try {
      Library.Pushed pushed = library.push(new Library.Push(h.component(), version, attributes, List.of(),
          List.of()), actor);
      return new Outcome(hook.name(), delivery, event, pushed.created() ? "registered" : "already-registered",
          h.component().toString(), version, detail);
    } catch (ConflictException e) {
      // registered with other attributes in between (the push of a tag and its release arrive together)
      return new Outcome(hook.name(), delivery, event, "already-registered", h.component().toString(), version,
          e.getMessage());
    }
  }

  private static String truncate(String s, int max) {
    return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
  }
}
