package io.gantry.inbound;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** How a delivery proves it comes from the hook's sender; every comparison takes the same time whatever differs. */
final class HookSignatures {

  /** How far a GitLab signed delivery's timestamp may be from now: older ones are refused as replays. */
  static final Duration GITLAB_TOLERANCE = Duration.ofMinutes(5);

  private HookSignatures() {}

  /** GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body under the secret>}. */
  static boolean github(String header, byte[] body, String secret) {
    if (header == null || !header.startsWith("sha256=")) {
      return false;
    }
    byte[] given;
    try {
      given = HexFormat.of().parseHex(header.substring("sha256=".length()).strip());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(hmac(secret, body), given);
  }

  /** GitLab's secret token: {@code X-Gitlab-Token} carries the secret itself. */
  static boolean gitlabToken(String header, String secret) {
    if (header == null) {
      return false;
    }
    return MessageDigest.isEqual(sha256(header), sha256(secret));
  }

  /**
   * GitLab's signing token (Standard Webhooks): {@code webhook-signature: v1,<base64 HMAC-SHA256 of
   * "webhook-id.webhook-timestamp.body">}, possibly several space-separated, with a timestamp (seconds)
   * no further than {@link #GITLAB_TOLERANCE} from now.
   */
  static boolean gitlabSigned(String signatures, String id, String timestamp, byte[] body, String secret,
      Instant now) {
    if (signatures == null || id == null || timestamp == null) {
      return false;
    }
    long seconds;
    try {
      seconds = Long.parseLong(timestamp.strip());
    } catch (NumberFormatException e) {
      return false;
    }
    if (Duration.between(Instant.ofEpochSecond(seconds), now).abs().compareTo(GITLAB_TOLERANCE) > 0) {
      return false;
    }
    byte[] prefix = (id + "." + timestamp.strip() + ".").getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    byte[] key;
    try {
      // GitLab's signing tokens are whsec_<base64 of the key> (Standard Webhooks): the key is the decoded bytes
      key = secret.startsWith("whsec_") ? Base64.getDecoder().decode(secret.substring(6))
          : secret.getBytes(StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] expected = hmac(key, signed);
    boolean any = false;
    for (String part : signatures.strip().split(" +")) {
      if (!part.startsWith("v1,")) {
        continue;
      }
      try {
        any |= MessageDigest.isEqual(expected, Base64.getDecoder().decode(part.substring(3)));
      } catch (IllegalArgumentException e) {
        // not base64: not a match
      }
    }
    return any;
  }

  static byte[] hmac(String secret, byte[] data) {
    return hmac(secret.getBytes(StandardCharsets.UTF_8), data);
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
