package io.gantry.shared;

/** A named thing that does not exist, e.g. {@code component "shop/web"}. */
public class NotFoundException extends RuntimeException {

  public NotFoundException(String kind, String name) {
    super(kind + " \"" + name + "\" does not exist");
  }

  private NotFoundException(String message) {
    super(message);
  }

  /** Something that exists lacks what was asked of it; the message says what and why. */
  public static NotFoundException because(String message) {
    return new NotFoundException(message);
  }
}
