package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.AdminToken;
import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent as a separate process in a network namespace of its own, reaching a server that serves HTTPS
 * itself ({@code server.ssl.*}) with a certificate made here by a certificate authority made here: it trusts the
 * server only through {@code --ca}, takes its registration token from a file, is given a step's secret in the
 * step's environment, and is lost (killed with SIGKILL) in the middle of a step.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
class AgentOverHttpsInNamespaceTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final Duration GRACE = Duration.ofSeconds(8);
  static HostNamespace namespace;
  static Path tls;

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) throws Exception {
    for (String property : TestDatabase.H2.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-agent-tls").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
    registry.add("gantry.agents.grace", () -> GRACE.toSeconds() + "s");
    namespace = HostNamespace.create();
    registry.add("server.address", () -> namespace.hostAddress);
    tls = Files.createTempDirectory("gantry-agent-tls-keys");
    certificates(tls, namespace.hostAddress);
    registry.add("server.ssl.enabled", () -> "true");
    registry.add("server.ssl.key-store", () -> tls.resolve("server.p12").toString());
    registry.add("server.ssl.key-store-type", () -> "PKCS12");
    registry.add("server.ssl.key-store-password", () -> "test-only");
    registry.add("server.ssl.key-alias", () -> "server");
  }

  /**
   * A certificate authority ({@code ca.pem}) and a server key and certificate it signed for the host name
   * {@code gantry.test} and the address {@code address} ({@code server.p12}), made with the JDK's keytool.
   */
  static void certificates(Path dir, String address) throws IOException, InterruptedException {
    keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-keysize", "256", "-dname", "CN=Gantry test CA",
        "-ext", "bc:c", "-validity", "2", "-keystore", "ca.p12");
    keytool(dir, "-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-rfc", "-file", "ca.pem");
    keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-keysize", "256", "-dname", "CN=gantry.test",
        "-validity", "2", "-keystore", "server.p12");
    keytool(dir, "-certreq", "-alias", "server", "-keystore", "server.p12", "-file", "server.csr");
    keytool(dir, "-gencert", "-alias", "ca", "-keystore", "ca.p12", "-infile", "server.csr", "-outfile",
        "server.pem", "-rfc", "-validity", "2", "-ext", "san=dns:gantry.test,ip:" + address, "-ext", "eku=serverAuth");
    keytool(dir, "-importcert", "-alias", "ca", "-keystore", "server.p12", "-file", "ca.pem", "-noprompt");
    keytool(dir, "-importcert", "-alias", "server", "-keystore", "server.p12", "-file", "server.pem", "-noprompt");
  }

  private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
        .toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("-storetype", "PKCS12", "-storepass", "test-only"));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }

  @AfterAll
  static void removeNamespace() {
    if (namespace != null) {
      namespace.close();
    }
  }

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: far}
      spec: {purpose: development, owner: qa}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: lossy}
      spec: {purpose: development, owner: qa}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: far-1}
      spec: {environment: far, kind: agent}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: lossy-1}
      spec: {environment: lossy, kind: agent}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: edge}
      spec: {owner: qa}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: app}
      spec: {service: edge, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: slow}
      spec: {owner: qa}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: app}
      spec: {service: slow, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: severed}
      spec: {purpose: development, owner: qa}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: severed-1}
      spec: {environment: severed, kind: agent}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: cut}
      spec: {owner: qa}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: app}
      spec: {service: cut, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: cut}
      spec:
        appliesTo: {services: [cut]}
        stages:
          - name: severed
            environment: severed
            strategy: {type: all-at-once}
            steps:
              - {name: install, type: artifact.install, destination: releases, idempotent: true}
              - name: work
                type: shell
                idempotent: true
                timeout: 3m
                command: |
                  echo "ran $GANTRY_VERSION" >> ../runs.txt
                  sleep 25
                  echo "finished $GANTRY_VERSION" >> ../runs.txt
            failurePolicy: {action: stop}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: edge}
      spec:
        appliesTo: {services: [edge]}
        stages:
          - name: far
            environment: far
            strategy: {type: all-at-once}
            steps:
              - {name: install, type: artifact.install, destination: releases, idempotent: true}
              - name: secret
                type: shell
                idempotent: true
                environment: {DB_PASSWORD: "${secret:far-db-password}"}
                command: |
                  printf %s "$DB_PASSWORD" > secret.txt
                  tr '\\000' ' ' < /proc/$$/cmdline > cmdline.txt
                  echo "password is $DB_PASSWORD"
            failurePolicy: {action: stop}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: slow}
      spec:
        appliesTo: {services: [slow]}
        stages:
          - name: lossy
            environment: lossy
            strategy: {type: all-at-once}
            steps:
              - {name: install, type: artifact.install, destination: releases, idempotent: true}
              - name: work
                type: shell
                idempotent: true
                timeout: 3m
                command: |
                  echo "ran $GANTRY_VERSION" >> ../runs.txt
                  if [ "$GANTRY_VERSION" = 1.0.0 ]; then sleep 90; fi
            failurePolicy: {action: stop}
      """;

  static final String SECRET = "s3cret-far-" + java.util.UUID.randomUUID();

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @Autowired JdbcClient jdbc;
  HttpClient https;
  String admin;
  final List<Process> agents = new ArrayList<>();

  @BeforeEach
  void applyConfig() throws Exception {
    https = HttpClient.newBuilder().sslContext(AgentProcess.trusting(tls.resolve("ca.pem"))).build();
    admin = AdminToken.of(dataDir);
    Response secret = send("PUT", "/api/v1/secrets/far-db-password", Map.of("value", SECRET));
    assertThat(secret.status()).as(secret.text()).isIn(200, 201);
    List<Map<String, String>> files = new ArrayList<>(ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList());
    files.add(Map.of("name", "agents.yaml", "content", CONFIG));
    Response applied = send("POST", "/api/v1/config/apply", Map.of("files", files, "reason", "agents over https"));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
  }

  @AfterEach
  void stopAgents() {
    for (Process agent : agents) {
      List<ProcessHandle> children = agent.descendants().toList();
      agent.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void an_agent_trusting_the_servers_ca_registers_over_https_and_runs_a_deployment_given_a_secret_in_its_steps_environment_only(
      org.springframework.boot.test.system.CapturedOutput serverOutput) throws Exception {
    String token = token();
    Path work = Files.createTempDirectory("agent-tls-work");
    Path tokenFile = tokenFile(work, token);
    Process agent = startAgent(work, "far-host", "https://" + namespace.hostAddress + ":" + port, List.of(),
        "--ca", tls.resolve("ca.pem").toString(), "--token-file", tokenFile.toString());
    String arguments = Files.readString(Path.of("/proc", String.valueOf(agent.pid()), "cmdline"));
    assertThat(arguments).contains("--token-file").doesNotContain(token);

    Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(work.resolve("agent.json")));
    assertThat(send("POST", "/api/v1/agents/far-host/approve", Map.of("target", "far-1")).status()).isEqualTo(200);
    Path log = logOf(work);
    Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(Files.readString(log)).contains("approved, works for target far-1"));

    byte[] payload = new byte[256 * 1024];
    new java.util.Random(17).nextBytes(payload);
    push("edge", "1.0.0", payload);
    JsonNode ended = deployAndWait("edge", "1.0.0", "far");
    assertThat(ended.path("state").asString()).as(ended + "\n" + Files.readString(log)).isEqualTo("SUCCEEDED");

    Path folder = work.resolve("targets/far-1/edge.app");
    assertThat(Files.readSymbolicLink(folder.resolve("current")).toString()).isEqualTo("releases/1.0.0");
    assertThat(Files.readString(folder.resolve("secret.txt"))).as("the step was given the secret").isEqualTo(SECRET);
    assertThat(Files.readString(folder.resolve("cmdline.txt"))).as("in its environment, not its command line")
        .contains("DB_PASSWORD").doesNotContain(SECRET);
    String record = ended + send("GET", "/api/v1/deployments/" + ended.path("id").asLong() + "/events", null).text();
    assertThat(record).contains("password is ****").doesNotContain(SECRET);
    assertThat(jdbc.sql("select payload from agent_work").query(String.class).list()).isNotEmpty()
        .noneMatch(p -> p.contains(SECRET));
    assertThat(jdbc.sql("select line from agent_work_log").query(String.class).list())
        .contains("password is ****").noneMatch(l -> l.contains(SECRET));
    assertThat(jdbc.sql("select actor from secret_events where name = 'far-db-password' and action = 'sent'")
        .query(String.class).list()).containsExactly("agent far-host");

    String credential = JSON.readTree(Files.readString(work.resolve("agent.json"))).path("credential").asString();
    assertThat(credential).startsWith("gta_");
    assertThat(Files.readString(log)).doesNotContain(SECRET).doesNotContain(token).doesNotContain(credential);
    assertThat(serverOutput.getAll()).as("the server's own log").doesNotContain(SECRET)
        .doesNotContain(token).doesNotContain(credential);
  }

  @Test
  void an_agent_refuses_a_server_certificate_it_cannot_trust_or_that_names_another_host_sends_nothing_and_exits_7()
      throws Exception {
    String token = token();
    Path tokenFile = tokenFile(Files.createTempDirectory("agent-tls-token"), token);

    // no --ca: the system's authorities do not know the one that signed the server's certificate
    Path untrusting = Files.createTempDirectory("agent-tls-untrusting");
    Process withoutCa = startAgent(untrusting, "no-ca-host", "https://" + namespace.hostAddress + ":" + port,
        List.of(), "--token-file", tokenFile.toString());
    assertThat(withoutCa.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(withoutCa.exitValue()).as(Files.readString(logOf(untrusting))).isEqualTo(7);
    assertThat(Files.readString(logOf(untrusting))).contains("the server's certificate is refused, nothing was sent")
        .contains("--ca FILE");

    // the right authority, but the certificate names gantry.test and the address, not the name the agent asked for
    Path hosts = Files.writeString(Files.createTempDirectory("agent-tls-hosts").resolve("hosts"),
        namespace.hostAddress + " elsewhere.test\n");
    Path misnamed = Files.createTempDirectory("agent-tls-misnamed");
    Process otherName = startAgent(misnamed, "misnamed-host", "https://elsewhere.test:" + port,
        List.of("-Djdk.net.hosts.file=" + hosts), "--ca", tls.resolve("ca.pem").toString(), "--token-file",
        tokenFile.toString());
    assertThat(otherName.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(otherName.exitValue()).as(Files.readString(logOf(misnamed))).isEqualTo(7);
    assertThat(Files.readString(logOf(misnamed))).contains("the server's certificate is refused")
        .contains("elsewhere.test");

    assertThat(Files.exists(untrusting.resolve("agent.json"))).isFalse();
    assertThat(Files.exists(misnamed.resolve("agent.json"))).isFalse();
    JsonNode tokens = send("GET", "/api/v1/agent-registration-tokens", null).json();
    for (JsonNode t : tokens) {
      if (token.startsWith(t.path("prefix").asString())) {
        assertThat(t.path("uses").asInt()).as("the token never reached the server").isZero();
      }
    }
    assertThat(Files.readString(logOf(untrusting)) + Files.readString(logOf(misnamed))).doesNotContain(token);
  }

  @Test
  void an_agent_killed_during_a_step_fails_it_after_the_grace_with_the_cause_and_restarted_does_not_run_it_again()
      throws Exception {
    String token = token();
    Path work = Files.createTempDirectory("agent-tls-lossy");
    String server = "https://" + namespace.hostAddress + ":" + port;
    String ca = tls.resolve("ca.pem").toString();
    Process agent = startAgent(work, "lossy-host", server, List.of(), "--ca", ca, "--token-file",
        tokenFile(work.resolveSibling(work.getFileName() + "-token"), token).toString());
    Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(work.resolve("agent.json")));
    assertThat(send("POST", "/api/v1/agents/lossy-host/approve", Map.of("target", "lossy-1")).status())
        .isEqualTo(200);
    Path log = logOf(work);
    Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(Files.readString(log)).contains("approved, works for target lossy-1"));

    push("slow", "1.0.0", new byte[] {1, 2, 3});
    long first = deploy("slow", "1.0.0", "lossy");
    Path runs = work.resolve("targets/lossy-1/runs.txt");
    Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
        Files.exists(runs));
    long workId = jdbc.sql("select max(id) from agent_work where agent = 'lossy-host' and state = 'STARTED'")
        .query(Long.class).single();

    // the agent dies with the step in hand: SIGKILL, nothing said to the server
    List<ProcessHandle> step = agent.descendants().toList();
    agent.destroyForcibly();
    assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
    step.forEach(ProcessHandle::destroyForcibly);
    java.time.Instant killed = java.time.Instant.now();

    JsonNode failed = waitForEnd(first);
    assertThat(failed.path("state").asString()).as(failed.toString()).isEqualTo("FAILED");
    String record = failed + send("GET", "/api/v1/deployments/" + first + "/events", null).text();
    assertThat(record).contains("agent lossy-host lost: last heard at ");
    assertThat(java.time.Instant.now()).as("not before the grace passed").isAfter(killed.plus(GRACE)
        .minusSeconds(2));
    assertThat(jdbc.sql("select outcome_text from agent_work where id = :id").param("id", workId)
        .query(String.class).single()).startsWith("agent lossy-host lost: last heard at ");

    // started again, it is heard again, takes new work, and the lost piece is not run a second time
    Process again = startAgent(work, "lossy-host", server, List.of(), "--ca", ca);
    Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(Files.readString(log).split("approved, works for target lossy-1", -1)).hasSize(3));
    push("slow", "1.0.1", new byte[] {4, 5, 6});
    JsonNode second = waitForEnd(deploy("slow", "1.0.1", "lossy"));
    assertThat(second.path("state").asString()).as(second + "\n" + Files.readString(log)).isEqualTo("SUCCEEDED");
    assertThat(Files.readAllLines(runs)).containsExactly("ran 1.0.0", "ran 1.0.1");
    assertThat(Files.readString(log).split("started work " + workId + "\n", -1)).as("the lost piece started once")
        .hasSize(2);
    assertThat(again.isAlive()).isTrue();
  }

  @Test
  void an_agent_cut_off_during_a_step_has_it_failed_after_the_grace_and_its_late_report_is_refused()
      throws Exception {
    String token = token();
    Path work = Files.createTempDirectory("agent-tls-severed");
    Process agent = startAgent(work, "severed-host", "https://" + namespace.hostAddress + ":" + port, List.of(),
        "--ca", tls.resolve("ca.pem").toString(), "--token-file",
        tokenFile(work.resolveSibling(work.getFileName() + "-token"), token).toString());
    Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(work.resolve("agent.json")));
    assertThat(send("POST", "/api/v1/agents/severed-host/approve", Map.of("target", "severed-1")).status())
        .isEqualTo(200);
    Path log = logOf(work);
    Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(Files.readString(log)).contains("approved, works for target severed-1"));
    push("cut", "1.0.0", new byte[] {7, 8, 9});
    long id = deploy("cut", "1.0.0", "severed");
    Path runs = work.resolve("targets/severed-1/runs.txt");
    Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() ->
        Files.exists(runs));
    long workId = jdbc.sql("select max(id) from agent_work where agent = 'severed-host' and state = 'STARTED'")
        .query(Long.class).single();

    namespace.cut();
    try {
      // watched in the database: the server's address is not used while the link is down
      Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(() ->
          "FINISHED".equals(jdbc.sql("select state from agent_work where id = :id").param("id", workId)
              .query(String.class).single()));
    } finally {
      namespace.mend();
    }
    String cause = jdbc.sql("select outcome_text from agent_work where id = :id").param("id", workId)
        .query(String.class).single();
    assertThat(cause).startsWith("agent severed-host lost: last heard at ");
    assertThat(Files.readAllLines(runs)).as("the agent still runs its step").containsExactly("ran 1.0.0");
    JsonNode failed = waitForEnd(id);
    assertThat(failed.path("state").asString()).as(failed.toString()).isEqualTo("FAILED");
    assertThat(failed + send("GET", "/api/v1/deployments/" + id + "/events", null).text())
        .contains("agent severed-host lost: last heard at ");

    // the link is back: the step ends on the host, and its report comes too late to count
    Awaitility.await().atMost(Duration.ofMinutes(2)).untilAsserted(() -> assertThat(Files.readString(log))
        .contains("work " + workId + ": succeeded (the server answered 409"));
    assertThat(Files.readAllLines(runs)).containsExactly("ran 1.0.0", "finished 1.0.0");
    assertThat(jdbc.sql("select outcome || ' ' || outcome_text from agent_work where id = :id").param("id", workId)
        .query(String.class).single()).isEqualTo("FAILED " + cause);
    assertThat(agent.isAlive()).as("a lost agent is not a revoked one: it carries on").isTrue();
  }

  // --- helpers

  String token() throws Exception {
    Response created = send("POST", "/api/v1/agent-registration-tokens", Map.of("name", "tls", "uses", 2));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    return created.json().path("token").asString();
  }

  static Path tokenFile(Path dir, String token) throws IOException {
    Files.createDirectories(dir);
    Path file = Files.createFile(dir.resolve("registration-token"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    return Files.writeString(file, token + "\n");
  }

  static Path logOf(Path work) {
    return work.resolveSibling(work.getFileName() + ".log");
  }

  Process startAgent(Path work, String name, String server, List<String> jvm, String... more) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
        .toString()));
    command.addAll(jvm);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.gantry.Gantry", "agent",
        "--server", server, "--name", name, "--work-dir", work.toString(), "--heartbeat-seconds", "1"));
    command.addAll(List.of(more));
    Process p = new ProcessBuilder(namespace.inside(command)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logOf(work).toFile())).start();
    agents.add(p);
    return p;
  }

  void push(String service, String version, byte[] artifact) throws Exception {
    String boundary = "b" + java.util.UUID.randomUUID();
    var body = new java.io.ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"version\":\"" + version + "\"}\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"payload.bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(artifact);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = https.send(HttpRequest.newBuilder(uri("/api/v1/services/" + service
        + "/components/app/versions")).header("Authorization", "Bearer " + admin)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  long deploy(String service, String version, String environment) throws Exception {
    Response started = send("POST", "/api/v1/deployments", Map.of("component", service + "/app", "version", version,
        "environment", environment, "reason", "agent over https"));
    assertThat(started.status()).as(started.text()).isIn(200, 201, 202);
    return started.json().path("id").asLong();
  }

  JsonNode deployAndWait(String service, String version, String environment) throws Exception {
    return waitForEnd(deploy(service, version, environment));
  }

  /** The deployment once it ended; the bound is generous as this machine may be slow and shared. */
  JsonNode waitForEnd(long id) throws Exception {
    Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      JsonNode now = send("GET", "/api/v1/deployments/" + id, null).json();
      assertThat(now.path("state").asString()).as(now.toString()).isIn("SUCCEEDED", "FAILED", "ROLLED_BACK",
          "CANCELLED");
    });
    return send("GET", "/api/v1/deployments/" + id, null).json();
  }

  URI uri(String path) {
    return URI.create("https://" + namespace.hostAddress + ":" + port + path);
  }

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  Response send(String method, String path, Object body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + admin)
        .header("Content-Type", "application/json");
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
    HttpResponse<String> r = https.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }
}
