package io.gantry.identity;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Names;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.OrderedBeans;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The roles users hold in a scope. A binding names a service or an environment that exists; each grant
 * and withdrawal is recorded in the identity history, in the caller's transaction. Bindings made
 * through the API have no name; those declared in configuration carry their document's name and are
 * changed only by applying configuration.
 */
@Repository
public class RoleBindings {

  private final JdbcClient jdbc;
  private final Clock clock;
  private final java.util.function.Supplier<List<ScopeNames>> names;

  @org.springframework.beans.factory.annotation.Autowired
  public RoleBindings(JdbcClient jdbc, Clock clock, ObjectProvider<ScopeNames> names) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.names = OrderedBeans.once(names);
  }

  /** For declared bindings only, whose names configuration checks (binding through the API needs the names). */
  public RoleBindings(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.names = () -> {
      throw new IllegalStateException("no service or environment names to check a binding against");
    };
  }

  /** The bindings that reach {@code user}: its own and those of its groups. */
  public List<RoleBinding> of(String user) {
    return of(jdbc, user);
  }

  static List<RoleBinding> of(JdbcClient jdbc, String user) {
    return jdbc.sql("""
        select * from role_bindings where user_name = :user
            or group_name in (select group_name from user_groups where user_name = :user)
         order by id
        """).param("user", user).query(RoleBindings::map).list();
  }

  /** The bindings naming this user or this group itself. */
  List<RoleBinding> naming(Subject subject) {
    return jdbc.sql("select * from role_bindings where " + (subject.group() ? "group_name" : "user_name")
        + " = :name order by id").param("name", subject.name()).query(RoleBindings::map).list();
  }

  List<RoleBinding> all() {
    return jdbc.sql("select * from role_bindings order by id").query(RoleBindings::map).list();
  }

  RoleBinding get(long id) {
    return jdbc.sql("select * from role_bindings where id = :id").param("id", id).query(RoleBindings::map)
        .optional().orElseThrow(() -> new NotFoundException("role binding", String.valueOf(id)));
  }

  /** Whom a binding names: a user, or a group whose members all hold it. */
  public record Subject(String name, boolean group) {

    /** The longest group name: a group is recorded in the identity history as {@code group:NAME}. */
    public static final int MAX_GROUP = 56;

    public static Subject user(String name) {
      return new Subject(name, false);
    }

    public static Subject group(String name) {
      return new Subject(name, true);
    }

    /** As the identity history names it: a user's name, or {@code group:NAME}, which no user can be called. */
    String recorded() {
      return group ? "group:" + name : name;
    }

    @Override
    public String toString() {
      return group ? "group " + name : name;
    }
  }

  /** Binds {@code role} to the subject in the scope; the same binding twice is refused. */
  RoleBinding bind(Subject subject, Role role, String service, String environment, Actor actor) {
    if (service == null && environment == null) {
      throw InvalidInputException.of("service", "a role binding names a service, an environment or both; a role "
          + "held everywhere is one of a user's own roles (PATCH /api/v1/users/{name})");
    }
    check("service", service);
    check("environment", environment);
    if (naming(subject).stream().anyMatch(b -> b.name() == null && b.role() == role
        && Objects.equals(b.service(), service) && Objects.equals(b.environment(), environment))) {
      throw new ConflictException(subject + " already holds " + role.id() + " in " + new Scope(service,
          environment));
    }
    Instant now = clock.instant();
    jdbc.sql("""
        insert into role_bindings (user_name, group_name, role, service, environment, created_at, created_by)
        values (:user, :group, :role, :service, :environment, :now, :by)
        """).param("user", subject.group() ? null : subject.name()).param("group", subject.group() ? subject.name()
            : null).param("role", role.id()).param("service", service).param("environment", environment)
        .param("now", Timestamp.from(now)).param("by", actor.name()).update();
    RoleBinding made = naming(subject).stream().filter(b -> b.name() == null).reduce((a, b) -> b).orElseThrow();
    IdentityHistory.record(jdbc, now, actor, IdentityHistory.Action.ROLE_BOUND, subject.recorded(), null,
        "binding #" + made.id() + ": " + role.id() + " in " + made.scope());
    return made;
  }

  /** The bindings configuration declared, by name. */
  public List<RoleBinding> declared() {
    return jdbc.sql("select * from role_bindings where name is not null order by name").query(RoleBindings::map)
        .list();
  }

  /** Records a binding declared in configuration; its names were checked against the configuration. */
  public void declare(RoleBindingDefinition d, Actor actor) {
    Instant now = clock.instant();
    jdbc.sql("""
        insert into role_bindings (user_name, group_name, role, service, environment, created_at, created_by, name)
        values (:user, :group, :role, :service, :environment, :now, :by, :name)
        """).param("user", d.user()).param("group", d.group()).param("role", d.role().id()).param("service", d.service())
        .param("environment", d.environment()).param("now", Timestamp.from(now)).param("by", actor.name())
        .param("name", d.name()).update();
    IdentityHistory.record(jdbc, now, actor, IdentityHistory.Action.ROLE_BOUND, d.subject().recorded(), null,
        "RoleBinding " + d.name() + ": " + d.role().id() + " in " + new Scope(d.service(), d.environment()));
  }

  /** Changes a declared binding to what configuration now says. */
  public void redeclare(RoleBindingDefinition d, Actor actor) {
    withdraw(d.name(), actor);
    declare(d, actor);
  }

  /** Withdraws a declared binding that configuration no longer declares. */
  public void withdraw(String name, Actor actor) {
    RoleBinding b = jdbc.sql("select * from role_bindings where name = :name").param("name", name)
        .query(RoleBindings::map).optional().orElseThrow(() -> new NotFoundException("role binding", name));
    jdbc.sql("delete from role_bindings where id = :id").param("id", b.id()).update();
    IdentityHistory.record(jdbc, clock.instant(), actor, IdentityHistory.Action.ROLE_UNBOUND, b.subject().recorded(),
        null, "RoleBinding " + name + ": " + b.role().id() + " in " + b.scope() + " withdrawn");
  }

  RoleBinding unbind(long id, Actor actor) {
    RoleBinding b = get(id);
    if (b.name() != null) {
      throw new ConflictException("role binding " + id + " is declared in configuration as RoleBinding \""
          + b.name() + "\"; remove it there and apply");
    }
    jdbc.sql("delete from role_bindings where id = :id").param("id", id).update();
    IdentityHistory.record(jdbc, clock.instant(), actor, IdentityHistory.Action.ROLE_UNBOUND, b.subject().recorded(),
        null, "binding #" + id + ": " + b.role().id() + " in " + b.scope() + " withdrawn");
    return b;
  }

  private void check(String kind, String name) {
    if (name == null) {
      return;
    }
    Names.require(kind, name);
    boolean exists = names.get().stream().filter(n -> n.kind().equals(kind)).anyMatch(n -> n.exists(name));
    if (!exists) {
      throw InvalidInputException.of(kind, "there is no " + kind + " \"" + name + "\"");
    }
  }

  private static RoleBinding map(ResultSet rs, int row) throws SQLException {
    return new RoleBinding(rs.getLong("id"), rs.getString("user_name"), rs.getString("group_name"),
        Role.fromId(rs.getString("role")), rs.getString("service"), rs.getString("environment"),
        rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"), rs.getString("name"));
  }
}
