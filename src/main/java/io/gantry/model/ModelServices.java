package io.gantry.model;

import io.gantry.catalog.Component;
import io.gantry.catalog.Components;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The services a deployment model deploys components of: those whose components name it as their
 * model, and those with a component its {@code appliesTo} matches (a deployment may choose it). A
 * model used by several services is read from any scope of any of them.
 */
@org.springframework.stereotype.Component
public class ModelServices {

  private final Models models;
  private final Components components;

  public ModelServices(Models models, Components components) {
    this.models = models;
    this.components = components;
  }

  /** The services of {@code model}, by name; none for a model no component uses. */
  public Set<String> of(DeploymentModel model) {
    return of(model, components.all());
  }

  /** The services of every model, by the model's name. */
  public Map<String, Set<String>> all() {
    return of(models.all());
  }

  /** The services of each of {@code models}, by the model's name. */
  public Map<String, Set<String>> of(Collection<DeploymentModel> models) {
    List<Component> known = components.all();
    Map<String, Set<String>> byModel = new TreeMap<>();
    models.forEach(m -> byModel.put(m.name(), of(m, known)));
    return byModel;
  }

  static Set<String> of(DeploymentModel model, List<Component> components) {
    Set<String> services = new TreeSet<>();
    for (Component c : components) {
      if (model.name().equals(c.definition().model()) || applies(model, c)) {
        services.add(c.ref().service());
      }
    }
    return services;
  }

  private static boolean applies(DeploymentModel model, Component c) {
    if (model.definition() == null) {
      return false;
    }
    return model.definition().spec().appliesTo().matches(c.definition().type().id(), c.ref().service(),
        c.ref().toString());
  }
}
