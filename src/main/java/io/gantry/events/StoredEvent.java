package io.gantry.events;

import java.time.Instant;

/**
 * An event as the outbox holds it: the CDEvent ({@code data}, JSON text, whose {@code context.id} is
 * {@code eventId}) and the CloudEvents attributes that wrap it ({@code eventId}, {@code source}, {@code type},
 * {@code subject} = the CDEvent subject's id, {@code time} = its timestamp).
 *
 * @param id the outbox row's number, in the order events were written
 */
public record StoredEvent(long id, String eventId, String type, String source, String subject, Instant time,
    Long deployment, String environment, String service, String data) {

  /** The event as a CloudEvent in structured mode ({@code application/cloudevents+json}). */
  public String structured() {
    var envelope = new java.util.LinkedHashMap<String, Object>();
    envelope.put("specversion", "1.0");
    envelope.put("id", eventId);
    envelope.put("source", source);
    envelope.put("type", type);
    if (subject != null) {
      envelope.put("subject", subject);
    }
    envelope.put("time", Outbox.timestamp(time));
    envelope.put("datacontenttype", "application/json");
    String head = io.gantry.shared.Json.write(envelope);
    // the CDEvent goes in as it was written, byte for byte
    return head.substring(0, head.length() - 1) + ",\"data\":" + data + "}";
  }
}
