package io.gantry.metrics;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * {@code gantry.kpi.evaluation.every} (off when empty, the default): the server evaluates the KPIs against their
 * targets on its own, once per elapsed period, as {@code gantry}. It looks every minute for periods that have
 * ended since the last periodic evaluation (the latest ended one when there was none yet); each is stored once,
 * whatever restarts or number of servers, since an evaluation holds its period's slot in a unique column. While no
 * target is set nothing is evaluated; once targets are set, the periods that ended since the last periodic
 * evaluation are evaluated with them. A bad value stops the server at start, naming the setting.
 */
@Component
class PeriodicKpiEvaluation {

  private static final Logger log = LoggerFactory.getLogger(PeriodicKpiEvaluation.class);
  static final String SETTING = "gantry.kpi.evaluation.every";
  /** At most this many periods are caught up with at once. */
  static final int CATCH_UP = 24;

  private final KpiEvaluations evaluations;
  private final KpiTargets targets;
  private final Clock clock;
  private final EvaluationEvery every;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-kpi-evaluations");
    t.setDaemon(true);
    return t;
  });

  PeriodicKpiEvaluation(KpiEvaluations evaluations, KpiTargets targets, Clock clock,
      @Value("${" + SETTING + ":}") String every) {
    this.evaluations = evaluations;
    this.targets = targets;
    this.clock = clock;
    this.every = EvaluationEvery.parse(SETTING, every);
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    if (every == null) {
      return;
    }
    loop.scheduleWithFixedDelay(() -> {
      try {
        runDue();
      } catch (RuntimeException e) {
        log.error("the periodic KPI evaluation failed; it is tried again in a minute", e);
      }
    }, 0, 1, TimeUnit.MINUTES);
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    loop.shutdownNow();
  }

  /** Evaluates every period that has ended and is due; returns the evaluations this call stored. */
  List<KpiEvaluation> runDue() {
    List<KpiEvaluation> stored = new ArrayList<>();
    if (every == null || targets.all().isEmpty()) {
      return stored;
    }
    Instant now = clock.instant();
    Instant current = every.spanStart(now);
    Instant start = evaluations.lastPeriodicEnd().map(every::spanStart).orElse(every.previous(current));
    int n = 0;
    for (Instant from = start; from.isBefore(current) && n < CATCH_UP; from = every.next(from), n++) {
      Instant to = every.next(from);
      evaluations.store(new Period(from, to), KpiEvaluations.SERVER, every.id() + "@" + from).ifPresent(e -> {
        log.info("KPIs evaluated for {} to {}: {} of {} targets missed", e.from(), e.to(), e.missed().size(),
            e.results().size());
        stored.add(e);
      });
    }
    return stored;
  }
}
