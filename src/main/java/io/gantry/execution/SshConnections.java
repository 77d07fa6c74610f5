package io.gantry.execution;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.session.SessionContext;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Opens SSH sessions to targets: agentless (nothing installed on the host but a POSIX shell and the
 * usual coreutils), public key authentication only, and the host's key always checked, against the
 * fingerprint the target declares or else Gantry's known_hosts file. A host whose key does not match
 * is never talked to; the error names the key it offered so a person can check it.
 */
@Component
public class SshConnections implements DisposableBean {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** How soon a running command notices that its step was asked to stop. */
  private static final Duration STOP_POLL = Duration.ofMillis(200);

  private final Path knownHosts;
  private final Map<String, Client> clients = new ConcurrentHashMap<>();
  private volatile StepSecrets secrets = StepSecrets.NONE;

  /** Connections that take no key or passphrase from the secret store. */
  public SshConnections(String knownHosts) {
    this.knownHosts = knownHosts == null || knownHosts.isBlank()
        ? Path.of(System.getProperty("user.home"), ".ssh", "known_hosts") : Path.of(knownHosts);
  }

  @org.springframework.beans.factory.annotation.Autowired
  public SshConnections(@Value("${gantry.ssh.known-hosts:}") String knownHosts,
      org.springframework.beans.factory.ObjectProvider<StepSecrets> secrets) {
    this(knownHosts);
    this.secrets = secrets.getIfAvailable(() -> StepSecrets.NONE);
  }

  /** These connections, taking the keys and passphrases that targets keep as secrets from {@code secrets}. */
  public SshConnections withSecrets(StepSecrets secrets) {
    this.secrets = secrets;
    return this;
  }

  /** A started client per expected host key, so each one checks exactly what its targets declare. */
  private record Client(SshClient ssh, Verifier verifier) {}

  /**
   * An open session; close it when the step is done. A session another step of the same host, user and key
   * closed at most {@link #IDLE} ago is used again (one connection for a target's steps, not one each); the key
   * is read and checked again first, so a key that changed or whose file became readable by others is never
   * passed over by a session made with the one before.
   */
  public Session open(SshEndpoint endpoint) throws SshFailure {
    List<KeyPair> keys = keys(endpoint);
    String key = endpoint.host() + ":" + endpoint.port() + "|" + endpoint.hostKey();
    String pool = key + "|" + endpoint.user() + "|" + keys.stream().map(k -> KeyUtils.getFingerPrint(k.getPublic()))
        .sorted().toList();
    ClientSession idle = takeIdle(pool);
    if (idle != null) {
      return new Session(idle, true, endpoint, this, pool);
    }
    return new Session(connect(endpoint, keys, key), false, endpoint, this, pool);
  }

  /** A new session, not one used before. */
  private ClientSession connect(SshEndpoint endpoint) throws SshFailure {
    return connect(endpoint, keys(endpoint), endpoint.host() + ":" + endpoint.port() + "|" + endpoint.hostKey());
  }

  /**
   * At most this many connections to one host (address and port) are being opened, not yet logged in, at once; others
   * wait their turn. OpenSSH's sshd drops connections beyond its {@code MaxStartups} (from 10 on, by default) that
   * have not logged in yet, and targets that are folders of one host are worked on together.
   */
  static final int OPENING_PER_HOST = 6;

  private final Map<String, java.util.concurrent.Semaphore> opening = new ConcurrentHashMap<>();

  private ClientSession connect(SshEndpoint endpoint, List<KeyPair> keys, String key) throws SshFailure {
    java.util.concurrent.Semaphore turn = opening.computeIfAbsent(endpoint.host() + ":" + endpoint.port(),
        k -> new java.util.concurrent.Semaphore(OPENING_PER_HOST));
    try {
      turn.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SshFailure("stopped while waiting to connect to " + endpoint);
    }
    try {
      return connectNow(endpoint, keys, key);
    } finally {
      turn.release();
    }
  }

