package io.gantry.events;

import io.gantry.catalog.ComponentRef;
import java.nio.charset.StandardCharsets;

/**
 * How Gantry names a component version as a Package URL (purl): type {@code generic}, the service as its namespace,
 * the component as its name, the version as its version, each percent-encoded as the purl specification asks
 * (everything but ASCII letters, digits and {@code . - _ ~}).
 */
final class Purls {

  private Purls() {}

  /** {@code pkg:generic/<service>/<component>@<version>}, without qualifiers. */
  static String of(ComponentRef component, String version) {
    return "pkg:generic/" + encode(component.service()) + "/" + encode(component.component()) + "@" + encode(version);
  }

  static String encode(String text) {
    StringBuilder out = new StringBuilder(text.length() + 8);
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
