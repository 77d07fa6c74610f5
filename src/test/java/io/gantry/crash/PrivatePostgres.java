package io.gantry.crash;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own (Debian's binaries, a cluster made by initdb in a folder of its own, on
 * a free port of 127.0.0.1, trust authentication), so that a test may stop and start it under running Gantry
 * servers without disturbing the PostgreSQL the other tests share. PostgreSQL does not run as root: when the
 * tests run as root, its commands run as the {@code postgres} account. Removed when closed.
 */
final class PrivatePostgres implements AutoCloseable {

  private final Path bin;
  private final Path dir;
  private final int port;
  private final boolean asPostgres;

  private PrivatePostgres(Path bin) throws IOException, InterruptedException {
    this.bin = bin;
    this.asPostgres = "root".equals(System.getProperty("user.name"));
    this.dir = Files.createTempDirectory("gantry-pg-");
    if (asPostgres) {
      run(List.of("chown", "postgres", dir.toString()), false);
    }
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    run(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U",
        "postgres", "--no-sync"), true);
    start();
  }

  /** Debian's PostgreSQL binaries of the newest version installed, if any. */
  static Optional<Path> binaries() {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
          .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Makes the cluster and starts it. */
  static PrivatePostgres start(Path bin) throws IOException, InterruptedException {
    return new PrivatePostgres(bin);
  }

  String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  void start() throws IOException, InterruptedException {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60", "-l",
        dir.resolve("log").toString(), "-w", "start"), true);
  }

  /** A fast shutdown, as an administrator restarting the database does: sessions are ended. */
  void stop() throws IOException, InterruptedException {
    run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop"),
        true);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    try {
      run(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "stop"),
          true);
    } catch (IllegalStateException alreadyStopped) {
      // stopped by the test
    }
    run(List.of("rm", "-rf", dir.toString()), false);
  }

  private void run(List<String> command, boolean postgres) throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    if (postgres && asPostgres) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", full) + " failed: " + out);
    }
  }
}
