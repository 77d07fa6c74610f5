package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.change.Change;
import io.gantry.change.Changes;
import io.gantry.change.ChangesForTests;
import io.gantry.events.CdEventSchemas;
import io.gantry.events.StoredEvent;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.metrics.Incident;
import io.gantry.metrics.IncidentsForTests;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A sample of what Gantry does (environments applied, changed and deleted; a deployment, an upgrade, one rolled back,
 * a removal, one waiting for an approval; an incident reported and resolved; a change request created, submitted
 * and cancelled), run by the engine on H2, and every CDEvent it wrote to the outbox checked against the JSON schema of
 * its type from the CDEvents 0.5.1 specification (Gantry's own types: the specification's custom event schema and
 * Gantry's schema of their content).
 */
class CdEventsSchemaTest {

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: scratch}
      spec: {purpose: development, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: live}
      spec: {purpose: production, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: qa, kind: local, path: t1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: l1}
      spec: {environment: live, kind: local, path: l1}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: shop}
      spec: {owner: team-shop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: qa
            environment: qa
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - {name: run, type: shell, command: "sh current/run.sh", timeout: 30s}
            failurePolicy: {action: rollback}
            removeSteps:
              - {name: remove, type: artifact.remove, destination: releases}
          - name: live
            environment: live
            steps:
              - {name: go-ahead, type: approval, role: deployment-manager, count: 1}
              - {name: install, type: artifact.install, destination: releases}
      """;

  static final Set<String> EXPECTED = new TreeSet<>(List.of(
      "dev.cdevents.environment.created.0.3.0", "dev.cdevents.environment.modified.0.3.0",
      "dev.cdevents.environment.deleted.0.3.0",
      "dev.cdevents.pipelinerun.queued.0.3.0", "dev.cdevents.pipelinerun.started.0.3.0",
      "dev.cdevents.pipelinerun.finished.0.3.0",
      "dev.cdevents.taskrun.started.0.3.0", "dev.cdevents.taskrun.finished.0.3.0",
      "dev.cdevents.service.deployed.0.3.0", "dev.cdevents.service.upgraded.0.3.0",
      "dev.cdevents.service.rolledback.0.3.0", "dev.cdevents.service.removed.0.3.0",
      "dev.cdevents.incident.detected.0.3.0", "dev.cdevents.incident.reported.0.3.0",
      "dev.cdevents.incident.resolved.0.3.0",
      "dev.cdeventsx.gantry-deployment.waiting.0.1.0", "dev.cdeventsx.gantry-modelversion.effective.0.1.0",
      "dev.cdeventsx.gantry-change.created.0.1.0", "dev.cdeventsx.gantry-change.submitted.0.1.0",
      "dev.cdeventsx.gantry-change.cancelled.0.1.0"));

  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir
  Path home;

  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  private void push(String version, boolean broken) {
    String script = broken ? "echo broken >&2; exit 3\n" : "echo ok > out.txt\n";
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  private Deployment run(DeploymentRequests.Request request) {
    Deployment d = fixture.requests.request(request, "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private static DeploymentRequests.Request deploy(String version, String environment) {
    return new DeploymentRequests.Request("shop/web", version, environment, null, null);
  }

  @Test
  void the_schemas_refuse_an_event_that_misses_a_required_field_a_uri_that_is_relative_or_an_unknown_wait() {
    CdEventSchemas schemas = new CdEventSchemas();
    String context = """
        "context": {"specversion": "0.5.1", "id": "1", "source": "/gantry", "type": "%s",
                    "timestamp": "2026-12-04T10:00:00Z"}""";
    assertThat(schemas.problems("dev.cdevents.service.deployed.0.3.0", "{" + context.formatted(
        "dev.cdevents.service.deployed.0.3.0") + ", \"subject\": {\"id\": \"shop/web\", \"content\": "
        + "{\"environment\": {\"id\": \"qa\"}}}}")).isNotEmpty();
    assertThat(schemas.problems("dev.cdevents.pipelinerun.started.0.3.0", "{" + context.formatted(
        "dev.cdevents.pipelinerun.started.0.3.0") + ", \"subject\": {\"id\": \"deployment-1\", \"content\": "
        + "{\"pipelineName\": \"software/qa\", \"uri\": \"/console/deployments/1\"}}}")).isNotEmpty();
    assertThat(schemas.problems("dev.cdevents.pipelinerun.started.0.3.0", "{" + context.formatted(
        "dev.cdevents.pipelinerun.started.0.3.0") + ", \"subject\": {\"id\": \"deployment-1\", \"content\": "
        + "{\"pipelineName\": \"software/qa\", \"uri\": \"urn:gantry:deployment:1\"}}}")).isEmpty();
    assertThat(schemas.problems("dev.cdeventsx.gantry-deployment.waiting.0.1.0", "{" + context.formatted(
        "dev.cdeventsx.gantry-deployment.waiting.0.1.0") + ", \"subject\": {\"id\": \"deployment-1\", \"content\": "
        + "{\"waitingFor\": \"lock\", \"target\": null, \"step\": null, \"roles\": [], \"message\": \"m\"}}}"))
        .isNotEmpty();
  }

  @Test
  void every_event_of_a_sample_run_follows_the_schema_of_its_type_and_every_type_gantry_emits_is_among_them()
      throws Exception {
    TestDatabase.Instance db = TestDatabase.H2.create();
    fixture = new EngineFixture(db, clock, home);
    engine = fixture.engine();
    fixture.users.create("carol", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);

    fixture.apply(CONFIG);
    fixture.apply(CONFIG.replace("spec: {purpose: test, owner: qa-team}", "spec: {purpose: test, owner: qa-crew}")
        .replace("""
            apiVersion: gantry.io/v1
            kind: Environment
            metadata: {name: scratch}
            spec: {purpose: development, owner: qa-team}
            ---
            """, ""));

    push("1.0.0", false);
    assertThat(run(deploy("1.0.0", "qa")).state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("2.0.0", false);
    assertThat(run(deploy("2.0.0", "qa")).state()).isEqualTo(DeploymentState.SUCCEEDED);
    push("3.0.0", true);
    assertThat(run(deploy("3.0.0", "qa")).state()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(run(new DeploymentRequests.Request("shop/web", null, "qa", null, null, Deployment.Kind.UNDEPLOY, null,
        null, null)).state()).isEqualTo(DeploymentState.SUCCEEDED);

    Deployment waiting = run(deploy("2.0.0", "live"));
    assertThat(waiting.state()).isEqualTo(DeploymentState.EXECUTING);
    fixture.decisions.decide(waiting.id(), new DeploymentDecisions.Request("l1", "go-ahead", "approve", "go",
        List.of()), "carol");
    engine.runDue();
    assertThat(fixture.deployments.get(waiting.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);

    var incidents = new IncidentsForTests(db.jdbc(), fixture.deployments, db.transactions(), clock, fixture.events);
    Incident incident = incidents.report("shop", "live", "checkout answers 500", "https://tickets.example.com/INC-7",
        clock.instant().minusSeconds(60), "olga");
    clock.advance(Duration.ofMinutes(5));
    incidents.resolve(incident.id(), null, "olga");

    Changes changes = ChangesForTests.changes(db.jdbc(), db.transactions(), clock, fixture.deployments,
        new io.gantry.environment.Environments(db.jdbc(), clock), fixture.events);
    Change change = changes.create(new Changes.NewChange("new payment provider", "normal", "medium", "low",
        clock.instant().plus(Duration.ofDays(1)), clock.instant().plus(Duration.ofDays(1).plusHours(1)), "switch", "back",
        "smoke", List.of("shop"), List.of(), List.of("live"), null, null), "bob");
    changes.submit(change.key(), "bob");
    changes.cancel(change.key(), "bob", "not this week");

    List<StoredEvent> written = fixture.events.written();
    CdEventSchemas schemas = new CdEventSchemas();
    Map<String, String> examples = new LinkedHashMap<>();
    for (StoredEvent e : written) {
      assertThat(schemas.problems(e.type(), e.data())).as(e.type() + ": " + e.data()).isEmpty();
      JsonNode cdevent = JSON.readTree(e.data());
      assertThat(cdevent.path("context").path("id").asString()).isEqualTo(e.eventId());
      assertThat(cdevent.path("customData").isObject()).as(e.type() + " carries Gantry's customData").isTrue();
      JsonNode artifact = cdevent.path("subject").path("content").path("artifactId");
      if (!artifact.isMissingNode()) {
        assertThat(artifact.asString()).matches("pkg:generic/shop/web@[0-9.]+\\?checksum=sha256:[0-9a-f]{64}");
      }
      examples.putIfAbsent(e.type(), e.data());
    }
    assertThat(new TreeSet<>(examples.keySet())).isEqualTo(EXPECTED);
    assertThat(written).filteredOn(e -> e.type().equals("dev.cdevents.service.rolledback.0.3.0")).singleElement()
        .satisfies(e -> assertThat(e.data()).contains("pkg:generic/shop/web@2.0.0?checksum=sha256:"));
    assertThat(written).filteredOn(e -> e.type().endsWith(".waiting.0.1.0")).singleElement()
        .satisfies(e -> assertThat(JSON.readTree(e.data()).path("customData").path("roles").toString())
            .isEqualTo("[\"deployment-manager\"]"));

    // one real example of each type, for the documentation
    Path out = Path.of("target", "cdevents-examples.json");
    Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(
        examples.entrySet().stream().collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
            x -> JSON.readTree(x.getValue()), (a, b) -> a, java.util.TreeMap::new))));
  }
}
