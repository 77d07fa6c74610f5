package io.gantry.model;

import java.util.List;

/**
 * The {@code spec} of a DeploymentModel document, typed. {@code owner} (a user name) is responsible for the model:
 * once a model has one, a new version is only proposed until the owner and every one of {@code reviewers} (user
 * names) have agreed it ({@link ModelAgreements}); {@code stakeholders} ({@code user:NAME} or {@code role:ID}) are
 * told, with the owners of the services that use the model, when a version comes into force ({@link ModelNotices}).
 */
public record DeploymentModelSpec(
    AppliesTo appliesTo,
    ComponentChecks componentChecks,
    List<TargetRequirement> targetRequirements,
    List<Stage> stages,
    List<Trigger> triggers,
    String owner,
    List<String> reviewers,
    List<String> stakeholders) {

  /** A model without an owner, reviewers or stakeholders. */
  public DeploymentModelSpec(AppliesTo appliesTo, ComponentChecks componentChecks,
      List<TargetRequirement> targetRequirements, List<Stage> stages, List<Trigger> triggers) {
    this(appliesTo, componentChecks, targetRequirements, stages, triggers, null, null, null);
  }

  public DeploymentModelSpec {
    reviewers = reviewers == null ? List.of() : List.copyOf(reviewers);
    stakeholders = stakeholders == null ? List.of() : List.copyOf(stakeholders);
    componentChecks = componentChecks == null ? new ComponentChecks(null, null, null, null) : componentChecks;
    targetRequirements = targetRequirements == null ? List.of() : List.copyOf(targetRequirements);
    stages = stages == null ? List.of() : List.copyOf(stages);
    triggers = triggers == null ? List.of() : List.copyOf(triggers);
  }

  /** The components a model applies to: any list that matches is enough. */
  public record AppliesTo(List<String> componentTypes, List<String> services, List<String> components) {
    public AppliesTo {
      componentTypes = componentTypes == null ? List.of() : List.copyOf(componentTypes);
      services = services == null ? List.of() : List.copyOf(services);
      components = components == null ? List.of() : List.copyOf(components);
    }

    /** Whether the model applies to a component of type {@code type}, service {@code service}, named {@code ref} ({@code service/name}). */
    public boolean matches(String type, String service, String ref) {
      return componentTypes.contains(type) || services.contains(service) || components.contains(ref);
    }
  }

  /**
   * What verification of components checks beyond digests and library status. {@code requireSbom} is
   * {@code cyclonedx}, {@code spdx} or {@code any} (a valid SBOM of that format in JSON among the
   * version's artifacts), or null when none is required.
   */
  public record ComponentChecks(List<String> requiredArtifacts, List<String> requiredAttributes,
      Boolean requireSignature, String requireSbom) {
    public ComponentChecks {
      requiredArtifacts = requiredArtifacts == null ? List.of() : List.copyOf(requiredArtifacts);
      requiredAttributes = requiredAttributes == null ? List.of() : List.copyOf(requiredAttributes);
      requireSignature = requireSignature != null && requireSignature;
    }
  }
}
