package io.gantry.config;

import io.gantry.catalog.ComponentDefinition;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentType;
import io.gantry.catalog.ServiceDefinition;
import io.gantry.catalog.TrustedKeyDefinition;
import io.gantry.inbound.HookProvider;
import io.gantry.inbound.InboundHookDefinition;
import io.gantry.identity.RoleBindingDefinition;
import io.gantry.catalog.VersionRange;
import io.gantry.config.DesiredState.Declared;
import io.gantry.environment.EnvironmentDefinition;
import io.gantry.environment.LocalTargets;
import io.gantry.environment.Purpose;
import io.gantry.environment.TargetDefinition;
import io.gantry.environment.TargetKind;
import io.gantry.identity.Role;
import io.gantry.model.Criterion;
import io.gantry.model.DeploymentModelSpec;
import io.gantry.model.ModelDefinition;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import io.gantry.model.WindowRules;
import io.gantry.notification.NotificationRules;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns schema-valid documents into typed definitions and checks what a schema cannot: duplicate
 * names, references between documents, cycles in the promotion order, versions, ranges, time zones
 * and windows. Every problem is reported with its document's file, line and column.
 */
@org.springframework.stereotype.Component
public class ConfigInterpreter {

  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .build();
  private static final Pattern BATCH = Pattern.compile("([1-9]\\d{0,5})|([1-9]\\d?|100)%");

  /** The longest timeout a step may declare, unless the server says otherwise. */
  static final Duration DEFAULT_MAX_STEP_TIMEOUT = Duration.ofHours(24);

  private final Duration maxStepTimeout;
  private final LocalTargets localTargets;
  /** Whether the server has a Prometheus for analysis metrics; without one, a model with metrics is refused. */
  private final boolean prometheus;

  /**
   * With the default longest step timeout, {@link #DEFAULT_MAX_STEP_TIMEOUT}, and local targets placed as
   * the server's defaults place them (data directory {@code ./data}, local root beside it).
   */
  public ConfigInterpreter() {
    this(DEFAULT_MAX_STEP_TIMEOUT);
  }

  /** With the default longest step timeout, and local targets placed by {@code localTargets}. */
  public ConfigInterpreter(LocalTargets localTargets) {
    this(DEFAULT_MAX_STEP_TIMEOUT, localTargets);
  }

  /** @param maxStepTimeout the longest timeout a step may declare; a longer one is refused */
  public ConfigInterpreter(Duration maxStepTimeout) {
    this(maxStepTimeout, LocalTargets.beside(java.nio.file.Path.of("./data")));
  }

  /**
   * @param maxStepTimeout the longest timeout a step may declare; a longer one is refused
   * @param localTargets where local targets' folders are: one in or around the data directory is refused
   */
  public ConfigInterpreter(Duration maxStepTimeout, LocalTargets localTargets) {
    this(maxStepTimeout, localTargets, "");
  }

  /**
   * @param maxStepTimeout the longest timeout a step may declare; a longer one is refused
   * @param localTargets where local targets' folders are: one in or around the data directory is refused
   * @param prometheusUrl the Prometheus that analysis metrics are queried on; blank when there is none,
   *     and then a model with metrics is refused
   */
  @org.springframework.beans.factory.annotation.Autowired
  public ConfigInterpreter(
      @org.springframework.beans.factory.annotation.Value("${gantry.engine.max-step-timeout:24h}")
      Duration maxStepTimeout, LocalTargets localTargets,
      @org.springframework.beans.factory.annotation.Value("${gantry.analysis.prometheus.url:}") String prometheusUrl) {
    if (maxStepTimeout == null || !maxStepTimeout.isPositive()) {
      throw new IllegalArgumentException("gantry.engine.max-step-timeout must be positive, not " + maxStepTimeout);
    }
    this.maxStepTimeout = maxStepTimeout;
    this.localTargets = localTargets;
    this.prometheus = prometheusUrl != null && !prometheusUrl.isBlank();
  }

  /** Interprets documents; throws {@link InvalidInputException} with every finding if anything is wrong. */
  public DesiredState interpret(List<ConfigDocument> documents) {
    Run run = new Run();
    for (ConfigDocument doc : documents) {
      switch (doc.kind()) {
        case "Environment" -> run.add(run.environments, doc.name(), doc, "Environment", this::environment);
        case "Target" -> run.add(run.targets, doc.name(), doc, "Target", this::target);
        case "Service" -> run.add(run.services, doc.name(), doc, "Service", this::service);
        case "Component" -> run.add(run.components, text(doc.body(), "spec", "service") + "/" + doc.name(), doc,
            "Component", this::component);
        case "DeploymentModel" -> run.add(run.models, doc.name(), doc, "DeploymentModel", d -> model(d, run));
        case "TrustedKey" -> run.add(run.trustedKeys, doc.name(), doc, "TrustedKey", d -> trustedKey(d, run));
        case "RoleBinding" -> run.add(run.roleBindings, doc.name(), doc, "RoleBinding", this::roleBinding);
        case "InboundHook" -> run.add(run.inboundHooks, doc.name(), doc, "InboundHook", this::inboundHook);
        default -> run.finding(doc, "kind", "unknown kind \"" + doc.kind() + "\"");
      }
      checkSecretReferences(doc, doc.body(), "", run);
    }
    checkEnvironments(run);
    checkTargets(run);
    checkComponents(run);
    checkModels(run);
    checkPromotionPaths(run);
    checkTrustedKeys(run);
    checkRoleBindings(run);
    checkInboundHooks(run);
    if (!run.findings.isEmpty()) {
      throw new InvalidInputException(run.findings.size() + " problem(s) in the configuration", run.findings);
    }
    return new DesiredState(run.environments, run.targets, run.services, run.components, run.models,
        run.trustedKeys, run.roleBindings, run.inboundHooks);
  }

