package io.gantry.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import io.gantry.execution.AgentWork;
import io.gantry.execution.StepOutcome;
import io.gantry.execution.StepRunner;
import io.gantry.shared.BlockingHttp;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent on a target host ({@code gantry agent}): registers once with a registration token, keeps its own
 * credential in its work folder (file mode 0600), then says it is alive with the host's facts every
 * heartbeat. Plain Java: no Spring on this path, so it starts fast.
 */
public final class AgentProcess {

  /** The file in the work folder that holds the agent's server, name and credential. */
  static final String IDENTITY_FILE = "agent.json";

  /** What {@link #run} ended with, as an exit code. */
  public static final int STOPPED = 0;
  public static final int REFUSED = 3;
  /** How long a request for work (or the report of the last piece) waits on the server for the next piece, in s. */
  static final int WAIT = 20;
  /** The host's facts go with every heartbeat, and at least every this many heartbeats' time while it works. */
  static final int FACTS_EVERY = 6;

  /** The secret references of a step's environment and a template's variables, as on the server. */
  private static final java.util.regex.Pattern SECRET = java.util.regex.Pattern.compile("\\$\\{secret:([^}]*)}");

  static final JsonMapper JSON = JsonMapper.builder().build();

  /**
   * How the agent runs.
   *
   * @param server the server's address, https:// (http:// only with {@code insecureHttp})
   * @param token a registration token; needed only until the agent holds its own credential
   * @param name the agent's name, unique on the server for good
   * @param workDir where the agent keeps its credential and its targets' folders
   * @param ca a PEM file of certificates to trust for the server instead of the system's; null for the system's
   * @param insecureHttp whether plain http:// is allowed (tests, loopback)
   * @param heartbeat how often the agent says it is alive
   */
  public record Options(URI server, String token, String name, Path workDir, Path ca, boolean insecureHttp,
      Duration heartbeat) {}

  /** A refusal the person starting the agent can act on. */
  public static class Refused extends RuntimeException {
    public Refused(String message) {
      super(message);
    }
  }

  /** The server was not reached, or not trusted: its certificate was refused. */
  public static final class Unreachable extends Refused {
    public Unreachable(String message) {
      super(message);
    }
  }

  private static final Duration CONNECT = Duration.ofSeconds(10);

  private final Options options;
  private final PrintWriter out;
  /** When the server last answered a request of this agent's with success (System.nanoTime). */
  private volatile long answeredAt;
  /** The sockets of its requests over https://: only --ca's trust, or null for the system's. */
  private final javax.net.ssl.SSLSocketFactory sockets;
  private final URI api;
  private final AtomicBoolean stopped = new AtomicBoolean();
  /**
   * This process's session, in which it asks for work: the server starts each piece it gives in the answer that
   * gives it, and gives it again to this session should the answer be lost. So the session asks only once it has
   * reported all it was given; a piece whose report was not taken (no answer, or one that is neither a success nor
   * "ended already") ends the session, and the next request opens another one. Main thread only.
   */
  private String session = newSession();

  public AgentProcess(Options options, PrintWriter out) {
    this.options = check(options);
    this.out = out;
    this.sockets = options.ca() == null ? null : trusting(options.ca()).getSocketFactory();
    String base = options.server().toString();
    this.api = URI.create((base.endsWith("/") ? base : base + "/") + "api/v1/agent/");
  }

