package io.gantry.events;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.ComponentVersions;
import io.gantry.change.Change;
import io.gantry.change.ChangeCreated;
import io.gantry.change.ChangeState;
import io.gantry.change.ChangeTransitioned;
import io.gantry.change.DeploymentChanges;
import io.gantry.deployment.AwaitedActions;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent.WaitKind;
import io.gantry.deployment.DeploymentRequested;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.DeploymentTransitioned;
import io.gantry.deployment.DeploymentWaiting;
import io.gantry.deployment.Deployments;
import io.gantry.deployment.StepRunFinished;
import io.gantry.deployment.StepRunStarted;
import io.gantry.deployment.StepRunState;
import io.gantry.deployment.TargetRun;
import io.gantry.environment.Environment;
import io.gantry.environment.EnvironmentCreated;
import io.gantry.environment.EnvironmentDeleted;
import io.gantry.environment.EnvironmentModified;
import io.gantry.metrics.Incident;
import io.gantry.metrics.IncidentReported;
import io.gantry.metrics.IncidentResolved;
import io.gantry.model.ModelVersionCameIntoForce;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns what the engine, the configuration, change enablement and the incident desk did into CDEvents 0.5.1 in the
 * outbox. It listens to their past-tense events synchronously, on the thread and in the transaction that wrote the
 * state, so an event exists if and only if the state it reports was committed. What each type means, its subject
 * and Gantry's {@code customData} are described in {@code docs/integrations/cdevents.md}.
 */
@Component
class CdEvents {

  static final String PIPELINERUN_QUEUED = "dev.cdevents.pipelinerun.queued.0.3.0";
  static final String PIPELINERUN_STARTED = "dev.cdevents.pipelinerun.started.0.3.0";
  static final String PIPELINERUN_FINISHED = "dev.cdevents.pipelinerun.finished.0.3.0";
  static final String TASKRUN_STARTED = "dev.cdevents.taskrun.started.0.3.0";
  static final String TASKRUN_FINISHED = "dev.cdevents.taskrun.finished.0.3.0";
  static final String SERVICE_DEPLOYED = "dev.cdevents.service.deployed.0.3.0";
  static final String SERVICE_UPGRADED = "dev.cdevents.service.upgraded.0.3.0";
  static final String SERVICE_ROLLEDBACK = "dev.cdevents.service.rolledback.0.3.0";
  static final String SERVICE_REMOVED = "dev.cdevents.service.removed.0.3.0";
  static final String ENVIRONMENT_CREATED = "dev.cdevents.environment.created.0.3.0";
  static final String ENVIRONMENT_MODIFIED = "dev.cdevents.environment.modified.0.3.0";
  static final String ENVIRONMENT_DELETED = "dev.cdevents.environment.deleted.0.3.0";
  static final String INCIDENT_DETECTED = "dev.cdevents.incident.detected.0.3.0";
  static final String INCIDENT_REPORTED = "dev.cdevents.incident.reported.0.3.0";
  static final String INCIDENT_RESOLVED = "dev.cdevents.incident.resolved.0.3.0";
  /** A deployment waits for a person (Gantry's own type; its content schema ships with Gantry). */
  static final String DEPLOYMENT_WAITING = "dev.cdeventsx.gantry-deployment.waiting.0.1.0";
  /** Gantry's change requests (not source changes, so not {@code dev.cdevents.change.*}): one type per predicate. */
  static final String CHANGE_PREFIX = "dev.cdeventsx.gantry-change.";
  /** A version of a deployment model came into force (Gantry's own type; its content schema ships with Gantry). */
  static final String MODEL_IN_FORCE = "dev.cdeventsx.gantry-modelversion.effective.0.1.0";
  static final String CUSTOM_VERSION = ".0.1.0";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int REMEMBERED = 1024;

