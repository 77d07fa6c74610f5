package io.gantry.improvement;

import io.gantry.deployment.Deployments;
import io.gantry.deployment.FailedDeployment;
import io.gantry.identity.Scope;
import io.gantry.shared.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * Groups the failed and rolled-back deployments of a period by one of their causes (error signature, step, target,
 * stage, model version), most frequent first, each with its count per week (per day for periods of up to 14 days).
 */
@Service
public class FailureAnalysis {

  /** Periods up to this long are counted per day, longer ones per week. */
  static final Duration DAILY_UP_TO = Duration.ofDays(14);

  /** What failures are grouped by. */
  public enum By {
    SIGNATURE, STEP, TARGET, STAGE, MODEL;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The grouping of that id; refused naming {@code field} otherwise. */
    public static By parse(String field, String id) {
      if (id == null || id.isBlank()) {
        return SIGNATURE;
      }
      return Arrays.stream(values()).filter(b -> b.id().equals(id.strip().toLowerCase(Locale.ROOT))).findFirst()
          .orElseThrow(() -> InvalidInputException.of(field, "\"" + id + "\" is not a grouping; use one of "
              + Arrays.stream(values()).map(By::id).collect(Collectors.joining(", "))));
    }
  }

  /** One failed or rolled-back deployment with its causes, as grouped. */
  public record Failure(long deployment, String service, String environment, String model, int modelVersion,
      String stage, String step, String target, String signature, String state, Instant endedAt) {}

  /**
   * One group: its key (the signature; {@code model/step}; the target; {@code model/stage}; {@code model vN}), how
   * many failures, how many rolled back, the most frequent signature in it, when it last happened, the counts per
   * bucket of the trend, and the ids of its deployments (newest first, at most 20).
   */
  public record Group(String key, long count, long rolledBack, String topSignature, Instant lastSeen,
      List<Long> trend, List<Long> deployments) {}

  /** The analysis: its period, the grouping, the buckets' starts and their unit, and the groups. */
  public record Analysis(Instant from, Instant to, String by, String bucket, List<Instant> buckets, long failures,
      List<Group> groups) {}

  private final Deployments deployments;

  public FailureAnalysis(Deployments deployments) {
    this.deployments = deployments;
  }

  /** The failures of {@code [from, to)} inside {@code within} (null for all), each with its signature. */
  public List<Failure> failures(Instant from, Instant to, List<Scope> within) {
    return deployments.failedBetween(from, to, within).stream().map(FailureAnalysis::failure).toList();
  }

  /** The failures of the period inside {@code within} (null for all) grouped {@code by}, most frequent first. */
  public Analysis analyse(Instant from, Instant to, By by, List<Scope> within) {
    List<Failure> failures = failures(from, to, within);
    boolean daily = Duration.between(from, to).compareTo(DAILY_UP_TO) <= 0;
    List<Instant> buckets = buckets(from, to, daily);
    Map<String, List<Failure>> grouped = failures.stream()
        .collect(Collectors.groupingBy(key(by), LinkedHashMap::new, Collectors.toList()));
    List<Group> groups = new ArrayList<>();
    grouped.forEach((key, members) -> {
      Long[] trend = new Long[buckets.size()];
      Arrays.fill(trend, 0L);
      for (Failure f : members) {
        trend[bucketOf(buckets, f.endedAt())]++;
      }
      String top = members.stream().collect(Collectors.groupingBy(Failure::signature, Collectors.counting()))
          .entrySet().stream().max(Map.Entry.<String, Long>comparingByValue()
              .thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
          .map(Map.Entry::getKey).orElseThrow();
      List<Long> ids = members.stream().sorted(Comparator.comparing(Failure::endedAt).reversed())
          .map(Failure::deployment).limit(20).toList();
      groups.add(new Group(key, members.size(), members.stream().filter(f -> f.state().equals("ROLLED_BACK"))
          .count(), top, members.stream().map(Failure::endedAt).max(Comparator.naturalOrder()).orElseThrow(),
          List.of(trend), ids));
    });
    groups.sort(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::lastSeen,
        Comparator.reverseOrder()).thenComparing(Group::key));
    return new Analysis(from, to, by.id(), daily ? "day" : "week", buckets, failures.size(), groups);
  }

  static Function<Failure, String> key(By by) {
    return switch (by) {
      case SIGNATURE -> Failure::signature;
      case STEP -> f -> f.model() + "/" + (f.step() == null ? "(no step)" : f.step());
      case TARGET -> f -> f.target() == null ? "(no target)" : f.target();
      case STAGE -> f -> f.model() + "/" + f.stage();
      case MODEL -> f -> f.model() + " v" + f.modelVersion();
    };
  }

  /** The starts of the days, or of the weeks (Mondays, UTC), the period touches. */
  static List<Instant> buckets(Instant from, Instant to, boolean daily) {
    var start = from.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS);
    if (!daily) {
      start = start.with(TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY));
    }
    List<Instant> buckets = new ArrayList<>();
    for (var b = start; b.toInstant().isBefore(to); b = daily ? b.plusDays(1) : b.plusWeeks(1)) {
      buckets.add(b.toInstant());
    }
    return buckets;
  }

  private static int bucketOf(List<Instant> buckets, Instant at) {
    for (int i = buckets.size() - 1; i >= 0; i--) {
      if (!at.isBefore(buckets.get(i))) {
        return i;
      }
    }
    return 0;
  }

  private static Failure failure(FailedDeployment f) {
    var d = f.deployment();
    String signature = f.step() == null ? Signatures.of(null, d.outcome()) : Signatures.of(f.output(),
        f.outcome());
    return new Failure(d.id(), d.component().service(), d.environment(), d.model(), d.modelVersion(), d.stage(),
        f.step(), f.target(), signature, d.state().name(), d.finishedAt());
  }
}
