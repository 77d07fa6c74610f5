package io.gantry.inbound;

import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Library;
import io.gantry.shared.ConflictException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
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
    Outcome outcome = switch (what) {
      case WebhookEvent.Ignored i -> new Outcome(hook.name(), delivery, event, "ignored", h.component().toString(),
          null, i.reason());
      case WebhookEvent.Register r -> register(hook, delivery, event, r);
    };
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

  private Outcome register(InboundHook hook, String delivery, String event, WebhookEvent.Register r) {
    InboundHookDefinition h = hook.definition();
    Optional<ComponentVersion> existing = versions.find(h.component(), r.version());
    if (existing.isPresent()) {
      return new Outcome(hook.name(), delivery, event, "already-registered", h.component().toString(), r.version(),
          h.component() + "@" + r.version() + " was registered by " + existing.get().createdBy() + " at "
              + existing.get().createdAt() + "; versions are immutable, this delivery changes nothing");
    }
    try {
      Library.Pushed pushed = library.push(new Library.Push(h.component(), r.version(), r.attributes(h.provider()),
          List.of(), List.of()), actor(hook));
      return new Outcome(hook.name(), delivery, event, pushed.created() ? "registered" : "already-registered",
          h.component().toString(), r.version(), "tag " + r.tag() + " of " + r.repository() + " registered as "
              + h.component() + "@" + r.version());
    } catch (ConflictException e) {
      // registered with other attributes in between (the push of a tag and its release arrive together)
      return new Outcome(hook.name(), delivery, event, "already-registered", h.component().toString(), r.version(),
          e.getMessage());
    }
  }

  private static String truncate(String s, int max) {
    return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
  }
}
