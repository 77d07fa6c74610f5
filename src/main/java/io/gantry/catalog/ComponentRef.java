package io.gantry.catalog;

/** A component named within its service, written {@code service/component}. */
public record ComponentRef(String service, String component) {

  public static ComponentRef parse(String text) {
    int slash = text == null ? -1 : text.indexOf('/');
    if (slash <= 0 || slash != text.lastIndexOf('/') || slash == text.length() - 1) {
      throw new IllegalArgumentException("\"" + text + "\" is not a component reference: use SERVICE/COMPONENT");
    }
    return new ComponentRef(text.substring(0, slash), text.substring(slash + 1));
  }

  @Override
  public String toString() {
    return service + "/" + component;
  }
}
