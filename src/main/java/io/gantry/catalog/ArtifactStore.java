package io.gantry.catalog;

import io.gantry.shared.IntegrityViolationException;
import io.gantry.shared.InvalidInputException;
import java.io.FilterInputStream;
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
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Content-addressed artifact storage under {@code <data-dir>/dml/sha256/ab/abcdef...}. A blob is
 * written to a temporary file, hashed while written, then moved into place, so a crash never leaves
 * a half-written blob under its digest. Every read checks the bytes against the digest again.
 */
@Component
public class ArtifactStore {

  private final Path root;

  public ArtifactStore(@Value("${gantry.data-dir:./data}") Path dataDir) {
    this.root = dataDir.resolve("dml").toAbsolutePath().normalize();
  }

  /** What was stored: the digest the bytes hash to and how many there were. */
  public record Stored(Digest digest, long size) {}

  /** Stores the stream's bytes, refusing more than {@code maxBytes}. */
  public Stored store(InputStream in, long maxBytes, String nameForErrors) {
    try {
      Path tmpDir = Files.createDirectories(root.resolve("tmp"));
      Path tmp = Files.createTempFile(tmpDir, "upload-", ".part");
      try {
        MessageDigest sha = sha256();
        long size;
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), sha)) {
          size = copyAtMost(in, out, maxBytes, nameForErrors);
        }
        Digest digest = Digest.ofSha256(sha.digest());
        Path target = pathOf(digest);
        Files.createDirectories(target.getParent());
        if (Files.exists(target) && matches(target, digest)) {
          return new Stored(digest, size);
        }
        try {
          Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
          Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return new Stored(digest, size);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not store artifact " + nameForErrors + " in " + root, e);
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
      return new VerifyingStream(Files.newInputStream(path), digest, path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  private static final class VerifyingStream extends FilterInputStream {
    private final MessageDigest sha = sha256();
    private final Digest expected;
    private final Path path;
    private boolean checked;

    VerifyingStream(InputStream in, Digest expected, Path path) {
      super(in);
      this.expected = expected;
      this.path = path;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        check();
      } else {
        sha.update((byte) b);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n < 0) {
        check();
      } else {
        sha.update(b, off, n);
      }
      return n;
    }

    @Override
    public long skip(long n) {
      throw new UnsupportedOperationException("a verified artifact stream must be read in full");
    }

    private void check() {
      if (!checked) {
        checked = true;
        Digest actual = Digest.ofSha256(sha.digest());
        if (!actual.equals(expected)) {
          throw new IntegrityViolationException("artifact " + expected + " in the library (" + path
              + ") has been altered: its bytes now hash to " + actual);
        }
      }
    }
  }
}
