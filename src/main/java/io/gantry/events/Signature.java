package io.gantry.events;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook delivery, in the header {@code Gantry-Signature: t=UNIX_SECONDS,v1=HEX}: HMAC-SHA256
 * with the subscription's secret over the time, a dot and the body as sent. A receiver recomputes it, compares in
 * constant time, and refuses a time too far from its clock (a replayed delivery).
 */
public final class Signature {

  public static final String HEADER = "Gantry-Signature";

  private Signature() {}

  /** The header's value for this body sent at {@code epochSeconds}. */
  public static String header(String secret, long epochSeconds, byte[] body) {
    return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, epochSeconds, body));
  }

  /** Whether the header is a valid signature of the body, made within {@code toleranceSeconds} of {@code now}. */
  public static boolean verify(String secret, String header, byte[] body, long nowEpochSeconds, long toleranceSeconds) {
    if (header == null) {
      return false;
    }
    Long t = null;
    byte[] v1 = null;
    for (String part : header.split(",")) {
      String[] kv = part.trim().split("=", 2);
      if (kv.length != 2) {
        return false;
      }
      try {
        if (kv[0].equals("t")) {
          t = Long.parseLong(kv[1]);
        } else if (kv[0].equals("v1")) {
          v1 = HexFormat.of().parseHex(kv[1]);
        }
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    if (t == null || v1 == null || Math.abs(nowEpochSeconds - t) > toleranceSeconds) {
      return false;
    }
    return MessageDigest.isEqual(mac(secret, t, body), v1);
  }

  private static byte[] mac(String secret, long epochSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      mac.update((epochSeconds + ".").getBytes(StandardCharsets.UTF_8));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 is not available", e);
    }
  }
}
