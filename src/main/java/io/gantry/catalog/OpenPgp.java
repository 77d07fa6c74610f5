package io.gantry.catalog;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPKeyReader;

/** Reading OpenPGP public keys, and naming keys the way {@code gpg} shows them. */
final class OpenPgp {

  private static final String PUBLIC_BLOCK = "-----BEGIN PGP PUBLIC KEY BLOCK-----";
  private static final String PRIVATE_BLOCK = "-----BEGIN PGP PRIVATE KEY BLOCK-----";
  private static final String EXPORT = "export it with gpg --export --armor KEY";

  private OpenPgp() {}

  /**
   * The one public key (certificate) that ASCII-armored text holds.
   *
   * @throws IllegalArgumentException saying why the text is not exactly one public key
   */
  static OpenPGPCertificate publicKey(String armored) {
    String text = armored == null ? "" : armored.strip();
    if (text.startsWith(PRIVATE_BLOCK)) {
      throw new IllegalArgumentException(secretKey());
    }
    if (!text.startsWith(PUBLIC_BLOCK)) {
      throw new IllegalArgumentException("expected an ASCII-armored block starting with " + PUBLIC_BLOCK + "; "
          + EXPORT);
    }
    List<OpenPGPCertificate> keys;
    try {
      keys = new OpenPGPKeyReader().parseKeysOrCertificates(text);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("the block cannot be read (" + e.getMessage() + "); " + EXPORT);
    }
    if (keys.stream().anyMatch(OpenPGPCertificate::isSecretKey)) {
      throw new IllegalArgumentException(secretKey());
    }
    if (keys.size() != 1) {
      throw new IllegalArgumentException("the block holds " + keys.size() + " keys; declare each key in a "
          + "TrustedKey of its own");
    }
    return keys.getFirst();
  }

  private static String secretKey() {
    return "it holds a secret key, which must never be given to Gantry; give the public key only ("
        + EXPORT + ") and treat this secret key as exposed";
  }

  /** The fingerprint in upper-case hex, as {@code gpg --fingerprint} shows it without spaces. */
  static String fingerprint(byte[] fingerprint) {
    return HexFormat.of().formatHex(fingerprint).toUpperCase(Locale.ROOT);
  }

  /** Who made a signature: the issuer's fingerprint when the signature names it, else its long key id. */
  static String signer(PGPSignature signature) {
    KeyIdentifier best = null;
    for (KeyIdentifier id : signature.getKeyIdentifiers()) {
      if (id.getFingerprint() != null) {
        return fingerprint(id.getFingerprint());
      }
      best = id;
    }
    long keyId = best != null ? best.getKeyId() : signature.getKeyID();
    return String.format(Locale.ROOT, "%016X", keyId);
  }
}