  private EnvironmentDefinition environment(ConfigDocument doc) {
    JsonNode spec = doc.body().path("spec");
    return new EnvironmentDefinition(doc.name(), text(doc.body(), "metadata", "description"),
        Purpose.fromId(spec.path("purpose").asString()), spec.path("controlled").asBoolean(false),
        spec.path("owner").asString(), strings(spec.path("promotesTo")), labels(doc));
  }

  private TargetDefinition target(ConfigDocument doc) {
    JsonNode spec = doc.body().path("spec");
    return new TargetDefinition(doc.name(), text(doc.body(), "metadata", "description"),
        spec.path("environment").asString(), TargetKind.fromId(spec.path("kind").asString()),
        optional(spec, "path"), optional(spec, "location"), stringMap(spec.path("facts")),
        strings(spec.path("tags")), labels(doc), ssh(spec.path("ssh")), kubernetes(spec.path("kubernetes")));
  }

  private static TargetDefinition.Kubernetes kubernetes(JsonNode k) {
    if (k.isMissingNode() || k.isNull()) {
      return null;
    }
    return new TargetDefinition.Kubernetes(optional(k, "cluster"), optional(k, "namespace"),
        optional(k, "credentials"));
  }

  private static TargetDefinition.Ssh ssh(JsonNode ssh) {
    if (ssh.isMissingNode() || ssh.isNull()) {
      return null;
    }
    return new TargetDefinition.Ssh(optional(ssh, "host"), ssh.has("port") ? ssh.path("port").asInt() : null,
        optional(ssh, "user"), optional(ssh, "identityFile"), optional(ssh, "identity"), optional(ssh, "passphrase"),
        optional(ssh, "hostKey"));
  }

  private ServiceDefinition service(ConfigDocument doc) {
    return new ServiceDefinition(doc.name(), text(doc.body(), "metadata", "description"),
        doc.body().path("spec").path("owner").asString(), labels(doc));
  }

  private ComponentDefinition component(ConfigDocument doc) {
    JsonNode spec = doc.body().path("spec");
    List<ComponentDefinition.Requirement> requires = new ArrayList<>();
    for (JsonNode r : spec.path("requires")) {
      requires.add(new ComponentDefinition.Requirement(r.path("component").asString(), r.path("version").asString()));
    }
    return new ComponentDefinition(spec.path("service").asString(), doc.name(),
        ComponentType.fromId("spec.type", spec.path("type").asString()), text(doc.body(), "metadata", "description"),
        optional(spec, "model"), requires, strings(spec.path("requiredAttributes")), labels(doc));
  }

  private ModelDefinition model(ConfigDocument doc, Run run) {
    DeploymentModelSpec spec;
    try {
      spec = MAPPER.treeToValue(doc.body().path("spec"), DeploymentModelSpec.class);
    } catch (DatabindException e) {
      StringBuilder path = new StringBuilder("spec");
      e.getPath().forEach(r -> path.append(r.getPropertyName() != null ? "." + r.getPropertyName() : "[" + r.getIndex() + "]"));
      Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
      String message = cause == e ? e.getOriginalMessage() : cause.getMessage();
      run.finding(doc, path.toString(), message);
      return null;
    }
    return new ModelDefinition(doc.name(), text(doc.body(), "metadata", "description"), labels(doc), spec);
  }

  /** A key that is not exactly one OpenPGP public key is refused here; its fingerprint is kept for the checks. */
  private TrustedKeyDefinition trustedKey(ConfigDocument doc, Run run) {
    TrustedKeyDefinition key = new TrustedKeyDefinition(doc.name(), text(doc.body(), "metadata", "description"),
        doc.body().path("spec").path("publicKey").asString(), labels(doc));
    try {
      run.fingerprints.put(doc.name(), key.fingerprint());
    } catch (IllegalArgumentException e) {
      run.finding(doc, "spec.publicKey", "not an OpenPGP public key: " + e.getMessage());
    }
    return key;
  }

  private RoleBindingDefinition roleBinding(ConfigDocument doc) {
    JsonNode spec = doc.body().path("spec");
    return new RoleBindingDefinition(doc.name(), optional(spec, "user"), optional(spec, "group"),
        Role.fromId("spec.role", spec.path("role").asString()), optional(spec, "service"),
        optional(spec, "environment"));
  }

  private InboundHookDefinition inboundHook(ConfigDocument doc) {
    JsonNode spec = doc.body().path("spec");
    ComponentRef component;
    try {
      component = ComponentRef.parse(spec.path("component").asString());
    } catch (IllegalArgumentException e) {
      throw InvalidInputException.of("spec.component", e.getMessage());
    }
    return new InboundHookDefinition(doc.name(), text(doc.body(), "metadata", "description"),
        HookProvider.fromId("spec.provider", spec.path("provider").asString()), optional(spec, "repository"),
        optional(spec, "artifact"), component, optional(spec, "secret"), labels(doc));
  }

