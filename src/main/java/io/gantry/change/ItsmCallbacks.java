package io.gantry.change;

import io.gantry.shared.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.security.access.AccessDeniedException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an ITSM tool's call back says, and whether to believe it. A call back with no body is a signal
 * to ask the tool; one that states the change's value must name the change by the tool's own
 * reference and be signed with the secret shared with that tool, so that neither a holder of a
 * callback role nor anyone replaying another change's call back can decide a change.
 */
final class ItsmCallbacks {

  static final String SIGNATURE = "X-Gantry-Signature";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> FIELDS = Set.of("reference", "state");

  /** What a call back carries: nothing (ask the tool), or a stated value for a named reference. */
  record Said(String reference, String state) {
    boolean asksOnly() {
      return state == null;
    }
  }

  private ItsmCallbacks() {}

  static Said read(byte[] body) {
    if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
      return new Said(null, null);
    }
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (JacksonException e) {
      throw InvalidInputException.of("body", "a callback's body is JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw InvalidInputException.of("body", "a callback's body is a JSON object: {\"reference\", \"state\"}, or empty");
    }
    for (String name : node.propertyNames()) {
      if (!FIELDS.contains(name)) {
        throw InvalidInputException.of(name, "a callback has no field \"" + name + "\"; it may give reference and state");
      }
    }
    String reference = text(node, "reference");
    String state = text(node, "state");
    if (state == null && reference != null) {
      throw InvalidInputException.of("state", "a callback that names a reference states its value; send no body "
          + "to have Gantry ask the tool");
    }
    if (state != null && reference == null) {
      throw InvalidInputException.of("reference", "a callback that states a value names the change by the tool's "
          + "reference (e.g. CHG0030001)");
    }
    return new Said(reference, state);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isString() || value.asString().isBlank()) {
      throw InvalidInputException.of(field, field + " must be a non-empty string");
    }
    if (value.asString().length() > 100) {
      throw InvalidInputException.of(field, field + " has at most 100 characters, not " + value.asString().length());
    }
    return value.asString().strip();
  }

  /**
   * Refuses a stated value unless {@code signature} is {@code sha256=} and the hex HMAC-SHA256 of
   * {@code body} with the system's callback secret.
   */
  static void requireSigned(String systemName, ItsmSettings.ItsmSystem system, byte[] body, String signature) {
    if (system.callbackSecret() == null) {
      throw new AccessDeniedException("a callback's state is taken only when it is signed, and no "
          + "gantry.itsm.systems." + systemName + ".callback-secret is configured; call back without a body to "
          + "have Gantry ask " + systemName + " at once");
    }
    if (signature == null || !signature.startsWith("sha256=")) {
      throw new AccessDeniedException("a callback stating a value needs the header " + SIGNATURE
          + ": sha256=<hex HMAC-SHA256 of the body with the callback-secret of " + systemName + ">");
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(signature.substring("sha256=".length()).strip());
    } catch (IllegalArgumentException e) {
      throw new AccessDeniedException(SIGNATURE + " is not sha256=<hex>");
    }
    if (!MessageDigest.isEqual(given, hmac(system.callbackSecret(), body))) {
      throw new AccessDeniedException("the callback's " + SIGNATURE + " does not match its body and the "
          + "callback-secret of " + systemName + "; nothing was changed");
    }
  }

  static byte[] hmac(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(body);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
