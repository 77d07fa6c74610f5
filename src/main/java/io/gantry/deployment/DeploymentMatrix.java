package io.gantry.deployment;

import io.gantry.catalog.ComponentRef;
import io.gantry.identity.Scope;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What runs where, for every component in every environment at once: the last deployment to each
 * place, the version its last successful deployment put there, and the deployments still under way
 * there (running, queued, or waiting, and for what). A few queries answer for every place, however many
 * there are: the places' last deployments (one step down an index per place), those rows, the last
 * successes where the last did not succeed, and the unfinished deployments with their current wait.
 */
@Component
public class DeploymentMatrix {

  /** The states of a deployment that is not over; the index on state finds these few among many. */
  private static final String UNFINISHED = "'REQUESTED', 'PLANNED', 'COMPONENTS_VERIFIED', 'ENVIRONMENT_VERIFIED', "
      + "'EXECUTING', 'VERIFYING', 'ROLLING_BACK'";

  private final JdbcClient jdbc;

  public DeploymentMatrix(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Which places to answer for: null parts mean any; {@code within} null means every scope. */
  public record Filter(String service, String environment, List<Scope> within) {

    public static final Filter ALL = new Filter(null, null, null);
  }

  /** One deployment as the matrix tells of it. */
  public record Entry(long id, String version, Deployment.Kind kind, DeploymentState state, Instant requestedAt,
      Instant startedAt, Instant finishedAt, String outcome) {}

  /**
   * One deployment still under way at a place: {@code waitingFor} and {@code waitingWhat} say what it
   * waits for now (null when it does not wait), since {@code waitingSince}.
   */
  public record Active(long id, String version, Deployment.Kind kind, DeploymentState state, Instant requestedAt,
      Instant plannedStart, DeploymentEvent.WaitKind waitingFor, String waitingWhat, Instant waitingSince) {

    /** Waits now for something (a lock, an approval, a window, a person...). */
    public boolean waiting() {
      return waitingFor != null || waitingWhat != null;
    }

    /** Not yet looked at by the engine (requested), and waiting for nothing it has found. */
    public boolean queued() {
      return !waiting() && state == DeploymentState.REQUESTED;
    }

    /** Past its request, being carried through its stage, and waiting for nothing. */
    public boolean running() {
      return !waiting() && state != DeploymentState.REQUESTED;
    }
  }

  /**
   * A component in an environment: its last deployment (null if none ended or started there yet, which
   * cannot happen for a cell of the matrix), its last successful one (null if none), and those under way.
   */
  public record Cell(String environment, ComponentRef component, Entry last, Entry lastSucceeded,
      List<Active> active) {

    /** The version the place runs now: that of its last success, unless that removed the component. */
    public String deployedVersion() {
      return lastSucceeded == null || lastSucceeded.kind() == Deployment.Kind.UNDEPLOY ? null : lastSucceeded.version();
    }

    public List<Active> running() {
      return active.stream().filter(Active::running).toList();
    }

    public List<Active> queued() {
      return active.stream().filter(Active::queued).toList();
    }

    public List<Active> waiting() {
      return active.stream().filter(Active::waiting).toList();
    }
  }

  /**
   * The places of the filter that have seen a deployment, keyed by environment and component. The places
   * are the catalog's components in the declared environments: deployments to a component or an
   * environment since removed from configuration are left out.
   */
  public Map<Place, Cell> cells(Filter filter) {
    Map<String, Object> params = new HashMap<>();
    String where = where(filter, params, "p.");
    // each place's last deployment: one step down the index on (service, component, environment, id) per place
    List<Long> lastIds = jdbc.sql("""
        select (select d.id from deployments d
                 where d.service = p.service and d.component = p.component and d.environment = p.environment
                 order by d.id desc limit 1) as last_id
          from (select s.name as service, c.name as component, e.name as environment
                  from components c join services s on s.id = c.service_id cross join environments e) p
          %s
        """.formatted(where)).params(params).query((rs, n) -> rs.getObject("last_id") == null ? null
            : rs.getLong("last_id")).list().stream().filter(java.util.Objects::nonNull).toList();
    Map<Place, Cell> cells = new LinkedHashMap<>();
    List<Long> lookAgain = new ArrayList<>();
    for (List<Long> chunk : chunks(lastIds)) {
      jdbc.sql("select " + COLUMNS + " from deployments where id in (:ids) order by id").param("ids", chunk)
          .query((rs, n) -> {
            Place place = place(rs);
            Entry last = entry(rs);
            boolean succeeded = last.state() == DeploymentState.SUCCEEDED;
            cells.put(place, new Cell(place.environment(), place.component(), last, succeeded ? last : null,
                new ArrayList<>()));
            if (!succeeded) {
              lookAgain.add(last.id());
            }
            return null;
          }).list();
    }
    // where the last did not succeed (a few places), the last that did
    for (List<Long> chunk : chunks(lookAgain)) {
      jdbc.sql("""
          select %s from deployments where id in (
            select (select d.id from deployments d
                     where d.service = x.service and d.component = x.component and d.environment = x.environment
                       and d.state = 'SUCCEEDED' order by d.id desc limit 1)
              from deployments x where x.id in (:ids))
          """.formatted(COLUMNS)).param("ids", chunk).query((rs, n) -> {
            Place place = place(rs);
            Cell cell = cells.get(place);
            cells.put(place, new Cell(cell.environment(), cell.component(), cell.last(), entry(rs), cell.active()));
            return null;
          }).list();
    }
    Map<String, Object> activeParams = new HashMap<>();
    String activeWhere = where(filter, activeParams, "d.");
    // the current wait: the deployment's last wait, unless it moved on since (a transition, a target or a step)
    jdbc.sql("""
        select d.id, d.environment, d.service, d.component, d.version, d.kind, d.state, d.requested_at,
               d.planned_start, w.waiting_for, w.message, w.at
          from deployments d
          left join deployment_events w
            on w.id = (select max(e.id) from deployment_events e where e.deployment_id = d.id and e.kind = 'WAIT')
           and not exists (select 1 from deployment_events x where x.deployment_id = d.id and x.id > w.id
                              and x.kind in ('TRANSITION', 'TARGET', 'STEP'))
          %s %s d.state in (%s)
         order by d.id
        """.formatted(activeWhere, activeWhere.isEmpty() ? "where" : "and", UNFINISHED)).params(activeParams)
        .query((rs, n) -> {
          Place place = new Place(rs.getString("environment"),
              new ComponentRef(rs.getString("service"), rs.getString("component")));
          String waitingFor = rs.getString("waiting_for");
          String message = rs.getString("message");
          Active active = new Active(rs.getLong("id"), rs.getString("version"),
              Deployment.Kind.valueOf(rs.getString("kind")), DeploymentState.valueOf(rs.getString("state")),
              instant(rs, "requested_at"), instant(rs, "planned_start"),
              waitingFor == null ? null : DeploymentEvent.WaitKind.valueOf(waitingFor),
              message == null ? null : message.startsWith("waiting for ") ? message.substring(12) : message,
              instant(rs, "at"));
          Cell cell = cells.get(place);
          if (cell != null) { // a deployment requested after the first query read its place is left for the next look
            cell.active().add(active);
          }
          return null;
        }).list();
    return cells;
  }

  /** An environment and a component: a cell of the matrix. */
  public record Place(String environment, ComponentRef component) {}

  private static String where(Filter filter, Map<String, Object> params, String alias) {
    List<String> conditions = new ArrayList<>();
    if (filter.service() != null) {
      conditions.add(alias + "service = :service");
      params.put("service", filter.service());
    }
    if (filter.environment() != null) {
      conditions.add(alias + "environment = :environment");
      params.put("environment", filter.environment());
    }
    if (filter.within() != null) {
      conditions.add(WithinScopes.condition(filter.within(), alias, params));
    }
    return conditions.isEmpty() ? "" : "where " + String.join(" and ", conditions);
  }

  private static final String COLUMNS = "id, environment, service, component, version, kind, state, requested_at, "
      + "started_at, finished_at, outcome";

  /** Lists of ids short enough for an {@code in} list on either database. */
  private static List<List<Long>> chunks(List<Long> ids) {
    List<List<Long>> out = new ArrayList<>();
    for (int i = 0; i < ids.size(); i += 1000) {
      out.add(ids.subList(i, Math.min(ids.size(), i + 1000)));
    }
    return out;
  }

  private static Place place(ResultSet rs) throws SQLException {
    return new Place(rs.getString("environment"), new ComponentRef(rs.getString("service"), rs.getString("component")));
  }

  private static Entry entry(ResultSet rs) throws SQLException {
    return new Entry(rs.getLong("id"), rs.getString("version"), Deployment.Kind.valueOf(rs.getString("kind")),
        DeploymentState.valueOf(rs.getString("state")), instant(rs, "requested_at"), instant(rs, "started_at"),
        instant(rs, "finished_at"), rs.getString("outcome"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
