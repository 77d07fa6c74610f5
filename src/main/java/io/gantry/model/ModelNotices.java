package io.gantry.model;

import io.gantry.catalog.Components;
import io.gantry.catalog.Service;
import io.gantry.catalog.Services;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.identity.User;
import io.gantry.identity.Users;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The communication of a model update (practice guide Table 3.2): when a version comes into force, one notice per
 * person it concerns, in that person's inbox, saying why they are told; who read it and when is recorded. Told are
 * the model's stakeholders ({@code user:NAME}, and every enabled user holding {@code role:ID} as their own role or in
 * a service that uses the model) and the owners of the services that use it, each only while they may read the model
 * (a role inside the organisation, everywhere or in a service that uses it). A notice shows the version's diff from
 * the version before, its reason and the agreement comments.
 */
@Component
public class ModelNotices {

  private final JdbcClient jdbc;
  private final Clock clock;
  private final Components components;
  private final Services services;
  private final Users users;
  private final Access access;
  private final ApplicationEventPublisher events;

  /** With the catalog and users kept in the same database; that a version came into force is told to nobody else. */
  public ModelNotices(JdbcClient jdbc, Clock clock) {
    this(jdbc, clock, event -> { });
  }

  /** With the catalog and users kept in the same database, publishing {@link ModelVersionCameIntoForce} to events. */
  public ModelNotices(JdbcClient jdbc, Clock clock, ApplicationEventPublisher events) {
    this(jdbc, clock, new Components(jdbc, clock), new Services(jdbc, clock), new Users(jdbc, clock),
        new Access(new Users(jdbc, clock), jdbc), events);
  }

