package io.gantry.catalog;

import io.gantry.shared.IntegrityViolationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.bouncycastle.bcpg.KeyIdentifier;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.api.OpenPGPCertificate;
import org.bouncycastle.openpgp.api.OpenPGPCertificate.OpenPGPComponentKey;
import org.bouncycastle.openpgp.api.OpenPGPDefaultPolicy;
import org.bouncycastle.openpgp.api.OpenPGPPolicy;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;
import org.springframework.stereotype.Service;

/**
 * Checks the OpenPGP detached signatures pushed with a version: for every artifact {@code X}, a
 * signature {@code X.asc} (armored) or {@code X.sig} (binary) beside it, made by a trusted key over
 * exactly the bytes the library holds. An artifact {@code X.asc} or {@code X.sig} is a signature
 * when {@code X} is an artifact of the same version; otherwise it is an artifact like any other and
 * needs a signature of its own.
 */
@Service
public class Signatures {

  /** Larger than any detached signature; a bigger "signature" is not read into memory. */
  static final long MAX_SIGNATURE_BYTES = 64 * 1024;
  private static final List<String> SUFFIXES = List.of(".asc", ".sig");
  /** Bouncy Castle's judgement of which hash algorithms and keys are still safe to rely on (no MD5, no SHA-1). */
  private static final OpenPGPPolicy POLICY = new OpenPGPDefaultPolicy();

  private final Library library;
  private final TrustedKeys trustedKeys;
  private final Clock clock;

  public Signatures(Library library, TrustedKeys trustedKeys, Clock clock) {
    this.library = library;
    this.trustedKeys = trustedKeys;
    this.clock = clock;
  }

  /**
   * Why the version's artifacts are not all signed by a trusted key, naming the artifact; null when
   * every artifact that is not itself a signature has at least one signature beside it, and every
   * signature beside it verifies against its bytes (read through the library, which checks their
   * digest) with a key of a {@link TrustedKey} that is neither revoked nor expired now and was a
   * valid signing key when it signed. A version with no artifact to sign (attributes only, or
   * signatures only) is refused, as nothing would vouch for it.
   */
  public String problem(ComponentVersion version) {
    Map<String, Artifact> byPath = version.artifacts().stream()
        .collect(Collectors.toMap(Artifact::path, Function.identity(), (a, b) -> a));
    List<Artifact> subjects = version.artifacts().stream().filter(a -> !isSignature(a.path(), byPath.keySet()))
        .toList();
    if (subjects.isEmpty()) {
      return version.component() + "@" + version.version() + " has no artifact that a signature could vouch for";
    }
    List<Trusted> trusted = trustedKeys.all().stream()
        .map(k -> new Trusted(k.name(), OpenPgp.publicKey(k.definition().publicKey()))).toList();
    for (Artifact subject : subjects) {
      String problem = check(subject, byPath, trusted);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private static boolean isSignature(String path, Set<String> paths) {
    return SUFFIXES.stream().anyMatch(s -> path.endsWith(s) && paths.contains(path.substring(0, path.length() - 4)));
  }

  private record Trusted(String name, OpenPGPCertificate certificate) {}

  /** A signature whose key is trusted and valid, waiting for the artifact's bytes. */
  private record Pending(String file, PGPSignature signature, String key) {}

  private String check(Artifact subject, Map<String, Artifact> byPath, List<Trusted> trusted) {
    String path = subject.path();
    if (subject.external()) {
      return "artifact " + path + " is held outside the library (" + subject.url() + "), so its signature cannot "
          + "be checked against its bytes";
    }
    List<Artifact> files = SUFFIXES.stream().map(s -> byPath.get(path + s)).filter(a -> a != null).toList();
    if (files.isEmpty()) {
      return "artifact " + path + " is unsigned: push its detached signature " + path + ".asc or " + path
          + ".sig with the version";
    }
    List<Pending> pending = new ArrayList<>();
    for (Artifact file : files) {
      List<PGPSignature> signatures;
      try {
        signatures = read(file);
      } catch (Unreadable e) {
        return "signature " + file.path() + " of artifact " + path + " is unreadable: " + e.getMessage();
      }
      for (PGPSignature signature : signatures) {
        String problem = admit(signature, file.path(), path, trusted, pending);
        if (problem != null) {
          return problem;
        }
      }
    }
    try (InputStream in = library.open(subject)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) >= 0; ) {
        for (Pending p : pending) {
          p.signature().update(buffer, 0, n);
        }
      }
    } catch (IntegrityViolationException e) {
      return "artifact " + path + ": " + e.getMessage();
    } catch (IOException | UncheckedIOException e) {
      return "artifact " + path + " could not be read from the library: " + e.getMessage();
    }
    for (Pending p : pending) {
      boolean good;
      try {
        good = p.signature().verify();
      } catch (PGPException e) {
        good = false;
      }
      if (!good) {
        return "signature " + p.file() + " does not match the bytes of artifact " + path + " (it was made by "
            + p.key() + " over other content, or the artifact or the signature was altered)";
      }
    }
    return null;
  }