  /**
   * A hook registers versions of a declared component, and one repository of one provider registers
   * versions through one hook only (two would register the same tag twice, under two components).
   */
  private static void checkInboundHooks(Run run) {
    Map<String, String> first = new LinkedHashMap<>();
    run.inboundHooks.forEach((name, declared) -> {
      InboundHookDefinition h = declared.definition();
      if (h == null) {
        return;
      }
      if (!run.components.containsKey(h.component().toString())) {
        run.finding(declared.document(), "spec.component", "component \"" + h.component() + "\" is not declared");
      }
      boolean events = h.provider() == HookProvider.CDEVENTS;
      String field = events ? "spec.artifact" : "spec.repository";
      String source = events ? h.artifact() : h.repository();
      if (events) {
        if (h.artifact() == null || !h.artifact().startsWith("pkg:") || h.artifact().contains("@")) {
          run.finding(declared.document(), "spec.artifact", "a cdevents hook names its artifact as a package URL "
              + "without version (pkg:oci/shop-web)");
        }
        if (h.repository() != null || h.secret() != null) {
          run.finding(declared.document(), h.repository() != null ? "spec.repository" : "spec.secret",
              "a cdevents hook has no repository and no secret: its events come with an API token");
        }
      } else {
        if (h.repository() == null) {
          run.finding(declared.document(), "spec.repository", "a " + h.provider().id() + " hook names its repository");
        }
        if (h.secret() == null) {
          run.finding(declared.document(), "spec.secret", "a " + h.provider().id() + " hook names the secret that "
              + "verifies its deliveries");
        }
        if (h.artifact() != null) {
          run.finding(declared.document(), "spec.artifact", "only a cdevents hook names an artifact");
        }
      }
      if (source == null) {
        return;
      }
      String key = h.provider().id() + ":" + (events ? source : source.toLowerCase(java.util.Locale.ROOT));
      String other = first.putIfAbsent(key, name);
      if (other != null) {
        run.finding(declared.document(), field, h.provider().id() + " " + (events ? "artifact " : "repository ")
            + source + " already has the InboundHook \"" + other + "\"; declare one hook for each");
      }
    });
  }

  /** A binding reaches a declared service, a declared environment, or both; never everywhere. */
  private static void checkRoleBindings(Run run) {
    run.roleBindings.forEach((name, declared) -> {
      RoleBindingDefinition b = declared.definition();
      if (b == null) {
        return;
      }
      if ((b.user() == null) == (b.group() == null)) {
        run.finding(declared.document(), "spec.user", "a RoleBinding names a user or a group: one of the two");
      }
      if (b.service() == null && b.environment() == null) {
        run.finding(declared.document(), "spec.service", "a RoleBinding names a service, an environment or both; "
            + "a role held everywhere is one of the user's own roles (gantry user update)");
      }
      if (b.service() != null && !run.services.containsKey(b.service())) {
        run.finding(declared.document(), "spec.service", "service \"" + b.service() + "\" is not declared");
      }
      if (b.environment() != null && !run.environments.containsKey(b.environment())) {
        run.finding(declared.document(), "spec.environment", "environment \"" + b.environment()
            + "\" is not declared");
      }
    });
  }

  /** One key trusted under two names would be removed under one and go on vouching under the other. */
  private static void checkTrustedKeys(Run run) {
    Map<String, String> first = new LinkedHashMap<>();
    run.trustedKeys.forEach((name, declared) -> {
      String fingerprint = run.fingerprints.get(name);
      if (fingerprint == null) {
        return;
      }
      String other = first.putIfAbsent(fingerprint, name);
      if (other != null) {
        run.finding(declared.document(), "spec.publicKey", "key " + fingerprint + " is already trusted as "
            + "TrustedKey \"" + other + "\" (" + run.trustedKeys.get(other).document().locate("spec.publicKey")
            + "); declare each key once");
      }
    });
  }

  /**
   * A promotion path may not jump over a stage that a model puts between two of its environments: a
   * version would then be held at the later one for lack of a success it was never asked to have.
   */
  private static void checkPromotionPaths(Run run) {
    run.models.forEach((name, declared) -> {
      if (declared.definition() == null) {
        return;
      }
      List<String> order = declared.definition().spec().stages().stream().map(Stage::environment).toList();
      for (int i = 0; i < order.size(); i++) {
        var env = run.environments.get(order.get(i));
        if (env == null) {
          continue;
        }
        List<String> next = env.definition().promotesTo();
        for (int k = 0; k < next.size(); k++) {
          int j = order.indexOf(next.get(k));
          if (j > i + 1) {
            run.finding(env.document(), "spec.promotesTo[" + k + "]", order.get(i) + " promotes to " + next.get(k)
                + ", skipping " + String.join(", ", order.subList(i + 1, j)) + ", which deployment model " + name
                + " deploys to between them; promote to " + order.get(i + 1) + " instead");
          }
        }
      }
    });
  }

