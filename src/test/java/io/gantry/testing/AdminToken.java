package io.gantry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The first administrator's token of a server started by the tests, read once per data directory:
 * the server removes the file once the administrator holds another token, which many tests make.
 */
public final class AdminToken {

  private static final Map<Path, String> READ = new ConcurrentHashMap<>();

  private AdminToken() {}

  public static String of(Path dataDir) {
    return READ.computeIfAbsent(dataDir.toAbsolutePath().normalize(), dir -> {
      try {
        return Files.readString(dir.resolve("admin.token")).trim();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }
}