  private ClientSession connectNow(SshEndpoint endpoint, List<KeyPair> keys, String key) throws SshFailure {
    Client client = clients.computeIfAbsent(key, k -> start(endpoint));
    ClientSession session;
    try {
      session = client.ssh().connect(endpoint.user(), endpoint.host(), endpoint.port())
          .verify(CONNECT_TIMEOUT).getSession();
    } catch (IOException e) {
      throw new SshFailure("cannot connect to " + endpoint + ": " + message(e));
    }
    try {
      keys.forEach(session::addPublicKeyIdentity);
      session.auth().verify(CONNECT_TIMEOUT);
      return session;
    } catch (IOException e) {
      closeQuietly(session);
      String offered = client.verifier().rejected(endpoint);
      if (offered != null) {
        throw new SshFailure(offered);
      }
      throw new SshFailure("cannot log in to " + endpoint + " with the key " + endpoint.key() + ": "
          + message(e));
    }
  }

  /**
   * The declared private key, read from its file or its secret into memory only, opened with the
   * declared passphrase; the message of a failure names the file or secret and the target, never a value.
   */
  private List<KeyPair> keys(SshEndpoint endpoint) throws SshFailure {
    String of = endpoint.target() == null ? "" : " of target " + endpoint.target();
    byte[] text;
    if (endpoint.identityFile() != null) {
      if (!Files.isReadable(endpoint.identityFile())) {
        throw new SshFailure("the private key " + endpoint.identityFile() + of + " for " + endpoint
            + " does not exist or cannot be read");
      }
      String exposed = exposed(endpoint.identityFile());
      if (exposed != null) {
        throw new SshFailure(exposed);
      }
      try {
        text = Files.readAllBytes(endpoint.identityFile());
      } catch (IOException e) {
        throw new SshFailure("the private key " + endpoint.identityFile() + of + " cannot be read: " + message(e));
      }
    } else {
      text = secret(endpoint, endpoint.identity(), "the private key" + of).getBytes(StandardCharsets.UTF_8);
    }
    String passphrase = endpoint.passphrase() == null ? null
        : secret(endpoint, endpoint.passphrase(), "the passphrase of the private key" + of);
    boolean[] asked = {false};
    FilePasswordProvider password = new FilePasswordProvider() {
      @Override
      public String getPassword(SessionContext session, NamedResource resource, int retry) {
        asked[0] = true;
        return passphrase;
      }

      @Override
      public ResourceDecodeResult handleDecodeAttemptResult(SessionContext session, NamedResource resource,
          int retry, String password, Exception err) {
        return err == null ? ResourceDecodeResult.IGNORE : ResourceDecodeResult.TERMINATE;
      }
    };
    String key = "the private key " + endpoint.key() + of;
    List<KeyPair> keys = new ArrayList<>();
    try {
      Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(endpoint.key()),
          new ByteArrayInputStream(text), password);
      if (loaded != null) {
        loaded.forEach(keys::add);
      }
    } catch (Exception e) {
      if (asked[0] && passphrase == null) {
        throw new SshFailure(key + " is protected by a passphrase: keep the passphrase as a secret and declare it "
            + "as ssh.passphrase: ${secret:NAME}");
      }
      if (asked[0]) {
        throw new SshFailure(key + " does not open with the passphrase " + endpoint.passphrase()
            + ": the passphrase is wrong, or the key is damaged");
      }
      throw new SshFailure(key + " cannot be used: " + message(e) + " (keys must be RSA or ECDSA, in PEM or "
          + "OpenSSH form)");
    } finally {
      java.util.Arrays.fill(text, (byte) 0);
    }
    if (keys.isEmpty()) {
      throw new SshFailure(endpoint.identityFile() != null ? "the file " + endpoint.identityFile() + of
          + " holds no private key" : "the secret " + endpoint.identity() + of + " holds no private key");
    }
    return keys;
  }

  /** The value of a secret a target refers to ({@code ${secret:NAME}}); the failure names it, {@code what} and the target. */
  private String secret(SshEndpoint endpoint, String reference, String what) throws SshFailure {
    String value;
    try {
      value = secrets.resolve(reference, "the SSH connection to " + endpoint);
    } catch (RuntimeException e) {
      throw new SshFailure(what + " is the secret " + reference + ", which cannot be given: " + e.getMessage());
    }
    if (value == null || value.contains("${secret:")) {
      throw new SshFailure(what + " is the secret " + reference + ", but this server has no secret store to "
          + "give it");
    }
    return value;
  }

  private Client start(SshEndpoint endpoint) {
    Verifier verifier = new Verifier(endpoint.hostKey(), knownHosts);
    SshClient ssh = SshClient.setUpDefaultClient();
    ssh.setServerKeyVerifier(verifier);
    // only the key the target declares: not the service user's ~/.ssh/id_* keys, not ~/.ssh/config
    // (which could send the session elsewhere or add keys), and no password or keyboard prompts
    ssh.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
    ssh.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
    ssh.setUserAuthFactories(List.of(UserAuthPublicKeyFactory.INSTANCE));
    // a command's few bytes go out at once: without this, each command waited on the host's delayed
    // acknowledgement (40 ms on Linux) before its answer came
    CoreModuleProperties.TCP_NODELAY.set(ssh, true);
    ssh.setCipherFactories(fastCiphersFirst(ssh.getCipherFactories()));
    ssh.start();
    return new Client(ssh, verifier);
  }

  /**
   * The command as the account's login shell is given it: {@code exec /bin/sh -c '<command>'}. Gantry's commands are
   * POSIX shell, whatever the account's shell is; and the login shell (often bash, a large process) is replaced at
   * once by {@code /bin/sh}, whose every start of a program (a fork) costs the host about half of bash's.
   */
  static String underSh(String command) {
    return "exec /bin/sh -c " + SshStepRunner.q(command);
  }

  /**
   * The client's ciphers with AES-GCM first: the JVM runs AES on the processor's own instructions, while
   * ChaCha20-Poly1305 (the library's first choice) is computed in Java, several times slower for an artifact's
   * bytes. Every cipher kept is one the library offers by default; the host picks among them as before.
   */
  static List<org.apache.sshd.common.NamedFactory<org.apache.sshd.common.cipher.Cipher>> fastCiphersFirst(
      List<org.apache.sshd.common.NamedFactory<org.apache.sshd.common.cipher.Cipher>> ciphers) {
    List<org.apache.sshd.common.NamedFactory<org.apache.sshd.common.cipher.Cipher>> ordered = new ArrayList<>(ciphers);
    ordered.sort(java.util.Comparator.comparingInt(c -> c.getName().startsWith("aes") && c.getName().contains("gcm")
        ? 0 : 1));
    return ordered;
  }

  /** Why a private key file may not be used because others can read or change it; null when only its owner can. */
  static String exposed(Path identityFile) {
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(identityFile);
      if (permissions.stream().anyMatch(p -> p != PosixFilePermission.OWNER_READ && p != PosixFilePermission.OWNER_WRITE
          && p != PosixFilePermission.OWNER_EXECUTE)) {
        return "the private key " + identityFile + " is readable by others ("
            + PosixFilePermissions.toString(permissions) + "): a key others may read is refused; "
            + "run chmod 600 " + identityFile;
      }
      return null;
    } catch (UnsupportedOperationException e) {
      return null; // no POSIX permissions on this file system: nothing to check
    } catch (IOException e) {
      return "the private key " + identityFile + " cannot be checked: " + message(e);
    }
  }

  @Override
  public void destroy() {
    synchronized (this) {
      destroyed = true;
      if (sweeper != null) {
        sweeper.shutdownNow();
      }
    }
    idle.values().forEach(sessions -> {
      for (Idle i; (i = sessions.pollFirst()) != null; ) {
        closeQuietly(i.session());
      }
    });
    clients.values().forEach(c -> c.ssh().stop());
    clients.clear();
  }

  /** How long a session no step uses stays open for the next step of the same target. */
  static final Duration IDLE = Duration.ofSeconds(20);
  /**
   * At most this many idle sessions are kept per host, user and key; more are closed. Many targets may be folders
   * of one host reached as one user: a stage deploying to them at its {@code maxParallel} keeps one connection for
   * each target it works on at once, up to this many, rather than connecting again for each step.
   */
  private static final int IDLE_PER_HOST = 64;

  /** A session no step uses now, and since when. */
  private record Idle(ClientSession session, long since) {}

  private final Map<String, java.util.concurrent.ConcurrentLinkedDeque<Idle>> idle = new ConcurrentHashMap<>();
  /** Closes idle sessions; started with the first session handed back. */
  private java.util.concurrent.ScheduledExecutorService sweeper;
  private boolean destroyed;

  private synchronized boolean sweeping() {
    if (destroyed) {
      return false;
    }
    if (sweeper == null) {
      sweeper = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
          .name("gantry-ssh-idle").factory());
      long every = IDLE.toMillis() / 2;
      sweeper.scheduleWithFixedDelay(this::closeIdle, every, every, TimeUnit.MILLISECONDS);
    }
    return true;
  }

  /** The most recently used idle session of the pool that is still open, or null; older ones are closed. */
  private ClientSession takeIdle(String pool) {
    java.util.concurrent.ConcurrentLinkedDeque<Idle> sessions = idle.get(pool);
    if (sessions == null) {
      return null;
    }
    for (Idle i; (i = sessions.pollFirst()) != null; ) {
      if (fresh(i)) {
        return i.session();
      }
      closeQuietly(i.session());
    }
    return null;
  }

  private void giveBack(String pool, ClientSession session) {
    if (!session.isOpen() || session.isClosing() || !sweeping()) {
      closeQuietly(session);
      return;
    }
    java.util.concurrent.ConcurrentLinkedDeque<Idle> sessions = idle.computeIfAbsent(pool,
        k -> new java.util.concurrent.ConcurrentLinkedDeque<>());
    sessions.addFirst(new Idle(session, System.nanoTime()));
    while (sessions.size() > IDLE_PER_HOST) {
      Idle extra = sessions.pollLast();
      if (extra != null) {
        closeQuietly(extra.session());
      }
    }
  }

  private static boolean fresh(Idle i) {
    return i.session().isOpen() && !i.session().isClosing() && System.nanoTime() - i.since() < IDLE.toNanos();
  }

  /** Closes the sessions no step used for {@link #IDLE}, so no connection to a host outlives its work for long. */
  private void closeIdle() {
    idle.values().forEach(sessions -> sessions.removeIf(i -> {
      if (fresh(i)) {
        return false;
      }
      closeQuietly(i.session());
      return true;
    }));
  }

  /** Commands run on hosts so far, each on a channel of its own (tests). */
  private final java.util.concurrent.atomic.AtomicLong commands = new java.util.concurrent.atomic.AtomicLong();

  /** How many commands these connections have run on hosts (tests). */
  long commandsRun() {
    return commands.get();
  }

  /** How many sessions are open and idle now, for all hosts (tests). */
  int idleSessions() {
    return idle.values().stream().mapToInt(java.util.Collection::size).sum();
  }

  /** Checks the host key against a declared fingerprint or the known_hosts file, remembering what it refused. */
  private static final class Verifier implements ServerKeyVerifier {
    private final String expected;
    private final Path knownHosts;
    private final Map<String, String> refused = new ConcurrentHashMap<>();

    Verifier(String expected, Path knownHosts) {
      this.expected = expected;
      this.knownHosts = knownHosts;
    }

    @Override
    public boolean verifyServerKey(ClientSession session, SocketAddress remote, PublicKey key) {
      String offered = KeyUtils.getFingerPrint(key);
      String where = session.getConnectAddress() == null ? String.valueOf(remote)
          : String.valueOf(session.getConnectAddress());
      if (expected != null) {
        if (strip(offered).equals(strip(expected))) {
          return true;
        }
        refused.put(where, "the host key of " + where + " is " + offered + " (" + KeyUtils.getKeyType(key)
            + ") but the target declares " + expected + "; if the host was rebuilt, check its key and update ssh.hostKey");
        return false;
      }
      if (Files.isReadable(knownHosts)) {
        boolean[] known = {false};
        KnownHostsServerKeyVerifier file = new KnownHostsServerKeyVerifier((s, r, k) -> false, knownHosts);
        known[0] = file.verifyServerKey(session, remote, key);
        if (known[0]) {
          return true;
        }
      }
      refused.put(where, "the host key of " + where + " (" + KeyUtils.getKeyType(key) + " " + offered
          + ") is not known: declare it as ssh.hostKey of the target, or add the host to " + knownHosts
          + ", after checking it is the host's real key");
      return false;
    }

    String rejected(SshEndpoint endpoint) {
      return refused.entrySet().stream().filter(e -> e.getKey().contains(endpoint.host())
          && e.getKey().endsWith(":" + endpoint.port())).map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private static String strip(String fingerprint) {
      String s = fingerprint.trim();
      while (s.endsWith("=")) {
        s = s.substring(0, s.length() - 1);
      }
      return s;
    }
  }

  static String message(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t.getMessage().isBlank())) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static void closeQuietly(ClientSession session) {
    try {
      session.close();
    } catch (IOException e) {
      // already broken; nothing more to do
    }
  }

  /** An SSH connection could not be made or was lost; the message says what a person should check. */
  public static final class SshFailure extends Exception {
    SshFailure(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * One authenticated SSH session to a target, for one step at a time. Closing it hands the connection back for
   * the next step of the same target, unless a command on it failed for want of the connection, timed out or was
   * stopped: then the connection is closed.
   */
  public static final class Session implements AutoCloseable {
    private ClientSession session;
    private boolean reused;
    private final SshEndpoint endpoint;
    private final SshConnections pool;
    private final String poolKey;
    private boolean broken;

    Session(ClientSession session, boolean reused, SshEndpoint endpoint, SshConnections pool, String poolKey) {
      this.session = session;
      this.reused = reused;
      this.endpoint = endpoint;
      this.pool = pool;
      this.poolKey = poolKey;
    }

    /**
     * A channel for the command, opened; on a session used before that the host has dropped meanwhile (its
     * server restarted, a firewall forgot it), once more on a new connection.
     */
    private ChannelExec channel(String command, InputStream input, OutputStream out, Duration timeout)
        throws IOException, SshFailure {
      while (true) {
        ChannelExec channel = null;
        try {
          // a session the host dropped may refuse the channel here already ("session is being closed")
          channel = session.createExecChannel(underSh(command));
          pool.commands.incrementAndGet();
          if (input != null) {
            channel.setIn(input);
          }
          // input written while the host does not read (its window full) waits at most as long as the command may run
          CoreModuleProperties.WINDOW_TIMEOUT.set(channel, timeout);
          channel.setOut(out);
          channel.setErr(out);
          channel.open().verify(CONNECT_TIMEOUT);
          return channel;
        } catch (IOException | RuntimeException e) {
          if (channel != null) {
            channel.close(true);
          }
          if (!reused) {
            throw e;
          }
          closeQuietly(session);
          session = pool.connect(endpoint);
          reused = false;
        }
      }
    }

    /** Whether this session's connection was used by a step before (tests). */
    boolean reused() {
      return reused;
    }

    /**
     * How a remote command ended: its exit status, what it printed (stdout and stderr together; the first
     * {@value LineCollector#KEPT} bytes of it, what Gantry's own commands print fits), whether it printed more
     * than that ({@code cut}), and its last lines.
     */
    public record Result(int exit, String output, boolean cut, List<String> lastLines) {}

    /** Runs a command with nothing on its input. */
    public Result exec(String command, Duration timeout) throws SshFailure, InterruptedException {
      return exec(command, new ByteArrayInputStream(new byte[0]), timeout, line -> {});
    }

    /**
     * Runs {@code command} through the account's shell, feeding it {@code input}, passing each output
     * line to {@code lines} as it arrives. Throws when the command does not end within the timeout or
     * the connection is lost before it ends, and {@link InterruptedException} when the step is asked to
     * stop ({@link Cancellation}): its channel is closed, which ends what Gantry runs itself.
     */
    public Result exec(String command, InputStream input, Duration timeout, Consumer<String> lines)
        throws SshFailure, InterruptedException {
      return exec(command, input, timeout, lines, null);
    }

    /**
     * As {@link #exec(String, InputStream, Duration, Consumer)}; when the step is asked to stop,
     * {@code stop} (if not null) is run on a channel of its own first, to end what the command started
     * on the host: closing a channel does not end a process that has no terminal.
     */
    public Result exec(String command, InputStream input, Duration timeout, Consumer<String> lines, String stop)
        throws SshFailure, InterruptedException {
      broken = true; // until the command ended with its exit status
      Result result = run(command, input, null, timeout, lines, stop);
      broken = false;
      return result;
    }

    /**
     * Writes a command's input in the calling thread, straight into its channel, and may read what the command printed
     * meanwhile, for input that depends on it; ending the input is left to the session.
     */
    @FunctionalInterface
    public interface Dialogue {
      /**
       * Writes the input to {@code in}; an {@link IOException} from {@code in} means the command stopped reading
       * (it ended, or the connection went): the session then waits for its exit status as usual.
       */
      void talk(OutputStream in, Replies replies) throws IOException, InterruptedException;
    }

    /** What the command of a {@link Dialogue} printed so far. */
    public interface Replies {
      /**
       * The lines the command printed up to and including the next one equal to {@code line}, waiting for it; null
       * when the command ended, or its time ran out, before printing it.
       */
      List<String> until(String line) throws InterruptedException;

      /** Everything the command printed so far, as text; null when that is more than the {@value LineCollector#KEPT}
       * bytes kept of a command's output. */
      String printed();
    }

    /**
     * Runs {@code command}, writing its input with {@code dialogue} in this thread straight into the channel (no
     * thread of its own, no copy but the packet's), then ending the input; for artifacts, whose bytes go to the
     * host once as they are read, and for a command that waits for a word from Gantry after saying what arrived.
     */
    public Result send(String command, Dialogue dialogue, Duration timeout) throws SshFailure, InterruptedException {
      broken = true;
      Result result = run(command, null, dialogue, timeout, line -> {}, null);
      broken = false;
      return result;
    }

    private Result run(String command, InputStream input, Dialogue dialogue, Duration timeout, Consumer<String> lines,
        String stop) throws SshFailure, InterruptedException {
      java.util.concurrent.BlockingQueue<String> printed = new java.util.concurrent.LinkedBlockingQueue<>();
      LineCollector out = new LineCollector(dialogue == null ? lines : lines.andThen(printed::add));
      try (ChannelExec channel = channel(command, input, out, timeout)) {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (dialogue != null) {
          feed(channel, dialogue, printed, out, deadline);
        }
        Set<ClientChannelEvent> events;
        while (true) {
          long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
          events = left <= 0 ? EnumSet.of(ClientChannelEvent.TIMEOUT)
              : channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), Math.min(left, STOP_POLL.toMillis()));
          if (Cancellation.asked()) {
            if (stop != null) {
              stopOnHost(stop);
            }
            throw new InterruptedException("stopped while running a command on " + endpoint);
          }
          if (events.contains(ClientChannelEvent.CLOSED) || left <= 0) {
            break;
          }
        }
        out.flushLine();
        if (!events.contains(ClientChannelEvent.CLOSED)) {
          throw new SshFailure("the command on " + endpoint + " did not finish within " + timeout.toSeconds()
              + "s; its channel was closed");
        }
        Integer exit = channel.getExitStatus();
        if (exit == null) {
          throw new SshFailure("the connection to " + endpoint + " was lost before the command ended"
              + (session.isOpen() ? "" : " (the SSH server closed it or stopped)") + out.lastLinesSuffix());
        }
        return new Result(exit, out.text(), out.cut(), out.lastLines());
      } catch (IOException e) {
        throw new SshFailure("the connection to " + endpoint + " failed: " + message(e));
      }
    }

    /** Writes the input and ends it; a host that stopped reading ends the writing, not the command. */
    private void feed(ChannelExec channel, Dialogue dialogue, java.util.concurrent.BlockingQueue<String> printed,
        LineCollector out, long deadline) throws InterruptedException {
      OutputStream in = channel.getInvertedIn();
      Replies replies = new Replies() {
        @Override
        public List<String> until(String line) throws InterruptedException {
          List<String> seen = new ArrayList<>();
          while (true) {
            String next = printed.poll(STOP_POLL.toMillis(), TimeUnit.MILLISECONDS);
            if (next != null) {
              seen.add(next);
              if (next.equals(line)) {
                return seen;
              }
            } else if (channel.isClosing() || channel.isClosed() || System.nanoTime() > deadline) {
              return null;
            } else if (Cancellation.asked()) {
              throw new InterruptedException("stopped while running a command on " + endpoint);
            }
          }
        }

        @Override
        public String printed() {
          return out.cut() ? null : out.text();
        }
      };
      try {
        dialogue.talk(in, replies);
      } catch (IOException e) {
        return; // the command stopped reading: its exit status and output say why
      } finally {
        try {
          in.close(); // the end of the input (EOF on the host)
        } catch (IOException e) {
          // the channel is gone; waiting for it says so
        }
      }
    }

    /** Runs {@code command} to end a stopped step's processes, within a few seconds, whatever happens. */
    private void stopOnHost(String command) {
      try (ChannelExec channel = session.createExecChannel(underSh(command))) {
        channel.setIn(new ByteArrayInputStream(new byte[0]));
        channel.setOut(OutputStream.nullOutputStream());
        channel.setErr(OutputStream.nullOutputStream());
        channel.open().verify(CONNECT_TIMEOUT);
        channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), CONNECT_TIMEOUT.toMillis());
      } catch (IOException | RuntimeException e) {
        // the connection is gone: so is the step's channel, and the step's own timeout ends its processes
      }
    }

    @Override
    public void close() {
      if (broken) {
        closeQuietly(session);
      } else {
        pool.giveBack(poolKey, session);
      }
    }
  }

  /**
   * Splits what a remote command prints into lines (a line longer than {@value #MAX_LINE} bytes is cut into
   * several), keeping its first {@value #KEPT} bytes and last lines for the caller: a step printing without
   * end costs no more memory than that.
   */
  private static final class LineCollector extends OutputStream {
    static final int KEPT = 1 << 20;
    private static final int MAX_LINE = 8192;
    private final Consumer<String> lines;
    private final java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    private final java.util.ArrayDeque<String> last = new java.util.ArrayDeque<>();
    private boolean cut;

    LineCollector(Consumer<String> lines) {
      this.lines = lines;
    }

    @Override
    public synchronized void write(int b) {
      if (all.size() < KEPT) {
        all.write(b);
      } else {
        cut = true;
      }
      if (b == '\n') {
        emit();
      } else {
        line.write(b);
        if (line.size() >= MAX_LINE) {
          emit();
        }
      }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i]);
      }
    }

    synchronized void flushLine() {
      if (line.size() > 0) {
        emit();
      }
    }

    private void emit() {
      String text = line.toString(StandardCharsets.UTF_8);
      line.reset();
      lines.accept(text);
      last.addLast(text);
      if (last.size() > 10) {
        last.removeFirst();
      }
    }

    synchronized String text() {
      return all.toString(StandardCharsets.UTF_8);
    }

    synchronized boolean cut() {
      return cut;
    }

    synchronized List<String> lastLines() {
      return List.copyOf(last);
    }

    synchronized String lastLinesSuffix() {
      return last.isEmpty() ? "" : "; its last lines were:\n" + String.join("\n", last);
    }
  }
}