  /** Where a {@code ${secret:NAME}} is given its value: a step's environment or a template step's variables. */
  private static final java.util.regex.Pattern SECRET_PLACE =
      java.util.regex.Pattern.compile("spec\\.stages\\[\\d+]\\..*\\.(environment|variables)\\.[^.\\[]+");
  /** Where an SSH target takes a secret: its private key's text and its passphrase, each only as a reference. */
  private static final java.util.regex.Pattern SSH_SECRET_PLACE =
      java.util.regex.Pattern.compile("spec\\.(ssh\\.(identity|passphrase)|kubernetes\\.credentials)");
  private static final java.util.regex.Pattern SECRET_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

  /**
   * Refuses a secret reference where it would be passed on as written (a command, a URL, a fact...),
   * and one whose name cannot be a secret's.
   */
  private static void checkSecretReferences(ConfigDocument doc, JsonNode node, String at, Run run) {
    if (node.isObject()) {
      for (String field : node.propertyNames()) {
        checkSecretReferences(doc, node.get(field), at.isEmpty() ? field : at + "." + field, run);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        checkSecretReferences(doc, node.get(i), at + "[" + i + "]", run);
      }
    } else if (node.isString() && SSH_SECRET_PLACE.matcher(at).matches() && "Target".equals(doc.kind())) {
      java.util.regex.Matcher whole = io.gantry.secret.Secrets.REFERENCE.matcher(node.asString());
      if (!whole.matches() || !SECRET_NAME.matcher(whole.group(1)).matches()) {
        run.finding(doc, at, "give the name of a secret as ${secret:NAME} (the " + (at.endsWith("passphrase")
            ? "passphrase" : at.endsWith("credentials") ? "bearer token" : "private key's text") + " is kept in the secret store, never in configuration), not "
            + (whole.matches() ? "\"" + whole.group(1) + "\", which cannot be a secret's name" : "a value"));
      }
    } else if (node.isString() && node.asString().contains("${secret:")) {
      if (!"DeploymentModel".equals(doc.kind()) || !SECRET_PLACE.matcher(at).matches()) {
        run.finding(doc, at, "a secret reference is given its value only in a step's environment, a template "
            + "step's variables, and an ssh target's identity and passphrase; here it would be used as written");
        return;
      }
      for (String name : io.gantry.secret.Secrets.references(node.asString())) {
        if (!SECRET_NAME.matcher(name).matches()) {
          run.finding(doc, at, "\"" + name + "\" cannot be a secret's name (1 to 100 letters, digits, '_', '.' or "
              + "'-', starting with a letter or digit)");
        }
      }
    }
  }

  private void checkEnvironments(Run run) {
    run.environments.forEach((name, declared) -> {
      List<String> next = declared.definition().promotesTo();
      for (int i = 0; i < next.size(); i++) {
        if (!run.environments.containsKey(next.get(i))) {
          run.finding(declared.document(), "spec.promotesTo[" + i + "]",
              "environment \"" + next.get(i) + "\" is not declared");
        }
      }
    });
    // A cycle is reported once, at the edge that closes it.
    Set<String> done = new HashSet<>();
    for (String start : run.environments.keySet()) {
      findCycle(start, new ArrayList<>(), done, run);
    }
  }

  private void findCycle(String env, List<String> path, Set<String> done, Run run) {
    if (done.contains(env) || !run.environments.containsKey(env)) {
      return;
    }
    path.add(env);
    Declared<EnvironmentDefinition> declared = run.environments.get(env);
    List<String> next = declared.definition().promotesTo();
    for (int i = 0; i < next.size(); i++) {
      int seen = path.indexOf(next.get(i));
      if (seen >= 0) {
        List<String> cycle = new ArrayList<>(path.subList(seen, path.size()));
        cycle.add(next.get(i));
        run.finding(declared.document(), "spec.promotesTo[" + i + "]",
            "the promotion order has a cycle: " + String.join(" -> ", cycle));
      } else {
        findCycle(next.get(i), path, done, run);
      }
    }
    path.remove(path.size() - 1);
    done.add(env);
  }

  private void checkTargets(Run run) {
    run.targets.values().forEach(t -> {
      if (!run.environments.containsKey(t.definition().environment())) {
        run.finding(t.document(), "spec.environment",
            "environment \"" + t.definition().environment() + "\" is not declared");
      }
      if (t.definition().kind() == TargetKind.SSH && t.definition().path() != null
          && !t.definition().path().startsWith("/")) {
        run.finding(t.document(), "spec.path", "the folder of an ssh target must be an absolute path on its host, "
            + "not \"" + t.definition().path() + "\"");
      }
      if (t.definition().kind() == TargetKind.LOCAL && t.definition().path() != null) {
        String problem = localTargets.problem(t.definition().path());
        if (problem != null) {
          run.finding(t.document(), "spec.path", problem);
        }
      }
      if (t.definition().kind() == TargetKind.KUBERNETES && t.definition().kubernetes() != null) {
        t.definition().kubernetes().problems().forEach((field, problem) -> run.finding(t.document(),
            "spec.kubernetes." + field, problem));
      }
      TargetDefinition.Ssh ssh = t.definition().ssh();
      if (t.definition().kind() == TargetKind.SSH && ssh != null) {
        if (ssh.identityFile() == null && ssh.identity() == null) {
          run.finding(t.document(), "spec.ssh", "give the private key as identityFile (a file on the Gantry host) "
              + "or as identity: ${secret:NAME} (a secret)");
        } else if (ssh.identityFile() != null && ssh.identity() != null) {
          run.finding(t.document(), "spec.ssh.identity", "give the private key once: as identityFile or as identity, "
              + "not both");
        }
      }
    });
  }

