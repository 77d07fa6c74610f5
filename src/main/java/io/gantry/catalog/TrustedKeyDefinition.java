package io.gantry.catalog;

import java.util.Map;
import java.util.TreeMap;

/**
 * An OpenPGP public key whose detached signatures vouch for component versions, as configuration
 * declares it.
 *
 * @param publicKey the key as ASCII-armored text ({@code gpg --export --armor KEY})
 */
public record TrustedKeyDefinition(String name, String description, String publicKey, Map<String, String> labels) {

  public TrustedKeyDefinition {
    labels = labels == null ? Map.of() : new TreeMap<>(labels);
  }

  /**
   * The key's fingerprint in upper-case hex.
   *
   * @throws IllegalArgumentException saying why {@link #publicKey} is not exactly one OpenPGP public key
   */
  public String fingerprint() {
    return OpenPgp.fingerprint(OpenPgp.publicKey(publicKey).getFingerprint());
  }
}