  /** Finds the trusted key that made the signature and checks it may vouch; adds it to {@code pending}. */
  private String admit(PGPSignature signature, String file, String path, List<Trusted> trusted,
      List<Pending> pending) {
    String by = "artifact " + path + " is signed (" + file + ") by ";
    if (signature.getSignatureType() == PGPSignature.CANONICAL_TEXT_DOCUMENT) {
      return "signature " + file + " of artifact " + path + " is a text-mode signature; Gantry checks binary "
          + "signatures: sign with gpg --detach-sign, without --textmode";
    }
    if (signature.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
      return "signature " + file + " of artifact " + path + " is not a signature of a file (OpenPGP signature type "
          + signature.getSignatureType() + ")";
    }
    if (!POLICY.hasAcceptableDocumentSignatureHashAlgorithm(signature)) {
      return "signature " + file + " of artifact " + path + " uses a hash algorithm too weak to rely on ("
          + hashName(signature.getHashAlgorithm()) + "); sign it again with SHA-256 or stronger";
    }
    for (Trusted t : trusted) {
      OpenPGPComponentKey key = keyOf(t.certificate(), signature);
      if (key == null) {
        continue;
      }
      String whose = "key " + OpenPgp.fingerprint(key.getPGPPublicKey().getFingerprint())
          + (key.isPrimaryKey() ? "" : " (a subkey of " + OpenPgp.fingerprint(t.certificate().getFingerprint()) + ")")
          + " of trusted key " + t.name();
      if (!POLICY.isAcceptableVerificationKey(key.getPGPPublicKey())) {
        return by + whose + ", whose algorithm or size is too weak to rely on";
      }
      Instant now = clock.instant();
      Date made = signature.getCreationTime();
      if (t.certificate().getRevocation() != null || key.getRevocation() != null) {
        return by + whose + ", which is revoked";
      }
      Date expires = earliest(t.certificate().getExpirationTime(), key.getKeyExpirationDate());
      if (expires != null && !expires.toInstant().isAfter(now)) {
        return by + whose + ", which expired at " + expires.toInstant() + "; extend the key's expiry and apply the "
            + "TrustedKey again";
      }
      if (!key.isSigningKey(made)) {
        return by + whose + ", which was not a valid signing key when the signature was made ("
            + made.toInstant() + ")";
      }
      try {
        signature.init(new BcPGPContentVerifierBuilderProvider(), key.getPGPPublicKey());
      } catch (PGPException e) {
        return "signature " + file + " of artifact " + path + " cannot be checked with " + whose + ": "
            + e.getMessage();
      }
      pending.add(new Pending(file, signature, whose));
      return null;
    }
    return by + "key " + OpenPgp.signer(signature) + ", which is not a trusted key (declare it as a TrustedKey "
        + "if it should be)";
  }

  private static OpenPGPComponentKey keyOf(OpenPGPCertificate certificate, PGPSignature signature) {
    for (KeyIdentifier id : signature.getKeyIdentifiers()) {
      for (OpenPGPComponentKey key : certificate.getKeys()) {
        if (id.matches(key.getKeyIdentifier())) {
          return key;
        }
      }
    }
    return null;
  }

  private static String hashName(int algorithm) {
    try {
      return PGPUtil.getDigestName(algorithm);
    } catch (PGPException e) {
      return "algorithm " + algorithm;
    }
  }

  private static Date earliest(Date a, Date b) {
    return a == null ? b : b == null ? a : a.before(b) ? a : b;
  }

  private List<PGPSignature> read(Artifact file) throws Unreadable {
    if (file.external()) {
      throw new Unreadable("it is held outside the library (" + file.url() + ")");
    }
    if (file.size() != null && file.size() > MAX_SIGNATURE_BYTES) {
      throw new Unreadable("it is " + file.size() + " bytes, too large for a detached signature");
    }
    byte[] bytes;
    try (InputStream in = library.open(file)) {
      bytes = in.readAllBytes();
    } catch (IntegrityViolationException | IOException | UncheckedIOException e) {
      throw new Unreadable(e.getMessage());
    }
    List<PGPSignature> signatures = new ArrayList<>();
    try {
      BcPGPObjectFactory objects = new BcPGPObjectFactory(PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes)));
      for (Object o; (o = objects.nextObject()) != null; ) {
        if (!(o instanceof PGPSignatureList list)) {
          throw new Unreadable("it holds an OpenPGP " + o.getClass().getSimpleName().replace("PGP", "")
              + ", not a detached signature");
        }
        list.forEach(signatures::add);
      }
    } catch (IOException | RuntimeException e) {
      throw new Unreadable("it is not an OpenPGP signature (" + e.getMessage() + ")");
    }
    if (signatures.isEmpty()) {
      throw new Unreadable("it holds no OpenPGP signature");
    }
    return signatures;
  }

  private static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message, null, false, false);
    }
  }
}
