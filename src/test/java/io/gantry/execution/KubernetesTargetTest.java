package io.gantry.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
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
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.gantry.environment.LocalTargets;
import io.gantry.environment.Target;
import io.gantry.environment.TargetDefinition;
import io.gantry.environment.TargetKind;
import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.Release;
import io.gantry.model.Step;
import io.gantry.model.TimeSpan;
import io.gantry.testing.MutableClock;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kubernetes target against fabric8's mock API server in CRUD mode (no cluster runs here): what is
 * applied where, the wait for the rollout, what is refused before anything is applied, the token's way to
 * the server, and the namespace's check.
 */
class KubernetesTargetTest {

  static final String NAMESPACE = "shop-qa";
  static final String TOKEN = "gty-k8s-token-3f9a1c7e5b2d4f60";

  static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels: {app: web}
      spec:
        replicas: 2
        selector:
          matchLabels: {app: web}
        template:
          metadata:
            labels: {app: web}
          spec:
            containers:
              - name: web
                image: registry.example/shop/web:${version}
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web
      spec:
        selector: {app: web}
        ports:
          - port: 80
            targetPort: 8080
      """;

  static final String CONFIG = """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: web-config
        namespace: shop-qa
      data:
        environment: ${environment}
      """;

  @TempDir
  Path data;

  private KubernetesMockServer server;
  private KubernetesClient cluster;
  private final MutableClock clock = MutableClock.at("2026-12-05T10:00:00Z");
  /** What the cluster's controllers would do meanwhile; by default they do nothing. */
  private Runnable controllers = () -> {};
  private final Sleeper sleeper = duration -> {
    controllers.run();
    clock.advance(duration);
  };
  private final Map<String, String> secrets = new HashMap<>(Map.of("k8s-token", TOKEN));
  private final StepRunner runner = new StepRunner(clock, sleeper)
      .withSecrets(text -> {
        var m = io.gantry.secret.Secrets.REFERENCE.matcher(text);
        if (m.matches()) {
          if (!secrets.containsKey(m.group(1))) {
            throw new IllegalStateException("secret " + m.group(1) + " is not set");
          }
          return secrets.get(m.group(1));
        }
        return text;
      });
  private final Log log = new Log();

  @BeforeEach
  void startServer() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    cluster = server.createClient();
    cluster.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
  }

  @AfterEach
  void stopServer() {
    cluster.close();
    server.destroy();
  }

  private Target target(String namespace) {
    return new Target(1, new TargetDefinition("k1", null, "qa", TargetKind.KUBERNETES, null, null, Map.of(),
        List.of(), Map.of(), null, new TargetDefinition.Kubernetes("http://127.0.0.1:" + server.getPort(), namespace,
            "${secret:k8s-token}")), 0, Instant.EPOCH, Instant.EPOCH);
  }

  private TargetAccess access(Target target) {
    return TargetAccess.of(target, LocalTargets.beside(data.resolve("data")), runner);
  }

  private StepOutcome apply(Release release, String timeout) {
    TargetAccess access = access(target(NAMESPACE));
    StepContext ctx = access.context(release.version(), null, Map.of("environment", "qa", "target", "k1",
        "version", release.version().version().value()), release::open, log::add);
    return access.run(new Step.KubernetesApply("apply", timeout == null ? null : new TimeSpan(timeout), null,
        List.of(), null), ctx);
  }

  /** The controllers of a healthy cluster: each Deployment's status catches up and its pods become Ready. */
  private void rollOutEverything() {
    for (Deployment d : cluster.apps().deployments().inNamespace(NAMESPACE).list().getItems()) {
      int replicas = d.getSpec().getReplicas();
      d.setStatus(new DeploymentStatusBuilder().withObservedGeneration(d.getMetadata().getGeneration())
          .withReplicas(replicas).withUpdatedReplicas(replicas).withReadyReplicas(replicas)
          .withAvailableReplicas(replicas).build());
      cluster.apps().deployments().inNamespace(NAMESPACE).resource(d).updateStatus();
      String image = d.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage();
      String version = image.substring(image.lastIndexOf(':') + 1).replace('.', '-');
      for (int i = 0; i < replicas; i++) {
        cluster.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata()
            .withName(d.getMetadata().getName() + "-" + version + "-" + i)
            .withLabels(d.getSpec().getSelector().getMatchLabels()).endMetadata()
            .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
            .build()).createOr(NonDeletingOperation::update);
      }
    }
  }

  private String image() {
    return cluster.apps().deployments().inNamespace(NAMESPACE).withName("web").get().getSpec().getTemplate()
        .getSpec().getContainers().getFirst().getImage();
  }

  private List<RecordedRequest> requests() throws InterruptedException {
    List<RecordedRequest> all = new ArrayList<>();
    for (RecordedRequest r; (r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null; ) {
      all.add(r);
    }
    return all;
  }

  @Test
  void apply_creates_the_versions_objects_in_the_targets_namespace_and_waits_for_their_rollout() {
    controllers = this::rollOutEverything;

    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("deploy.yaml", DEPLOYMENT, "config.yml", CONFIG,
        "README.txt", "not a manifest")), "2m");

    assertThat(outcome).as(log.lines.toString()).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(((StepOutcome.Succeeded) outcome).summary())
        .isEqualTo("applied 3 object(s) in namespace shop-qa; rolled out: Deployment/web");
    assertThat(image()).isEqualTo("registry.example/shop/web:1.0.0");
    assertThat(cluster.services().inNamespace(NAMESPACE).withName("web").get()).isNotNull();
    ConfigMap config = cluster.configMaps().inNamespace(NAMESPACE).withName("web-config").get();
    assertThat(config.getData()).containsEntry("environment", "qa");
    assertThat(log.lines).anyMatch(l -> l.startsWith("applied Deployment/web from deploy.yaml document 1"))
        .anyMatch(l -> l.startsWith("waiting for the rollout: Deployment/web"))
        .contains("rolled out: Deployment/web");
  }

  @Test
  void apply_creates_an_object_that_is_not_there_and_replaces_one_that_is() throws Exception {
    controllers = this::rollOutEverything;
    requests();

    apply(Release.of("1.0.0", Map.of("config.yml", CONFIG)), null);
    List<RecordedRequest> first = requests();
    apply(Release.of("1.0.1", Map.of("config.yml", CONFIG.replace("${environment}", "qa-2"))), null);
    List<RecordedRequest> second = requests();

    assertThat(first).extracting(r -> r.getMethod() + " " + r.getPath())
        .contains("POST /api/v1/namespaces/shop-qa/configmaps");
    assertThat(second).extracting(r -> r.getMethod() + " " + r.getPath())
        .contains("PUT /api/v1/namespaces/shop-qa/configmaps/web-config");
    assertThat(cluster.configMaps().inNamespace(NAMESPACE).withName("web-config").get().getData())
        .containsEntry("environment", "qa-2");
  }

  @Test
  void applying_the_previous_versions_manifests_again_puts_its_objects_back() {
    controllers = this::rollOutEverything;
    Release one = Release.of("1.0.0", Map.of("deploy.yaml", DEPLOYMENT));
    Release two = Release.of("2.0.0", Map.of("deploy.yaml", DEPLOYMENT));

    assertThat(apply(one, "1m")).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(apply(two, "1m")).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(image()).isEqualTo("registry.example/shop/web:2.0.0");
    StepOutcome back = apply(one, "1m");

    assertThat(back).as(log.lines.toString()).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(image()).isEqualTo("registry.example/shop/web:1.0.0");
  }

  @Test
  void a_step_naming_its_manifests_applies_that_file_only() {
    controllers = this::rollOutEverything;
    TargetAccess access = access(target(NAMESPACE));
    Release release = Release.of("1.0.0", Map.of("deploy.yaml", DEPLOYMENT, "config.yml", CONFIG));
    StepContext ctx = access.context(release.version(), null, Map.of("environment", "qa", "version", "1.0.0"),
        release::open, log::add);

    StepOutcome outcome = access.run(new Step.KubernetesApply("config", null, null, List.of(), "config.yml"), ctx);
    StepOutcome missing = access.run(new Step.KubernetesApply("config", null, null, List.of(), "other.yaml"), ctx);

    assertThat(outcome).isEqualTo(new StepOutcome.Succeeded("applied 1 object(s) in namespace shop-qa"));
    assertThat(cluster.configMaps().inNamespace(NAMESPACE).withName("web-config").get()).isNotNull();
    assertThat(cluster.apps().deployments().inNamespace(NAMESPACE).list().getItems()).isEmpty();
    assertThat(missing).isEqualTo(new StepOutcome.Failed("the version has no artifact other.yaml (it has "
        + "[config.yml, deploy.yaml])"));
  }

  @Test
  void a_rollout_that_does_not_become_ready_fails_at_the_timeout_saying_what_is_not_ready() {
    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("deploy.yaml", DEPLOYMENT)), "30s");

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).startsWith("step apply: not rolled out within 30s: "
        + "Deployment/web: ");
    assertThat(clock.instant()).isAfterOrEqualTo(Instant.parse("2026-12-05T10:00:30Z"))
        .isBefore(Instant.parse("2026-12-05T10:00:32Z"));
  }

  @Test
  void a_rollout_whose_pods_are_not_ready_is_not_done_even_when_the_counts_say_so() {
    controllers = () -> {
      rollOutEverything();
      var pod = cluster.pods().inNamespace(NAMESPACE).withName("web-1-0-0-1").get();
      pod.getStatus().getConditions().getFirst().setStatus("False");
      cluster.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
    };

    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("deploy.yaml", DEPLOYMENT)), "10s");

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).endsWith("Deployment/web: pod(s) not Ready: web-1-0-0-1");
  }

  @Test
  void a_manifest_naming_another_namespace_is_refused_and_nothing_is_applied() {
    String elsewhere = CONFIG + "---\n" + CONFIG.replace("web-config", "grab").replace("shop-qa", "kube-system");

    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("config.yml", elsewhere)), null);

    assertThat(outcome).isEqualTo(new StepOutcome.Failed("nothing applied: config.yml document 2: ConfigMap/grab "
        + "names namespace kube-system, but this target is namespace shop-qa: a manifest may not reach outside its "
        + "target's namespace"));
    assertThat(cluster.configMaps().inAnyNamespace().list().getItems()).isEmpty();
  }

  @Test
  void a_kind_outside_the_allow_list_is_refused_with_its_file_and_document_and_nothing_is_applied() {
    String binding = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: take-over}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
        subjects: [{kind: ServiceAccount, name: default, namespace: shop-qa}]
        """;

    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("config.yml", CONFIG, "rbac.yaml", binding)), null);

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).startsWith("nothing applied: rbac.yaml document 1: kind "
        + "ClusterRoleBinding (rbac.authorization.k8s.io/v1) is not applied by Gantry; allowed: ");
    assertThat(cluster.configMaps().inAnyNamespace().list().getItems()).isEmpty();
    assertThat(cluster.rbac().clusterRoleBindings().list().getItems()).isEmpty();
  }

  @Test
  void a_name_that_would_point_the_request_at_another_namespace_is_refused() {
    String sneaky = CONFIG.replace("name: web-config", "name: x/../../kube-system/configmaps/y");

    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("config.yml", sneaky)), null);

    assertThat(((StepOutcome.Failed) outcome).reason()).isEqualTo("nothing applied: config.yml document 1: "
        + "metadata.name \"x/../../kube-system/configmaps/y\" is not a Kubernetes object name (lower-case letters, "
        + "digits, '-' and '.', at most 253)");
    assertThat(cluster.configMaps().inAnyNamespace().list().getItems()).isEmpty();
  }

  @Test
  void a_service_account_token_secret_is_refused() {
    String secret = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: steal
          annotations: {kubernetes.io/service-account.name: default}
        type: kubernetes.io/service-account-token
        """;

    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("secret.yaml", secret)), null);

    assertThat(((StepOutcome.Failed) outcome).reason()).startsWith("nothing applied: secret.yaml document 1: "
        + "Secret/steal is of type kubernetes.io/service-account-token: only Opaque secrets are applied");
    assertThat(cluster.secrets().inAnyNamespace().list().getItems()).isEmpty();
  }

  @Test
  void a_manifest_naming_a_gantry_secret_is_refused() {
    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("config.yml",
        CONFIG + "  token: ${secret:k8s-token}\n")), null);

    assertThat(((StepOutcome.Failed) outcome).reason()).startsWith("nothing applied: config.yml: a manifest cannot "
        + "name a Gantry secret");
    assertThat(cluster.configMaps().inAnyNamespace().list().getItems()).isEmpty();
  }

  @Test
  void a_helm_chart_is_refused_as_not_supported_yet() {
    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("chart/Chart.yaml", "apiVersion: v2\nname: web\n",
        "chart/templates/deploy.yaml", DEPLOYMENT)), null);

    assertThat(((StepOutcome.Failed) outcome).reason()).isEqualTo("the version holds a Helm chart (chart/Chart.yaml):"
        + " Helm charts are not supported yet (rendering one needs the helm program); push the rendered manifests "
        + "instead");
  }

  @Test
  void a_variable_the_deployment_does_not_give_fails_naming_the_file() {
    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("config.yml", CONFIG.replace("${environment}",
        "${region}"))), null);

    assertThat(((StepOutcome.Failed) outcome).reason()).startsWith("config.yml: the template uses a variable with "
        + "no value: region");
  }

  @Test
  void the_token_goes_in_the_authorization_header_and_nowhere_else() throws Exception {
    requests();

    StepOutcome outcome = apply(Release.of("1.0.0", Map.of("config.yml", CONFIG)), null);
    String verified = access(target(NAMESPACE)).verify(List.of());

    List<RecordedRequest> requests = requests();
    assertThat(requests).hasSizeGreaterThanOrEqualTo(2).allSatisfy(r -> {
      assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
      assertThat(r.getPath()).doesNotContain(TOKEN);
      assertThat(r.getBody() == null ? "" : r.getBody().readUtf8()).doesNotContain(TOKEN);
    });
    assertThat(verified).isNull();
    assertThat(outcome.toString()).doesNotContain(TOKEN);
    assertThat(String.join("\n", log.lines)).doesNotContain(TOKEN);
  }

  @Test
  void the_hosts_own_kubernetes_settings_are_never_used() throws Exception {
    String[] properties = {"kubernetes.master", "kubernetes.auth.token", "kubernetes.namespace", "kubeconfig"};
    Map<String, String> before = new HashMap<>();
    for (String p : properties) {
      before.put(p, System.getProperty(p));
    }
    System.setProperty("kubernetes.master", "http://127.0.0.1:9");
    System.setProperty("kubernetes.auth.token", "ambient-token");
    System.setProperty("kubernetes.namespace", "default");
    System.setProperty("kubeconfig", data.resolve("no-such-kubeconfig").toString());
    try {
      requests();
      assertThat(access(target(NAMESPACE)).verify(List.of())).isNull();
      assertThat(requests()).isNotEmpty()
          .allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN));
    } finally {
      before.forEach((p, v) -> {
        if (v == null) {
          System.clearProperty(p);
        } else {
          System.setProperty(p, v);
        }
      });
    }
  }

  @Test
  void a_kubeconfig_kept_as_the_credentials_is_refused() {
    secrets.put("k8s-token", "apiVersion: v1\nkind: Config\nclusters: []\nusers:\n- user: {token: " + TOKEN + "}\n");

    String problem = access(target(NAMESPACE)).verify(List.of());

    assertThat(problem).startsWith("the secret of ${secret:k8s-token} holds a kubeconfig; a kubernetes target takes "
        + "a bearer token only").doesNotContain(TOKEN);
  }

  @Test
  void verification_fails_when_the_namespace_does_not_exist() {
    assertThat(access(target(NAMESPACE)).verify(List.of())).isNull();
    assertThat(access(target("shop-staging")).verify(List.of()))
        .isEqualTo("namespace shop-staging does not exist on http://127.0.0.1:" + server.getPort());
  }

  @Test
  void verification_checks_declared_facts_and_refuses_requirements_a_namespace_cannot_show() {
    TargetAccess access = access(target(NAMESPACE));

    assertThat(access.verify(List.of(new io.gantry.model.TargetRequirement.Tool("java")))).isEqualTo("the model "
        + "requires the tool java, which cannot be checked on a kubernetes target (a namespace, not a host); "
        + "declare it as a fact of the target, or use a model without that requirement");
    assertThat(access.verify(List.of(new io.gantry.model.TargetRequirement.Fact("region", "eu-west"))))
        .contains("region");
  }

  @Test
  void verification_fails_when_the_api_server_does_not_answer() {
    Target target = target(NAMESPACE);
    int port = server.getPort();
    server.destroy();

    String problem = access(target).verify(List.of());

    assertThat(problem).startsWith("the API server at http://127.0.0.1:" + port + " does not answer");
  }

  @Test
  void verification_fails_when_the_credentials_secret_is_not_set() {
    secrets.clear();

    assertThat(access(target(NAMESPACE)).verify(List.of()))
        .isEqualTo("the credentials ${secret:k8s-token} cannot be read: secret k8s-token is not set");
  }

  @Test
  void a_kubernetes_target_takes_no_step_that_works_on_a_folder() {
    TargetAccess access = access(target(NAMESPACE));
    Release release = Release.of("1.0.0", Map.of("deploy.yaml", DEPLOYMENT));
    StepContext ctx = access.context(release.version(), null, Map.of(), release::open, log::add);

    assertThat(access.runs(Fixtures.shell("echo hi"))).isFalse();
    assertThat(access.runs(Fixtures.install("releases", null, null))).isFalse();
    assertThat(access.runs(new Step.Wait("settle", null, null, List.of(), new TimeSpan("1s")))).isTrue();
    assertThat(access.run(Fixtures.shell("echo hi"), ctx)).isEqualTo(new StepOutcome.Failed("step command: a "
        + "kubernetes target runs only kubernetes.apply, http-check, wait, manual and approval steps, not a step "
        + "that works on a folder"));
  }

  @Test
  void a_folder_target_takes_no_kubernetes_apply() {
    Target local = new Target(2, new TargetDefinition("t1", null, "qa", TargetKind.LOCAL, "t1", null, Map.of(),
        List.of(), Map.of()), 0, Instant.EPOCH, Instant.EPOCH);
    TargetAccess access = access(local);
    Release release = Release.of("1.0.0", Map.of("deploy.yaml", DEPLOYMENT));

    assertThat(access.runs(new Step.KubernetesApply("apply", null, null, List.of(), null))).isFalse();
    assertThat(runner.run(new Step.KubernetesApply("apply", null, null, List.of(), null),
        access.context(release.version(), null, Map.of(), release::open, log::add)))
        .isEqualTo(new StepOutcome.Failed("step apply: a kubernetes.apply step runs only on a kubernetes target, "
            + "and t1 is not one"));
  }
}