  private void checkComponents(Run run) {
    run.components.values().forEach(c -> {
      ComponentDefinition def = c.definition();
      if (!run.services.containsKey(def.service())) {
        run.finding(c.document(), "spec.service", "service \"" + def.service() + "\" is not declared");
      }
      if (def.model() != null && !run.models.containsKey(def.model())) {
        run.finding(c.document(), "spec.model", "deployment model \"" + def.model() + "\" is not declared");
      }
      for (int i = 0; i < def.requires().size(); i++) {
        var requirement = def.requires().get(i);
        String ref = requirement.component();
        try {
          ComponentRef.parse(ref);
          if (!run.components.containsKey(ref)) {
            run.finding(c.document(), "spec.requires[" + i + "].component", "component \"" + ref + "\" is not declared");
          } else if (ref.equals(def.ref().toString())) {
            run.finding(c.document(), "spec.requires[" + i + "].component", "a component cannot require itself");
          }
        } catch (IllegalArgumentException e) {
          run.finding(c.document(), "spec.requires[" + i + "].component", e.getMessage());
        }
        try {
          VersionRange.parse(requirement.version());
        } catch (IllegalArgumentException e) {
          run.finding(c.document(), "spec.requires[" + i + "].version", e.getMessage());
        }
      }
    });
  }

  /**
   * A model's owner and reviewers are user names, each once, and a reviewer other than the owner; reviewers without
   * an owner would sign nothing off, so they are refused. Stakeholders are {@code user:NAME} or {@code role:ID}. That
   * the users exist is checked against the store at plan and apply.
   */
  private static void checkResponsibility(ConfigDocument doc, DeploymentModelSpec spec, Run run) {
    if (spec.owner() != null && !io.gantry.shared.Names.isValid(spec.owner())) {
      run.finding(doc, "spec.owner", "\"" + spec.owner() + "\" is not a user name: "
          + io.gantry.shared.Names.describe(spec.owner()));
    }
    if (spec.owner() == null && !spec.reviewers().isEmpty()) {
      run.finding(doc, "spec.reviewers", "reviewers sign a new version off beside the owner: name the owner too");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < spec.reviewers().size(); i++) {
      String r = spec.reviewers().get(i);
      String at = "spec.reviewers[" + i + "]";
      if (r == null || !io.gantry.shared.Names.isValid(r)) {
        run.finding(doc, at, "\"" + r + "\" is not a user name: " + io.gantry.shared.Names.describe(String.valueOf(r)));
      } else if (r.equals(spec.owner())) {
        run.finding(doc, at, r + " is the owner, who agrees anyway; name other people as reviewers");
      } else if (!seen.add(r)) {
        run.finding(doc, at, r + " is listed twice");
      }
    }
    Set<String> stakeholders = new HashSet<>();
    for (int i = 0; i < spec.stakeholders().size(); i++) {
      String entry = spec.stakeholders().get(i);
      String at = "spec.stakeholders[" + i + "]";
      if (entry != null && entry.startsWith("user:") && io.gantry.shared.Names.isValid(entry.substring(5))) {
        if (!stakeholders.add(entry)) {
          run.finding(doc, at, entry + " is listed twice");
        }
      } else if (entry != null && entry.startsWith("role:")) {
        try {
          Role.fromId(at, entry.substring(5));
          if (!stakeholders.add(entry)) {
            run.finding(doc, at, entry + " is listed twice");
          }
        } catch (InvalidInputException e) {
          run.finding(doc, at, e.getMessage());
        }
      } else {
        run.finding(doc, at, "\"" + entry + "\" is not a stakeholder: write user:NAME or role:ID");
      }
    }
  }

  private void checkModels(Run run) {
    run.models.values().forEach(m -> {
      if (m.definition() == null) {
        return;
      }
      ConfigDocument doc = m.document();
      DeploymentModelSpec spec = m.definition().spec();
      var applies = spec.appliesTo();
      if (applies == null || (applies.componentTypes().isEmpty() && applies.services().isEmpty()
          && applies.components().isEmpty())) {
        run.finding(doc, "spec.appliesTo", "say which components the model applies to: componentTypes, services "
            + "or components");
      } else {
        for (int i = 0; i < applies.componentTypes().size(); i++) {
          try {
            ComponentType.fromId("", applies.componentTypes().get(i));
          } catch (InvalidInputException e) {
            run.finding(doc, "spec.appliesTo.componentTypes[" + i + "]", e.getMessage());
          }
        }
        for (int i = 0; i < applies.services().size(); i++) {
          if (!run.services.containsKey(applies.services().get(i))) {
            run.finding(doc, "spec.appliesTo.services[" + i + "]",
                "service \"" + applies.services().get(i) + "\" is not declared");
          }
        }
        for (int i = 0; i < applies.components().size(); i++) {
          if (!run.components.containsKey(applies.components().get(i))) {
            run.finding(doc, "spec.appliesTo.components[" + i + "]",
                "component \"" + applies.components().get(i) + "\" is not declared");
          }
        }
      }
      checkResponsibility(doc, spec, run);
      if (spec.stages().isEmpty()) {
        run.finding(doc, "spec.stages", "a model needs at least one stage");
      }
      Set<String> stageNames = new HashSet<>();
      spec.stages().forEach(s -> stageNames.add(s.name()));
      Set<String> seenStages = new HashSet<>();
      Set<String> seenEnvironments = new HashSet<>();
      for (int i = 0; i < spec.stages().size(); i++) {
        Stage stage = spec.stages().get(i);
        String at = "spec.stages[" + i + "]";
        if (!seenStages.add(stage.name())) {
          run.finding(doc, at + ".name", "stage \"" + stage.name() + "\" is declared twice");
        }
        if (!run.environments.containsKey(stage.environment())) {
          run.finding(doc, at + ".environment", "environment \"" + stage.environment() + "\" is not declared");
        } else if (!seenEnvironments.add(stage.environment())) {
          run.finding(doc, at + ".environment", "environment \"" + stage.environment()
              + "\" already has a stage in this model");
        }
        checkStage(doc, at, stage, stageNames, run);
      }
      TriggerChecks.check(doc, spec.triggers(), stageNames, run::finding);
    });
  }

