package io.gantry.catalog;

import io.gantry.shared.IntegrityViolationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.function.Function;

/**
 * An artifact's bytes in a file on this host whose SHA-256 was found to match the version's digest just before it
 * was handed out (an agent's download, checked as it arrived or when it was kept). A reader may take the file
 * itself, e.g. link it into a release, rather than copy and hash its bytes again; read as a stream, the bytes are
 * checked once more at their end, as any {@link CheckedStream}'s are.
 *
 * <p>Between the check and its use the file is only as safe as the folder it is in: whoever may change that folder
 * may as well change the release it is put in.
 */
public class CheckedFile extends CheckedStream {

  private final Path file;

  /**
   * @param file a file whose bytes the caller has just checked against {@code expected}
   * @param expected the digest they have
   * @param mismatch what to throw should they differ once read as a stream
   */
  public CheckedFile(Path file, Digest expected, Function<Digest, IntegrityViolationException> mismatch)
      throws IOException {
    super(Files.newInputStream(file), expected, mismatch);
    this.file = file;
  }

  /** The file, checked against {@link #expected()} when this stream was made. */
  public Path file() {
    return file;
  }

  /** The SHA-256 of {@code file}'s bytes, read in full. */
  public static Digest hash(Path file) throws IOException {
    MessageDigest sha = ArtifactStore.sha256();
    byte[] buffer = new byte[256 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        sha.update(buffer, 0, n);
      }
    }
    return Digest.ofSha256(sha.digest());
  }
}
