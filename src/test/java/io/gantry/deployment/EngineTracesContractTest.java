package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.model.Stage;
import io.gantry.observability.DeploymentTraces;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The traces of deployments carried out by the engine on two local targets, kept in memory: the span
 * tree, its attributes, the logs' ids while the engine works, and a deployment resumed by another
 * engine (as after a restart) in the same trace; on both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class EngineTracesContractTest {

  static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
  static final AttributeKey<String> VERSION = AttributeKey.stringKey("service.version");
  static final AttributeKey<String> ENVIRONMENT = AttributeKey.stringKey("deployment.environment.name");
  static final AttributeKey<Long> DEPLOYMENT = AttributeKey.longKey("gantry.deployment.id");
  static final AttributeKey<String> TARGET = AttributeKey.stringKey("gantry.target");
  static final AttributeKey<String> PHASE = AttributeKey.stringKey("gantry.phase");
  static final AttributeKey<String> STEP = AttributeKey.stringKey("gantry.step");
  static final AttributeKey<String> ACTIVITY = AttributeKey.stringKey("gantry.activity");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("gantry.deployment.outcome");
  static final AttributeKey<String> WAITING = AttributeKey.stringKey("gantry.waiting.for");

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: qa, kind: local, path: t1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t2}
      spec: {environment: qa, kind: local, path: t2}
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
            strategy: {type: all-at-once, maxParallel: 2}
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - {name: run, type: shell, command: "sh current/run.sh", timeout: 30s}
            acceptance:
              - {name: check, type: shell, command: "test \\"$(cat out.txt)\\" = ok", timeout: 30s}
            failurePolicy: {action: stop}
      """;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final List<DeploymentTraces> opened = new CopyOnWriteArrayList<>();
  private EngineFixture fixture;

  @TempDir
  Path home;

  EngineTracesContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
  }

  @AfterEach
  void close() {
    opened.forEach(DeploymentTraces::close);
  }

  /** The traces of one server process: an engine that sends its spans to the exporter, and the gate that ends them. */
  private Engine server() {
    DeploymentTraces traces = new DeploymentTraces(SimpleSpanProcessor.create(spans));
    opened.add(traces);
    fixture.gates.removeIf(g -> g instanceof DeploymentTraces);
    fixture.gates.add(traces);
    return fixture.engine(traces);
  }

  private void push(String version, String script) {
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  private Deployment request(String version) {
    return fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null), "bob");
  }

  private static SpanData one(List<SpanData> spans, String name) {
    assertThat(spans).filteredOn(s -> s.getName().equals(name)).as(name).hasSize(1);
    return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
  }

  private static List<SpanData> childrenOf(List<SpanData> spans, SpanData parent) {
    return spans.stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId())).toList();
  }

  @Test
  void a_deployment_is_one_trace_with_a_span_per_activity_per_target_and_per_step_carrying_what_is_deployed_where() {
    fixture.apply(CONFIG);
    push("1.0.0", "echo ok > out.txt\n");
    List<String> loggedTraceIds = new CopyOnWriteArrayList<>();
    fixture.gates.add(new DeploymentGate() {
      @Override
      public Verdict check(Deployment deployment, Stage stage, Instant now) {
        loggedTraceIds.add(String.valueOf(org.slf4j.MDC.get("trace_id")) + "/" + org.slf4j.MDC.get("span_id"));
        return Verdict.PASS;
      }
    });
    Engine engine = server();
    Deployment d = request("1.0.0");

    engine.runDue();

    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    List<SpanData> all = spans.getFinishedSpanItems();
    assertThat(all).extracting(SpanData::getTraceId).containsOnly(all.getFirst().getTraceId());
    SpanData root = one(all, "deployment");
    assertThat(root.getParentSpanContext().isValid()).isFalse();
    assertThat(root.getAttributes().get(OUTCOME)).isEqualTo("succeeded");
    assertThat(root.getStartEpochNanos()).isEqualTo(toNanos(fixture.deployments.get(d.id()).requestedAt()));
    assertThat(root.getEndEpochNanos()).isEqualTo(toNanos(fixture.deployments.get(d.id()).finishedAt()));
    // with no entry criteria, the environment's verification starts execution in the same commit
    assertThat(childrenOf(all, root)).extracting(SpanData::getName).containsExactly("planning",
        "component-verification", "environment-verification", "execution", "deployment-verification");

    SpanData execution = one(all, "execution");
    List<SpanData> targets = childrenOf(all, execution);
    assertThat(targets).extracting(SpanData::getName).containsExactlyInAnyOrder("target t1", "target t2");
    for (SpanData target : targets) {
      assertThat(target.getAttributes().get(PHASE)).isEqualTo(Engine.EXECUTE);
      assertThat(childrenOf(all, target)).extracting(SpanData::getName).containsExactly("step install", "step run");
      assertThat(childrenOf(all, target)).extracting(s -> s.getAttributes().get(TARGET))
          .containsOnly(target.getAttributes().get(TARGET));
    }
    SpanData verification = one(all, "deployment-verification");
    assertThat(childrenOf(all, verification)).extracting(SpanData::getName)
        .containsExactlyInAnyOrder("target t1", "target t2");
    assertThat(childrenOf(all, verification)).allSatisfy(t -> {
      assertThat(t.getAttributes().get(PHASE)).isEqualTo(Engine.VERIFY);
      assertThat(childrenOf(all, t)).extracting(s -> s.getAttributes().get(STEP)).containsExactly("check");
    });
    assertThat(all).hasSize(1 + 5 + 4 + 2 * 2 + 2);
    assertThat(all).allSatisfy(s -> {
      assertThat(s.getAttributes().get(SERVICE)).isEqualTo("shop");
      assertThat(s.getAttributes().get(VERSION)).isEqualTo("1.0.0");
      assertThat(s.getAttributes().get(ENVIRONMENT)).isEqualTo("qa");
      assertThat(s.getAttributes().get(DEPLOYMENT)).isEqualTo(d.id());
      assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
      assertThat(s.getResource().getAttribute(SERVICE)).isEqualTo("gantry");
    });
    assertThat(one(all, "planning").getAttributes().get(ACTIVITY)).isEqualTo("planning");
    // the gates are asked during planning: what the engine logs there carries planning's ids
    assertThat(loggedTraceIds).contains(root.getTraceId() + "/" + one(all, "planning").getSpanId());
    assertThat(org.slf4j.MDC.get("trace_id")).isNull();
  }

  @Test
  void a_failed_step_marks_its_step_its_target_and_the_deployment_as_errors() {
    fixture.apply(CONFIG);
    push("1.0.0", "if [ \"$GANTRY_TARGET\" = t2 ]; then echo broken >&2; exit 3; fi\necho ok > out.txt\n");
    Engine engine = server();
    Deployment d = request("1.0.0");

    engine.runDue();

    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.FAILED);
    List<SpanData> all = spans.getFinishedSpanItems();
    SpanData failedStep = all.stream().filter(s -> s.getName().equals("step run")
        && "t2".equals(s.getAttributes().get(TARGET))).findFirst().orElseThrow();
    assertThat(failedStep.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(failedStep.getStatus().getDescription()).contains("exited with 3")
        .as("what the command printed stays in Gantry's record").doesNotContain("broken");
    assertThat(fixture.deployments.get(d.id()).outcome()).contains("broken");
    SpanData t2 = all.stream().filter(s -> s.getSpanId().equals(failedStep.getParentSpanId())).findFirst().orElseThrow();
    assertThat(t2.getName()).isEqualTo("target t2");
    assertThat(t2.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(all).filteredOn(s -> s.getName().equals("target t1"))
        .allSatisfy(s -> assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET));
    SpanData root = one(all, "deployment");
    assertThat(root.getAttributes().get(OUTCOME)).isEqualTo("failed");
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(root.getStatus().getDescription()).contains("failed on t2").doesNotContain("broken");
  }

  @Test
  void a_deployment_resumed_by_another_engine_goes_on_in_the_same_trace_under_the_same_root() {
    String run = "- {name: run, type: shell, command: \"sh current/run.sh\", timeout: 30s}\n";
    assertThat(CONFIG).contains(run);
    fixture.apply(CONFIG.replace(run, run
        + "        - {name: look, type: manual, instructions: Look at the page, role: deployment-practitioner}\n"));
    fixture.users.create("pat", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    push("1.0.0", "echo ok > out.txt\n");
    Deployment d = request("1.0.0");

    server().runDue(); // the first server: as far as the manual steps, then it stops
    Deployment waiting = fixture.deployments.get(d.id());
    assertThat(waiting.state()).as(waiting.outcome()).isEqualTo(DeploymentState.EXECUTING);
    List<SpanData> first = List.copyOf(spans.getFinishedSpanItems());
    spans.reset();
    for (String target : List.of("t1", "t2")) {
      fixture.decisions.decide(d.id(), new DeploymentDecisions.Request(target, "look", "signoff", "fine", null), "pat");
    }
    server().runDue(); // another server process goes on
    List<SpanData> second = spans.getFinishedSpanItems();

    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(first).noneMatch(s -> s.getName().equals("deployment"));
    assertThat(first).filteredOn(s -> s.getName().equals("step look")).hasSize(2)
        .allSatisfy(s -> assertThat(s.getAttributes().get(WAITING)).contains("Look at the page"));
    SpanData root = one(second, "deployment");
    assertThat(second).extracting(SpanData::getTraceId).containsOnly(root.getTraceId());
    assertThat(first).extracting(SpanData::getTraceId).containsOnly(root.getTraceId());
    List<SpanData> activities = new java.util.ArrayList<>(first);
    activities.addAll(second);
    assertThat(childrenOf(activities, root)).extracting(SpanData::getName).contains("planning", "execution",
        "deployment-verification");
    assertThat(childrenOf(first, root)).extracting(SpanData::getName).last().isEqualTo("execution");
    assertThat(childrenOf(second, root)).extracting(SpanData::getName).containsExactly("execution",
        "deployment-verification");
  }

  private static long toNanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }
}
