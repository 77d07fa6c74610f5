package io.gantry.config;

import io.gantry.catalog.Component;
import io.gantry.catalog.ComponentDefinition;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Components;
import io.gantry.catalog.Service;
import io.gantry.catalog.ServiceDefinition;
import io.gantry.catalog.Services;
import io.gantry.catalog.TrustedKey;
import io.gantry.catalog.TrustedKeyDefinition;
import io.gantry.catalog.TrustedKeys;
import io.gantry.inbound.InboundHook;
import io.gantry.inbound.InboundHookDefinition;
import io.gantry.inbound.InboundHooks;
import io.gantry.identity.Actor;
import io.gantry.identity.RoleBinding;
import io.gantry.identity.RoleBindingDefinition;
import io.gantry.identity.RoleBindings;
import io.gantry.identity.Users;
import io.gantry.config.DesiredState.Declared;
import io.gantry.config.Plan.Action;
import io.gantry.config.Plan.Change;
import io.gantry.environment.Environment;
import io.gantry.environment.EnvironmentDefinition;
import io.gantry.environment.Environments;
import io.gantry.environment.Target;
import io.gantry.environment.TargetDefinition;
import io.gantry.environment.Targets;
import io.gantry.model.DeploymentModel;
import io.gantry.model.ModelDefinition;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Json;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Configuration as code: {@link #plan} shows what applying a set of documents would create, change
 * and delete, changing nothing; {@link #apply} makes exactly those changes in one transaction, or
 * none. The documents are the whole desired state.
 */
@org.springframework.stereotype.Service
public class ConfigService {

  private static final JsonMapper MAPPER = JsonMapper.builder().build();

  private final ConfigLoader loader;
  private final ConfigInterpreter interpreter;
  private final Environments environments;
  private final Targets targets;
  private final Services services;
  private final Components components;
  private final ComponentVersions versions;
  private final Models models;
  private final TrustedKeys trustedKeys;
  private final InboundHooks inboundHooks;
  private final TransactionTemplate tx;
  private final JdbcClient jdbc;
  private final Clock clock;
  private final RoleBindings roleBindings;
  private final Users users;

  /** With the inbound hooks kept in the same database. */
  public ConfigService(ConfigLoader loader, ConfigInterpreter interpreter, Environments environments,
      Targets targets, Services services, Components components, ComponentVersions versions, Models models,
      TrustedKeys trustedKeys, TransactionTemplate tx, JdbcClient jdbc, Clock clock, RoleBindings roleBindings,
      Users users) {
    this(loader, interpreter, environments, targets, services, components, versions, models, trustedKeys,
        new InboundHooks(jdbc, clock), tx, jdbc, clock, roleBindings, users);
  }

  @org.springframework.beans.factory.annotation.Autowired
  public ConfigService(ConfigLoader loader, ConfigInterpreter interpreter, Environments environments,
      Targets targets, Services services, Components components, ComponentVersions versions, Models models,
      TrustedKeys trustedKeys, InboundHooks inboundHooks, TransactionTemplate tx, JdbcClient jdbc, Clock clock,
      RoleBindings roleBindings, Users users) {
    this.loader = loader;
    this.interpreter = interpreter;
    this.environments = environments;
    this.targets = targets;
    this.services = services;
    this.components = components;
    this.versions = versions;
    this.models = models;
    this.trustedKeys = trustedKeys;
    this.inboundHooks = inboundHooks;
    this.tx = tx;
    this.jdbc = jdbc;
    this.clock = clock;
    this.roleBindings = roleBindings;
    this.users = users;
  }

  public Plan plan(List<ConfigFile> files) {
    DesiredState desired = interpreter.interpret(loader.load(files));
    return tx.execute(status -> {
      status.setRollbackOnly();
      return diff(desired).plan(false);
    });
  }

  public Plan apply(List<ConfigFile> files, String reason, String actor) {
    if (reason == null || reason.isBlank()) {
      throw InvalidInputException.of("reason", "say why the configuration is applied (a reason is recorded)");
    }
    DesiredState desired = interpreter.interpret(loader.load(files));
    try {
      return tx.execute(status -> {
        Diff diff = diff(desired);
        diff.execute(actor, reason);
        Plan plan = diff.plan(true);
        jdbc.sql("insert into config_applies (author, reason, created_at, summary) values (:a, :r, :t, :s)")
            .param("a", actor).param("r", reason).param("t", Timestamp.from(clock.instant()))
            .param("s", Json.write(plan)).update();
        return plan;
      });
    } catch (DataIntegrityViolationException e) {
      throw new ConflictException("the configuration clashes with what is stored (changed concurrently?): "
          + e.getMostSpecificCause().getMessage());
    }
  }

  private Diff diff(DesiredState desired) {
    Diff diff = new Diff();
    diff.compare("Environment", desired.environments(), index(environments.all(), Environment::name),
        Environment::definition, Environment::rowVersion);
    diff.compare("Service", desired.services(), index(services.all(), Service::name), Service::definition,
        Service::rowVersion);
    // a model compares with its proposal awaiting agreement, if one waits: applying that text again changes nothing
    Map<String, ModelDefinition> proposed = new LinkedHashMap<>();
    models.proposals().forEach(v -> proposed.put(v.model(), ModelDocuments.parse(v.model(), v.text())));
    diff.compare("DeploymentModel", desired.models(), index(models.all(), DeploymentModel::name),
        m -> proposed.getOrDefault(m.name(), m.retired() ? null : m.definition()), DeploymentModel::rowVersion);
    for (int i = 0; i < diff.steps.size(); i++) {
      Step s = diff.steps.get(i);
      if (s.change().action() == Action.UPDATE && s.definition() instanceof ModelDefinition d) {
        DeploymentModel stored = models.get(d.name());
        List<String> signers = Models.signers(stored.retired() ? null : stored.definition(), d);
        List<String> details = new ArrayList<>(s.change().details());
        if (proposed.containsKey(d.name())) {
          details.add("(withdraws the proposal awaiting agreement)");
        }
        if (!signers.isEmpty()) {
          details.add("(a proposal: in force once " + String.join(", ", signers) + " agree)");
        }
        diff.steps.set(i, new Step(new Change(Action.UPDATE, "DeploymentModel", d.name(), details), d,
            s.rowVersion()));
      }
    }
    diff.compare("Component", desired.components(), index(components.all(), c -> c.ref().toString()),
        Component::definition, Component::rowVersion);
    diff.compare("Target", desired.targets(), index(targets.all(), Target::name), Target::definition,
        Target::rowVersion);
    diff.compare("TrustedKey", desired.trustedKeys(), index(trustedKeys.all(), TrustedKey::name),
        TrustedKey::definition, TrustedKey::rowVersion);
    diff.compare("RoleBinding", desired.roleBindings(), index(roleBindings.declared(), RoleBinding::name),
        RoleBinding::definition, b -> 0L);
    diff.compare("InboundHook", desired.inboundHooks(), index(inboundHooks.all(), InboundHook::name),
        InboundHook::definition, InboundHook::rowVersion);
    List<Finding> refused = new ArrayList<>();
    desired.roleBindings().forEach((name, declared) -> {
      String user = declared.definition().user();
      if (user != null && users.find(user).isEmpty()) {
        refused.add(new Finding("spec.user", "there is no user \"" + user + "\"; create it first "
            + "(gantry user create " + user + ")", declared.document().locate("spec.user")));
      }
    });
    desired.models().forEach((name, declared) -> {
      if (declared.definition() == null) {
        return;
      }
      var spec = declared.definition().spec();
      java.util.function.BiConsumer<String, String> known = (field, user) -> {
        if (user != null && users.find(user).isEmpty()) {
          refused.add(new Finding(field, "there is no user \"" + user + "\"; create it first (gantry user create "
              + user + ")", declared.document().locate(field)));
        }
      };
      known.accept("spec.owner", spec.owner());
      for (int i = 0; i < spec.reviewers().size(); i++) {
        known.accept("spec.reviewers[" + i + "]", spec.reviewers().get(i));
      }
      for (int i = 0; i < spec.stakeholders().size(); i++) {
        String entry = spec.stakeholders().get(i);
        if (entry.startsWith("user:")) {
          known.accept("spec.stakeholders[" + i + "]", entry.substring(5));
        }
      }
    });
    for (Step step : diff.steps) {
      if (step.change().action() == Action.DELETE && step.change().kind().equals("Component")) {
        long count = versions.countFor(ComponentRef.parse(step.change().name()));
        if (count > 0) {
          refused.add(Finding.of("Component " + step.change().name(), "component " + step.change().name()
              + " has " + count + " version(s) in the library and cannot be deleted; keep it in the configuration"));
        }
      }
    }
    if (!refused.isEmpty()) {
      throw new InvalidInputException("the configuration names what is not stored or would delete what cannot be "
          + "deleted", refused);
    }
    return diff;
  }

  private static <T> Map<String, T> index(List<T> items, Function<T, String> key) {
    Map<String, T> map = new LinkedHashMap<>();
    items.forEach(i -> map.put(key.apply(i), i));
    return map;
  }

  /** One change to make, with the row version it was planned against. */
  private record Step(Change change, Object definition, long rowVersion) {}

  private final class Diff {
    final List<Step> steps = new ArrayList<>();
    int unchanged;

    <D, S> void compare(String kind, Map<String, Declared<D>> desired, Map<String, S> stored,
        Function<S, D> definitionOf, Function<S, Long> rowVersionOf) {
      desired.forEach((name, declared) -> {
        S current = stored.get(name);
        D now = current == null ? null : definitionOf.apply(current);
        if (current == null) {
          steps.add(new Step(new Change(Action.CREATE, kind, name, List.of()), declared.definition(), 0));
        } else if (now == null || !same(now, declared.definition())) {
          steps.add(new Step(new Change(Action.UPDATE, kind, name, details(now, declared.definition())),
              declared.definition(), rowVersionOf.apply(current)));
        } else {
          unchanged++;
        }
      });
      stored.forEach((name, current) -> {
        if (!desired.containsKey(name) && definitionOf.apply(current) != null) {
          steps.add(new Step(new Change(Action.DELETE, kind, name, List.of()), null, rowVersionOf.apply(current)));
        }
      });
    }

    /** One line per model version awaiting agreement. */
    List<String> proposalNotes() {
      return models.proposals().stream().map(v -> "DeploymentModel " + v.model() + ": version " + v.number()
          + ", proposed by " + v.author() + ", awaits the agreement of " + String.join(", ", v.signers())
          + " (gantry models versions " + v.model() + ")").toList();
    }

    Plan plan(boolean applied) {
      return Plan.of(steps.stream().map(Step::change).toList(), unchanged, applied, proposalNotes());
    }

    /** Creates and updates in dependency order, then deletes in the reverse order. */
    void execute(String actor, String reason) {
      for (Step s : steps) {
        if (s.change().action() == Action.DELETE) {
          continue;
        }
        boolean create = s.change().action() == Action.CREATE;
        switch (s.definition()) {
          case EnvironmentDefinition d -> {
            if (create) {
              environments.create(d);
            } else {
              environments.update(d, s.rowVersion());
            }
          }
          case ServiceDefinition d -> {
            if (create) {
              services.create(d);
            } else {
              services.update(d, s.rowVersion());
            }
          }
          case ModelDefinition d -> {
            if (create) {
              models.create(d, actor, reason);
            } else {
              models.update(d, s.rowVersion(), actor, reason);
            }
          }
          case ComponentDefinition d -> {
            if (create) {
              components.create(d);
            } else {
              components.update(d, s.rowVersion());
            }
          }
          case TargetDefinition d -> {
            if (create) {
              targets.create(d);
            } else {
              targets.update(d, s.rowVersion());
            }
          }
          case TrustedKeyDefinition d -> {
            if (create) {
              trustedKeys.create(d);
            } else {
              trustedKeys.update(d, s.rowVersion());
            }
          }
          case InboundHookDefinition d -> {
            if (create) {
              inboundHooks.create(d);
            } else {
              inboundHooks.update(d, s.rowVersion());
            }
          }
          case RoleBindingDefinition d -> {
            if (create) {
              roleBindings.declare(d, Actor.named(actor));
            } else {
              roleBindings.redeclare(d, Actor.named(actor));
            }
          }
          default -> throw new IllegalStateException("unexpected definition " + s.definition());
        }
      }
      List<Step> deletes = steps.stream().filter(s -> s.change().action() == Action.DELETE).toList();
      for (Iterator<Step> it = deletes.reversed().iterator(); it.hasNext(); ) {
        Step s = it.next();
        String name = s.change().name();
        switch (s.change().kind()) {
          case "Target" -> targets.delete(name, s.rowVersion());
          case "Component" -> components.delete(ComponentRef.parse(name), s.rowVersion());
          case "DeploymentModel" -> models.retire(name, s.rowVersion(), actor, reason);
          case "Service" -> services.delete(name, s.rowVersion());
          case "Environment" -> environments.delete(name, s.rowVersion());
          case "TrustedKey" -> trustedKeys.delete(name, s.rowVersion());
          case "RoleBinding" -> roleBindings.withdraw(name, Actor.named(actor));
          case "InboundHook" -> inboundHooks.delete(name, s.rowVersion());
          default -> throw new IllegalStateException("unexpected kind " + s.change().kind());
        }
      }
    }
  }

  /** Models compare by their canonical text, where an absent list and an empty one are the same. */
  private static boolean same(Object stored, Object declared) {
    if (stored instanceof ModelDefinition a && declared instanceof ModelDefinition b) {
      return ModelDocuments.render(a).equals(ModelDocuments.render(b));
    }
    return stored.equals(declared);
  }

  /** Each changed field as {@code field: old -> new}. */
  static List<String> details(Object before, Object after) {
    Map<String, String> a = flatten(before == null ? null : MAPPER.valueToTree(shown(before)));
    Map<String, String> b = flatten(MAPPER.valueToTree(shown(after)));
    List<String> out = new ArrayList<>();
    if (before == null) {
      out.add("(retired model is declared again)");
    }
    var keys = new java.util.TreeSet<>(a.keySet());
    keys.addAll(b.keySet());
    keys.forEach(key -> {
      String from = a.get(key);
      String to = b.get(key);
      if (!Objects.equals(from, to)) {
        out.add(key + ": " + (from == null ? "(none)" : from) + " -> " + (to == null ? "(none)" : to));
      }
    });
    return out;
  }

  /** A trusted key as a plan shows it: by its fingerprint and a digest of its text, not the armored block. */
  private record KeyShown(String description, Map<String, String> labels, String fingerprint, String publicKey) {}

  private static Object shown(Object definition) {
    if (definition instanceof TrustedKeyDefinition k) {
      String text = HexFormat.of().formatHex(sha256(k.publicKey())).substring(0, 16);
      return new KeyShown(k.description(), k.labels(), k.fingerprint(), "text with SHA-256 " + text + "...");
    }
    return definition;
  }

  private static byte[] sha256(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, String> flatten(JsonNode node) {
    Map<String, String> out = new TreeMap<>();
    if (node != null) {
      flatten("", node, out);
    }
    return out;
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    if (node.isObject()) {
      node.properties().forEach(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
          e.getValue(), out));
    } else if (node.isArray()) {
      if (node.isEmpty()) {
        return;
      }
      for (int i = 0; i < node.size(); i++) {
        flatten(prefix + "[" + i + "]", node.get(i), out);
      }
    } else if (!node.isNull()) {
      out.put(prefix, node.asString());
    }
  }
}
