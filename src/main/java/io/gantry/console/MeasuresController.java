package io.gantry.console;

import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.gantry.metrics.DailyMeasures;
import io.gantry.metrics.DoraReport;
import io.gantry.metrics.KpiReport;
import io.gantry.metrics.Measures;
import io.gantry.metrics.MetricsFilter;
import io.gantry.metrics.Period;
import io.gantry.metrics.ValueStreamMap;
import io.gantry.shared.InvalidInputException;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import tools.jackson.databind.json.JsonMapper;

/**
 * The measures page: the practice KPIs, the DORA measures and the value stream map of a period and
 * scope, as the metrics API gives them (through the same reports and the same scope rule), with the
 * daily trends drawn as charts by measures.js.
 */
@Controller
class MeasuresController {

  /** The period shown when none is asked for: the last 30 days, today included. */
  static final int DEFAULT_DAYS = 30;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Measures measures;
  private final Access access;
  private final Clock clock;

  MeasuresController(Measures measures, Access access, Clock clock) {
    this.measures = measures;
    this.access = access;
    this.clock = clock;
  }

  @GetMapping("/console/measures")
  String measures(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
      @RequestParam(required = false) String service, @RequestParam(required = false) String environment,
      @RequestParam(required = false) String tolerance, Authentication signedIn, Model model,
      HttpServletResponse response) {
    String user = signedIn.getName();
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    from = blank(from) ? today.minusDays(DEFAULT_DAYS - 1).toString() : from.strip();
    to = blank(to) ? today.toString() : to.strip();
    service = blank(service) ? null : service.strip();
    environment = blank(environment) ? null : environment.strip();
    tolerance = blank(tolerance) ? null : tolerance.strip();

    Access.Reach reach = access.reach(user, Access.INSIDERS);
    List<MeasuresPage.ScopeLink> scopes = new ArrayList<>();
    String notice = null;
    if (!reach.everywhere()) {
      for (Scope s : reach.scopes()) {
        scopes.add(new MeasuresPage.ScopeLink(s.toString(), link(from, to, s.service(), s.environment(), tolerance)));
      }
      if (service == null && environment == null && !reach.scopes().isEmpty()) {
        // a report counts everything its filter lets through: a scoped user's report is over one of its scopes
        Scope first = reach.scopes().getFirst();
        service = first.service();
        environment = first.environment();
        notice = "Your roles are held in scopes, and a report counts every deployment in its scope: showing "
            + first + ", the first of your scopes. Choose another below.";
      }
    }
    String cli = cli(from, to, service, environment, tolerance);
    String refusal = null;
    Period period = null;
    Duration minutes = null;
    MetricsFilter filter = new MetricsFilter(service, environment, null, null);
    try {
      period = Period.parse(from, to, clock);
      minutes = minutes(tolerance);
      measures.requireCovers(user, filter, "the measures");
    } catch (InvalidInputException e) {
      refusal = e.getMessage();
      response.setStatus(422);
    } catch (AccessDeniedException e) {
      refusal = reach.scopes().isEmpty() && !reach.everywhere()
          ? "None of your roles lets you read measures: they need a role of the organization, held everywhere "
              + "or in a service or environment."
          : e.getMessage();
      response.setStatus(403);
    }
    KpiReport kpis = null;
    DoraReport dora = null;
    ValueStreamMap map = null;
    DailyMeasures daily = null;
    String kpisProblem = null;
    String doraProblem = null;
    String mapProblem = null;
    String dailyProblem = null;
    String charts = null;
    if (refusal == null) {
      Period p = period;
      Duration t = minutes;
      Attempt<KpiReport> k = attempt(() -> measures.kpis(user, p, filter, t));
      Attempt<DoraReport> d = attempt(() -> measures.dora(user, p, filter));
      Attempt<ValueStreamMap> v = attempt(() -> measures.valueStream(user, p, filter));
      Attempt<DailyMeasures> y = attempt(() -> measures.daily(user, p, filter));
      kpis = k.value();
      kpisProblem = k.problem();
      dora = d.value();
      doraProblem = d.problem();
      map = v.value();
      mapProblem = v.problem();
      daily = y.value();
      dailyProblem = y.problem();
      charts = charts(daily, map, dora != null);
    }
    model.addAttribute("page", new MeasuresPage(from, to, service, environment, tolerance, scopes, notice, refusal,
        cli, kpis, kpisProblem, dora, doraProblem, map, mapProblem, daily, dailyProblem, charts));
    return "measures";
  }

  private record Attempt<T>(T value, String problem) {}

  /** A report, or why it cannot be given (a non-production environment has no DORA measures). */
  private static <T> Attempt<T> attempt(Supplier<T> report) {
    try {
      return new Attempt<>(report.get(), null);
    } catch (InvalidInputException | AccessDeniedException e) {
      return new Attempt<>(null, e.getMessage());
    }
  }

  private static Duration minutes(String tolerance) {
    if (tolerance == null) {
      return null;
    }
    try {
      return Duration.ofMinutes(Long.parseLong(tolerance));
    } catch (NumberFormatException e) {
      throw InvalidInputException.of("tolerance", "\"" + tolerance + "\" is not a number of minutes (0 to 1440)");
    }
  }

  /** The data measures.js draws: the days, and the value stream's process and wait time per activity. */
  static String charts(DailyMeasures daily, ValueStreamMap map, boolean dora) {
    Map<String, Object> data = new LinkedHashMap<>();
    List<Map<String, Object>> days = new ArrayList<>();
    if (daily != null) {
      for (DailyMeasures.Day d : daily.days()) {
        Map<String, Object> day = new LinkedHashMap<>();
        day.put("day", d.day().toString());
        day.put("succeeded", d.succeeded());
        day.put("failed", d.failed());
        day.put("rolledBack", d.rolledBack());
        day.put("cancelled", d.cancelled());
        day.put("leadTime", d.leadTimeMedianSeconds());
        day.put("changeLeadTime", d.changeLeadTimeMedianSeconds());
        day.put("production", d.productionDeployments());
        day.put("changeFailPercent", d.changeFailPercent());
        day.put("recovery", d.recoveryMedianSeconds());
        days.add(day);
      }
    }
    data.put("days", days);
    data.put("dora", dora);
    List<Map<String, Object>> activities = new ArrayList<>();
    if (map != null) {
      for (ValueStreamMap.ActivityRow a : map.activities()) {
        activities.add(Map.of("activity", a.activity(), "process", a.processSeconds(), "wait", a.waitSeconds()));
      }
    }
    data.put("activities", activities);
    return JSON.writeValueAsString(data);
  }

  static String link(String from, String to, String service, String environment, String tolerance) {
    StringBuilder href = new StringBuilder("/console/measures?from=" + encode(from) + "&to=" + encode(to));
    if (service != null) {
      href.append("&service=").append(encode(service));
    }
    if (environment != null) {
      href.append("&environment=").append(encode(environment));
    }
    if (tolerance != null) {
      href.append("&tolerance=").append(encode(tolerance));
    }
    return href.toString();
  }

  /** The CLI command that prints the same figures. */
  static String cli(String from, String to, String service, String environment, String tolerance) {
    return "gantry metrics --from " + from + " --to " + to + (service == null ? "" : " --service " + service)
        + (environment == null ? "" : " --environment " + environment)
        + (tolerance == null ? "" : " --tolerance " + tolerance);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
