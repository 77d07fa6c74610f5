package io.gantry.identity;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The users, stored with optimistic locking. Every creation and change is recorded in the identity
 * history with its actor, in the caller's transaction.
 */
@Repository
public class Users {

  private final JdbcClient jdbc;
  private final Clock clock;

  public Users(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  public long count() {
    return jdbc.sql("select count(*) from users").query(Long.class).single();
  }

  public Page<User> page(PageRequest request) {
    return new Page<>(jdbc.sql("select * from users order by name limit :limit offset :offset")
        .param("limit", request.size()).param("offset", request.offset()).query(Users::map).list(),
        request.page(), request.size(), count());
  }

  public Optional<User> find(String name) {
    return jdbc.sql("select * from users where name = :name").param("name", name).query(Users::map).optional();
  }

  public User create(String name, String displayName, Set<Role> roles, Actor actor) {
    Instant now = clock.instant();
    jdbc.sql("""
        insert into users (name, display_name, roles, disabled, created_at, created_by, row_version)
        values (:name, :display, :roles, false, :now, :by, 0)
        """).param("name", name).param("display", displayName).param("roles", roles(roles))
        .param("now", Timestamp.from(now)).param("by", actor.name()).update();
    IdentityHistory.record(jdbc, now, actor, IdentityHistory.Action.USER_CREATED, name, null,
        "created with roles " + listed(roles));
    return find(name).orElseThrow();
  }

  /**
   * Changes a user's roles and whether it is disabled, as read in {@code user} (a stale read is
   * refused). Refused when it would leave no enabled deployment manager: the enabled managers are
   * locked first, so two such changes at once (on two servers) cannot each leave the other the last.
   * Run it in a transaction.
   */
  public User change(User user, Set<Role> roles, boolean disabled, Actor actor) {
    boolean wasManager = !user.disabled() && user.roles().contains(Role.DEPLOYMENT_MANAGER);
    boolean staysManager = !disabled && roles.contains(Role.DEPLOYMENT_MANAGER);
    if (wasManager && !staysManager) {
      List<String> managers = jdbc.sql("""
          select name from users where disabled = false and roles like '%deployment-manager%' for update
          """).query(String.class).list();
      if (managers.stream().noneMatch(m -> !m.equals(user.name()))) {
        throw new ConflictException("refused: \"" + user.name() + "\" is the last enabled deployment manager; "
            + "give another user the deployment-manager role first");
      }
    }
    int rows = jdbc.sql("""
        update users set roles = :roles, disabled = :disabled, row_version = row_version + 1
         where id = :id and row_version = :expected
        """).param("roles", roles(roles)).param("disabled", disabled).param("id", user.id())
        .param("expected", user.rowVersion()).update();
    if (rows == 0) {
      throw new StaleUpdateException("user", user.name(), user.rowVersion());
    }
    Instant now = clock.instant();
    if (!roles.equals(user.roles())) {
      IdentityHistory.record(jdbc, now, actor, IdentityHistory.Action.ROLES_CHANGED, user.name(), null,
          "roles " + listed(user.roles()) + " -> " + listed(roles) + changes(user.roles(), roles));
    }
    if (disabled != user.disabled()) {
      IdentityHistory.record(jdbc, now, actor,
          disabled ? IdentityHistory.Action.USER_DISABLED : IdentityHistory.Action.USER_ENABLED, user.name(), null,
          disabled ? "disabled: none of its tokens is accepted"
              : "enabled again: its unexpired, unrevoked tokens are accepted");
    }
    return find(user.name()).orElseThrow();
  }

  /** The groups {@code user} belongs to, by name. */
  public List<String> groups(String user) {
    return jdbc.sql("select group_name from user_groups where user_name = :user order by group_name")
        .param("user", user).query(String.class).list();
  }

  /**
   * Makes {@code groups} the user's groups (from a deployment manager, or as the identity provider
   * says at sign-in); a change is recorded in the identity history. Run it in a transaction.
   */
  public void setGroups(String user, List<String> groups, Actor actor) {
    List<String> before = groups(user);
    List<String> after = groups.stream().distinct().sorted().toList();
    if (before.equals(after)) {
      return;
    }
    jdbc.sql("delete from user_groups where user_name = :user").param("user", user).update();
    for (String g : after) {
      jdbc.sql("insert into user_groups (user_name, group_name) values (:user, :group)").param("user", user)
          .param("group", g).update();
    }
    IdentityHistory.record(jdbc, clock.instant(), actor, IdentityHistory.Action.GROUPS_CHANGED, user, null,
        "groups " + String.join(",", before) + " -> " + String.join(",", after));
  }

  /** The longest e-mail address a user may have (RFC 5321's limit of a path). */
  public static final int MAX_EMAIL = 254;

  private static final java.util.regex.Pattern EMAIL =
      java.util.regex.Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?"
          + "(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+");

