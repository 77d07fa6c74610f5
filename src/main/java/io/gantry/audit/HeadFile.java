package io.gantry.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The chain's head written to a file outside the database ({@code gantry.audit.head-file}): one line,
 * the entry's number and its chain hash. Whoever rewrites the whole chain in the database cannot make
 * that entry match again without this file; verifications compare it.
 */
final class HeadFile {

  private final Path file;

  HeadFile(Path file) {
    this.file = file;
  }

  void write(Sealer.Head head) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".audit-head", ".tmp");
      Files.writeString(tmp, head.seq() + " " + head.hash() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("the audit chain's head could not be written to " + file, e);
    }
  }

  /** The head last written; empty when none was. A file that is not a head is reported as such. */
  Optional<Sealer.Head> read() {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      String[] parts = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ");
      if (parts.length != 2 || !parts[0].matches("[1-9][0-9]{0,18}") || !parts[1].matches("[0-9a-f]{64}")) {
        throw new IllegalStateException(file + " is not an audit chain head (NUMBER HASH)");
      }
      return Optional.of(new Sealer.Head(Long.parseLong(parts[0]), parts[1]));
    } catch (IOException e) {
      throw new UncheckedIOException("the audit chain's head could not be read from " + file, e);
    }
  }

  Path path() {
    return file;
  }
}
