package io.gantry.improvement;

import io.gantry.improvement.Initiative.Direction;
import io.gantry.improvement.Initiative.Effect;
import io.gantry.improvement.Initiative.Link;
import io.gantry.improvement.Initiative.LinkKind;
import io.gantry.improvement.Initiative.Transition;
import io.gantry.shared.ConflictException;
import io.gantry.shared.NotFoundException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Repository;

/**
 * The register of improvement initiatives with their links, state history and measured effects. Every change of
 * state goes through {@link #transition}, which refuses what {@link InitiativeState} does not allow and what
 * changed since the initiative was read.
 */
@Repository
class Initiatives {

  private final JdbcClient jdbc;

  Initiatives(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** What a new initiative is. */
  record NewInitiative(String title, String description, String owner, String expectedEffect, Kpi kpi,
      Direction direction, int windowDays) {}

  Initiative register(NewInitiative n, String by, Instant now) {
    var keys = new GeneratedKeyHolder();
    jdbc.sql("""
        insert into improvement_initiatives (title, description, owner, state, expected_effect, kpi, direction,
                                             window_days, created_by, created_at, updated_at)
        values (:title, :description, :owner, 'PROPOSED', :effect, :kpi, :direction, :window, :by, :now, :now)
        """).param("title", n.title()).param("description", n.description()).param("owner", n.owner())
        .param("effect", n.expectedEffect()).param("kpi", n.kpi().name()).param("direction", n.direction().name())
        .param("window", n.windowDays()).param("by", by).param("now", Timestamp.from(now)).update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    history(id, null, InitiativeState.PROPOSED, by, "registered", now);
    return get(id);
  }

  /** Moves an initiative to another state, as read in {@code initiative}; refused unless the table allows it. */
  Initiative transition(Initiative initiative, InitiativeState to, String by, String reason, Instant now) {
    if (!initiative.state().canBecome(to)) {
      throw new ConflictException("initiative #" + initiative.id() + " is " + initiative.state().id()
          + " and cannot become " + to.id() + (initiative.state().next().isEmpty() ? "; it has ended"
          : "; it may become " + initiative.state().next().stream().map(InitiativeState::id).toList()));
    }
    int changed = jdbc.sql("""
        update improvement_initiatives set state = :to, updated_at = :now, row_version = row_version + 1
         where id = :id and row_version = :version
        """).param("to", to.name()).param("now", Timestamp.from(now)).param("id", initiative.id())
        .param("version", initiative.rowVersion()).update();
    if (changed == 0) {
      throw new ConflictException("initiative #" + initiative.id() + " has changed since it was read; try again");
    }
    history(initiative.id(), initiative.state(), to, by, reason, now);
    return get(initiative.id());
  }

  /** Records the model version that implemented an initiative; refused when one is recorded already. */
  Initiative implementedBy(Initiative initiative, String model, int version, Instant now) {
    int changed = jdbc.sql("""
        update improvement_initiatives set model = :model, model_version = :version, updated_at = :now,
               row_version = row_version + 1
         where id = :id and model is null
        """).param("model", model).param("version", version).param("now", Timestamp.from(now))
        .param("id", initiative.id()).update();
    if (changed == 0) {
      throw new ConflictException("initiative #" + initiative.id() + " is implemented by " + initiative.model()
          + " v" + initiative.modelVersion() + " already");
    }
    return get(initiative.id());
  }

  /** Links an initiative to something; refused when it is linked to it already. */
  Initiative link(Initiative initiative, LinkKind kind, String ref, String by, Instant now) {
    if (initiative.links().stream().anyMatch(l -> l.kind() == kind && l.ref().equals(ref))) {
      throw new ConflictException("initiative #" + initiative.id() + " is linked to " + kind.id() + " " + ref
          + " already");
    }
    jdbc.sql("""
        insert into initiative_links (initiative_id, kind, ref, linked_by, linked_at)
        values (:id, :kind, :ref, :by, :now)
        """).param("id", initiative.id()).param("kind", kind.name()).param("ref", ref).param("by", by)
        .param("now", Timestamp.from(now)).update();
    return get(initiative.id());
  }

  /** Stores the measured effect on one KPI. */
  void effect(long initiative, Effect e) {
    jdbc.sql("""
        insert into initiative_effects (initiative_id, kpi, model, model_version, in_force_at, before_from, after_to,
                                        before_value, after_value, before_basis, after_basis, verdict, measured_at)
        values (:id, :kpi, :model, :version, :inForce, :beforeFrom, :afterTo, :before, :after, :beforeBasis,
                :afterBasis, :verdict, :at)
        """).param("id", initiative).param("kpi", e.kpi().name()).param("model", e.model())
        .param("version", e.modelVersion()).param("inForce", Timestamp.from(e.inForceAt()))
        .param("beforeFrom", Timestamp.from(e.beforeFrom())).param("afterTo", Timestamp.from(e.afterTo()))
        .param("before", e.before()).param("after", e.after()).param("beforeBasis", e.beforeBasis())
        .param("afterBasis", e.afterBasis()).param("verdict", e.movement()).param("at", Timestamp.from(e.measuredAt()))
        .update();
  }

  Initiative get(long id) {
    return find(id).orElseThrow(() -> new NotFoundException("initiative", String.valueOf(id)));
  }

  Optional<Initiative> find(long id) {
    return jdbc.sql("select * from improvement_initiatives where id = :id").param("id", id)
        .query((rs, n) -> map(rs)).optional().map(this::complete);
  }

  /** Every initiative, newest first, of {@code state} (null for any). */
  List<Initiative> all(InitiativeState state) {
    return jdbc.sql("""
        select * from improvement_initiatives where cast(:state as varchar(20)) is null or state = :state
         order by id desc
        """).param("state", state == null ? null : state.name()).query((rs, n) -> map(rs)).list().stream()
        .map(this::complete).toList();
  }

  private Initiative complete(Initiative i) {
    List<Link> links = jdbc.sql("select * from initiative_links where initiative_id = :id order by id")
        .param("id", i.id()).query((rs, n) -> new Link(LinkKind.valueOf(rs.getString("kind")), rs.getString("ref"),
            rs.getString("linked_by"), Reviews.instant(rs, "linked_at"))).list();
    List<Transition> history = jdbc.sql("select * from initiative_history where initiative_id = :id order by id")
        .param("id", i.id()).query((rs, n) -> new Transition(
            rs.getString("from_state") == null ? null : InitiativeState.valueOf(rs.getString("from_state")),
            InitiativeState.valueOf(rs.getString("to_state")), rs.getString("actor"), rs.getString("reason"),
            Reviews.instant(rs, "at"))).list();
    List<Effect> effects = jdbc.sql("select * from initiative_effects where initiative_id = :id order by id")
        .param("id", i.id()).query((rs, n) -> {
          Kpi kpi = Kpi.valueOf(rs.getString("kpi"));
          String movement = rs.getString("verdict");
          Boolean asExpected = kpi != i.kpi() || movement.equals("unknown") ? null
              : movement.equals(i.direction().id());
          return new Effect(kpi, rs.getString("model"), rs.getInt("model_version"),
              Reviews.instant(rs, "in_force_at"), Reviews.instant(rs, "before_from"), Reviews.instant(rs, "after_to"),
              number(rs, "before_value"), number(rs, "after_value"), rs.getLong("before_basis"),
              rs.getLong("after_basis"), movement, asExpected, Reviews.instant(rs, "measured_at"));
        }).list();
    return new Initiative(i.id(), i.title(), i.description(), i.owner(), i.state(), i.expectedEffect(), i.kpi(),
        i.direction(), i.windowDays(), i.model(), i.modelVersion(), i.createdBy(), i.createdAt(), i.updatedAt(),
        i.rowVersion(), links, history, effects);
  }

  private void history(long id, InitiativeState from, InitiativeState to, String by, String reason, Instant now) {
    jdbc.sql("""
        insert into initiative_history (initiative_id, from_state, to_state, actor, reason, at)
        values (:id, :from, :to, :by, :reason, :now)
        """).param("id", id).param("from", from == null ? null : from.name()).param("to", to.name())
        .param("by", by).param("reason", reason).param("now", Timestamp.from(now)).update();
  }

  private static Initiative map(ResultSet rs) throws SQLException {
    int version = rs.getInt("model_version");
    Integer modelVersion = rs.wasNull() ? null : version;
    return new Initiative(rs.getLong("id"), rs.getString("title"), rs.getString("description"),
        rs.getString("owner"), InitiativeState.valueOf(rs.getString("state")), rs.getString("expected_effect"),
        Kpi.valueOf(rs.getString("kpi")), Direction.valueOf(rs.getString("direction")), rs.getInt("window_days"),
        rs.getString("model"), modelVersion, rs.getString("created_by"), Reviews.instant(rs, "created_at"),
        Reviews.instant(rs, "updated_at"), rs.getLong("row_version"), List.of(), List.of(), List.of());
  }

  private static Double number(ResultSet rs, String column) throws SQLException {
    double v = rs.getDouble(column);
    return rs.wasNull() ? null : v;
  }
}
