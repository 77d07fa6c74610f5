package io.gantry.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.api.OpenPGPApi;
import org.bouncycastle.openpgp.api.OpenPGPKey;
import org.bouncycastle.openpgp.api.SignatureParameters;
import org.bouncycastle.openpgp.api.bc.BcOpenPGPApi;

/**
 * An OpenPGP v4 key made for a test (Ed25519, so it takes milliseconds, not the seconds an RSA key
 * would), with what a release manager would do with it: export the public key, sign files.
 */
public final class SigningKey {

  private static final OpenPGPApi API = new BcOpenPGPApi();

  private final OpenPGPKey key;

  private SigningKey(OpenPGPKey key) {
    this.key = key;
  }

  /** A new key, created a minute ago so that a signature made now is within its life. */
  public static SigningKey generate(String userId) {
    try {
      return new SigningKey(API.generateKey(PublicKeyPacket.VERSION_4,
          new Date(System.currentTimeMillis() - 60_000)).ed25519x25519Key(userId).build());
    } catch (PGPException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The public key as {@code gpg --export --armor} gives it. */
  public String publicKey() {
    try {
      return key.toCertificate().toAsciiArmoredString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The secret key as {@code gpg --export-secret-keys --armor} gives it. */
  public String secretKey() {
    try {
      return key.toAsciiArmoredString();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The fingerprint in upper-case hex. */
  public String fingerprint() {
    return java.util.HexFormat.of().formatHex(key.getFingerprint()).toUpperCase(java.util.Locale.ROOT);
  }

  /** The fingerprint of the subkey that signs files (the key a signature names as its issuer). */
  public String signingKeyFingerprint() {
    return java.util.HexFormat.of().formatHex(key.getSigningKeys().getFirst().getPGPPublicKey().getFingerprint())
        .toUpperCase(java.util.Locale.ROOT);
  }

  /** This key, given by its owner an expiry {@code after} its creation. */
  public SigningKey expiring(java.time.Duration after) {
    try {
      return new SigningKey(API.editKey(key).addDirectKeySignature(new SignatureParameters.Callback() {
        @Override
        public SignatureParameters apply(SignatureParameters parameters) {
          return parameters.setHashedSubpacketsFunction(subpackets -> {
            subpackets.setKeyExpirationTime(true, after.toSeconds());
            return subpackets;
          });
        }
      }).done());
    } catch (PGPException e) {
      throw new IllegalStateException(e);
    }
  }

  /** This key, revoked by its owner. */
  public SigningKey revoked() {
    try {
      return new SigningKey(API.editKey(key).revokeKey().done());
    } catch (PGPException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A detached signature of {@code content}, ASCII-armored ({@code gpg --detach-sign --armor}). */
  public byte[] armoredSignature(byte[] content) {
    try {
      return API.createDetachedSignature().addSigningKey(key).sign(new ByteArrayInputStream(content)).getFirst()
          .toAsciiArmoredString().getBytes(StandardCharsets.US_ASCII);
    } catch (IOException | PGPException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A detached signature of {@code content} made with SHA-1, as old tools made them. */
  public byte[] sha1Signature(byte[] content) {
    try {
      return API.createDetachedSignature().addSigningKey(key, new SignatureParameters.Callback() {
        @Override
        public SignatureParameters apply(SignatureParameters parameters) {
          return parameters.setSignatureHashAlgorithm(HashAlgorithmTags.SHA1);
        }
      }).sign(new ByteArrayInputStream(content)).getFirst().getEncoded();
    } catch (IOException | PGPException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A detached signature of {@code content}, binary ({@code gpg --detach-sign}). */
  public byte[] binarySignature(byte[] content) {
    try {
      return API.createDetachedSignature().addSigningKey(key).sign(new ByteArrayInputStream(content)).getFirst()
          .getEncoded();
    } catch (IOException | PGPException e) {
      throw new IllegalStateException(e);
    }
  }
}
