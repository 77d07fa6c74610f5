package io.gantry.improvement;

import io.gantry.improvement.Initiative.Effect;
import io.gantry.improvement.Initiative.LinkKind;
import io.gantry.metrics.KpiReport;
import io.gantry.metrics.Measures;
import io.gantry.metrics.MetricsFilter;
import io.gantry.metrics.Period;
import io.gantry.model.ModelVersion;
import io.gantry.model.Models;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The use cases of the initiative register: register, move, link, and evaluate, which measures the effect of the
 * model version that implemented an initiative by comparing its KPIs over equal windows before and after that
 * version came into force, and stores what it measured.
 */
@Service
class InitiativeRegister {

  /** The longest window compared (the metrics' reports cover at most a year; two windows make one period each). */
  static final int MAX_WINDOW_DAYS = 183;

  private final Initiatives initiatives;
  private final Reviews reviews;
  private final Models models;
  private final Measures measures;
  private final Clock clock;
  private final TransactionTemplate tx;
  private final ModelsInForce inForce;

  InitiativeRegister(Initiatives initiatives, Reviews reviews, Models models, Measures measures, Clock clock,
      TransactionTemplate tx, ModelsInForce inForce) {
    this.tx = tx;
    this.inForce = inForce;
    this.initiatives = initiatives;
    this.reviews = reviews;
    this.models = models;
    this.measures = measures;
    this.clock = clock;
  }

  @Transactional
  Initiative register(Initiatives.NewInitiative n, String by) {
    return initiatives.register(n, by, clock.instant());
  }

  /** Moves an initiative to another state; evaluated is reached only by {@link #evaluate}, which measures it. */
  @Transactional
  Initiative move(long id, InitiativeState to, String reason, String by) {
    if (to == InitiativeState.EVALUATED) {
      throw InvalidInputException.of("to", "an initiative becomes evaluated when its effect is measured: use "
          + "evaluate");
    }
    return initiatives.transition(initiatives.get(id), to, by, reason, clock.instant());
  }

  /**
   * Links an initiative: to a model (its name), the model version that implemented it ({@code model:version}), a
   * deployment's review (the deployment's id), a failure signature, or a KPI. What it names must exist.
   */
  @Transactional
  Initiative link(long id, String kind, String ref, String by) {
    Initiative initiative = initiatives.get(id);
    if (initiative.state() == InitiativeState.EVALUATED || initiative.state() == InitiativeState.ABANDONED) {
      throw new ConflictException("initiative #" + id + " is " + initiative.state().id() + ": its links are kept as "
          + "they were");
    }
    if (ref == null || ref.isBlank()) {
      throw InvalidInputException.of("ref", "must name what the initiative is linked to");
    }
    String r = ref.strip();
    Instant now = clock.instant();
    if ("model-version".equals(kind)) {
      int colon = r.lastIndexOf(':');
      int number;
      try {
        number = colon < 1 ? -1 : Integer.parseInt(r.substring(colon + 1));
      } catch (NumberFormatException e) {
        number = -1;
      }
      if (number < 1) {
        throw InvalidInputException.of("ref", "\"" + r + "\" is not MODEL:VERSION (e.g. web-model:3)");
      }
      String model = r.substring(0, colon);
      modelVersion("ref", model, number);
      return initiatives.implementedBy(initiative, model, number, now);
    }
    LinkKind linkKind = switch (kind == null ? "" : kind) {
      case "model" -> LinkKind.MODEL;
      case "review" -> LinkKind.REVIEW;
      case "failure" -> LinkKind.FAILURE;
      case "kpi" -> LinkKind.KPI;
      default -> throw InvalidInputException.of("kind", "\"" + kind + "\" is not what an initiative links to; use "
          + "model, model-version, review, failure or kpi");
    };
    switch (linkKind) {
      case MODEL -> {
        if (models.find(r).isEmpty()) {
          throw InvalidInputException.of("ref", "there is no model \"" + r + "\"");
        }
      }
      case REVIEW -> {
        long deployment;
        try {
          deployment = Long.parseLong(r);
        } catch (NumberFormatException e) {
          throw InvalidInputException.of("ref", "\"" + r + "\" is not a deployment id");
        }
        if (reviews.find(deployment).isEmpty()) {
          throw InvalidInputException.of("ref", "deployment #" + deployment + " has no review");
        }
      }
      case FAILURE -> {
        if (r.length() > Signatures.MAX) {
          throw InvalidInputException.of("ref", "a failure signature is at most " + Signatures.MAX + " characters");
        }
      }
      case KPI -> r = Kpi.parse("ref", r).id();
    }
    return initiatives.link(initiative, linkKind, r, by, now);
  }