  private void checkStage(ConfigDocument doc, String at, Stage stage, Set<String> stageNames, Run run) {
    if (stage.approvers() != null) {
      List<String> roles = stage.approvers().roles() == null ? List.of() : stage.approvers().roles();
      for (int r = 0; r < roles.size(); r++) {
        role(doc, at + ".approvers.roles[" + r + "]", roles.get(r), run);
      }
    }
    WindowRules.check(stage).forEach(p -> run.finding(doc, at + "." + p.field(), p.message()));
    NotificationRules.check(stage.notifications()).forEach(p -> run.finding(doc, at + "." + p.field(), p.message()));
    String batch = stage.strategy().batchSize();
    if (batch != null && !BATCH.matcher(batch).matches()) {
      run.finding(doc, at + ".strategy.batchSize", "\"" + batch + "\" is not a batch size: use a count such as 2 "
          + "or a percentage from 1% to 100%");
    }
    if (batch != null && stage.strategy().type() == Stage.Strategy.Type.ALL_AT_ONCE) {
      run.finding(doc, at + ".strategy.batchSize", "all-at-once deploys to every target in one batch, so a batch "
          + "size would be ignored: remove it, or use type rolling");
    }
    BlueGreenChecks.check(doc, at + ".strategy", stage.strategy(), run::finding);
    Stage.FailurePolicy policy = stage.failurePolicy();
    if (policy.retryDelay() != null && (policy.retries() == null || policy.retries() == 0)) {
      run.finding(doc, at + ".failurePolicy.retryDelay", "a retry delay needs retries: say how many times a failed "
          + "step is tried again (failurePolicy.retries)");
    }
    checkCriteria(doc, at + ".entryCriteria", stage.entryCriteria(), stageNames, run);
    checkCriteria(doc, at + ".exitCriteria", stage.exitCriteria(), stageNames, run);
    Set<String> stepNames = new HashSet<>();
    checkSteps(doc, at + ".steps", stage.steps(), stepNames, run);
    checkSteps(doc, at + ".acceptance", stage.acceptance(), stepNames, run);
    CanaryChecks.check(doc, at + ".strategy", stage.strategy(), prometheus, run::finding);
    String analysisAt = at + ".strategy.canary.analysis.checks";
    List<Step> analysisChecks = stage.strategy().canary() == null || stage.strategy().canary().analysis() == null
        ? List.of() : stage.strategy().canary().analysis().checks();
    checkSteps(doc, analysisAt, analysisChecks, stepNames, run);
    Stage.Analysis idleSlot = stage.strategy().type() == Stage.Strategy.Type.BLUE_GREEN
        && stage.strategy().blueGreen() != null ? stage.strategy().blueGreen().analysis() : null;
    String idleSlotAt = at + ".strategy.blueGreen.analysis";
    List<Step> idleSlotChecks = idleSlot == null ? List.of() : idleSlot.checks();
    if (idleSlot != null) {
      AnalysisChecks.check(doc, idleSlotAt, idleSlot, AnalysisChecks.Kind.IDLE_SLOT, prometheus, run::finding);
      checkSteps(doc, idleSlotAt + ".checks", idleSlotChecks, stepNames, run);
      checkTimeouts(doc, idleSlotAt + ".checks", idleSlotChecks, run);
    }
    if (stage.verification() != null) {
      AnalysisChecks.check(doc, at + ".verification", stage.verification(), AnalysisChecks.Kind.VERIFICATION,
          prometheus, run::finding);
    }
    if (run.environments.containsKey(stage.environment())) {
      checkTags(doc, idleSlotAt + ".checks", idleSlotChecks, stage.environment(), run);
      checkKinds(doc, idleSlotAt + ".checks", idleSlotChecks, stage.environment(), run);
      checkTags(doc, at + ".steps", stage.steps(), stage.environment(), run);
      checkTags(doc, at + ".acceptance", stage.acceptance(), stage.environment(), run);
      checkTags(doc, at + ".removeSteps", stage.removeSteps(), stage.environment(), run);
      checkTags(doc, analysisAt, analysisChecks, stage.environment(), run);
      checkKinds(doc, at + ".steps", stage.steps(), stage.environment(), run);
      checkKinds(doc, at + ".acceptance", stage.acceptance(), stage.environment(), run);
      checkKinds(doc, at + ".removeSteps", stage.removeSteps(), stage.environment(), run);
      checkKinds(doc, analysisAt, analysisChecks, stage.environment(), run);
      if (stage.strategy().type() == Stage.Strategy.Type.BLUE_GREEN) {
        run.targets.values().stream().filter(t -> stage.environment().equals(t.definition().environment())
            && t.definition().kind() == TargetKind.KUBERNETES).findFirst().ifPresent(t -> run.finding(doc,
                at + ".strategy.type", "target " + t.definition().name() + " of environment " + stage.environment()
                    + " is a kubernetes target, which has no blue-green slots: use all-at-once, rolling or canary"));
      }
    }
    checkCriterionSteps(doc, at + ".entryCriteria", stage.entryCriteria(), stage.environment(), run);
    checkCriterionSteps(doc, at + ".exitCriteria", stage.exitCriteria(), stage.environment(), run);
    checkTimeouts(doc, at + ".steps", stage.steps(), run);
    checkTimeouts(doc, at + ".acceptance", stage.acceptance(), run);
    checkTimeouts(doc, at + ".removeSteps", stage.removeSteps(), run);
    checkTimeouts(doc, analysisAt, analysisChecks, run);
  }