  /**
   * Whether {@code address} is an e-mail address Gantry sends to: a plain {@code local@domain.tld}, without a
   * display name, comments, quotes, spaces or line breaks (nothing that could add a header or a recipient).
   */
  public static boolean isEmail(String address) {
    return address != null && address.length() <= MAX_EMAIL && EMAIL.matcher(address).matches();
  }

  /** The user's e-mail address, if it has one. */
  public Optional<String> email(String user) {
    return jdbc.sql("select email from users where name = :name").param("name", user).query(String.class)
        .optional();
  }

  /** The enabled users that have an e-mail address, by name, with it. */
  public java.util.Map<String, String> emails() {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    jdbc.sql("select name, email from users where disabled = false and email is not null")
        .query((ResultSet rs) -> {
          out.put(rs.getString("name"), rs.getString("email"));
        });
    return out;
  }

  /**
   * Sets (or, with null, removes) a user's e-mail address, recorded in the identity history. Refused unless it is
   * a plain address ({@link #isEmail}). Run it in a transaction.
   */
  public void setEmail(String user, String email, Actor actor) {
    if (email != null && !isEmail(email)) {
      throw InvalidInputException.of("email", "\"" + email + "\" is not an e-mail address Gantry sends to: "
          + "write it as name@example.com, without a display name, spaces or line breaks, at most " + MAX_EMAIL
          + " characters");
    }
    String before = email(user).orElse(null);
    if (java.util.Objects.equals(before, email)) {
      return;
    }
    jdbc.sql("update users set email = :email where name = :name").param("email", email).param("name", user)
        .update();
    IdentityHistory.record(jdbc, clock.instant(), actor, IdentityHistory.Action.EMAIL_CHANGED, user, null,
        email == null ? "e-mail address removed" : "e-mail address set to " + email);
  }

  private static String changes(Set<Role> before, Set<Role> after) {
    List<String> parts = new ArrayList<>();
    Set<Role> granted = EnumSet.noneOf(Role.class);
    granted.addAll(after);
    granted.removeAll(before);
    Set<Role> withdrawn = EnumSet.noneOf(Role.class);
    withdrawn.addAll(before);
    withdrawn.removeAll(after);
    if (!granted.isEmpty()) {
      parts.add("granted " + listed(granted));
    }
    if (!withdrawn.isEmpty()) {
      parts.add("withdrawn " + listed(withdrawn));
    }
    return " (" + String.join("; ", parts) + ")";
  }

  /** Role ids in alphabetical order, for people to read. */
  private static String listed(Set<Role> roles) {
    return roles.stream().map(Role::id).sorted().collect(Collectors.joining(","));
  }

  static String roles(Set<Role> roles) {
    return roles.stream().sorted().map(Role::id).collect(Collectors.joining(","));
  }

  static User map(ResultSet rs, int row) throws SQLException {
    return map(rs, "");
  }

  /** A user from columns named as those of {@code users} with {@code prefix} before each (a query's join). */
  static User map(ResultSet rs, String prefix) throws SQLException {
    String roles = rs.getString(prefix + "roles");
    Set<Role> set = EnumSet.noneOf(Role.class);
    if (!roles.isBlank()) {
      Arrays.stream(roles.split(",")).map(Role::fromId).forEach(set::add);
    }
    return new User(rs.getLong(prefix + "id"), rs.getString(prefix + "name"), rs.getString(prefix + "display_name"),
        set, rs.getBoolean(prefix + "disabled"), rs.getTimestamp(prefix + "created_at").toInstant(),
        rs.getString(prefix + "created_by"), rs.getLong(prefix + "row_version"));
  }
}