  /**
   * Measures and stores the effect of an implemented initiative and makes it evaluated: its expected KPI and every
   * KPI linked, over the model's deployments in the {@code windowDays} (the initiative's when null) before the
   * version that implemented it came into force and the as many days after; refused until the window after has
   * ended. {@code user} must be allowed to read the model's KPIs. The reports are read first, in their own
   * transactions; the effect and the new state are then stored together, refused if the initiative changed meanwhile.
   */
  Initiative evaluate(long id, Integer windowDays, String reason, String user) {
    Initiative initiative = initiatives.get(id);
    if (initiative.state() != InitiativeState.IMPLEMENTED) {
      throw new ConflictException("initiative #" + id + " is " + initiative.state().id() + "; only an implemented "
          + "initiative is evaluated");
    }
    if (initiative.model() == null) {
      throw new ConflictException("initiative #" + id + " has no model version that implemented it, so there is no "
          + "time to measure its effect from; link one (kind model-version) first");
    }
    int days = windowDays == null ? initiative.windowDays() : window("windowDays", windowDays);
    Instant inForceAt = inForce.since(initiative.model(), initiative.modelVersion());
    Duration window = Duration.ofDays(days);
    Instant now = clock.instant();
    Instant afterTo = inForceAt.plus(window);
    if (afterTo.isAfter(now)) {
      throw new ConflictException("the " + days + "-day window after " + initiative.model() + " v"
          + initiative.modelVersion() + " came into force (" + inForceAt + ") ends at " + afterTo
          + "; evaluate then, or with a shorter window");
    }
    MetricsFilter filter = new MetricsFilter(null, null, initiative.model(), null);
    KpiReport before = measures.kpis(user, new Period(inForceAt.minus(window), inForceAt), filter, null);
    KpiReport after = measures.kpis(user, new Period(inForceAt, afterTo), filter, null);
    Set<Kpi> kpis = new LinkedHashSet<>();
    kpis.add(initiative.kpi());
    initiative.links().stream().filter(l -> l.kind() == LinkKind.KPI).forEach(l -> kpis.add(Kpi.parse("kpi",
        l.ref())));
    List<Effect> effects = new ArrayList<>();
    for (Kpi kpi : kpis) {
      Double b = kpi.value(before);
      Double a = kpi.value(after);
      effects.add(new Effect(kpi, initiative.model(), initiative.modelVersion(), inForceAt, inForceAt.minus(window),
          afterTo, b, a, kpi.basis(before), kpi.basis(after), movement(b, a), null, now));
    }
    return tx.execute(status -> {
      Initiative evaluated = initiatives.transition(initiative, InitiativeState.EVALUATED, user, reason, now);
      effects.forEach(e -> initiatives.effect(id, e));
      return initiatives.get(evaluated.id());
    });
  }

  static String movement(Double before, Double after) {
    if (before == null || after == null) {
      return "unknown";
    }
    int c = Double.compare(Math.round(after * 10) / 10.0, Math.round(before * 10) / 10.0);
    return c > 0 ? "up" : c < 0 ? "down" : "same";
  }

  static int window(String field, int days) {
    if (days < 1 || days > MAX_WINDOW_DAYS) {
      throw InvalidInputException.of(field, days + " is not a window in days; give 1 to " + MAX_WINDOW_DAYS);
    }
    return days;
  }

  /** The model version, which must exist; refused naming {@code field} otherwise. */
  private ModelVersion modelVersion(String field, String model, int number) {
    try {
      return models.version(model, number);
    } catch (NotFoundException e) {
      throw InvalidInputException.of(field, "there is no version " + number + " of model \"" + model + "\"");
    }
  }
}