  private final Outbox outbox;
  private final Deployments deployments;
  private final DeploymentChanges deploymentChanges;
  private final ComponentVersions versions;
  private final AwaitedActions awaited;
  private final String publicUrl;
  /** What stays true of a deployment while it runs, so that its steps' events need no query. */
  private final Map<Long, Facts> facts = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Facts> eldest) {
          return size() > REMEMBERED;
        }
      });

  CdEvents(Outbox outbox, Deployments deployments, DeploymentChanges deploymentChanges, ComponentVersions versions,
      AwaitedActions awaited, @Value("${gantry.public-url:}") String publicUrl) {
    this.outbox = outbox;
    this.deployments = deployments;
    this.deploymentChanges = deploymentChanges;
    this.versions = versions;
    this.awaited = awaited;
    this.publicUrl = publicUrl(publicUrl);
  }

  /** The setting checked: empty, or an absolute http(s) URL without a trailing slash. */
  static String publicUrl(String setting) {
    if (setting == null || setting.isBlank()) {
      return "";
    }
    String url = setting.strip();
    try {
      URI uri = new URI(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
          || uri.getQuery() != null || uri.getFragment() != null) {
        throw new IllegalArgumentException();
      }
    } catch (java.net.URISyntaxException | IllegalArgumentException e) {
      throw new IllegalArgumentException("gantry.public-url is the address people reach this server at, an http:// "
          + "or https:// URL with a host and no query (e.g. https://gantry.example.com), not \"" + setting + "\"");
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  // --- deployments: pipeline runs, service events

  @EventListener
  void on(DeploymentRequested e) {
    Deployment d = e.deployment();
    Facts f = remember(d);
    ObjectNode content = NODES.objectNode().put("pipelineName", pipelineName(d));
    absolute(deploymentPath(d.id())).ifPresent(u -> content.put("uri", u));
    add(PIPELINERUN_QUEUED, subject(pipelineRunId(d.id()), content), customData(f), d.requestedAt(), d);
  }

  @EventListener
  void on(DeploymentTransitioned e) {
    Deployment d = e.after();
    DeploymentState to = d.state();
    boolean started = e.started();
    boolean ended = to.isFinal();
    if (!started && !ended && to != DeploymentState.EXECUTING) {
      return;
    }
    // the changes linked to it are read again when it starts, begins its steps and ends
    Facts f = remember(d);
    if (started) {
      ObjectNode content = NODES.objectNode().put("pipelineName", pipelineName(d))
          .put("uri", uri(deploymentPath(d.id()), "deployment:" + d.id()));
      add(PIPELINERUN_STARTED, subject(pipelineRunId(d.id()), content), customData(f), e.at(), d);
    }
    if (!ended) {
      return;
    }
    if (to == DeploymentState.SUCCEEDED || to == DeploymentState.ROLLED_BACK) {
      serviceEvent(d, f, e.at());
    }
    ObjectNode content = NODES.objectNode().put("pipelineName", pipelineName(d));
    absolute(deploymentPath(d.id())).ifPresent(u -> content.put("uri", u));
    content.put("outcome", switch (to) {
      case SUCCEEDED -> "success";
      case CANCELLED -> "cancel";
      default -> "failure";
    });
    if (to != DeploymentState.SUCCEEDED && e.message() != null && !e.message().isBlank()) {
      content.put("errors", e.message());
    }
    add(PIPELINERUN_FINISHED, subject(pipelineRunId(d.id()), content), customData(f), e.at(), d);
    facts.remove(d.id());
  }

  /**
   * A version now runs (deployed: where none ran, or the same one did; upgraded: where another ran), an earlier one
   * runs again (rolled back), or the component is gone (removed).
   */
  private void serviceEvent(Deployment d, Facts f, Instant at) {
    List<TargetRun> runs = deployments.targetRuns(d.id());
    String previous = runs.stream().map(TargetRun::previousVersion).filter(Objects::nonNull).findFirst().orElse(null);
    String type;
    ObjectNode content = NODES.objectNode();
    content.putObject("environment").put("id", d.environment());
    if (d.kind() == Deployment.Kind.UNDEPLOY) {
      if (d.state() != DeploymentState.SUCCEEDED) {
        return; // a removal rolled back leaves the component where it was: nothing to say about the service
      }
      type = SERVICE_REMOVED;
    } else if (d.state() == DeploymentState.ROLLED_BACK) {
      if (previous == null) {
        return; // a first installation rolled back: nothing ran before, nothing runs now
      }
      type = SERVICE_ROLLEDBACK;
      content.put("artifactId", purl(d.component(), previous));
    } else {
      boolean another = runs.stream().map(TargetRun::previousVersion)
          .anyMatch(v -> v != null && !v.equals(d.version()));
      type = another ? SERVICE_UPGRADED : SERVICE_DEPLOYED;
      content.put("artifactId", purl(d.component(), d.version()));
    }
    ObjectNode custom = customData(f);
    if (previous != null) {
      custom.put("previousVersion", previous);
    }
    add(type, subject(serviceId(d.component()), content), custom, at, d);
  }

  // --- steps: task runs

  @EventListener
  void on(StepRunStarted e) {
    Facts f = facts(e.deployment());
    ObjectNode content = NODES.objectNode().put("taskName", e.step().name());
    absolute(deploymentPath(e.deployment())).ifPresent(u -> content.put("uri", u));
    content.putObject("pipelineRun").put("id", pipelineRunId(e.deployment()));
    add(TASKRUN_STARTED, subject(taskRunId(e.deployment(), e.step().id()), content),
        stepData(f, e.target(), e.step().phase(), e.step().type(), e.step().attempt()), e.at(), f.deployment());
  }

  @EventListener
  void on(StepRunFinished e) {
    Facts f = facts(e.deployment());
    ObjectNode content = NODES.objectNode().put("taskName", e.step().name());
    absolute(deploymentPath(e.deployment())).ifPresent(u -> content.put("uri", u));
    content.putObject("pipelineRun").put("id", pipelineRunId(e.deployment()));
    content.put("outcome", e.state() == StepRunState.SUCCEEDED ? "success"
        : e.state() == StepRunState.FAILED ? "failure" : "error");
    if (e.state() != StepRunState.SUCCEEDED && e.outcome() != null && !e.outcome().isBlank()) {
      content.put("errors", e.outcome());
    }
    add(TASKRUN_FINISHED, subject(taskRunId(e.deployment(), e.step().id()), content),
        stepData(f, e.target(), e.step().phase(), e.step().type(), e.step().attempt()).put("state",
            e.state().name()), e.at(), f.deployment());
  }

  // --- waits for people

  @EventListener
  void on(DeploymentWaiting e) {
    if (!e.forPerson()) {
      return;
    }
    Deployment d = deployments.get(e.deployment());
    Facts f = remember(d);
    List<AwaitedActions.Awaited> all = awaited.of(d, "").stream()
        .filter(a -> a.kind() == awaitedKind(e.waitingFor())).toList();
    // of several things waited for, those this wait is about (a new approval on a second target is told once)
    List<AwaitedActions.Awaited> these = all.stream().filter(a -> a.target() != null
        && e.message().contains((a.step() == null ? "" : a.step() + " on ") + a.target())).toList();
    if (these.isEmpty()) {
      these = all.isEmpty() ? List.of() : e.waitingFor() == WaitKind.ENTRY_CONFIRMATION
          || e.waitingFor() == WaitKind.EXIT_CONFIRMATION ? List.of(all.getFirst()) : all;
    }
    if (these.isEmpty()) {
      waiting(d, f, e, null, null, List.of());
    }
    for (AwaitedActions.Awaited a : these) {
      waiting(d, f, e, a.target(), a.step(), a.roles());
    }
  }

  private void waiting(Deployment d, Facts f, DeploymentWaiting e, String target, String step, List<String> roles) {
    ObjectNode content = NODES.objectNode().put("waitingFor", e.waitingFor().id());
    content.put("target", target).put("step", step);
    ArrayNode r = content.putArray("roles");
    roles.forEach(r::add);
    content.put("message", e.message());
    ObjectNode custom = customData(f);
    custom.put("waitingFor", e.waitingFor().id()).put("step", step).put("target", target);
    custom.set("roles", r.deepCopy());
    custom.put("message", e.message());
    add(DEPLOYMENT_WAITING, subject(pipelineRunId(d.id()), content), custom, e.at(), d);
  }

  private static AwaitedActions.Kind awaitedKind(WaitKind kind) {
    return switch (kind) {
      case APPROVAL -> AwaitedActions.Kind.APPROVAL;
      case MANUAL -> AwaitedActions.Kind.SIGNOFF;
      case DECISION -> AwaitedActions.Kind.FAILURE_DECISION;
      case ENTRY_CONFIRMATION, EXIT_CONFIRMATION -> AwaitedActions.Kind.CONFIRMATION;
      default -> null;
    };
  }

  // --- environments

  @EventListener
  void on(EnvironmentCreated e) {
    environment(ENVIRONMENT_CREATED, e.environment(), e.at());
  }

  @EventListener
  void on(EnvironmentModified e) {
    environment(ENVIRONMENT_MODIFIED, e.environment(), e.at());
  }

  @EventListener
  void on(EnvironmentDeleted e) {
    ObjectNode custom = NODES.objectNode().put("environment", e.name());
    outbox.add(new NewEvent(ENVIRONMENT_DELETED, subject(e.name(), NODES.objectNode().put("name", e.name())), custom,
        e.at(), null, e.name(), null));
  }

  private void environment(String type, Environment env, Instant at) {
    ObjectNode content = NODES.objectNode().put("name", env.name());
    String path = "/console/environments/" + encodePath(env.name());
    absolute(path).ifPresent(u -> content.put("uri", u));
    ObjectNode custom = NODES.objectNode().put("environment", env.name())
        .put("purpose", env.definition().purpose() == null ? null : env.definition().purpose().id())
        .put("controlled", env.definition().controlled()).put("owner", env.definition().owner())
        .put("url", link(path));
    outbox.add(new NewEvent(type, subject(env.name(), content), custom, at, null, env.name(), null));
  }

  // --- incidents

  @EventListener
  void on(IncidentReported e) {
    Incident i = e.incident();
    incident(INCIDENT_DETECTED, i, i.detectedAt());
    incident(INCIDENT_REPORTED, i, e.at());
    if (i.resolvedAt() != null) {
      incident(INCIDENT_RESOLVED, i, i.resolvedAt());
    }
  }

  @EventListener
  void on(IncidentResolved e) {
    incident(INCIDENT_RESOLVED, e.incident(), e.at());
  }

  private void incident(String type, Incident i, Instant at) {
    ObjectNode content = NODES.objectNode().put("description", i.title());
    content.putObject("environment").put("id", i.environment());
    if (type.equals(INCIDENT_REPORTED)) {
      content.put("ticketURI", ticketUri(i));
    }
    content.putObject("service").put("id", i.service());
    String path = "/console/incidents/" + i.id();
    ObjectNode custom = NODES.objectNode().put("incident", i.id()).put("severity", i.severity().id())
        .put("reference", i.reference()).put("reportedBy", i.reportedBy())
        .put("detectedAt", i.detectedAt().toString())
        .put("resolvedAt", i.resolvedAt() == null ? null : i.resolvedAt().toString())
        .put("resolvedBy", i.resolvedBy()).put("deployment", i.deployment())
        .put("linkedBy", i.linkedBy().name().toLowerCase(java.util.Locale.ROOT)).put("url", link(path));
    outbox.add(new NewEvent(type, subject("incident-" + i.id(), content), custom, at, i.deployment(),
        i.environment(), i.service()));
  }

  /** The incident's reference when it is a URL (a ticket elsewhere), else the incident's page in Gantry. */
  private String ticketUri(Incident i) {
    if (i.reference() != null) {
      try {
        URI ref = new URI(i.reference().strip());
        if (ref.isAbsolute() && ("http".equals(ref.getScheme()) || "https".equals(ref.getScheme()))) {
          return ref.toString();
        }
      } catch (java.net.URISyntaxException e) {
        // not a URL: a ticket number, told in customData.reference
      }
    }
    return uri("/console/incidents/" + i.id(), "incident:" + i.id());
  }

  // --- model versions (Gantry's own type)

  @EventListener
  void on(ModelVersionCameIntoForce e) {
    ObjectNode content = NODES.objectNode().put("name", e.model()).put("version", e.version())
        .put("replaced", e.replaced()).put("author", e.author()).put("reason", e.reason()).put("note", e.note());
    ArrayNode agreedBy = content.putArray("agreedBy");
    e.agreedBy().forEach(agreedBy::add);
    content.put("told", e.told());
    String path = "/console/models/" + encodePath(e.model());
    ObjectNode custom = NODES.objectNode();
    custom.putObject("model").put("name", e.model()).put("version", e.version());
    custom.put("replaced", e.replaced()).put("author", e.author()).put("url", link(path));
    outbox.add(new NewEvent(MODEL_IN_FORCE, subject(e.model() + "@" + e.version(), content), custom, e.at(), null, null, null));
  }

  // --- change requests (Gantry's own types)

  @EventListener
  void on(ChangeCreated e) {
    change("created", e.change(), null, e.change().requestedBy(), null, e.at());
  }

  @EventListener
  void on(ChangeTransitioned e) {
    change(changePredicate(e.after().state()), e.after(), e.before().state(), e.actor(), e.reason(), e.at());
  }

  /** The predicate of the change event a move to {@code state} is told as. */
  static String changePredicate(ChangeState state) {
    return switch (state) {
      case NEW -> "created";
      case ASSESSED -> "submitted";
      case AUTHORIZED -> "authorized";
      case REJECTED -> "rejected";
      case SCHEDULED -> "scheduled";
      case IMPLEMENTING -> "implementing";
      case CLOSED -> "closed";
      case CANCELLED -> "cancelled";
    };
  }

  private void change(String predicate, Change c, ChangeState from, String actor, String reason, Instant at) {
    ObjectNode content = NODES.objectNode().put("key", c.key()).put("title", c.title())
        .put("type", c.type().id()).put("risk", c.risk().id()).put("impact", c.impact().id())
        .put("state", c.state().id()).put("from", from == null ? null : from.id());
    ArrayNode services = content.putArray("services");
    c.services().forEach(services::add);
    ArrayNode components = content.putArray("components");
    c.components().forEach(ref -> components.add(ref.toString()));
    ArrayNode environments = content.putArray("environments");
    c.environments().forEach(environments::add);
    content.put("plannedStart", c.plannedStart() == null ? null : c.plannedStart().toString())
        .put("plannedEnd", c.plannedEnd() == null ? null : c.plannedEnd().toString())
        .put("closureCode", c.closureCode() == null ? null : c.closureCode().id())
        .put("forDeployment", c.forDeployment());
    if (c.external() != null) {
      content.putObject("external").put("system", c.external().system()).put("reference", c.external().reference());
    }
    String path = "/console/changes/" + c.key();
    ObjectNode custom = NODES.objectNode().put("change", c.key()).put("requestedBy", c.requestedBy())
        .put("actor", actor).put("reason", reason).put("url", link(path));
    String environment = c.environments().size() == 1 ? c.environments().getFirst() : null;
    String service = c.services().size() == 1 ? c.services().getFirst() : null;
    outbox.add(new NewEvent(CHANGE_PREFIX + predicate + CUSTOM_VERSION, subject(c.key(), content), custom, at,
        c.forDeployment(), environment, service));
  }

  // --- shared parts

  /** A deployment's facts that do not change while it runs, with the keys of the changes linked to it now. */
  private record Facts(Deployment deployment, List<String> changes) {}

  private Facts remember(Deployment d) {
    Facts f = new Facts(d, deploymentChanges.of(d.id()).stream().map(Change::key).toList());
    facts.put(d.id(), f);
    return f;
  }

  private Facts facts(long deployment) {
    Facts f = facts.get(deployment);
    return f != null ? f : remember(deployments.get(deployment));
  }

  private void add(String type, ObjectNode subject, ObjectNode customData, Instant at, Deployment d) {
    outbox.add(new NewEvent(type, subject, customData, at, d.id(), d.environment(), d.component().service()));
  }

  private ObjectNode customData(Facts f) {
    Deployment d = f.deployment();
    ObjectNode data = NODES.objectNode().put("deployment", d.id()).put("kind", d.kind().id())
        .put("service", d.component().service()).put("component", d.component().component())
        .put("version", d.version()).put("environment", d.environment());
    data.putObject("model").put("name", d.model()).put("version", d.modelVersion());
    data.put("stage", d.stage()).put("requestedBy", d.requestedBy());
    ArrayNode changes = data.putArray("changes");
    f.changes().forEach(changes::add);
    data.put("url", link(deploymentPath(d.id())));
    return data;
  }

  private ObjectNode stepData(Facts f, String target, String phase, String stepType, int attempt) {
    return customData(f).put("target", target).put("phase", phase).put("stepType", stepType).put("attempt", attempt);
  }

  private static ObjectNode subject(String id, ObjectNode content) {
    ObjectNode subject = NODES.objectNode().put("id", id);
    subject.set("content", content);
    return subject;
  }

  static String pipelineRunId(long deployment) {
    return "deployment-" + deployment;
  }

  static String taskRunId(long deployment, long stepRun) {
    return "deployment-" + deployment + "-step-" + stepRun;
  }

  static String serviceId(ComponentRef component) {
    return component.service() + "/" + component.component();
  }

  /** The model and stage a deployment follows: its pipeline. */
  static String pipelineName(Deployment d) {
    return d.model() + "/" + d.stage();
  }

  private static String deploymentPath(long id) {
    return "/console/deployments/" + id;
  }

  /** A link to a page of the console: absolute with {@code gantry.public-url}, else relative to this server. */
  private String link(String path) {
    return publicUrl + path;
  }

  private Optional<String> absolute(String path) {
    return publicUrl.isEmpty() ? Optional.empty() : Optional.of(publicUrl + path);
  }

  /** An absolute URI for a field that must hold one: the page's URL, or without a public URL, a {@code urn:gantry:} name. */
  private String uri(String path, String name) {
    return publicUrl.isEmpty() ? "urn:gantry:" + name : publicUrl + path;
  }

  /**
   * The Package URL of a component version: {@code pkg:generic/<service>/<component>@<version>?checksum=sha256:<hex>},
   * the checksum being the version's content digest (it covers every artifact and attribute); without it when the
   * version is no longer in the library.
   */
  String purl(ComponentRef component, String version) {
    String base = Purls.of(component, version);
    return versions.find(component, version).map(ComponentVersion::contentDigest)
        .map(digest -> base + "?checksum=" + digest.value()).orElse(base);
  }

  private static String encodePath(String segment) {
    return Purls.encode(segment);
  }
}
