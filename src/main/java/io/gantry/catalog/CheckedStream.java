package io.gantry.catalog;

import io.gantry.shared.IntegrityViolationException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.function.Function;

/**
 * An artifact's bytes, hashed as they are read: at their end the SHA-256 of what was read is compared with the
 * digest the version records, and a mismatch is thrown as an {@link IntegrityViolationException} before the
 * reader sees the end. A reader that reads to the end therefore never takes altered bytes for the artifact, and
 * need not hash them again. It cannot be skipped through: every byte counts.
 */
public class CheckedStream extends FilterInputStream {

  private final MessageDigest sha = ArtifactStore.sha256();
  private final Digest expected;
  private final Function<Digest, IntegrityViolationException> mismatch;
  private boolean checked;

  /**
   * @param in the bytes
   * @param expected the digest they must have
   * @param mismatch what to throw, given the digest the bytes turned out to have
   */
  public CheckedStream(InputStream in, Digest expected, Function<Digest, IntegrityViolationException> mismatch) {
    super(in);
    this.expected = expected;
    this.mismatch = mismatch;
  }

  /** The digest the bytes are checked against. */
  public Digest expected() {
    return expected;
  }

  /**
   * The bytes without this stream's hashing, for a receiver that checks every byte against {@link #expected()}
   * itself before anything uses them (an SSH target's host hashes what it wrote): the bytes are hashed once, where
   * they arrive, rather than on both ends. Read that stream instead of this one, never both.
   */
  public InputStream forCheckingReceiver() {
    return in;
  }

  /** Whether the end was read and the bytes matched. */
  public boolean checked() {
    return checked;
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
    throw new UnsupportedOperationException("a checked artifact stream must be read in full");
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  private void check() {
    if (!checked) {
      Digest actual = Digest.ofSha256(sha.digest());
      if (!actual.equals(expected)) {
        throw mismatch.apply(actual);
      }
      checked = true;
    }
  }
}
