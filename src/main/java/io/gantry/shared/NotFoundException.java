package io.gantry.shared;

/** A named thing that does not exist, e.g. {@code component "shop/web"}. */
public class NotFoundException extends RuntimeException {

  public NotFoundException(String kind, String name) {
    super(kind + " \"" + name + "\" does not exist");
  }
}
