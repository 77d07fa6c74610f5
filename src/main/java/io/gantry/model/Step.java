package io.gantry.model;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;

/**
 * One step of a stage, run on each target (or once, for people's steps). Parsed once from the model
 * into these types; the engine never reads loose maps.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = Step.ArtifactInstall.class, name = "artifact.install"),
    @JsonSubTypes.Type(value = Step.ArtifactRemove.class, name = "artifact.remove"),
    @JsonSubTypes.Type(value = Step.Template.class, name = "template"),
    @JsonSubTypes.Type(value = Step.Shell.class, name = "shell"),
    @JsonSubTypes.Type(value = Step.HttpCheck.class, name = "http-check"),
    @JsonSubTypes.Type(value = Step.Wait.class, name = "wait"),
    @JsonSubTypes.Type(value = Step.Manual.class, name = "manual"),
    @JsonSubTypes.Type(value = Step.Approval.class, name = "approval"),
    @JsonSubTypes.Type(value = Step.KubernetesApply.class, name = "kubernetes.apply")})
public sealed interface Step {

  String name();

  TimeSpan timeout();

  Boolean idempotent();

  List<String> targets();

  /** Copy the version's artifacts to the target, check their digest there, switch {@code current}. */
  record ArtifactInstall(String name, TimeSpan timeout, Boolean idempotent, List<String> targets,
      String destination, String artifact, Integer keepReleases) implements Step {}

  /** Remove the component from the target: the {@code current} link and the releases folder. */
  record ArtifactRemove(String name, TimeSpan timeout, Boolean idempotent, List<String> targets,
      String destination) implements Step {}

  /** Render a configuration file from a template with variables. */
  record Template(String name, TimeSpan timeout, Boolean idempotent, List<String> targets, String destination,
      String source, String content, Map<String, String> variables) implements Step {}

  /** Run a command; success is the expected exit code. */
  record Shell(String name, TimeSpan timeout, Boolean idempotent, List<String> targets, String command,
      String workingDirectory, Map<String, String> environment, Integer expectExitCode) implements Step {}

  /** Ask a URL until it answers as expected or the deadline passes. */
  record HttpCheck(String name, TimeSpan timeout, Boolean idempotent, List<String> targets, String url,
      Integer expectStatus, String expectBody, Integer retries, TimeSpan interval, TimeSpan deadline)
      implements Step {}

  /** Wait for a fixed time. */
  record Wait(String name, TimeSpan timeout, Boolean idempotent, List<String> targets, TimeSpan duration)
      implements Step {}

  /** A person does the work and signs it off; every checklist item must be ticked. */
  record Manual(String name, TimeSpan timeout, Boolean idempotent, List<String> targets, String instructions,
      List<String> checklist, Boolean evidenceRequired, String role) implements Step {}

  /** People holding a role approve or reject, with a reason. */
  record Approval(String name, TimeSpan timeout, Boolean idempotent, List<String> targets, String role,
      Integer count, String instructions) implements Step {}

  /**
   * Apply the version's Kubernetes manifests in a kubernetes target's namespace and wait for their rollout
   * (experimental). {@code manifests} names the one artifact to apply; null applies every {@code .yaml} and
   * {@code .yml} artifact of the version.
   */
  record KubernetesApply(String name, TimeSpan timeout, Boolean idempotent, List<String> targets, String manifests)
      implements Step {}
}
