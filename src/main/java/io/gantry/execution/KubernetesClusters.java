package io.gantry.execution;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.gantry.environment.Target;
import io.gantry.environment.TargetDefinition;
import io.gantry.model.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Works on kubernetes targets (experimental): a client per target, built from the target's own fields and
 * nothing else (no kubeconfig file, environment variable, system property or service account of the Gantry
 * host), with the bearer token read from the secret store when it is needed and never written anywhere.
 */
final class KubernetesClusters {

  private static final Duration POLL = Duration.ofSeconds(1);

  private final Clock clock;
  private final Sleeper sleeper;

  KubernetesClusters(Clock clock, Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /** A client for the target; the caller closes it. */
  static KubernetesClient client(TargetDefinition.Kubernetes k, String token) {
    // Config.empty(): nothing is read from the host, so a server never works on a cluster by accident
    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(k.cluster()).withNamespace(k.namespace())
        .withOauthToken(token).withTrustCerts(false).withDisableHostnameVerification(false)
        .withConnectionTimeout(10_000).withRequestTimeout(30_000).withRequestRetryBackoffLimit(0).build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * The bearer token the target's credentials name, checked: a kubeconfig or a value that cannot be a
   * token is refused, and no message carries the value.
   */
  static String token(TargetDefinition.Kubernetes k, StepSecrets secrets) {
    String reference = k.credentials();
    if (reference == null) {
      throw new StepFailure("the target gives no credentials: give kubernetes.credentials as ${secret:NAME}");
    }
    String value;
    try {
      value = secrets.resolve(reference, "the Kubernetes cluster " + k.cluster() + ", namespace " + k.namespace());
    } catch (RuntimeException e) {
      throw new StepFailure("the credentials " + reference + " cannot be read: " + e.getMessage());
    }
    if (value == null || value.contains("${secret:")) {
      throw new StepFailure("the credentials " + reference + " cannot be read: no secret store is configured");
    }
    String token = value.strip();
    if (token.contains("apiVersion:") || token.contains("clusters:") || token.contains("current-context")) {
      throw new StepFailure("the secret of " + reference + " holds a kubeconfig; a kubernetes target takes a bearer "
          + "token only (the cluster and namespace are the target's own fields): set the secret to the token");
    }
    if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new StepFailure("the secret of " + reference + " is not a bearer token (one line of visible ASCII "
          + "characters)");
    }
    return token;
  }

  /** Whether the API answers with these credentials and the namespace exists: null when so, else what is wrong. */
  String check(Target target, StepSecrets secrets) {
    TargetDefinition.Kubernetes k = target.definition().kubernetes();
    if (k == null) {
      return "the target declares no cluster (kubernetes: cluster, namespace, credentials)";
    }
    String token;
    try {
      token = token(k, secrets);
    } catch (StepFailure e) {
      return e.getMessage();
    }
    try (KubernetesClient client = client(k, token)) {
      if (client.namespaces().withName(k.namespace()).get() == null) {
        return "namespace " + k.namespace() + " does not exist on " + k.cluster();
      }
      return null;
    } catch (KubernetesClientException e) {
      return refused(e, k, "read namespace " + k.namespace());
    }
  }

  /**
   * Applies the manifests in the target's namespace once all of them are checked (each object created, or
   * replaced by the manifest's when it exists: what the manifest leaves out is not kept), then waits for each Deployment and StatefulSet applied to roll
   * out within the step's timeout.
   */
  StepOutcome apply(Step.KubernetesApply step, StepContext ctx, Target target, StepSecrets secrets)
      throws InterruptedException {
    TargetDefinition.Kubernetes k = target.definition().kubernetes();
    if (k == null) {
      throw new StepFailure("target " + target.name() + " declares no cluster (kubernetes: cluster, namespace, "
          + "credentials)");
    }
    Instant deadline = clock.instant().plus(step.timeout() == null ? ctx.defaultTimeout() : step.timeout().toDuration());
    List<Manifests.Manifest> manifests = Manifests.read(step, ctx, k.namespace());
    String token = token(k, secrets);
    try (KubernetesClient client = client(k, token)) {
      List<HasMetadata> applied = new ArrayList<>();
      for (Manifests.Manifest manifest : manifests) {
        HasMetadata object = client.getKubernetesSerialization().convertValue(manifest.object(), HasMetadata.class);
        object.getMetadata().setNamespace(k.namespace());
        HasMetadata result = client.resource(object).inNamespace(k.namespace())
            .createOr(NonDeletingOperation::update);
        ctx.log().accept("applied " + manifest.name() + " from " + manifest.where() + " in namespace "
            + k.namespace() + (result.getMetadata().getGeneration() == null ? ""
                : " (generation " + result.getMetadata().getGeneration() + ")"));
        applied.add(result);
      }
      List<String> rollouts = applied.stream().filter(o -> o instanceof Deployment || o instanceof StatefulSet)
          .map(o -> o.getKind() + "/" + o.getMetadata().getName()).toList();
      String rolledOut = waitForRollouts(client, k.namespace(), applied, deadline, step, ctx);
      return new StepOutcome.Succeeded("applied " + applied.size() + " object(s) in namespace " + k.namespace()
          + (rollouts.isEmpty() ? "" : "; rolled out: " + rolledOut));
    } catch (KubernetesClientException e) {
      throw new StepFailure(refused(e, k, "apply the manifests"));
    }
  }

  private String waitForRollouts(KubernetesClient client, String namespace, List<HasMetadata> applied,
      Instant deadline, Step step, StepContext ctx) throws InterruptedException {
    List<HasMetadata> watched = applied.stream().filter(o -> o instanceof Deployment || o instanceof StatefulSet)
        .toList();
    if (watched.isEmpty()) {
      return "";
    }
    String last = null;
    while (true) {
      List<String> waiting = new ArrayList<>();
      List<String> ready = new ArrayList<>();
      for (HasMetadata o : watched) {
        String name = o.getMetadata().getName();
        String notReady = o instanceof Deployment ? deployment(client, namespace, name)
            : statefulSet(client, namespace, name);
        if (notReady == null) {
          ready.add(o.getKind() + "/" + name);
        } else {
          waiting.add(o.getKind() + "/" + name + ": " + notReady);
        }
      }
      if (waiting.isEmpty()) {
        ctx.log().accept("rolled out: " + String.join(", ", ready));
        return String.join(", ", ready);
      }
      String now = String.join("; ", waiting);
      if (!now.equals(last)) {
        ctx.log().accept("waiting for the rollout: " + now);
        last = now;
      }
      if (!clock.instant().isBefore(deadline)) {
        throw new StepFailure("step " + step.name() + ": not rolled out within "
            + (step.timeout() == null ? ctx.defaultTimeout().toString() : step.timeout().text()) + ": " + now);
      }
      sleeper.sleep(POLL);
    }
  }

  /** Why the Deployment has not rolled out yet; null when it has. */
  private static String deployment(KubernetesClient client, String namespace, String name) {
    Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
    if (d == null) {
      return "it is gone";
    }
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    var s = d.getStatus();
    String counts = counts(d.getMetadata().getGeneration(), s == null ? null : s.getObservedGeneration(), replicas,
        s == null ? null : s.getUpdatedReplicas(), s == null ? null : s.getReadyReplicas(),
        s == null ? null : s.getReplicas());
    if (counts != null) {
      return counts;
    }
    return pods(client, namespace, d.getSpec().getSelector() == null ? null
        : d.getSpec().getSelector().getMatchLabels(), replicas);
  }

  /** Why the StatefulSet has not rolled out yet; null when it has. */
  private static String statefulSet(KubernetesClient client, String namespace, String name) {
    StatefulSet set = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
    if (set == null) {
      return "it is gone";
    }
    int replicas = set.getSpec().getReplicas() == null ? 1 : set.getSpec().getReplicas();
    var s = set.getStatus();
    String counts = counts(set.getMetadata().getGeneration(), s == null ? null : s.getObservedGeneration(), replicas,
        s == null ? null : s.getUpdatedReplicas(), s == null ? null : s.getReadyReplicas(),
        s == null ? null : s.getReplicas());
    if (counts != null) {
      return counts;
    }
    if (s.getUpdateRevision() != null && !s.getUpdateRevision().equals(s.getCurrentRevision())) {
      return "revision " + s.getCurrentRevision() + " is still current, " + s.getUpdateRevision() + " is rolling out";
    }
    return pods(client, namespace, set.getSpec().getSelector() == null ? null
        : set.getSpec().getSelector().getMatchLabels(), replicas);
  }

  private static String counts(Long generation, Long observed, int replicas, Integer updated, Integer ready,
      Integer current) {
    if (generation != null && (observed == null || observed < generation)) {
      return "generation " + generation + " not yet observed by its controller";
    }
    int u = updated == null ? 0 : updated;
    int r = ready == null ? 0 : ready;
    int c = current == null ? 0 : current;
    if (u != replicas || r != replicas || c != replicas) {
      return u + " of " + replicas + " replica(s) updated, " + r + " ready"
          + (c > replicas ? ", " + (c - replicas) + " old one(s) still running" : "");
    }
    return null;
  }

  /** Whether every pod of the selector is Ready, and enough of them: null when so. */
  private static String pods(KubernetesClient client, String namespace, Map<String, String> selector, int replicas) {
    if (replicas == 0) {
      return null;
    }
    if (selector == null || selector.isEmpty()) {
      return "it has no matchLabels selector to find its pods by";
    }
    List<Pod> pods = client.pods().inNamespace(namespace).withLabels(selector).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null).toList();
    List<String> notReady = pods.stream().filter(p -> !podReady(p)).map(p -> p.getMetadata().getName()).toList();
    if (!notReady.isEmpty()) {
      return "pod(s) not Ready: " + String.join(", ", notReady);
    }
    if (pods.size() < replicas) {
      return pods.size() + " of " + replicas + " pod(s) found";
    }
    return null;
  }

  private static boolean podReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** What the API server answered, in words; never the token. */
  private static String refused(KubernetesClientException e, TargetDefinition.Kubernetes k, String doing) {
    return switch (e.getCode()) {
      case 401 -> "the API server at " + k.cluster() + " does not accept the credentials " + k.credentials()
          + " (401) to " + doing;
      case 403 -> "the credentials " + k.credentials() + " may not " + doing + " (403): "
          + (e.getStatus() == null ? "" : e.getStatus().getMessage());
      case 0, -1 -> "the API server at " + k.cluster() + " does not answer (" + doing + "): "
          + (e.getCause() == null ? e.getMessage() : e.getCause().toString());
      default -> "the API server at " + k.cluster() + " refused to " + doing + " (" + e.getCode() + "): "
          + (e.getStatus() == null || e.getStatus().getMessage() == null ? e.getMessage()
              : e.getStatus().getMessage());
    };
  }
}
