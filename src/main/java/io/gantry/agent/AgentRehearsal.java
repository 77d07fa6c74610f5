package io.gantry.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gantry.model.Step;
import io.gantry.model.TimeSpan;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The launcher's training run of the agent (see {@code gantry}): the ahead-of-time cache (or class data archive)
 * that every later agent maps into memory holds the classes, the linked lambdas and the methods' profiles of the
 * path this run takes. That is the agent's real path, not its start only: the agent registers with a server on
 * loopback that this run starts, is heard, and does one piece of work of each kind a deployment gives it (an
 * artifact downloaded and installed, a template, a command, a health check against the same server), reporting
 * its log and outcome as it would to Gantry. The server then refuses the agent's credential, which ends it.
 * Everything happens in a temporary folder, removed afterwards; nothing is printed.
 */
public final class AgentRehearsal {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern WORK = Pattern.compile("/api/v1/agent/work/(\\d+)/(start|log|outcome|artifacts/0)");

  /** The longest the rehearsal runs before it stops the agent. */
  static final Duration GIVE_UP = Duration.ofMinutes(2);

  private AgentRehearsal() {}

  /** Runs the agent against the loopback server and answers how many pieces of work it reported succeeded. */
  public static int run() throws IOException, InterruptedException {
    byte[] artifact = new byte[2 * 1024 * 1024];
    new java.util.Random(1).nextBytes(artifact);
    String digest = "sha256:" + sha256(artifact);
    AtomicInteger reported = new AtomicInteger();
    AtomicInteger succeeded = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    List<Step> steps = List.of(
        new Step.ArtifactInstall("install", null, null, null, null, null, 2),
        new Step.Template("configure", null, null, null, "current/app.conf", null,
            "port=${port}\nname=${name}\n", Map.of("port", "8080")),
        new Step.Shell("restart", new TimeSpan("30s"), null, null, "echo restarting; test -f current/app.bin", null,
            Map.of("MODE", "rehearsal"), null),
        new Step.HttpCheck("health", null, null, null, base + "/health", 200, "ok", 1, new TimeSpan("100ms"), null));
    server.createContext("/", exchange -> {
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher work = WORK.matcher(path);
        if (path.equals("/health")) {
          answer(exchange, 200, "text/plain", "ok");
        } else if (path.equals("/api/v1/agent/registrations")) {
          answer(exchange, 201, "application/json", "{\"credential\":\"gta_" + "0".repeat(40) + "\"}");
        } else if (path.equals("/api/v1/agent/heartbeat")) {
          answer(exchange, 200, "application/json", "{\"state\":\"APPROVED\",\"target\":\"rehearsal\"}");
        } else if (path.equals("/api/v1/agent/work")) {
          // the first piece on asking; the rest come with the outcomes; asked again, the credential is refused
          answer(exchange, reported.get() == 0 ? 200 : 401, "application/json",
              reported.get() == 0 ? work(1, steps.getFirst(), artifact.length, digest) : "");
        } else if (work.matches()) {
          int id = Integer.parseInt(work.group(1));
          switch (work.group(2)) {
            case "start", "log" -> answer(exchange, 204, null, "");
            case "outcome" -> {
              reported.incrementAndGet();
              if (JSON.readTree(body).path("outcome").asString().equals("succeeded")) {
                succeeded.incrementAndGet();
              }
              if (id < steps.size()) {
                answer(exchange, 200, "application/json", work(id + 1, steps.get(id), artifact.length, digest));
              } else {
                answer(exchange, 204, null, "");
              }
            }
            default -> {
              exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
              exchange.sendResponseHeaders(200, artifact.length);
              try (OutputStream out = exchange.getResponseBody()) {
                out.write(artifact);
              }
            }
          }
        } else {
          answer(exchange, 404, "text/plain", "not found");
        }
      }
    });
    server.start();
    Path home = Files.createTempDirectory("gantry-agent-rehearsal");
    try {
      AgentProcess agent = new AgentProcess(new AgentProcess.Options(URI.create(base), "gtr_" + "0".repeat(40),
          "rehearsal", home.resolve("work"), null, true, Duration.ofSeconds(1)),
          new PrintWriter(Writer.nullWriter()));
      // should the run not end by itself (it takes a few seconds), it is stopped: a launcher never waits on it
      Thread guard = Thread.ofPlatform().daemon().start(() -> {
        try {
          Thread.sleep(GIVE_UP.toMillis());
          agent.stop();
          server.stop(0);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      try {
        agent.run();
      } finally {
        guard.interrupt();
      }
      return succeeded.get();
    } finally {
      server.stop(0);
      io.gantry.shared.Folders.deleteTree(home);
    }
  }

  /** A piece of work as the server hands it out: the step, its context and the claim it is held under. */
  private static String work(int id, Step step, int size, String digest) {
    ObjectNode payload = JSON.createObjectNode();
    payload.put("action", "run");
    payload.put("target", "rehearsal");
    payload.put("component", "rehearsal/app");
    ObjectNode version = payload.putObject("version");
    version.put("version", "1.0.0");
    version.putArray("artifacts").addObject().put("path", "app.bin").put("digest", digest).put("size", size);
    payload.putObject("variables").put("name", "rehearsal");
    payload.put("defaultTimeoutMillis", 60_000);
    payload.set("step", JSON.valueToTree(step));
    ObjectNode work = JSON.createObjectNode();
    work.put("id", id);
    work.put("claim", "rehearsal-" + id);
    work.put("payload", payload.toString());
    work.putObject("secrets");
    work.put("started", true); // as a server answers an agent asking in a session, which every agent does
    return work.toString();
  }

  private static void answer(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    if (type != null) {
      exchange.getResponseHeaders().set("Content-Type", type);
    }
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