  /** A timeout longer than the server allows, or a wait bounded by less than its own duration. */
  private void checkTimeouts(ConfigDocument doc, String at, List<Step> steps, Run run) {
    for (int i = 0; i < steps.size(); i++) {
      checkTimeout(doc, at + "[" + i + "]", steps.get(i), run);
    }
  }

  private void checkTimeout(ConfigDocument doc, String at, Step step, Run run) {
    if (step.timeout() != null && step.timeout().toDuration().compareTo(maxStepTimeout) > 0) {
      run.finding(doc, at + ".timeout", "a timeout of " + step.timeout().text() + " is longer than a "
          + "step may take here (" + text(maxStepTimeout) + ", gantry.engine.max-step-timeout)");
    }
    if (step instanceof Step.Wait w && w.timeout() != null && w.duration() != null
        && w.timeout().toDuration().compareTo(w.duration().toDuration()) < 0) {
      run.finding(doc, at + ".timeout", "a timeout of " + w.timeout().text() + " is shorter than the "
          + "wait's duration (" + w.duration().text() + "): the step could never finish");
    }
  }

  /**
   * A step for tags that no target of the stage's environment carries would run nowhere: a typing
   * mistake that would otherwise pass as a deployment that did everything.
   */
  /**
   * A step that would run on a target that cannot take it: a step working on a folder on a kubernetes target, or
   * a kubernetes.apply on any other kind; a step's tags choose the targets it runs on.
   */
  private static void checkKinds(ConfigDocument doc, String at, List<Step> steps, String environment, Run run) {
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      List<String> tags = step.targets() == null ? List.of() : step.targets();
      for (var t : run.targets.values()) {
        TargetDefinition target = t.definition();
        if (!environment.equals(target.environment()) || !target.tags().containsAll(tags)) {
          continue;
        }
        boolean kubernetes = target.kind() == TargetKind.KUBERNETES;
        if (kubernetes && !io.gantry.execution.KubernetesSteps.takes(step)) {
          run.finding(doc, at + "[" + i + "].type", "step " + step.name() + " would run on target " + target.name()
              + ", a kubernetes target, which takes only " + io.gantry.execution.KubernetesSteps.TAKES + " steps: "
              + "give the step targets (tags) that only other targets carry, or remove it");
          break;
        }
        if (!kubernetes && step instanceof Step.KubernetesApply) {
          run.finding(doc, at + "[" + i + "].type", "step " + step.name() + " would run on target " + target.name()
              + ", a " + target.kind().id() + " target: kubernetes.apply runs only on kubernetes targets; give the "
              + "step targets (tags) that only kubernetes targets carry");
          break;
        }
      }
    }
  }

  private static void checkTags(ConfigDocument doc, String at, List<Step> steps, String environment, Run run) {
    for (int i = 0; i < steps.size(); i++) {
      checkTags(doc, at + "[" + i + "]", steps.get(i), environment, run);
    }
  }

  private static void checkTags(ConfigDocument doc, String at, Step step, String environment, Run run) {
    Set<String> carried = new HashSet<>();
    run.targets.values().stream().filter(t -> environment.equals(t.definition().environment()))
        .forEach(t -> carried.addAll(t.definition().tags()));
    List<String> tags = step.targets() == null ? List.of() : step.targets();
    for (int k = 0; k < tags.size(); k++) {
      if (!carried.contains(tags.get(k))) {
        run.finding(doc, at + ".targets[" + k + "]", "no target of environment " + environment
            + " carries the tag " + tags.get(k));
      }
    }
  }

  /** A check's step is held to what any step is: its tags carried by a target, its timeout within bounds. */
  private void checkCriterionSteps(ConfigDocument doc, String at, List<Criterion> criteria, String environment,
      Run run) {
    for (int i = 0; i < criteria.size(); i++) {
      if (criteria.get(i) instanceof Criterion.Check c && c.step() != null) {
        String here = at + "[" + i + "]";
        if (run.environments.containsKey(environment)) {
          checkTags(doc, here + ".step", c.step(), environment, run);
        }
        checkTimeout(doc, here + ".step", c.step(), run);
      }
    }
  }

  private void checkCriteria(ConfigDocument doc, String at, List<Criterion> criteria, Set<String> stages, Run run) {
    for (int i = 0; i < criteria.size(); i++) {
      switch (criteria.get(i)) {
        case Criterion.StageSucceeded s when !stages.contains(s.stage()) ->
            run.finding(doc, at + "[" + i + "].stage", "stage \"" + s.stage() + "\" is not in this model");
        case Criterion.VersionStatus v when !List.of("registered", "approved").contains(v.status()) ->
            run.finding(doc, at + "[" + i + "].status", "\"" + v.status() + "\" is not a status a deployment can "
                + "require: use registered or approved");
        case Criterion.Manual m -> role(doc, at + "[" + i + "].role", m.role(), run);
        case Criterion.Check c when !(c.step() instanceof Step.Shell || c.step() instanceof Step.HttpCheck) ->
            run.finding(doc, at + "[" + i + "].step.type", "a check runs a step of type shell or http-check only: "
                + "it must not change a target (for a person's part, use a criterion of type manual)");
        default -> { }
      }
    }
  }

  private void checkSteps(ConfigDocument doc, String at, List<Step> steps, Set<String> names, Run run) {
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      if (!names.add(step.name())) {
        run.finding(doc, at + "[" + i + "].name", "step \"" + step.name() + "\" is declared twice in this stage");
      }
      if (step instanceof Step.Approval a) {
        role(doc, at + "[" + i + "].role", a.role(), run);
      }
      if (step instanceof Step.Manual m && m.role() != null) {
        role(doc, at + "[" + i + "].role", m.role(), run);
      }
      if (step instanceof Step.Template t && (t.source() == null) == (t.content() == null)) {
        run.finding(doc, at + "[" + i + "]", "a template step needs either source or content, not both");
      }
    }
  }

  /** A duration as a model writes it, e.g. 24h, 90m, 45s. */
  private static String text(Duration d) {
    if (d.toMillis() % 3_600_000 == 0) {
      return d.toHours() + "h";
    }
    if (d.toMillis() % 60_000 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** Roles that read records and never change what happens (approve, sign off, confirm). */
  private static final Set<Role> NEVER_DECIDE = java.util.EnumSet.of(Role.AUDITOR, Role.SERVICE_DESK, Role.SUPPLIER);

  /** A role that decides on a step, a criterion or an approval: one that may change state. */
  private void role(ConfigDocument doc, String at, String role, Run run) {
    try {
      if (NEVER_DECIDE.contains(Role.fromId(role))) {
        run.finding(doc, at, "the role " + role + " reads records and never decides what happens; name one of "
            + "deployment-manager, deployment-practitioner, service-owner, technical-specialist");
      }
    } catch (InvalidInputException e) {
      run.finding(doc, at, e.getMessage());
    }
  }

  private void zone(ConfigDocument doc, String at, String zone, Run run) {
    if (zone == null) {
      return;
    }
    try {
      ZoneId.of(zone);
    } catch (DateTimeException e) {
      run.finding(doc, at, "\"" + zone + "\" is not a time zone (use a name such as Europe/London or UTC)");
    }
  }

  private static String text(JsonNode body, String... path) {
    JsonNode node = body;
    for (String p : path) {
      node = node.path(p);
    }
    return node.isMissingNode() || node.isNull() ? null : node.asString();
  }

  private static String optional(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isMissingNode() || value.isNull() ? null : value.asString();
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asString()));
    return out;
  }

  private static Map<String, String> stringMap(JsonNode object) {
    Map<String, String> out = new LinkedHashMap<>();
    object.properties().forEach(e -> out.put(e.getKey(), e.getValue().asString()));
    return out;
  }

  private static Map<String, String> labels(ConfigDocument doc) {
    return stringMap(doc.body().path("metadata").path("labels"));
  }

  /** The state of one interpretation. */
  private static final class Run {
    final Map<String, Declared<EnvironmentDefinition>> environments = new LinkedHashMap<>();
    final Map<String, Declared<TargetDefinition>> targets = new LinkedHashMap<>();
    final Map<String, Declared<ServiceDefinition>> services = new LinkedHashMap<>();
    final Map<String, Declared<ComponentDefinition>> components = new LinkedHashMap<>();
    final Map<String, Declared<ModelDefinition>> models = new LinkedHashMap<>();
    final Map<String, Declared<TrustedKeyDefinition>> trustedKeys = new LinkedHashMap<>();
    final Map<String, Declared<RoleBindingDefinition>> roleBindings = new LinkedHashMap<>();
    final Map<String, Declared<InboundHookDefinition>> inboundHooks = new LinkedHashMap<>();
    /** The fingerprint of each trusted key that is a valid public key. */
    final Map<String, String> fingerprints = new LinkedHashMap<>();
    final List<Finding> findings = new ArrayList<>();

    <T> void add(Map<String, Declared<T>> into, String key, ConfigDocument doc, String kind,
        Function<ConfigDocument, T> convert) {
      Declared<T> first = into.get(key);
      if (first != null) {
        finding(doc, "metadata.name", "duplicate " + kind + " \"" + key + "\": already declared at "
            + first.document().locate("metadata.name"));
        return;
      }
      into.put(key, new Declared<>(convert.apply(doc), doc));
    }

    void finding(ConfigDocument doc, String field, String message) {
      findings.add(new Finding(field, message, doc.locate(field)));
    }
  }
}
