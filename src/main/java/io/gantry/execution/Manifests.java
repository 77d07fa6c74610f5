package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.model.Step;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The Kubernetes manifests a {@code kubernetes.apply} step applies: the version's {@code .yaml} and
 * {@code .yml} artifacts (or the one the step names), read from the library with their digest checked,
 * rendered with the deployment's variables, and checked whole before anything is applied: each document
 * is an object of an allowed kind, in no other namespace than the target's. A supplier's artifact may
 * not reach outside its namespace, nor create what would widen its rights (roles, service account tokens).
 */
final class Manifests {

  /** What may be applied: {@code apiVersion kind}; cluster-wide objects and rights are not among them. */
  static final Set<String> ALLOWED = Set.of("apps/v1 Deployment", "apps/v1 StatefulSet", "v1 Service",
      "v1 ConfigMap", "v1 Secret", "networking.k8s.io/v1 Ingress", "policy/v1 PodDisruptionBudget",
      "autoscaling/v2 HorizontalPodAutoscaler");

  private static final java.util.regex.Pattern NAME =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** One object to apply, as parsed. */
  record Manifest(String file, int document, Map<String, Object> object) {

    String name() {
      return object.get("kind") + "/" + metadata(object).get("name");
    }

    String where() {
      return file + " document " + document;
    }
  }

  private Manifests() {}

  /** The checked manifests, in file order then document order; a problem in any fails the step, listing all. */
  static List<Manifest> read(Step.KubernetesApply step, StepContext ctx, String namespace) {
    List<Artifact> files = files(step, ctx);
    List<Manifest> manifests = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Artifact file : files) {
      String text = render(file, ctx);
      if (text.contains("${secret:")) {
        problems.add(file.path() + ": a manifest cannot name a Gantry secret (${secret:...}): an artifact must not "
            + "take Gantry's secrets into a cluster");
        continue;
      }
      Iterable<Object> documents;
      List<Object> parsed = new ArrayList<>();
      try {
        documents = new Load(LoadSettings.builder().setLabel(file.path()).build()).loadAllFromString(text);
        documents.forEach(parsed::add);
      } catch (YamlEngineException e) {
        problems.add(file.path() + ": not YAML: " + e.getMessage());
        continue;
      }
      for (int i = 0; i < parsed.size(); i++) {
        Object document = parsed.get(i);
        if (document == null) {
          continue; // an empty document, e.g. after a trailing ---
        }
        String where = file.path() + " document " + (i + 1);
        String problem = problem(document, namespace);
        if (problem != null) {
          problems.add(where + ": " + problem);
        } else {
          @SuppressWarnings("unchecked")
          Map<String, Object> object = (Map<String, Object>) document;
          manifests.add(new Manifest(file.path(), i + 1, object));
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new StepFailure("nothing applied: " + String.join("; ", problems));
    }
    if (manifests.isEmpty()) {
      throw new StepFailure("nothing to apply: " + files.stream().map(Artifact::path).toList() + " hold no object");
    }
    return manifests;
  }

  private static List<Artifact> files(Step.KubernetesApply step, StepContext ctx) {
    List<Artifact> all = ctx.version().artifacts();
    List<Artifact> chart = all.stream().filter(a -> fileName(a.path()).equals("Chart.yaml")).toList();
    if (!chart.isEmpty()) {
      throw new StepFailure("the version holds a Helm chart (" + chart.getFirst().path() + "): Helm charts are not "
          + "supported yet (rendering one needs the helm program); push the rendered manifests instead");
    }
    if (step.manifests() != null) {
      Artifact named = all.stream().filter(a -> a.path().equals(step.manifests())).findFirst()
          .orElseThrow(() -> new StepFailure("the version has no artifact " + step.manifests() + " (it has "
              + all.stream().map(Artifact::path).toList() + ")"));
      if (!yaml(named.path())) {
        throw new StepFailure("manifests " + named.path() + " is not a .yaml or .yml file");
      }
      return List.of(named);
    }
    List<Artifact> yaml = all.stream().filter(a -> yaml(a.path())).sorted(Comparator.comparing(Artifact::path))
        .toList();
    if (yaml.isEmpty()) {
      throw new StepFailure("the version has no .yaml or .yml artifact to apply (it has "
          + all.stream().map(Artifact::path).toList() + ")");
    }
    return yaml;
  }

  private static String render(Artifact file, StepContext ctx) {
    if (file.external()) {
      throw new StepFailure(file.path() + " is kept outside the library (" + file.url() + "): manifests are applied "
          + "only from artifacts stored in it");
    }
    String text;
    try (InputStream in = ctx.artifacts().apply(file)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      return TemplateRenderer.render(text, ctx.variables());
    } catch (StepFailure e) {
      throw new StepFailure(file.path() + ": " + e.getMessage());
    }
  }

  /** What makes the document unfit to apply here; null when it is fit. */
  static String problem(Object document, String namespace) {
    if (!(document instanceof Map<?, ?> object)) {
      return "not a Kubernetes object (a mapping with apiVersion, kind and metadata)";
    }
    Object apiVersion = object.get("apiVersion");
    Object kind = object.get("kind");
    if (!(apiVersion instanceof String) || !(kind instanceof String)) {
      return "apiVersion and kind are missing";
    }
    if (!ALLOWED.contains(apiVersion + " " + kind)) {
      return "kind " + kind + " (" + apiVersion + ") is not applied by Gantry; allowed: " + ALLOWED.stream().sorted()
          .toList();
    }
    Map<?, ?> metadata = metadata(object);
    if (!(metadata.get("name") instanceof String name) || name.isBlank()) {
      return "metadata.name is missing";
    }
    if (name.length() > 253 || !NAME.matcher(name).matches()) {
      // the name goes into the request's path: a '/' or '..' in it could point the request elsewhere
      return "metadata.name \"" + name + "\" is not a Kubernetes object name (lower-case letters, digits, '-' and "
          + "'.', at most 253)";
    }
    if (metadata.containsKey("namespace") && !namespace.equals(metadata.get("namespace"))) {
      return kind + "/" + name + " names namespace " + metadata.get("namespace") + ", but this target is namespace "
          + namespace + ": a manifest may not reach outside its target's namespace";
    }
    if ("Secret".equals(kind) && object.get("type") != null && !"Opaque".equals(object.get("type"))) {
      return "Secret/" + name + " is of type " + object.get("type") + ": only Opaque secrets are applied (a "
          + "service account token secret would hand out the namespace's rights)";
    }
    return null;
  }

  private static Map<?, ?> metadata(Map<?, ?> object) {
    return object.get("metadata") instanceof Map<?, ?> m ? m : Map.of();
  }

  private static boolean yaml(String path) {
    String name = path.toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  private static String fileName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
