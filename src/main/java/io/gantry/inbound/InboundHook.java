package io.gantry.inbound;

/** A declared inbound hook as stored. */
public record InboundHook(long id, InboundHookDefinition definition, long rowVersion) {

  public String name() {
    return definition.name();
  }
}
