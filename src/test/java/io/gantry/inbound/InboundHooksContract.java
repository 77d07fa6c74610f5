package io.gantry.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * GitHub's and GitLab's webhook deliveries, in the shapes their documentation gives, replayed against a
 * real server over HTTP with good and bad signatures: what registers a version (and so starts the
 * model's version-registered trigger), what is ignored, and what is refused without changing anything.
 * Run on H2 and PostgreSQL by the subclasses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class InboundHooksContract {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String GITHUB_SECRET = "It's a Secret to Everybody";
  static final String GITLAB_TOKEN = "gitlab-token-3f9a2c71";
  static final String GITLAB_SIGNING = "whsec_" + Base64.getEncoder().encodeToString(
      "thirty-two bytes of signing key!".getBytes(StandardCharsets.UTF_8));

  static final String HOOKS = """
      apiVersion: gantry.io/v1
      kind: InboundHook
      metadata: {name: shop-web-github, description: tags of the web front on GitHub}
      spec: {provider: github, repository: acme/shop-web, component: shop/web, secret: shop-web-github}
      ---
      apiVersion: gantry.io/v1
      kind: InboundHook
      metadata: {name: shop-web-gitlab}
      spec: {provider: gitlab, repository: acme/shop/web, component: shop/db-schema, secret: shop-web-gitlab}
      ---
      apiVersion: gantry.io/v1
      kind: InboundHook
      metadata: {name: shop-web-gitlab-signed}
      spec: {provider: gitlab, repository: acme/shop/config, component: shop/app-config, secret: gitlab-signing}
      ---
      apiVersion: gantry.io/v1
      kind: InboundHook
      metadata: {name: shop-web-image}
      spec: {provider: cdevents, artifact: "pkg:oci/shop-web", component: shop/web}
      ---
      apiVersion: gantry.io/v1
      kind: InboundHook
      metadata: {name: runbook-github}
      spec: {provider: github, repository: acme/runbook, component: shop/runbook, secret: never-set}
      """;

  static void register(DynamicPropertyRegistry registry, TestDatabase database) throws Exception {
    for (String property : database.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-hooks-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Value("${gantry.data-dir}") Path dataDir;
  String admin;

  @BeforeEach
  void applyExamplesWithHooks() throws Exception {
    admin = io.gantry.testing.AdminToken.of(dataDir);
    assertThat(put("/api/v1/secrets/shop-web-github", Map.of("value", GITHUB_SECRET)).status()).isEqualTo(200);
    assertThat(put("/api/v1/secrets/shop-web-gitlab", Map.of("value", GITLAB_TOKEN)).status()).isEqualTo(200);
    assertThat(put("/api/v1/secrets/gitlab-signing", Map.of("value", GITLAB_SIGNING)).status()).isEqualTo(200);
    Response applied = apply(HOOKS);
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
  }

  Response apply(String hooks) throws Exception {
    List<Map<String, String>> files = new ArrayList<>(ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList());
    files.add(Map.of("name", "hooks.yaml", "content", hooks));
    return send(HttpRequest.newBuilder(uri("/api/v1/config/apply")).header("Authorization", "Bearer " + admin)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            JSON.writeValueAsString(Map.of("files", files, "reason", "test set-up")))));
  }

  // --- GitHub

  @Test
  void a_signed_tag_push_from_github_registers_the_version_with_its_commit_and_the_trigger_deploys_it()
      throws Exception {
    byte[] body = resource("github-push-tag.json");
    Response r = github(body, "push", delivery(), githubSignature(body, GITHUB_SECRET));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().path("status").asString()).isEqualTo("registered");
    JsonNode version = version("shop", "web", "2.3.0");
    assertThat(version.path("createdBy").asString()).isEqualTo("hook:shop-web-github");
    JsonNode attributes = version.path("attributes");
    assertThat(attributes.path("commitSha").asString()).isEqualTo("6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    assertThat(attributes.path("commitTime").asString()).isEqualTo("2026-11-02T13:05:31Z");
    assertThat(attributes.path("buildUrl").asString())
        .isEqualTo("https://github.com/acme/shop-web/commit/6113728f27ae82c7b1a177c8d03f9e96e0adf246");
    assertThat(attributes.path("sourceRepository").asString()).isEqualTo("github:acme/shop-web");
    assertThat(attributes.path("gitTag").asString()).isEqualTo("v2.3.0");

    // the example model's version-registered trigger requests its deployment to dev, without anyone asking
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          JsonNode items = get("/api/v1/deployments?environment=dev&component=web").json().path("items");
          assertThat(items.findValuesAsString("version")).contains("2.3.0");
        });
    JsonNode deployment = get("/api/v1/deployments?environment=dev&component=web").json().path("items").get(0);
    assertThat(deployment.path("reason").asString()).contains("registered in the library by hook:shop-web-github");
  }

  @Test
  void the_same_delivery_sent_again_changes_nothing_and_is_answered_as_a_duplicate() throws Exception {
    byte[] body = new String(resource("github-push-tag.json"), StandardCharsets.UTF_8).replace("v2.3.0", "v2.3.1")
        .getBytes(StandardCharsets.UTF_8);
    String id = delivery();
    assertThat(github(body, "push", id, githubSignature(body, GITHUB_SECRET)).status()).isEqualTo(201);
    long versions = count("component_versions");
    long deliveries = count("inbound_deliveries");
    Response again = github(body, "push", id, githubSignature(body, GITHUB_SECRET));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().path("status").asString()).isEqualTo("duplicate");
    assertThat(again.json().path("version").asString()).isEqualTo("2.3.1");
    assertThat(count("component_versions")).isEqualTo(versions);
    assertThat(count("inbound_deliveries")).isEqualTo(deliveries);
    // another delivery of the same tag (GitHub's redelivery has a new id): already registered, no change
    Response other = github(body, "push", delivery(), githubSignature(body, GITHUB_SECRET));
    assertThat(other.status()).isEqualTo(200);
    assertThat(other.json().path("status").asString()).isEqualTo("already-registered");
    assertThat(count("component_versions")).isEqualTo(versions);
  }

  @Test
  void unsigned_or_badly_signed_deliveries_are_refused_with_401_and_change_nothing() throws Exception {
    byte[] body = resource("github-push-tag.json");
    long versions = count("component_versions");
    long deliveries = count("inbound_deliveries");
    assertThat(github(body, "push", delivery(), null).status()).isEqualTo(401);
    assertThat(github(body, "push", delivery(), githubSignature(body, "another secret")).status()).isEqualTo(401);
    assertThat(github(body, "push", delivery(), "sha256=zz").status()).isEqualTo(401);
    assertThat(github(body, "push", delivery(), "sha1=" + HexFormat.of().formatHex(new byte[20])).status())
        .isEqualTo(401);
    // a body changed after signing
    byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("v2.3.0", "v9.9.9")
        .getBytes(StandardCharsets.UTF_8);
    Response forged = github(tampered, "push", delivery(), githubSignature(body, GITHUB_SECRET));
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.json().path("type").asString()).endsWith("bad-signature");
    // an API token is no substitute for the signature
    HttpRequest.Builder withToken = HttpRequest.newBuilder(uri("/api/v1/hooks/github/shop-web-github"))
        .header("Authorization", "Bearer " + admin).header("X-GitHub-Event", "push")
        .header("X-GitHub-Delivery", delivery()).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    assertThat(send(withToken).status()).isEqualTo(401);
    assertThat(count("component_versions")).isEqualTo(versions);
    assertThat(count("inbound_deliveries")).isEqualTo(deliveries);
  }

  @Test
  void a_delivery_about_another_repository_is_refused_even_when_signed() throws Exception {
    byte[] body = new String(resource("github-push-tag.json"), StandardCharsets.UTF_8)
        .replace("\"full_name\": \"acme/shop-web\"", "\"full_name\": \"mallory/shop-web\"")
        .getBytes(StandardCharsets.UTF_8);
    long versions = count("component_versions");
    Response r = github(body, "push", delivery(), githubSignature(body, GITHUB_SECRET));
    assertThat(r.status()).isEqualTo(403);
    assertThat(r.json().path("detail").asString()).contains("mallory/shop-web", "acme/shop-web");
    assertThat(count("component_versions")).isEqualTo(versions);
    assertThat(post("/api/v1/hooks/github/no-such-hook", body, Map.of("X-GitHub-Event", "push",
        "X-GitHub-Delivery", delivery(), "X-Hub-Signature-256", githubSignature(body, GITHUB_SECRET))).status())
        .isEqualTo(404);
    // a GitLab hook's name on the GitHub endpoint names no GitHub hook
    assertThat(post("/api/v1/hooks/github/shop-web-gitlab", body, Map.of("X-GitHub-Event", "push",
        "X-GitHub-Delivery", delivery(), "X-Hub-Signature-256", githubSignature(body, GITLAB_TOKEN))).status())
        .isEqualTo(404);
  }

  @Test
  void a_published_release_and_a_successful_workflow_run_on_a_tag_register_their_versions() throws Exception {
    byte[] release = resource("github-release-published.json");
    Response r = github(release, "release", delivery(), githubSignature(release, GITHUB_SECRET));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    JsonNode released = version("shop", "web", "2.4.0").path("attributes");
    assertThat(released.path("buildUrl").asString()).isEqualTo("https://github.com/acme/shop-web/releases/tag/v2.4.0");
    // the release targets the branch main: no commit id is known, and none is made up
    assertThat(released.has("commitSha")).isFalse();
    assertThat(released.has("commitTime")).isFalse();

    byte[] run = resource("github-workflow-run-completed.json");
    Response w = github(run, "workflow_run", delivery(), githubSignature(run, GITHUB_SECRET));
    assertThat(w.status()).as(w.text()).isEqualTo(201);
    JsonNode built = version("shop", "web", "2.5.0").path("attributes");
    assertThat(built.path("commitSha").asString()).isEqualTo("b4c1f0d5a6e7f8091a2b3c4d5e6f708192a3b4c5");
    assertThat(built.path("commitTime").asString()).isEqualTo("2026-11-04T09:58:12Z");
    assertThat(built.path("buildUrl").asString()).isEqualTo("https://github.com/acme/shop-web/actions/runs/11803412273");

    // a failed run, a push to a branch, a draft release edited, and other events register nothing
    byte[] failed = new String(run, StandardCharsets.UTF_8).replace("\"conclusion\": \"success\"",
        "\"conclusion\": \"failure\"").replace("v2.5.0", "v2.6.0").getBytes(StandardCharsets.UTF_8);
    assertIgnored(github(failed, "workflow_run", delivery(), githubSignature(failed, GITHUB_SECRET)));
    byte[] branch = resource("github-push-branch.json");
    assertIgnored(github(branch, "push", delivery(), githubSignature(branch, GITHUB_SECRET)));
    byte[] edited = new String(release, StandardCharsets.UTF_8).replace("\"published\"", "\"edited\"")
        .getBytes(StandardCharsets.UTF_8);
    assertIgnored(github(edited, "release", delivery(), githubSignature(edited, GITHUB_SECRET)));
    byte[] ping = "{\"zen\":\"Design for failure.\",\"hook_id\":1,\"repository\":{\"full_name\":\"acme/shop-web\"}}"
        .getBytes(StandardCharsets.UTF_8);
    assertIgnored(github(ping, "ping", delivery(), githubSignature(ping, GITHUB_SECRET)));
    assertThat(get("/api/v1/services/shop/components/web/versions/2.6.0").status()).isEqualTo(404);
  }

  @Test
  void a_hook_whose_secret_is_not_set_verifies_nothing_and_accepts_nothing() throws Exception {
    byte[] body = new String(resource("github-push-tag.json"), StandardCharsets.UTF_8)
        .replace("acme/shop-web", "acme/runbook").getBytes(StandardCharsets.UTF_8);
    long deliveries = count("inbound_deliveries");
    Response r = post("/api/v1/hooks/github/runbook-github", body, Map.of("X-GitHub-Event", "push",
        "X-GitHub-Delivery", delivery(), "X-Hub-Signature-256", githubSignature(body, "guess")));
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().path("detail").asString()).contains("never-set");
    assertThat(count("inbound_deliveries")).isEqualTo(deliveries);
  }

  @Test
  void a_delivery_past_the_size_limit_is_refused_unread() throws Exception {
    byte[] big = new byte[HookController.MAX_BODY + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    long deliveries = count("inbound_deliveries");
    Response r = github(big, "push", delivery(), githubSignature(big, GITHUB_SECRET));
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.text()).contains(String.valueOf(HookController.MAX_BODY));
    assertThat(count("inbound_deliveries")).isEqualTo(deliveries);
  }

  // --- GitLab

  @Test
  void gitlab_tag_push_pipeline_and_release_register_versions_when_the_token_is_the_secret() throws Exception {
    byte[] tag = resource("gitlab-tag-push.json");
    Response t = gitlab(tag, "Tag Push Hook", Map.of("X-Gitlab-Token", GITLAB_TOKEN));
    assertThat(t.status()).as(t.text()).isEqualTo(201);
    JsonNode tagged = version("shop", "db-schema", "3.1.0").path("attributes");
    assertThat(tagged.path("commitSha").asString()).isEqualTo("82b3d5ae55f7080f1e6022629cdb57bfae7cccc7");
    assertThat(tagged.path("commitTime").asString()).isEqualTo("2026-11-05T08:30:00Z");

    byte[] pipeline = resource("gitlab-pipeline-success.json");
    assertThat(gitlab(pipeline, "Pipeline Hook", Map.of("X-Gitlab-Token", GITLAB_TOKEN)).status()).isEqualTo(201);
    JsonNode piped = version("shop", "db-schema", "3.2.0").path("attributes");
    assertThat(piped.path("commitTime").asString()).isEqualTo("2026-11-06T07:55:40Z");
    assertThat(piped.path("buildUrl").asString()).isEqualTo("https://gitlab.example.com/acme/shop/web/-/pipelines/31");

    byte[] release = resource("gitlab-release-create.json");
    assertThat(gitlab(release, "Release Hook", Map.of("X-Gitlab-Token", GITLAB_TOKEN)).status()).isEqualTo(201);
    assertThat(version("shop", "db-schema", "3.3.0").path("attributes").path("buildUrl").asString())
        .isEqualTo("https://gitlab.example.com/acme/shop/web/-/releases/v3.3.0");

    long versions = count("component_versions");
    byte[] other = new String(tag, StandardCharsets.UTF_8).replace("v3.1.0", "v3.9.0").getBytes(StandardCharsets.UTF_8);
    assertThat(gitlab(other, "Tag Push Hook", Map.of("X-Gitlab-Token", "wrong")).status()).isEqualTo(401);
    assertThat(gitlab(other, "Tag Push Hook", Map.of()).status()).isEqualTo(401);
    byte[] running = new String(pipeline, StandardCharsets.UTF_8).replace("\"status\": \"success\"",
        "\"status\": \"running\"").replace("v3.2.0", "v3.8.0").getBytes(StandardCharsets.UTF_8);
    assertIgnored(gitlab(running, "Pipeline Hook", Map.of("X-Gitlab-Token", GITLAB_TOKEN)));
    assertThat(count("component_versions")).isEqualTo(versions);
  }

  @Test
  void a_gitlab_delivery_signed_with_a_signing_token_is_verified_and_a_stale_one_is_refused() throws Exception {
    byte[] tag = new String(resource("gitlab-tag-push.json"), StandardCharsets.UTF_8)
        .replace("acme/shop/web", "acme/shop/config").getBytes(StandardCharsets.UTF_8);
    String id = UUID.randomUUID().toString();
    long now = Instant.now().getEpochSecond();
    Response signed = gitlabTo("shop-web-gitlab-signed", tag, "Tag Push Hook", Map.of("webhook-id", id,
        "webhook-timestamp", String.valueOf(now), "webhook-signature", standardSignature(id, now, tag)));
    assertThat(signed.status()).as(signed.text()).isEqualTo(201);
    assertThat(version("shop", "app-config", "3.1.0").path("createdBy").asString())
        .isEqualTo("hook:shop-web-gitlab-signed");
    // sent again with the same webhook-id: a duplicate
    Response again = gitlabTo("shop-web-gitlab-signed", tag, "Tag Push Hook", Map.of("webhook-id", id,
        "webhook-timestamp", String.valueOf(now), "webhook-signature", standardSignature(id, now, tag)));
    assertThat(again.json().path("status").asString()).isEqualTo("duplicate");

    byte[] later = new String(tag, StandardCharsets.UTF_8).replace("v3.1.0", "v3.4.0").getBytes(StandardCharsets.UTF_8);
    String other = UUID.randomUUID().toString();
    long stale = now - 600;
    assertThat(gitlabTo("shop-web-gitlab-signed", later, "Tag Push Hook", Map.of("webhook-id", other,
        "webhook-timestamp", String.valueOf(stale), "webhook-signature", standardSignature(other, stale, later)))
        .status()).isEqualTo(401);
    assertThat(gitlabTo("shop-web-gitlab-signed", later, "Tag Push Hook", Map.of("webhook-id", other,
        "webhook-timestamp", String.valueOf(now), "webhook-signature", standardSignature(other, now, tag)))
        .status()).isEqualTo(401);
    assertThat(get("/api/v1/services/shop/components/app-config/versions/3.4.0").status()).isEqualTo(404);
  }

  @Test
  void a_hook_for_an_undeclared_component_or_a_repository_hooked_twice_is_refused_by_the_configuration()
      throws Exception {
    Response undeclared = apply(HOOKS + """
        ---
        apiVersion: gantry.io/v1
        kind: InboundHook
        metadata: {name: nowhere}
        spec: {provider: github, repository: acme/other, component: shop/nope, secret: x}
        """);
    assertThat(undeclared.status()).isEqualTo(422);
    assertThat(undeclared.text()).contains("spec.component");
    Response twice = apply(HOOKS + """
        ---
        apiVersion: gantry.io/v1
        kind: InboundHook
        metadata: {name: again}
        spec: {provider: github, repository: ACME/shop-web, component: shop/web, secret: x}
        """);
    assertThat(twice.status()).isEqualTo(422);
    assertThat(twice.text()).contains("spec.repository");
    Response badProvider = apply(HOOKS.replace("provider: github", "provider: bitbucket"));
    assertThat(badProvider.status()).isEqualTo(422);
    Response secretForEvents = apply(HOOKS + """
        ---
        apiVersion: gantry.io/v1
        kind: InboundHook
        metadata: {name: events-with-secret}
        spec: {provider: cdevents, artifact: "pkg:oci/shop-db", component: shop/db-schema, secret: x}
        """);
    assertThat(secretForEvents.status()).isEqualTo(422);
    assertThat(count("inbound_hooks")).isEqualTo(5);
  }

  // --- CDEvents

  static ObjectNode cdevent(String type, String id, String purl, ObjectNode content) {
    ObjectNode e = JSON.createObjectNode();
    e.putObject("context").put("specversion", "0.5.1").put("id", id).put("source", "/ci/acme/shop-web")
        .put("type", type).put("timestamp", "2026-11-08T10:00:00Z");
    e.putObject("subject").put("id", purl).put("source", "/ci/acme/shop-web").set("content", content);
    return e;
  }

  /** The event against the specification's own schema, read from the specification's folder. */
  static void assertFollowsTheSpecification(JsonNode event, String schemaFile) {
    Path spec = Path.of(System.getProperty("gantry.cdevents-spec", "../shared/cdevents-spec-v0.5.1"));
    if (!Files.isDirectory(spec)) {
      spec = Path.of("/work/shared/cdevents-spec-v0.5.1");
    }
    Path schemas = spec.resolve("schemas").toAbsolutePath();
    var registry = com.networknt.schema.SchemaRegistry.withDefaultDialect(
        com.networknt.schema.SpecificationVersion.DRAFT_2020_12, b -> b.schemaLoader(l -> l
            .fetchRemoteResources(false).resourceLoaders(r -> r.add(location -> {
              String id = location.toString();
              String prefix = "https://cdevents.dev/0.5.1/schema/";
              if (!id.startsWith(prefix)) {
                return null;
              }
              String rest = id.substring(prefix.length());
              Path file = rest.startsWith("links/") ? schemas.resolve(rest + ".json")
                  : schemas.resolve(rest.replace("-event", "").replace("-", "") + ".json");
              return () -> Files.newInputStream(file);
            }))));
    var schema = registry.getSchema(com.networknt.schema.SchemaLocation.of(
        "https://cdevents.dev/0.5.1/schema/" + schemaFile));
    assertThat(schema.validate(event)).isEmpty();
  }

  Response event(String contentType, Map<String, String> headers, String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri("/api/v1/events")).header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::header);
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b);
  }

  static String structured(ObjectNode cdevent) {
    ObjectNode ce = JSON.createObjectNode().put("specversion", "1.0")
        .put("id", cdevent.path("context").path("id").asString())
        .put("source", cdevent.path("context").path("source").asString())
        .put("type", cdevent.path("context").path("type").asString())
        .put("subject", cdevent.path("subject").path("id").asString())
        .put("time", "2026-11-08T10:00:00Z").put("datacontenttype", "application/json");
    ce.set("data", cdevent);
    return JSON.writeValueAsString(ce);
  }

  static Map<String, String> binary(ObjectNode cdevent) {
    return Map.of("ce-specversion", "1.0", "ce-id", cdevent.path("context").path("id").asString(),
        "ce-source", cdevent.path("context").path("source").asString(),
        "ce-type", cdevent.path("context").path("type").asString(),
        "ce-subject", cdevent.path("subject").path("id").asString(), "ce-time", "2026-11-08T10:00:00Z");
  }

  @Test
  void an_artifact_published_cdevent_in_structured_mode_registers_the_version_of_its_package_url() throws Exception {
    ObjectNode content = JSON.createObjectNode();
    content.putObject("sbom").put("uri", "https://sbom.example.com/acme/shop-web/4.0.0.cdx.json");
    content.put("user", "ci-bot");
    ObjectNode published = cdevent(CdEventsIn.PUBLISHED, UUID.randomUUID().toString(),
        "pkg:oci/shop-web@4.0.0?repository_url=registry.example.com/acme", content);
    assertFollowsTheSpecification(published, "artifact-published-event");

    Response r = event("application/cloudevents+json", Map.of(), structured(published), admin);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().path("status").asString()).isEqualTo("registered");
    JsonNode v = version("shop", "web", "4.0.0");
    assertThat(v.path("createdBy").asString()).isEqualTo("admin");
    assertThat(v.path("attributes").path("artifactId").asString()).isEqualTo("pkg:oci/shop-web@4.0.0");
    assertThat(v.path("attributes").path("eventSource").asString()).isEqualTo("/ci/acme/shop-web");
    assertThat(v.path("attributes").path("sbomUri").asString())
        .isEqualTo("https://sbom.example.com/acme/shop-web/4.0.0.cdx.json");

    long versions = count("component_versions");
    Response again = event("application/cloudevents+json", Map.of(), structured(published), admin);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().path("status").asString()).isEqualTo("duplicate");
    assertThat(count("component_versions")).isEqualTo(versions);
  }

  @Test
  void an_artifact_signed_cdevent_in_binary_mode_records_the_signature_beside_its_version() throws Exception {
    ObjectNode published = cdevent(CdEventsIn.PUBLISHED, UUID.randomUUID().toString(), "pkg:oci/shop-web@4.1.0",
        JSON.createObjectNode());
    assertThat(event("application/json", binary(published), JSON.writeValueAsString(published), admin).status())
        .isEqualTo(201);
    String signature = "MEYCIQCBT8U5ypDXWCjlNKfzTV4KH516/SK13NZSh8znnSMNkQIhAJ3XiQlc9PM1KyjITcZXHotdMB+J3NGua5T/yshmiPmp";
    ObjectNode signed = cdevent(CdEventsIn.SIGNED, UUID.randomUUID().toString(), "pkg:oci/shop-web@4.1.0",
        JSON.createObjectNode().put("signature", signature));
    assertFollowsTheSpecification(signed, "artifact-signed-event");
    Response r = event("application/json", binary(signed), JSON.writeValueAsString(signed), admin);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().path("status").asString()).isEqualTo("signature-recorded");
    assertThat(r.json().path("detail").asString()).contains("not verified");
    JsonNode recorded = get("/api/v1/artifact-signatures?component=shop/web&version=4.1.0").json();
    assertThat(recorded.size()).isEqualTo(1);
    assertThat(recorded.get(0).path("signature").asString()).isEqualTo(signature);
    assertThat(recorded.get(0).path("recordedBy").asString()).isEqualTo("admin");

    // the signature of a version that is not registered is refused
    ObjectNode early = cdevent(CdEventsIn.SIGNED, UUID.randomUUID().toString(), "pkg:oci/shop-web@4.9.0",
        JSON.createObjectNode().put("signature", signature));
    Response refused = event("application/json", binary(early), JSON.writeValueAsString(early), admin);
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.text()).contains("data.subject.id");
  }

  @Test
  void events_that_break_the_schema_or_the_cloudevent_or_come_from_outsiders_are_refused_and_change_nothing()
      throws Exception {
    long versions = count("component_versions");
    ObjectNode noSignature = cdevent(CdEventsIn.SIGNED, UUID.randomUUID().toString(), "pkg:oci/shop-web@4.2.0",
        JSON.createObjectNode());
    Response invalid = event("application/json", binary(noSignature), JSON.writeValueAsString(noSignature), admin);
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.text()).contains("signature");

    ObjectNode published = cdevent(CdEventsIn.PUBLISHED, UUID.randomUUID().toString(), "pkg:oci/shop-web@4.2.0",
        JSON.createObjectNode());
    Map<String, String> otherId = new LinkedHashMap<>(binary(published));
    otherId.put("ce-id", "not-the-same");
    assertThat(event("application/json", otherId, JSON.writeValueAsString(published), admin).status())
        .isEqualTo(422);
    Map<String, String> otherType = new LinkedHashMap<>(binary(published));
    otherType.put("ce-type", "dev.cdevents.artifact.published.0.2.0");
    Response oldType = event("application/json", otherType, JSON.writeValueAsString(published), admin);
    assertThat(oldType.status()).isEqualTo(422);
    assertThat(oldType.json().path("errors").get(0).path("field").asString()).isEqualTo("type");
    assertThat(event("application/json", Map.of(), JSON.writeValueAsString(published), admin).status())
        .isEqualTo(422);
    ObjectNode unknown = cdevent(CdEventsIn.PUBLISHED, UUID.randomUUID().toString(), "pkg:npm/left-pad@1.3.0",
        JSON.createObjectNode());
    assertThat(event("application/json", binary(unknown), JSON.writeValueAsString(unknown), admin).status())
        .isEqualTo(422);
    ObjectNode noVersion = cdevent(CdEventsIn.PUBLISHED, UUID.randomUUID().toString(), "pkg:oci/shop-web",
        JSON.createObjectNode());
    assertThat(event("application/json", binary(noVersion), JSON.writeValueAsString(noVersion), admin).status())
        .isEqualTo(422);

    assertThat(event("application/json", binary(published), JSON.writeValueAsString(published), null).status())
        .isEqualTo(401);
    String name = "auditor-" + UUID.randomUUID().toString().substring(0, 8);
    String code = post("/api/v1/users", JSON.writeValueAsBytes(Map.of("name", name, "roles", List.of("auditor"))),
        Map.of("Authorization", "Bearer " + admin)).json().path("enrolment").path("code").asString();
    String auditor = post("/api/v1/tokens", JSON.writeValueAsBytes(Map.of("name", "t")),
        Map.of("Authorization", "Bearer " + code)).json().path("token").asString();
    assertThat(event("application/json", binary(published), JSON.writeValueAsString(published), auditor).status())
        .isEqualTo(403);
    assertThat(count("component_versions")).isEqualTo(versions);
  }

  // --- helpers

  static void assertIgnored(Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(202);
    assertThat(r.json().path("status").asString()).isEqualTo("ignored");
  }

  static String delivery() {
    return UUID.randomUUID().toString();
  }

  static byte[] resource(String name) throws Exception {
    try (var in = InboundHooksContract.class.getResourceAsStream("/inbound/" + name)) {
      return in.readAllBytes();
    }
  }

  static String githubSignature(byte[] body, String secret) {
    return "sha256=" + HexFormat.of().formatHex(HookSignatures.hmac(secret, body));
  }

  static String standardSignature(String id, long timestamp, byte[] body) {
    byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
    byte[] signed = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, signed, 0, prefix.length);
    System.arraycopy(body, 0, signed, prefix.length, body.length);
    byte[] key = Base64.getDecoder().decode(GITLAB_SIGNING.substring(6));
    return "v1," + Base64.getEncoder().encodeToString(HookSignatures.hmac(key, signed));
  }

  Response github(byte[] body, String event, String delivery, String signature) throws Exception {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("X-GitHub-Event", event);
    headers.put("X-GitHub-Delivery", delivery);
    headers.put("User-Agent", "GitHub-Hookshot/5f3c1a2");
    if (signature != null) {
      headers.put("X-Hub-Signature-256", signature);
    }
    return post("/api/v1/hooks/github/shop-web-github", body, headers);
  }

  Response gitlab(byte[] body, String event, Map<String, String> auth) throws Exception {
    return gitlabTo("shop-web-gitlab", body, event, auth);
  }

  Response gitlabTo(String hook, byte[] body, String event, Map<String, String> auth) throws Exception {
    Map<String, String> headers = new LinkedHashMap<>(auth);
    headers.put("X-Gitlab-Event", event);
    if (!headers.containsKey("webhook-id")) {
      headers.put("X-Gitlab-Event-UUID", UUID.randomUUID().toString());
    }
    return post("/api/v1/hooks/gitlab/" + hook, body, headers);
  }

  JsonNode version(String service, String component, String version) throws Exception {
    Response r = get("/api/v1/services/" + service + "/components/" + component + "/versions/" + version);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.json();
  }

  long count(String table) {
    return jdbc.sql("select count(*) from " + table).query(Long.class).single();
  }

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  Response post(String path, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return send(b);
  }

  Response get(String path) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + admin).GET());
  }

  Response put(String path, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Authorization", "Bearer " + admin)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
  }

  static Response send(HttpRequest.Builder builder) throws Exception {
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.body());
  }
}
