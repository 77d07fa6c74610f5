package io.gantry.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenSSH server ({@code /usr/sbin/sshd}, Debian's openssh-server) on 127.0.0.1 and a free port,
 * with its own ECDSA host key and one authorized client key, for tests of SSH targets. It logs in the
 * user running the tests; only public key authentication is on.
 */
public final class OpenSshServer implements AutoCloseable {

  private static final Path SSHD = Path.of("/usr/sbin/sshd");

  private final Path dir;
  private final int port;
  private final String hostKeyFingerprint;
  private Process process;

  private OpenSshServer(Path dir, int port, String hostKeyFingerprint) {
    this.dir = dir;
    this.port = port;
    this.hostKeyFingerprint = hostKeyFingerprint;
  }

  /** Generates keys and a configuration under {@code dir} and starts the server. */
  public static OpenSshServer start(Path dir) throws IOException, InterruptedException {
    return start(dir, List.of());
  }

  /** As {@link #start(Path)}, with {@code settings} (lines of sshd_config) added to the configuration. */
  public static OpenSshServer start(Path dir, List<String> settings) throws IOException, InterruptedException {
    if (!Files.isExecutable(SSHD)) {
      throw new IllegalStateException(SSHD + " is missing: install Debian's openssh-server (./run-tests does)");
    }
    Files.createDirectories(dir);
    run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", "gantry-test-host", "-f",
        dir.resolve("host_key").toString());
    run("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", "gantry-test-client", "-f",
        dir.resolve("client_key").toString());
    Files.copy(dir.resolve("client_key.pub"), dir.resolve("authorized_keys"));
    String fingerprint = run("ssh-keygen", "-l", "-f", dir.resolve("host_key.pub").toString()).split(" ")[1];
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Files.writeString(dir.resolve("sshd_config"), String.join("\n",
        "Port " + port,
        "ListenAddress 127.0.0.1",
        "HostKey " + dir.resolve("host_key"),
        "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "PermitRootLogin prohibit-password",
        "PidFile " + dir.resolve("sshd.pid"),
        "LogLevel ERROR",
        // bash sources ~/.bashrc for a command sshd runs unless it is a nested shell; the account running the
        // tests may have a slow one (a pyenv set-up took 0.6 s per command), which is not what is tested
        "SetEnv SHLVL=1",
        String.join("\n", settings),
        "") );
    Files.createDirectories(Path.of("/run/sshd"));
    OpenSshServer server = new OpenSshServer(dir, port, fingerprint);
    server.startProcess();
    return server;
  }

  private void startProcess() throws IOException, InterruptedException {
    process = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("sshd stopped at once: " + Files.readString(dir.resolve("sshd.log")));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("sshd did not listen on 127.0.0.1:" + port + " within 10 s");
  }

  public int port() {
    return port;
  }

  /** The host key's fingerprint as {@code ssh-keygen -lf} prints it, e.g. {@code SHA256:...}. */
  public String hostKeyFingerprint() {
    return hostKeyFingerprint;
  }

  /** The private key the server accepts. */
  public Path clientKey() {
    return dir.resolve("client_key");
  }

  /** The user the server logs in. */
  public String user() {
    return System.getProperty("user.name");
  }

  /** A Target document (with its {@code ---}) for a folder on this server, in environment {@code qa}. */
  public String target(String name, Path folder) {
    return target(name, folder, port);
  }

  /** As {@link #target(String, Path)}, reached on {@code port} (e.g. one nothing listens on). */
  public String target(String name, Path folder, int port) {
    return """
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: %s}
        spec:
          environment: qa
          kind: ssh
          path: %s
          ssh: {host: 127.0.0.1, port: %d, user: %s, identityFile: %s, hostKey: "%s"}
        ---
        """.formatted(name, folder, port, user(), clientKey(), hostKeyFingerprint);
  }

  /** A {@code known_hosts} line for this server, as {@code ssh-keyscan} would print it. */
  public String knownHostsLine() throws IOException {
    String[] pub = Files.readString(dir.resolve("host_key.pub")).trim().split(" ");
    return "[127.0.0.1]:" + port + " " + pub[0] + " " + pub[1];
  }

  /**
   * Stops the server at once, with every session it serves, as when a host goes away: the listener and
   * each per-connection process are killed.
   */
  public void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList();
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    process.waitFor(10, TimeUnit.SECONDS);
    for (ProcessHandle child : children) {
      child.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }
    process = null;
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out.trim();
  }
}
