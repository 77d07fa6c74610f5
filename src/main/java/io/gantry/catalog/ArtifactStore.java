package io.gantry.catalog;

import io.gantry.shared.IntegrityViolationException;
import io.gantry.shared.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Content-addressed artifact storage under {@code <data-dir>/dml/sha256/ab/abcdef...}. A blob is
 * received into a staging file, hashed while written, and moved into place only when what
 * references it is recorded ({@link Library#keep}), so a refused upload leaves nothing in the library
 * and a crash never leaves a half-written blob under its digest. Every read checks the bytes against
 * the digest again.
 */
@Component
public class ArtifactStore {

  private final Path root;

  public ArtifactStore(@Value("${gantry.data-dir:./data}") Path dataDir) {
    this.root = dataDir.resolve("dml").toAbsolutePath().normalize();
  }

  /** What was stored: the digest the bytes hash to and how many there were. */
  public record Stored(Digest digest, long size) {}

  /**
   * Bytes received and hashed but not in the library yet: a file in the staging area ({@code
   * <data-dir>/dml/tmp}), which becomes a library file only when {@link #place} moves it, once what
   * references it is being recorded. Closing it removes the staged file if it was not placed.
   */
  public record Staged(Digest digest, long size, Path file) implements AutoCloseable {
    public Stored stored() {
      return new Stored(digest, size);
    }

    @Override
    public void close() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException("could not remove the staged upload " + file, e);
      }
    }
  }

  /** A file in the library. */
  public record Blob(Digest digest, long size) {}

  /**
   * Receives the stream's bytes into the staging area, refusing more than {@code maxBytes}; nothing
   * is left behind when it fails.
   */
  public Staged stage(InputStream in, long maxBytes, String nameForErrors) {
    Path tmp = null;
    try {
      Path tmpDir = Files.createDirectories(root.resolve("tmp"));
      tmp = Files.createTempFile(tmpDir, "upload-", ".part");
      MessageDigest sha = sha256();
      long size;
      try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
        size = copyAtMost(in, out, maxBytes, nameForErrors);
      }
      Staged staged = new Staged(Digest.ofSha256(sha.digest()), size, tmp);
      tmp = null;
      return staged;
    } catch (IOException e) {
      throw new UncheckedIOException("could not receive artifact " + nameForErrors + " in " + root, e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // the staged file is removed by gantry library prune once it is old
        }
      }
    }
  }

  /** Reads staged bytes (to validate them before they are kept). */
  public InputStream open(Staged staged) {
    try {
      return Files.newInputStream(staged.file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Moves staged bytes into the library under their digest. True when this made a new library file;
   * false when the library held those bytes already (the staged file is then removed).
   */
  boolean place(Staged staged) {
    try {
      Path target = pathOf(staged.digest());
      Files.createDirectories(target.getParent());
      if (Files.exists(target) && matches(target, staged.digest())) {
        staged.close();
        return false;
      }
      try {
        Files.move(staged.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
        Files.move(staged.file(), target, StandardCopyOption.REPLACE_EXISTING);
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException("could not move artifact " + staged.digest() + " into " + root, e);
    }
  }

  /** Removes a library file (one that nothing references: see {@link Library#prune}). */
  void remove(Digest digest) {
    try {
      Files.deleteIfExists(pathOf(digest));
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + pathOf(digest), e);
    }
  }

  /** Every file in the library, by digest; files whose names are not digests are not the library's. */
  List<Blob> blobs() {
    Path dir = root.resolve("sha256");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir, 2)) {
      List<Blob> blobs = new ArrayList<>();
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.matches("[0-9a-f]{64}") && file.getParent().getFileName().toString().equals(name.substring(0, 2))) {
          blobs.add(new Blob(Digest.parse("sha256:" + name), Files.size(file)));
        }
      }
      return blobs;
    } catch (IOException e) {
      throw new UncheckedIOException("could not list the library at " + dir, e);
    }
  }

  /** Staged uploads last written before {@code before}: left by a server that stopped while receiving them. */
  List<Path> stagedBefore(Instant before) {
    Path dir = root.resolve("tmp");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> old = new ArrayList<>();
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        if (Files.getLastModifiedTime(file).toInstant().isBefore(before)) {
          old.add(file);
        }
      }
      return old;
    } catch (IOException e) {
      throw new UncheckedIOException("could not list the staging area " + dir, e);
    }
  }

  public boolean contains(Digest digest) {
    return Files.isRegularFile(pathOf(digest));
  }

  /** Reads the whole blob once and fails if its bytes no longer hash to its digest. */
  public void verify(Digest digest) {
    try (InputStream in = open(digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Opens a blob for reading. The stream checks the digest as it is read and throws {@link
   * IntegrityViolationException} at the end if the bytes changed on disk.
   */
  public InputStream open(Digest digest) {
    Path path = pathOf(digest);
    if (!Files.isRegularFile(path)) {
      throw new IntegrityViolationException("artifact " + digest + " is missing from the library at " + path);
    }
    try {
      return new CheckedStream(Files.newInputStream(path), digest, actual -> new IntegrityViolationException("artifact "
          + digest + " in the library (" + path + ") has been altered: its bytes now hash to " + actual));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The file that holds a blob, to be sent as it is to a receiver that checks every byte against the digest itself
   * before anything uses them (an agent): the bytes are hashed once, on the receiving host, rather than on both
   * ends. Never to be written to.
   */
  public Path fileForCheckingReceiver(Digest digest) {
    Path path = pathOf(digest);
    if (!Files.isRegularFile(path)) {
      throw new IntegrityViolationException("artifact " + digest + " is missing from the library at " + path);
    }
    return path;
  }

  Path root() {
    return root;
  }

  Path pathOf(Digest digest) {
    String hex = digest.hex();
    return root.resolve("sha256").resolve(hex.substring(0, 2)).resolve(hex);
  }

  private boolean matches(Path file, Digest digest) throws IOException {
    MessageDigest sha = sha256();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        sha.update(buf, 0, n);
      }
    }
    return Digest.ofSha256(sha.digest()).equals(digest);
  }

  private static long copyAtMost(InputStream in, OutputStream out, long max, String name) throws IOException {
    byte[] buf = new byte[1 << 16];
    long total = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      total += n;
      if (total > max) {
        throw InvalidInputException.of(name, "artifact " + name + " is larger than the limit of " + max + " bytes");
      }
      out.write(buf, 0, n);
    }
    return total;
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