  private static Options check(Options o) {
    String scheme = o.server().getScheme();
    if (o.server().getHost() == null || !("https".equals(scheme) || "http".equals(scheme))) {
      throw new Refused("--server must be the server's https:// address, not " + o.server());
    }
    if ("http".equals(scheme) && !o.insecureHttp()) {
      throw new Refused("--server " + o.server() + " is plain http://: the credential and the work would travel "
          + "unprotected; use https:// (with --ca FILE for a private certificate authority), or --insecure-http "
          + "on loopback or in a test");
    }
    if (o.ca() != null && "http".equals(scheme)) {
      throw new Refused("--ca is for an https:// server, and --server is " + o.server());
    }
    if (o.name() == null || !AgentRegistry.NAME.matcher(o.name()).matches()) {
      throw new Refused("--name: an agent's name is 1 to 63 characters: lower-case letters, digits, '.', '_' and "
          + "'-', starting with a letter or digit; not \"" + o.name() + "\"");
    }
    if (o.heartbeat().isNegative() || o.heartbeat().isZero()) {
      throw new Refused("--heartbeat must be a positive duration, not " + o.heartbeat());
    }
    if (o.token() != null && !o.token().isEmpty() && !o.token().matches("gtr_[A-Za-z0-9]{40}")) {
      // never echoed: a token mistyped by one character is still nearly the token
      throw new Refused("the registration token is not one Gantry makes (gtr_ and 40 letters or digits)");
    }
    return o;
  }

