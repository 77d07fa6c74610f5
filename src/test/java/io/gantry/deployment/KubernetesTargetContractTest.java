package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.config.ConfigFile;
import io.gantry.execution.StepRunner;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Json;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deployments through the engine to a kubernetes target (experimental), against fabric8's mock API server
 * in CRUD mode standing in for a cluster: a version applied and rolled out, a version that does not roll out
 * rolled back by applying the previous version's manifests again, with all of it in the record and the
 * token in none of it; and the configuration that would give a kubernetes target a step it cannot take.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class KubernetesTargetContractTest {

  static final String TOKEN = "gty-k8s-engine-token-77c1e0a9";
  static final String NAMESPACE = "shop-qa";

  static final String MANIFEST = """
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec:
            containers:
              - {name: web, image: "registry.example/shop/web:${version}"}
      """;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private KubernetesMockServer server;
  private KubernetesClient cluster;

  @TempDir
  Path home;

  KubernetesTargetContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    cluster = server.createClient();
    cluster.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    fixture = new EngineFixture(database.create(), clock, home);
    fixture.secrets().set("k8s-token", TOKEN, "alice");
  }

  @AfterEach
  void stopServer() {
    cluster.close();
    server.destroy();
  }

  private String config(String steps) {
    return """
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: qa}
        spec: {purpose: test, owner: qa-team}
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: k1}
        spec:
          environment: qa
          kind: kubernetes
          kubernetes: {cluster: "http://127.0.0.1:%d", namespace: shop-qa, credentials: "${secret:k8s-token}"}
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
              failurePolicy: {action: rollback}
              steps:
        %s
        """.formatted(server.getPort(), steps);
  }

  private static final String APPLY = "          - {name: apply, type: kubernetes.apply, timeout: 30s}";

  private void push(String version) {
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("deploy.yaml",
            () -> new ByteArrayInputStream(MANIFEST.getBytes(StandardCharsets.UTF_8)))), List.of()), "alice");
  }

  /**
   * The cluster's controllers, as the engine's waits give them time: a Deployment's pods of an earlier
   * template go, those of its template come up Ready, except those of version 2.0.0, which never become Ready
   * (a bad version).
   */
  private void controllers() {
    for (Deployment d : cluster.apps().deployments().inNamespace(NAMESPACE).list().getItems()) {
      int replicas = d.getSpec().getReplicas();
      String image = d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
      String version = image.substring(image.lastIndexOf(':') + 1);
      boolean bad = version.equals("2.0.0");
      d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
          .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(bad ? 0 : replicas).build());
      cluster.apps().deployments().inNamespace(NAMESPACE).resource(d).updateStatus();
      cluster.pods().inNamespace(NAMESPACE).withLabel("app", "web").list().getItems().stream()
          .filter(p -> !p.getMetadata().getName().startsWith("web-" + version.replace('.', '-') + "-"))
          .forEach(p -> cluster.pods().inNamespace(NAMESPACE).resource(p).delete());
      for (int i = 0; i < replicas; i++) {
        cluster.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata()
            .withName("web-" + version.replace('.', '-') + "-" + i).withLabels(Map.of("app", "web")).endMetadata()
            .withNewStatus().addNewCondition().withType("Ready").withStatus(bad ? "False" : "True").endCondition()
            .endStatus().build()).createOr(NonDeletingOperation::update);
      }
    }
  }

  private Engine engine() {
    return fixture.engine(new StepRunner(clock, duration -> {
      controllers();
      clock.advance(duration);
    }));
  }

  private io.gantry.deployment.Deployment deploy(String version) {
    var d = fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null), "bob");
    engine().runDue();
    return fixture.deployments.get(d.id());
  }

  private String image() {
    return cluster.apps().deployments().inNamespace(NAMESPACE).withName("web").get().getSpec().getTemplate()
        .getSpec().getContainers().getFirst().getImage();
  }

  private String records(io.gantry.deployment.Deployment d) {
    return Json.write(fixture.deployments.get(d.id())) + Json.write(fixture.deployments.targetRuns(d.id()))
        + Json.write(fixture.deployments.stepRuns(d.id())) + Json.write(fixture.deployments.events(d.id(), 0));
  }

  @Test
  void a_version_is_applied_to_the_namespace_and_succeeds_once_rolled_out() {
    fixture.apply(config(APPLY));
    push("1.0.0");

    var d = deploy("1.0.0");

    assertThat(d.state()).as(d.outcome() + " " + fixture.deployments.events(d.id(), 0))
        .isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(image()).isEqualTo("registry.example/shop/web:1.0.0");
    StepRun applied = fixture.deployments.stepRuns(d.id()).getFirst();
    assertThat(applied.type()).isEqualTo("kubernetes.apply");
    assertThat(applied.outcome()).isEqualTo("applied 1 object(s) in namespace shop-qa; rolled out: Deployment/web");
    assertThat(records(d)).doesNotContain(TOKEN);
  }

  @Test
  void a_version_that_does_not_roll_out_is_rolled_back_by_applying_the_previous_versions_manifests_again() {
    fixture.apply(config(APPLY));
    push("1.0.0");
    push("2.0.0");
    assertThat(deploy("1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);

    var d = deploy("2.0.0");

    assertThat(d.state()).as(d.outcome() + " " + fixture.deployments.events(d.id(), 0))
        .isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(image()).isEqualTo("registry.example/shop/web:1.0.0");
    List<StepRun> runs = fixture.deployments.stepRuns(d.id());
    assertThat(runs).extracting(StepRun::phase, StepRun::type, StepRun::state).containsExactly(
        org.assertj.core.groups.Tuple.tuple(Engine.EXECUTE, "kubernetes.apply", StepRunState.FAILED),
        org.assertj.core.groups.Tuple.tuple(Engine.ROLLBACK, "kubernetes.apply", StepRunState.SUCCEEDED));
    assertThat(runs.getFirst().outcome()).startsWith("step apply: not rolled out within 30s: Deployment/web: "
        + "2 of 2 replica(s) updated, 0 ready");
    assertThat(fixture.deployments.targetRuns(d.id())).singleElement().satisfies(run -> {
      assertThat(run.state()).isEqualTo(TargetRunState.ROLLED_BACK);
      assertThat(run.previousVersion()).isEqualTo("1.0.0");
    });
    assertThat(fixture.deployments.events(d.id(), 0)).extracting(DeploymentEvent::message)
        .anyMatch(m -> m != null && m.contains("runs 1.0.0 again"));
    assertThat(records(d)).doesNotContain(TOKEN);
  }

  @Test
  void a_target_whose_namespace_is_missing_fails_environment_verification_before_anything_is_applied() {
    cluster.namespaces().withName(NAMESPACE).delete();
    fixture.apply(config(APPLY));
    push("1.0.0");

    var d = deploy("1.0.0");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).contains("environment verification: target k1: namespace shop-qa does not exist on "
        + "http://127.0.0.1:" + server.getPort());
    assertThat(fixture.deployments.stepRuns(d.id())).isEmpty();
  }

  @Test
  void a_shell_step_in_a_stage_whose_environment_has_a_kubernetes_target_is_refused_with_where_it_is() {
    String yaml = config(APPLY + "\n          - {name: migrate, type: shell, command: ./migrate.sh}");

    assertThatThrownBy(() -> fixture.config.apply(List.of(new ConfigFile("k8s.yaml", yaml)), "test", "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).singleElement()
            .satisfies(f -> {
              assertThat(f.field()).isEqualTo("spec.stages[0].steps[1].type");
              assertThat(f.message()).isEqualTo("step migrate would run on target k1, a kubernetes target, which "
                  + "takes only kubernetes.apply, http-check, wait, manual and approval steps: give the step targets "
                  + "(tags) that only other targets carry, or remove it");
              assertThat(f.location().file()).isEqualTo("k8s.yaml");
              assertThat(f.location().line()).isEqualTo(yaml.lines().toList().indexOf(
                  "          - {name: migrate, type: shell, command: ./migrate.sh}") + 1);
            }));
  }

  @Test
  void a_kubernetes_target_is_refused_with_a_cluster_in_clear_text_over_the_network_or_a_token_written_out() {
    String yaml = config(APPLY).replace("\"http://127.0.0.1:" + server.getPort() + "\"", "\"http://10.0.0.5:6443\"")
        .replace("\"${secret:k8s-token}\"", TOKEN);

    assertThatThrownBy(() -> fixture.config.apply(List.of(new ConfigFile("k8s.yaml", yaml)), "test", "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .extracting(f -> f.field() + ": " + f.message()).containsExactlyInAnyOrder(
                "spec.kubernetes.cluster: http:// is accepted only on a loopback address: the bearer token would "
                    + "cross the network in clear text; use https://",
                "spec.kubernetes.credentials: give the name of a secret as ${secret:NAME} (the bearer token is kept "
                    + "in the secret store, never in configuration), not a value"));
    assertThat(fixture.targets.all()).isEmpty();
  }

  @Test
  void a_kubernetes_apply_that_would_run_on_a_local_target_and_a_blue_green_stage_are_refused() {
    String yaml = config(APPLY)
        .replace("kind: Service\n", "kind: Target\nmetadata: {name: t1}\nspec: {environment: qa, kind: local, path: t1}"
            + "\n---\napiVersion: gantry.io/v1\nkind: Service\n")
        .replace("failurePolicy: {action: rollback}", "strategy: {type: blue-green, blueGreen: {slots: {blue: "
            + "{port: 18081}, green: {port: 18082}}, switch: {name: proxy, type: shell, command: ./switch.sh}}}");

    assertThatThrownBy(() -> fixture.config.apply(List.of(new ConfigFile("k8s.yaml", yaml)), "test", "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .extracting(f -> f.field() + ": " + f.message()).contains(
                "spec.stages[0].steps[0].type: step apply would run on target t1, a local target: kubernetes.apply "
                    + "runs only on kubernetes targets; give the step targets (tags) that only kubernetes targets "
                    + "carry",
                "spec.stages[0].strategy.type: target k1 of environment qa is a kubernetes target, which has no "
                    + "blue-green slots: use all-at-once, rolling or canary"));
  }

  @Test
  void a_helm_chart_is_refused_as_not_supported_yet() {
    String yaml = config("          - {name: apply, type: kubernetes.apply, chart: web}");

    assertThatThrownBy(() -> fixture.config.apply(List.of(new ConfigFile("k8s.yaml", yaml)), "test", "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).singleElement()
            .satisfies(f -> assertThat(f.message()).startsWith("field \"chart\" is not accepted: a kubernetes.apply "
                + "step does not take a Helm chart yet")));
  }
}
