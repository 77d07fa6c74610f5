package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.execution.AgentHosts;
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
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent as a separate process ({@code java ... io.gantry.Gantry agent}) in a network namespace of its own,
 * reaching the server only through a veth pair: the server listens on the pair's host-side address alone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AgentProcessInNamespaceTest {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static HostNamespace namespace;

  @DynamicPropertySource
  static void server(DynamicPropertyRegistry registry) throws Exception {
    for (String property : TestDatabase.H2.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-agent-ns").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
    namespace = HostNamespace.create();
    registry.add("server.address", () -> namespace.hostAddress);
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
      kind: Target
      metadata: {name: far-1}
      spec: {environment: far, kind: agent}
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
      kind: DeploymentModel
      metadata: {name: edge}
      spec:
        appliesTo: {services: [edge]}
        targetRequirements:
          - {type: tool, name: sh}
          - {type: free-disk, minimumMb: 10}
        stages:
          - name: far
            environment: far
            strategy: {type: all-at-once}
            steps:
              - {name: install, type: artifact.install, destination: releases, idempotent: true}
              - {name: work, type: shell, command: "sha256sum current/payload.bin > deployed.txt; echo deployed $GANTRY_VERSION on $(hostname)", idempotent: true}
              - {name: secret, type: shell, environment: {DB_PASSWORD: "${secret:ns-db-password}"}, command: "echo password is $DB_PASSWORD", idempotent: true}
            acceptance:
              - {name: check, type: shell, command: "test -s deployed.txt", idempotent: true}
            failurePolicy: {action: stop}
      """;

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @Autowired AgentHosts hosts;
  final List<Process> agents = new ArrayList<>();
  CuttingProxy proxy;

  @AfterEach
  void stopAgents() {
    agents.forEach(Process::destroyForcibly);
    if (proxy != null) {
      proxy.close();
    }
  }

  void push(String admin, String version, byte[] artifact) throws Exception {
    String boundary = "b" + java.util.UUID.randomUUID();
    var body = new java.io.ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"version\":\"" + version + "\"}\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"payload.bin\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(artifact);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + namespace.hostAddress + ":"
        + port + "/api/v1/services/edge/components/app/versions")).header("Authorization", "Bearer " + admin)
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  @Test
  void an_agent_in_its_own_namespace_registers_is_approved_runs_a_deployment_resuming_a_cut_download_refuses_an_altered_artifact_downloads_again_one_changed_on_its_host_and_stops_when_revoked()
      throws Exception {
    String admin = AdminToken.of(dataDir);
    String secret = "ns-secret-" + java.util.UUID.randomUUID();
    assertThat(send(admin, "PUT", "/api/v1/secrets/ns-db-password", Map.of("value", secret)).status()).isIn(200, 201);
    List<Map<String, String>> files = new ArrayList<>(ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList());
    files.add(Map.of("name", "agents.yaml", "content", CONFIG));
    assertThat(send(admin, "POST", "/api/v1/config/apply", Map.of("files", files, "reason", "agents")).status())
        .isEqualTo(200);
    String token = send(admin, "POST", "/api/v1/agent-registration-tokens", Map.of("name", "ns", "uses", 1))
        .json().path("token").asString();
    Path work = Files.createTempDirectory("agent-work");
    proxy = new CuttingProxy(namespace.hostAddress, port, "/artifacts/", 512 * 1024);

    Process agent = startAgent(work, token);
    assertThat(Files.readString(Path.of("/proc", String.valueOf(agent.pid()), "cmdline")))
        .as("the registration token is given in the environment, not on the command line").doesNotContain(token);
    Path log = work.resolveSibling(work.getFileName() + ".log");
    Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(work.resolve("agent.json")));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(work.resolve("agent.json"))))
        .isEqualTo("rw-------");
    JsonNode pending = agentNamed(admin, "far-host");
    assertThat(pending.path("state").asString()).isEqualTo("pending");

    assertThat(send(admin, "POST", "/api/v1/agents/far-host/approve", Map.of("target", "far-1")).status())
        .isEqualTo(200);
    Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(Files.readString(log)).contains("approved, works for target far-1"));
    AgentHosts.Reported reported = hosts.reported("far-1");
    assertThat(reported.facts()).containsEntry("os.name", "Linux").containsKey("disk.free-mb");
    assertThat(reported.facts().get("tools")).contains("sh");

    // restarted without its registration token, it carries on with its own credential
    agent.destroy();
    assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
    Process again = startAgent(work, null);
    Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
        assertThat(Files.readString(log).split("approved, works for target far-1", -1)).hasSize(3));

    // a deployment's steps run on the agent's host: its artifact fetched through a link cut half-way, resumed
    byte[] payload = new byte[3 * 1024 * 1024];
    new java.util.Random(16).nextBytes(payload);
    push(admin, "1.0.0", payload);
    JsonNode deployment = send(admin, "POST", "/api/v1/deployments", Map.of("component", "edge/app", "version",
        "1.0.0", "environment", "far", "reason", "agent test")).json();
    long id = deployment.path("id").asLong();
    // this machine may be slow and shared: the bound is generous, and a timeout shows where the deployment stood
    Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      JsonNode now = send(admin, "GET", "/api/v1/deployments/" + id, null).json();
      assertThat(now.path("state").asString()).as(now + "\n" + send(admin, "GET", "/api/v1/deployments/" + id
          + "/events", null).text() + "\n" + Files.readString(log)).isIn("SUCCEEDED", "FAILED", "ROLLED_BACK",
          "CANCELLED");
    });
    JsonNode ended = send(admin, "GET", "/api/v1/deployments/" + id, null).json();
    assertThat(ended.path("state").asString()).as(ended.toString() + "\n" + Files.readString(log))
        .isEqualTo("SUCCEEDED");
    Path folder = work.resolve("targets/far-1/edge.app");
    String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(payload));
    assertThat(Files.readString(folder.resolve("deployed.txt"))).startsWith(expected);
    assertThat(Files.readSymbolicLink(folder.resolve("current")).toString()).isEqualTo("releases/1.0.0");
    assertThat(proxy.cuts()).as("the first transfer of the artifact was cut").isEqualTo(1);
    Path installed = folder.resolve("releases/1.0.0/payload.bin");
    Path kept = work.resolve("downloads").resolve(expected);
    assertThat(Files.isSameFile(installed, kept)).as("the checked download is linked into the release, not copied")
        .isTrue();
    String output = ended.toString();
    assertThat(output).contains("resuming payload.bin at byte").contains("SHA-256 checked")
        .contains("deployed 1.0.0").contains("password is ****").doesNotContain(secret);
    // what crossed the link: the secret came to the agent in a lease's answer, and left its host masked only
    assertThat(proxy.answers()).contains(secret);
    assertThat(proxy.requests()).contains("password is ****").doesNotContain(secret);

    // the server sends a stored artifact as it is, and the agent checks every byte: one altered on its way is
    // refused on the host, not kept, and the release in use stays
    byte[] next = new byte[1024 * 1024];
    new java.util.Random(17).nextBytes(next);
    push(admin, "1.0.1", next);
    String nextHex = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
        .digest(next));
    proxy.corruptNext();
    JsonNode failed = deployed(admin, "1.0.1", "altered artifact");
    assertThat(failed.path("state").asString()).as(failed.toString()).isEqualTo("FAILED");
    assertThat(failed.toString()).contains("arrived with SHA-256").contains("refused, nothing installed");
    assertThat(Files.readSymbolicLink(folder.resolve("current")).toString()).isEqualTo("releases/1.0.0");
    assertThat(work.resolve("downloads").resolve(nextHex)).as("the altered download is not kept").doesNotExist();

    // the app changes a file of its release in place, and with it the download linked there: deployed again, the
    // version's bytes are downloaded anew rather than the changed ones installed
    try (var changing = java.nio.channels.FileChannel.open(installed, java.nio.file.StandardOpenOption.WRITE)) {
      changing.write(java.nio.ByteBuffer.wrap("changed by the app".getBytes(StandardCharsets.UTF_8)), 1000);
    }
    JsonNode redeployed = deployed(admin, "1.0.0", "the app changed its release");
    assertThat(redeployed.path("state").asString()).as(redeployed.toString()).isEqualTo("SUCCEEDED");
    assertThat(redeployed.toString()).contains("kept download of payload.bin had changed on this host")
        .contains("downloaded payload.bin");
    assertThat(Files.readString(folder.resolve("deployed.txt"))).startsWith(expected);
    assertThat(io.gantry.catalog.CheckedFile.hash(kept).hex()).isEqualTo(expected);

    assertThat(send(admin, "POST", "/api/v1/agents/far-host/revoke", Map.of()).status()).isEqualTo(200);
    assertThat(again.waitFor(30, TimeUnit.SECONDS)).as("a revoked agent stops").isTrue();
    assertThat(again.exitValue()).isEqualTo(6);
    assertThat(Files.readString(log)).contains("refuses this agent's credential");
  }

  /** Deploys {@code version} of edge/app to far and answers the deployment once it has ended. */
  JsonNode deployed(String admin, String version, String reason) throws Exception {
    long id = send(admin, "POST", "/api/v1/deployments", Map.of("component", "edge/app", "version", version,
        "environment", "far", "reason", reason)).json().path("id").asLong();
    Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(send(admin, "GET", "/api/v1/deployments/" + id, null).json().path("state").asString())
            .isIn("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED"));
    return send(admin, "GET", "/api/v1/deployments/" + id, null).json();
  }

  Process startAgent(Path work, String token) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "io.gantry.Gantry", "agent",
        "--server", "http://" + namespace.hostAddress + ":" + proxy.port(), "--insecure-http", "--name", "far-host",
        "--work-dir", work.toString(), "--heartbeat-seconds", "1"));
    Path log = work.resolveSibling(work.getFileName() + ".log");
    ProcessBuilder builder = new ProcessBuilder(namespace.inside(command)).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (token != null) {
      builder.environment().put("GANTRY_REGISTRATION_TOKEN", token);
    }
    Process p = builder.start();
    agents.add(p);
    return p;
  }

  JsonNode agentNamed(String admin, String name) throws Exception {
    for (JsonNode a : send(admin, "GET", "/api/v1/agents", null).json()) {
      if (a.path("name").asString().equals(name)) {
        return a;
      }
    }
    throw new AssertionError("no agent " + name);
  }

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  Response send(String token, String method, String path, Object body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + namespace.hostAddress + ":" + port
        + path)).header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body), StandardCharsets.UTF_8));
    HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }
}
