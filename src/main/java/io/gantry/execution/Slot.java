package io.gantry.execution;

import java.util.Objects;

/**
 * One of the two slots of a blue-green deployment on a target: its folder is
 * {@code <component folder>/<name>} and its version serves on {@code port}. Steps in a slot get
 * {@code ${slot}} and {@code ${port}}, and commands {@code GANTRY_SLOT} and {@code GANTRY_PORT}.
 *
 * @param name {@code blue} or {@code green}, nothing else (it is a folder name and a link's target)
 * @param port the port the slot's version serves on, 1 to 65535
 */
public record Slot(String name, int port) {

  public static final String BLUE = "blue";
  public static final String GREEN = "green";

  /** The link in the component's folder that names the live slot. */
  public static final String LIVE = "live";

  public Slot {
    Objects.requireNonNull(name, "name");
    if (!name.equals(BLUE) && !name.equals(GREEN)) {
      throw new IllegalArgumentException("a slot is blue or green, not " + name);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is not a port (1 to 65535)");
    }
  }

  /** The other slot's name. */
  public static String other(String name) {
    return BLUE.equals(name) ? GREEN : BLUE;
  }
}