  /** An SSL context that trusts only the certificates in {@code pem}. */
  static SSLContext trusting(Path pem) {
    try (InputStream in = Files.newInputStream(pem)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, certificate);
      }
      if (i == 0) {
        throw new Refused("--ca " + pem + " holds no certificate (PEM expected)");
      }
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new Refused("--ca " + pem + " cannot be read as PEM certificates: " + e.getMessage());
    }
  }

  /** Asks the agent to end after its current call. */
  public void stop() {
    stopped.set(true);
  }

  /**
   * Registers if it must, then says it is alive every heartbeat (on a thread of its own) and takes and does its
   * work until stopped; a refusal by the server ends it with {@link #REFUSED}.
   */
  public int run() throws InterruptedException {
    if ("http".equals(options.server().getScheme()) && !loopback(options.server().getHost())) {
      say("warning: --insecure-http to " + options.server().getHost() + ", which is not this host: the agent's "
          + "credential and its work, secrets included, cross the network unprotected");
    }
    String credential = credential();
    answeredAt = System.nanoTime() - options.heartbeat().toNanos(); // the first heartbeat goes at once
    AtomicBoolean refused = new AtomicBoolean();
    Thread beats = Thread.ofPlatform().daemon().name("agent-heartbeat").start(() -> beat(credential, refused));
    StepRunner runner = new StepRunner(Clock.systemUTC());
    Path targets = options.workDir().resolve("targets");
    try {
      JsonNode next = null; // the next piece of work, when the answer to the last outcome brought it
      while (!stopped.get() && !refused.get()) {
        try {
          JsonNode work = next;
          next = null;
          if (work == null) {
            BlockingHttp.Answer answer = answered(BlockingHttp.exchange(api.resolve("work?waitSeconds=" + WAIT
                + "&session=" + session),
                "GET", Map.of(AgentController.CREDENTIAL, credential), null, CONNECT, Duration.ofSeconds(40), sockets));
            if (answer.status() == 401) {
              refused.set(true);
            } else if (answer.status() == 200) {
              work = JSON.readTree(answer.body());
            } else if (answer.status() != 204) {
              say("taking work answered " + answer.status() + ": " + detail(answer.body()));
              Thread.sleep(options.heartbeat().toMillis());
            }
          }
          if (work != null) {
            Map<String, String> secrets = new LinkedHashMap<>();
            work.path("secrets").properties().forEach(e -> secrets.put(e.getKey(), e.getValue().asString()));
            next = new Job(credential, work.path("id").asLong(), work.path("claim").asString(),
                work.path("payload").asString(), secrets).perform(runner, targets, work.path("started").asBoolean());
          }
        } catch (javax.net.ssl.SSLException e) {
          say("the server's certificate is refused (" + e.getMessage() + "); trying again");
          Thread.sleep(options.heartbeat().toMillis());
        } catch (IOException e) {
          say("server not reached (" + e + "); trying again");
          Thread.sleep(options.heartbeat().toMillis());
        }
      }
    } finally {
      beats.interrupt();
    }
    if (refused.get()) {
      say("the server refuses this agent's credential (revoked, or unknown to it); stopping. Register anew under "
          + "another name with a new registration token.");
      return REFUSED;
    }
    return STOPPED;
  }

  private static String newSession() {
    return java.util.UUID.randomUUID().toString();
  }

  private void beat(String credential, AtomicBoolean refused) {
    String said = null;
    int skipped = 0;
    while (!stopped.get() && !refused.get()) {
      // a request of the agent's that the server answered within the last heartbeat told it the agent is alive
      // (as the long poll for work does): the heartbeat is left out then, but the host's facts still go at least
      // every FACTS_EVERY heartbeats
      if (skipped < FACTS_EVERY - 1 && System.nanoTime() - answeredAt < options.heartbeat().toNanos()) {
        skipped++;
      } else {
        skipped = 0;
        try {
          JsonNode standing = post("heartbeat", credential, Map.of("facts", facts()));
          if (standing == null) {
            refused.set(true);
            return;
          }
          String now = standing.path("state").asString() + (standing.path("target").isNull()
              || standing.path("target").isMissingNode() ? ""
              : ", works for target " + standing.path("target").asString());
          if (!now.equals(said)) {
            say(now);
            said = now;
          }
        } catch (IOException e) {
          say("heartbeat: server not reached (" + e + "); trying again");
        } catch (InterruptedException e) {
          return;
        }
      }
      try {
        Thread.sleep(options.heartbeat().toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private synchronized void say(String line) {
    out.println("agent " + options.name() + ": " + line);
    out.flush();
  }

  /** One piece of work held under its claim: done on this host, its log sent as it goes, its outcome reported. */
  private final class Job {

    private final String credential;
    private final long id;
    private final String claim;
    private final String payload;
    /** The values of the secrets the work's step names, sent with the lease: in memory only, never written. */
    private final Map<String, String> secrets;
    private final java.util.function.Supplier<java.util.Collection<String>> masked;
    private final java.util.List<String> pending = new java.util.ArrayList<>();

    Job(String credential, long id, String claim, String payload, Map<String, String> secrets) {
      this.credential = credential;
      this.id = id;
      this.claim = claim;
      this.payload = payload;
      this.secrets = Map.copyOf(secrets);
      java.util.Collection<String> values = java.util.List.copyOf(this.secrets.values());
      this.masked = () -> values;
    }

    /** A step's secrets as the server sent them: a reference to one it did not send is not given. */
    private String resolve(String text) {
      if (text == null || !text.contains("${secret:")) {
        return text;
      }
      var m = SECRET.matcher(text);
      StringBuilder out = new StringBuilder();
      while (m.find()) {
        String value = secrets.get(m.group(1));
        if (value == null) {
          throw new IllegalStateException("secret \"" + m.group(1) + "\" was not sent with work " + id);
        }
        m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
      }
      m.appendTail(out);
      return out.toString();
    }

    /**
     * Starts the work unless the answer that gave it did ({@code started}), does it and reports how it ended;
     * returns the next piece of work when the server answered the report with one (it waits up to {@link #WAIT}
     * seconds for one), else null.
     */
    JsonNode perform(StepRunner runner, Path targets, boolean started) throws InterruptedException {
      try {
        BlockingHttp.Answer answer = started ? null : send(request("work/" + id + "/start"), Map.of());
        if (answer != null && answer.status() != 204) {
          say("work " + id + " not started (" + answer.status() + "): " + detail(answer.body()));
          return null;
        }
      } catch (IOException e) {
        // not started: the server offers it again once the claim's lease passes
        say("work " + id + " not started (" + e + ")");
        return null;
      }
      say("started work " + id);
      var flusher = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
      flusher.scheduleWithFixedDelay(this::flush, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
      StepOutcome outcome;
      // the step's secrets go into its environment (or its template) as on a local target, and out of what it
      // prints before a line leaves this host
      io.gantry.shared.Masking.addSource(masked);
      runner.withSecrets(this::resolve);
      try {
        outcome = AgentWork.perform(payload, targets, runner, new Downloads(this)::open, this::log);
      } catch (RuntimeException e) {
        outcome = new StepOutcome.Failed("agent " + options.name() + " could not do work " + id + ": " + e);
      } finally {
        runner.withSecrets(io.gantry.execution.StepSecrets.NONE);
        io.gantry.shared.Masking.removeSource(masked); // the lines were masked as they were logged
        flusher.shutdown();
        flusher.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      }
      // the last lines go with the outcome, in the same request
      List<String> last;
      synchronized (pending) {
        while (pending.size() > 1000) {
          flush();
        }
        last = List.copyOf(pending);
        pending.clear();
      }
      Map<String, Object> report = switch (outcome) {
        case StepOutcome.Succeeded ok -> Map.of("outcome", "succeeded", "text", mask(ok.summary()), "lines", last);
        case StepOutcome.Failed failed -> Map.of("outcome", "failed", "text", mask(failed.reason()), "lines", last);
        case StepOutcome.NeedsPerson person -> Map.of("outcome", "needs-person", "text", mask(person.what()),
            "lines", last);
      };
      for (int attempt = 0; ; attempt++) {
        try {
          // the answer brings the next piece of work: one request less per piece than asking for it again
          BlockingHttp.Answer answer = send(request("work/" + id + "/outcome?waitSeconds=" + WAIT + "&session="
              + session), report);
          say("work " + id + ": " + report.get("outcome") + (answer.status() / 100 == 2 ? ""
              : " (the server answered " + answer.status() + ": " + detail(answer.body()) + ")"));
          if (answer.status() / 100 != 2 && answer.status() != 409) {
            session = newSession(); // the piece may stand unreported: this session would be given it again
          }
          return answer.status() == 200 ? JSON.readTree(answer.body()) : null;
        } catch (IOException e) {
          if (attempt >= 30) {
            say("work " + id + ": its outcome could not be reported (" + e + ")");
            session = newSession();
            return null;
          }
          Thread.sleep(1000);
        }
      }
    }

    Call request(String path) {
      return new Call(api.resolve(path), Map.of(AgentController.CREDENTIAL, credential, AgentController.CLAIM, claim));
    }

    /** A GET of {@code path} under this work's claim, from byte {@code from} on; connected, its answer unread. */
    java.net.HttpURLConnection download(String path, long from) throws IOException {
      Map<String, String> headers = new LinkedHashMap<>(Map.of(AgentController.CREDENTIAL, credential,
          AgentController.CLAIM, claim));
      if (from > 0) {
        headers.put("Range", "bytes=" + from + "-");
      }
      // a read timeout between two reads: a stalled transfer is cut and resumed
      return BlockingHttp.open(api.resolve(path), "GET", headers, null, CONNECT, Duration.ofSeconds(60), sockets);
    }

    private void log(String line) {
      synchronized (pending) {
        pending.add(io.gantry.shared.Masking.mask(line));
      }
    }

    private String mask(String text) {
      String out = text == null ? "" : text;
      for (String value : secrets.values()) {
        out = out.replace(value, "****");
      }
      return out;
    }

    private void flush() {
      java.util.List<String> lines;
      synchronized (pending) {
        if (pending.isEmpty()) {
          return;
        }
        lines = java.util.List.copyOf(pending.subList(0, Math.min(pending.size(), 1000)));
        pending.subList(0, lines.size()).clear();
      }
      try {
        send(request("work/" + id + "/log"), Map.of("lines", lines));
      } catch (IOException e) {
        say("work " + id + ": log lines not sent (" + e + ")");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The artifacts of a piece of work, downloaded into {@code <work-dir>/downloads} and resumed from where a cut
   * transfer stopped (HTTP Range); each is checked against the digest the version records before it is given
   * to the step, and a mismatch is refused.
   */
  private final class Downloads {

    private final Job job;
    /** The artifacts of the work's version, in the order the server numbers them. */
    private final List<io.gantry.catalog.Artifact> artifacts;

    Downloads(Job job) {
      this.job = job;
      this.artifacts = AgentWork.artifacts(job.payload);
    }

    InputStream open(io.gantry.catalog.Artifact artifact) {
      int index = artifacts.indexOf(artifact);
      if (index < 0) {
        index = java.util.stream.IntStream.range(0, artifacts.size())
            .filter(i -> artifacts.get(i).path().equals(artifact.path())).findFirst()
            .orElseThrow(() -> new IllegalStateException("artifact " + artifact.path() + " is not the work's"));
      }
      try {
        Path file = download(index, artifact);
        job.log(artifact.path() + ": SHA-256 checked on this host, " + artifact.digest());
        // the installer links the checked file into the release rather than copy it; a reader of the stream has
        // its bytes checked again at their end, and a file changed since is deleted, to be downloaded again
        return new io.gantry.catalog.CheckedFile(file, artifact.digest(), actual -> {
          try {
            Files.deleteIfExists(file);
          } catch (IOException e) {
            job.log("could not delete " + file + ": " + e.getMessage());
          }
          return new io.gantry.shared.IntegrityViolationException("artifact " + artifact.path() + " reads as SHA-256 "
              + actual + " on this host but the version records " + artifact.digest() + ": refused, nothing installed");
        });
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while downloading " + artifact.path());
      }
    }

    /**
     * The artifact's file in the downloads, its SHA-256 checked: one kept from an earlier piece of work is hashed
     * again (and downloaded anew should it have changed); a new one is hashed as it arrives, or in full once a cut
     * transfer was resumed, and refused, not kept, when it differs.
     */
    Path download(int index, io.gantry.catalog.Artifact artifact) throws IOException, InterruptedException {
      Path dir = Files.createDirectories(options.workDir().resolve("downloads"));
      Path done = dir.resolve(artifact.digest().hex());
      if (Files.exists(done)) {
        io.gantry.catalog.Digest kept = io.gantry.catalog.CheckedFile.hash(done);
        if (kept.equals(artifact.digest())) {
          Files.setLastModifiedTime(done, java.nio.file.attribute.FileTime.from(java.time.Instant.now())); // used now
          return done;
        }
        // e.g. changed in place through a release it was linked into: a download is only a copy, fetched again
        Files.deleteIfExists(done);
        job.log("the kept download of " + artifact.path() + " had changed on this host (SHA-256 " + kept
            + "): downloading it again");
      }
      Path part = dir.resolve(artifact.digest().hex() + ".part");
      // the hash of a transfer that wrote the file from its first byte; null after a resumed one
      java.security.MessageDigest arriving = null;
      for (int attempt = 1; ; attempt++) {
        long have = Files.exists(part) ? Files.size(part) : 0;
        try {
          // a plain blocking connection: the bytes go from its socket to the file in this thread, with no
          // asynchronous machinery in between (it costs the host less CPU than the HttpClient for a large body)
          java.net.HttpURLConnection answer = job.download("work/" + job.id + "/artifacts/" + index, have);
          int status = answer.getResponseCode();
          try (InputStream in = status >= 400 ? answer.getErrorStream() : answer.getInputStream()) {
            if (status == 206 && have > 0) {
              job.log("resuming " + artifact.path() + " at byte " + have);
              arriving = null;
              try (var to = Files.newOutputStream(part, StandardOpenOption.APPEND)) {
                in.transferTo(to);
              }
            } else if (status == 200) {
              arriving = java.security.MessageDigest.getInstance("SHA-256");
              try (var to = new java.security.DigestOutputStream(Files.newOutputStream(part), arriving)) {
                in.transferTo(to);
              }
            } else if (status == 416) {
              Files.deleteIfExists(part);
              continue;
            } else {
              throw new IOException("download of " + artifact.path() + " answered " + status);
            }
          } finally {
            answer.disconnect();
          }
          break;
        } catch (IOException e) {
          if (attempt >= 5) {
            throw e;
          }
          job.log("download of " + artifact.path() + " cut (" + e.getMessage() + "); resuming");
          Thread.sleep(500L * attempt);
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException("this Java has no SHA-256", e);
        }
      }
      io.gantry.catalog.Digest arrived = arriving != null ? io.gantry.catalog.Digest.ofSha256(arriving.digest())
          : io.gantry.catalog.CheckedFile.hash(part);
      if (!arrived.equals(artifact.digest())) {
        Files.deleteIfExists(part);
        throw new io.gantry.shared.IntegrityViolationException("artifact " + artifact.path() + " arrived with SHA-256 "
            + arrived + " but the version records " + artifact.digest() + ": refused, nothing installed");
      }
      Files.move(part, done, StandardCopyOption.REPLACE_EXISTING);
      job.log("downloaded " + artifact.path() + " (" + Files.size(done) + " bytes)");
      for (Path removed : prune(dir, KEPT_DOWNLOADS)) {
        job.log("removed the download " + removed.getFileName() + ", used least recently");
      }
      return done;
    }
  }

  /** How many downloaded artifacts an agent keeps (those used last), for a redeployment or a rollback. */
  static final int KEPT_DOWNLOADS = 8;

  /**
   * Removes the downloaded artifacts of {@code dir} but the {@code kept} used last (by their modification time,
   * set when downloaded or used again); transfers still under way ({@code .part}) are left alone. Answers those
   * removed.
   */
  static List<Path> prune(Path dir, int kept) throws IOException {
    List<Path> done;
    try (var files = Files.list(dir)) {
      done = files.filter(f -> !f.getFileName().toString().endsWith(".part") && Files.isRegularFile(f,
          java.nio.file.LinkOption.NOFOLLOW_LINKS)).sorted(java.util.Comparator.comparing((Path f) -> {
            try {
              return Files.getLastModifiedTime(f, java.nio.file.LinkOption.NOFOLLOW_LINKS);
            } catch (IOException e) {
              return java.nio.file.attribute.FileTime.fromMillis(0);
            }
          }).reversed().thenComparing(Path::getFileName)).toList();
    }
    List<Path> removed = new java.util.ArrayList<>();
    for (Path old : done.subList(Math.min(kept, done.size()), done.size())) {
      if (Files.deleteIfExists(old)) {
        removed.add(old);
      }
    }
    return removed;
  }

  private Map<String, String> facts() throws IOException {
    Files.createDirectories(options.workDir());
    return HostFacts.of(options.workDir(), AgentProcess.class.getPackage().getImplementationVersion() == null ? "dev"
        : AgentProcess.class.getPackage().getImplementationVersion());
  }

  /** The agent's credential: read from its work folder, or got by registering with the registration token. */
  String credential() throws InterruptedException {
    Path file = options.workDir().resolve(IDENTITY_FILE);
    try {
      if (Files.exists(file)) {
        JsonNode identity = JSON.readTree(Files.readString(file));
        if (!options.server().toString().equals(identity.path("server").asString())
            || !options.name().equals(identity.path("name").asString())) {
          throw new Refused("the work folder " + options.workDir() + " holds the identity of agent "
              + identity.path("name").asString() + " of server " + identity.path("server").asString()
              + "; start this agent with its own --work-dir");
        }
        return identity.path("credential").asString();
      }
      if (options.token() == null || options.token().isBlank()) {
        throw new Refused("agent " + options.name() + " is not registered yet (no " + file + "): give the "
            + "registration token a deployment manager created (--token-file FILE, or the environment variable "
            + "GANTRY_REGISTRATION_TOKEN)");
      }
      Files.createDirectories(options.workDir());
      Files.setPosixFilePermissions(options.workDir(), PosixFilePermissions.fromString("rwx------"));
      BlockingHttp.Answer answer = send(new Call(api.resolve("registrations"),
          Map.of(AgentController.REGISTRATION, options.token())), Map.of("name", options.name(), "facts", facts()));
      switch (answer.status()) {
        case 201 -> { }
        case 401 -> throw new Refused("the server does not accept the registration token (unknown, used up, "
            + "expired or revoked): ask a deployment manager for a new one (gantry agents token create)");
        default -> throw new Refused("registration refused (" + answer.status() + "): "
            + detail(answer.body()));
      }
      String credential = JSON.readTree(answer.body()).path("credential").asString();
      Map<String, String> identity = new LinkedHashMap<>();
      identity.put("server", options.server().toString());
      identity.put("name", options.name());
      identity.put("credential", credential);
      writePrivately(file, JSON.writeValueAsString(identity));
      out.println("agent " + options.name() + ": registered with " + options.server() + "; waiting for a deployment "
          + "manager's approval (gantry agents approve " + options.name() + " --target TARGET)");
      out.flush();
      return credential;
    } catch (ConnectException e) {
      throw new Unreachable("server " + options.server() + " not reached: " + e);
    } catch (java.net.SocketTimeoutException e) {
      throw new Unreachable("server " + options.server() + (BlockingHttp.notReached(e) ? " not reached: "
          : " did not answer: ") + e);
    } catch (javax.net.ssl.SSLException e) {
      throw new Unreachable("the server's certificate is refused, nothing was sent (" + e.getMessage() + "): it must "
          + "be signed by " + (options.ca() == null ? "an authority of the system's trust store (or give the private "
          + "one with --ca FILE)" : "an authority in --ca " + options.ca()) + " and name the host of --server ("
          + options.server().getHost() + ")");
    } catch (IOException e) {
      throw new Refused("could not register: " + e);
    }
  }

  static boolean loopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  /** Writes {@code text} to {@code file} readable by its owner only, from its first byte. */
  static void writePrivately(Path file, String text) throws IOException {
    Path temporary = file.resolveSibling(file.getFileName() + ".new");
    Files.deleteIfExists(temporary);
    Files.createFile(temporary, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(temporary, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
    try {
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The answer's body, or null when the server refused the credential (401). */
  private JsonNode post(String path, String credential, Object body) throws IOException, InterruptedException {
    BlockingHttp.Answer answer = send(new Call(api.resolve(path), Map.of(AgentController.CREDENTIAL, credential)), body);
    if (answer.status() == 401) {
      return null;
    }
    if (answer.status() / 100 != 2) {
      throw new IOException(path + " answered " + answer.status() + ": " + detail(answer.body()));
    }
    return answer.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(answer.body());
  }

  /** Where a request goes and the headers that say who sends it. */
  private record Call(URI uri, Map<String, String> headers) {}

  /**
   * POSTs {@code body} as JSON, on this thread (see {@link BlockingHttp} for why not the JDK's HttpClient);
   * an interrupted thread sends nothing.
   */
  private BlockingHttp.Answer send(Call call, Object body) throws IOException, InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    Map<String, String> headers = new LinkedHashMap<>(call.headers());
    headers.put("Content-Type", "application/json");
    return answered(BlockingHttp.exchange(call.uri(), "POST", headers, JSON.writeValueAsString(body), CONNECT,
        Duration.ofSeconds(60), sockets));
  }

  /** Notes when the server last answered a request of this agent's with success, which it hears the agent by. */
  private BlockingHttp.Answer answered(BlockingHttp.Answer answer) {
    if (answer.status() / 100 == 2) {
      answeredAt = System.nanoTime();
    }
    return answer;
  }

  private static String detail(String body) {
    try {
      JsonNode problem = JSON.readTree(body);
      return problem.path("detail").asString(body);
    } catch (RuntimeException e) {
      return body;
    }
  }
}