  @org.springframework.beans.factory.annotation.Autowired
  public ModelNotices(JdbcClient jdbc, Clock clock, Components components, Services services, Users users,
      Access access, ApplicationEventPublisher events) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.components = components;
    this.services = services;
    this.users = users;
    this.access = access;
    this.events = events;
  }

  /** A decision on a proposal, as a notice shows it. */
  public record Decision(String user, String decision, String comment, Instant decidedAt) {}

  /** One notice: to whom, why, about which version, and whether it was read. */
  public record Notice(long id, String user, String model, int version, String why, Instant createdAt,
      Instant readAt, String author, String reason, String diff, List<Decision> decisions) {}

  /**
   * Records the notices of {@code version} of {@code model}, which has just come into force in place of version
   * {@code replaced} (null for the first), and publishes {@link ModelVersionCameIntoForce}. The version that retires a
   * model (no text) is told to nobody.
   */
  void record(DeploymentModel model, ModelVersion version, Integer replaced, Instant now) {
    if (model.definition() == null) {
      return;
    }
    Map<String, String> told = recipients(model);
    told.forEach((user, why) -> jdbc.sql("""
        insert into model_notices (model_id, version_number, user_name, why, created_at)
        values (:model, :number, :user, :why, :now)
        """).param("model", model.id()).param("number", version.number()).param("user", user).param("why", why)
        .param("now", Timestamp.from(now)).update());
    events.publishEvent(new ModelVersionCameIntoForce(model.name(), version.number(), replaced, version.author(),
        version.reason(), version.inForceNote(), version.signers(), told.size(), now));
  }

  /** The people a version of the model concerns, each with why, stakeholders first. */
  Map<String, String> recipients(DeploymentModel model) {
    Map<String, String> out = new LinkedHashMap<>();
    Set<String> used = ModelServices.of(model, components.all());
    for (String entry : model.definition().spec().stakeholders()) {
      if (entry.startsWith("user:")) {
        String name = entry.substring(5);
        if (users.find(name).filter(u -> !u.disabled()).isPresent()) {
          out.putIfAbsent(name, "stakeholder of model " + model.name());
        }
      } else if (entry.startsWith("role:")) {
        Role role = Role.fromId(entry.substring(5));
        List<Scope> scopes = used.isEmpty() ? List.of(Scope.NONE) : used.stream().map(Scope::service).toList();
        for (User u : enabledUsers()) {
          if (scopes.stream().anyMatch(s -> access.rolesIn(u.name(), s).contains(role))) {
            out.putIfAbsent(u.name(), "stakeholder of model " + model.name() + " (" + entry + ")");
          }
        }
      }
    }
    for (String service : used) {
      services.find(service).map(Service::definition).map(d -> d.owner())
          .filter(o -> o != null && users.find(o).filter(u -> !u.disabled()).isPresent())
          .ifPresent(o -> out.putIfAbsent(o, "owner of service " + service + ", which uses model " + model.name()));
    }
    // a notice shows the model's diff: told is only who may read the model (a supplier, or a user without a role
    // inside the organisation there, may not, whatever the stakeholders say)
    out.keySet().removeIf(user -> !mayRead(user, used));
    return out;
  }

  /** Whether {@code user} may read a model used by {@code used}, as the models API decides it. */
  private boolean mayRead(String user, Set<String> used) {
    Access.Reach reach = access.reach(user, Access.INSIDERS);
    return reach.everywhere() || used.stream().anyMatch(reach::seesService);
  }

  private List<User> enabledUsers() {
    List<User> out = new ArrayList<>();
    for (int p = 0; ; p++) {
      Page<User> page = users.page(new PageRequest(p, PageRequest.MAX_SIZE));
      page.items().stream().filter(u -> !u.disabled()).forEach(out::add);
      if (!page.hasNext()) {
        return out;
      }
    }
  }

  private static final String SELECT = """
      select n.*, m.name as model_name, v.author, v.reason, v.diff from model_notices n
        join deployment_models m on m.id = n.model_id
        join model_versions v on v.model_id = n.model_id and v.number = n.version_number
      """;

  /** The notices of {@code user}, newest first; {@code unread} keeps only those not read yet. */
  public Page<Notice> inbox(String user, boolean unread, PageRequest request) {
    String where = " where n.user_name = :user" + (unread ? " and n.read_at is null" : "");
    long total = jdbc.sql("select count(*) from model_notices n" + where).param("user", user).query(Long.class)
        .single();
    List<Notice> items = jdbc.sql(SELECT + where + " order by n.id desc limit :limit offset :offset")
        .param("user", user).param("limit", request.size()).param("offset", request.offset()).query(this::map)
        .list();
    return new Page<>(items, request.page(), request.size(), total);
  }

  /** One notice of {@code user}; another person's notice is not found. */
  public Notice notice(String user, long id) {
    return jdbc.sql(SELECT + " where n.id = :id and n.user_name = :user").param("id", id).param("user", user)
        .query(this::map).optional().orElseThrow(() -> new NotFoundException("notice", String.valueOf(id)));
  }

  /** Marks {@code user}'s notice read, now, unless it was read before (the first reading is kept). */
  public Notice read(String user, long id) {
    notice(user, id);
    jdbc.sql("update model_notices set read_at = :now where id = :id and user_name = :user and read_at is null")
        .param("now", Timestamp.from(clock.instant())).param("id", id).param("user", user).update();
    return notice(user, id);
  }

  /** Every notice of one version: who was told, why, and when each read it. */
  public List<Notice> ofVersion(String model, int version) {
    return jdbc.sql(SELECT + " where m.name = :model and n.version_number = :version order by n.user_name")
        .param("model", model).param("version", version).query(this::map).list();
  }

  private Notice map(ResultSet rs, int row) throws SQLException {
    Timestamp read = rs.getTimestamp("read_at");
    long modelId = rs.getLong("model_id");
    int version = rs.getInt("version_number");
    return new Notice(rs.getLong("id"), rs.getString("user_name"), rs.getString("model_name"), version,
        rs.getString("why"), rs.getTimestamp("created_at").toInstant(), read == null ? null : read.toInstant(),
        rs.getString("author"), rs.getString("reason"), rs.getString("diff"), decisions(modelId, version));
  }

  private List<Decision> decisions(long modelId, int version) {
    return jdbc.sql("""
        select * from model_agreements where model_id = :model and version_number = :version order by decided_at, id
        """).param("model", modelId).param("version", version)
        .query((rs, i) -> new Decision(rs.getString("user_name"), rs.getString("decision"), rs.getString("comment"),
            rs.getTimestamp("decided_at").toInstant())).list();
  }
}
