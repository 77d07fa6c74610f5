package io.gantry.secret;

import java.io.IOException;
import io.gantry.shared.StartupProblem;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys secrets are sealed with: the current one seals, it and the previous ones open. A key is 32
 * random bytes, given base64-encoded in a file that only its owner may read (made on first use when
 * the current key's file does not exist) or in {@code GANTRY_SECRETS_KEY}. Sealing is AES-256-GCM with
 * a random 96-bit nonce and the secret's name as associated data, so a sealed value moved to another
 * name does not open.
 */
final class SecretKeys {

  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  private final String currentId;
  private final Map<String, byte[]> keys = new LinkedHashMap<>();
  private final SecureRandom random = new SecureRandom();

  private SecretKeys(byte[] current, List<byte[]> previous) {
    currentId = id(current);
    keys.put(currentId, current);
    previous.forEach(k -> keys.putIfAbsent(id(k), k));
  }

  /**
   * The keys: {@code inline} (base64) when given, else the file {@code current} (made if missing); then
   * the {@code previous} files, which must exist.
   */
  static SecretKeys load(String inline, Path current, List<Path> previous) {
    byte[] key = inline != null && !inline.isBlank() ? decode(inline.strip(), "GANTRY_SECRETS_KEY")
        : readOrCreate(current);
    return new SecretKeys(key, previous.stream().map(p -> read(p)).toList());
  }

  String currentId() {
    return currentId;
  }

  /** {@code <nonce><ciphertext and tag>}, base64, sealed with the current key for {@code name}. */
  String seal(String name, String value) {
    byte[] nonce = new byte[NONCE];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.get(currentId), "AES"),
          new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE);
      System.arraycopy(sealed, 0, out, NONCE, sealed.length);
      return Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
    }
  }

  /** The value sealed for {@code name} with the key {@code keyId}; a clear error when it cannot be opened. */
  String open(String name, String keyId, String sealed) {
    byte[] key = keys.get(keyId);
    if (key == null) {
      throw new SecretUnavailableException("secret \"" + name + "\" was sealed with key " + keyId
          + ", which this server does not have: give it as gantry.secrets.previous-key-files");
    }
    try {
      byte[] in = Base64.getDecoder().decode(sealed);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BITS, in, 0, NONCE));
      cipher.updateAAD(name.getBytes(StandardCharsets.UTF_8));
      return new String(cipher.doFinal(in, NONCE, in.length - NONCE), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new SecretUnavailableException("secret \"" + name + "\" does not open with key " + keyId
          + ": its sealed value was changed, or moved from another name");
    }
  }

  static String id(byte[] key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key)).substring(0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] readOrCreate(Path file) {
    if (Files.exists(file)) {
      return read(file);
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
      Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
      return key;
    } catch (IOException e) {
      throw new StartupProblem("could not create the secrets key file " + file + ": " + e.getMessage());
    }
  }

  private static byte[] read(Path file) {
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        if (p.stream().anyMatch(x -> x.name().startsWith("GROUP") || x.name().startsWith("OTHERS"))) {
          throw new StartupProblem("the secrets key file " + file + " may be read by others ("
              + PosixFilePermissions.toString(p) + "): run chmod 600 " + file);
        }
      }
      return decode(Files.readString(file).strip(), file.toString());
    } catch (IOException e) {
      throw new StartupProblem("the secrets key file " + file + " cannot be read: " + e.getMessage());
    }
  }

  private static byte[] decode(String base64, String where) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new StartupProblem("the secrets key in " + where + " is not base64");
    }
    if (key.length != 32) {
      throw new StartupProblem("the secrets key in " + where + " has " + key.length
          + " bytes; a key is 32 random bytes, base64-encoded (e.g. head -c 32 /dev/urandom | base64)");
    }
    return key;
  }
}
