package io.gantry.metrics;

import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import java.time.Duration;
import org.springframework.stereotype.Service;

/**
 * The period reports for other modules (the console): the same reports as the metrics API, refused
 * the same way. A user whose roles are all held in scopes asks for a service and/or environment lying
 * wholly inside one of them, since a report counts every deployment its filter lets through.
 */
@Service
public class Measures {

  private final KpiReports kpis;
  private final DoraReports dora;
  private final ValueStreams valueStreams;
  private final DailyTrends daily;
  private final Access access;

  Measures(KpiReports kpis, DoraReports dora, ValueStreams valueStreams, DailyTrends daily, Access access) {
    this.kpis = kpis;
    this.dora = dora;
    this.valueStreams = valueStreams;
    this.daily = daily;
    this.access = access;
  }

  /** Refused (AccessDeniedException) unless every deployment the filter lets through lies inside the user's scopes. */
  public void requireCovers(String user, MetricsFilter filter, String what) {
    MetricsFilter f = filter == null ? MetricsFilter.NONE : filter;
    access.reach(user, Access.INSIDERS).requireCovers(what, new Scope(f.service(), f.environment()));
  }

  /** The practice KPIs, as {@code GET /api/v1/metrics/kpis}; a null tolerance is the default 15 minutes. */
  public KpiReport kpis(String user, Period period, MetricsFilter filter, Duration tolerance) {
    requireCovers(user, filter, "the KPIs");
    return kpis.report(period, filter, tolerance);
  }

  /** The DORA measures, as {@code GET /api/v1/metrics/dora}. */
  public DoraReport dora(String user, Period period, MetricsFilter filter) {
    requireCovers(user, filter, "the DORA measures");
    return dora.report(period, filter);
  }

  /** The value stream map, as {@code GET /api/v1/vsm}. */
  public ValueStreamMap valueStream(String user, Period period, MetricsFilter filter) {
    requireCovers(user, filter, "the value stream map");
    return valueStreams.map(period, filter);
  }

  /** The same measures day by day, for trends. */
  public DailyMeasures daily(String user, Period period, MetricsFilter filter) {
    requireCovers(user, filter, "the daily measures");
    return daily.daily(period, filter);
  }
}
