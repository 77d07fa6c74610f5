package io.gantry.identity;

import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The users, stored with optimistic locking. */
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

  public User create(String name, String displayName, Set<Role> roles) {
    jdbc.sql("""
        insert into users (name, display_name, roles, disabled, created_at, row_version)
        values (:name, :display, :roles, false, :now, 0)
        """).param("name", name).param("display", displayName).param("roles", roles(roles))
        .param("now", Timestamp.from(clock.instant())).update();
    return find(name).orElseThrow();
  }

  public User update(User user, Set<Role> roles, boolean disabled) {
    int rows = jdbc.sql("""
        update users set roles = :roles, disabled = :disabled, row_version = row_version + 1
         where id = :id and row_version = :expected
        """).param("roles", roles(roles)).param("disabled", disabled).param("id", user.id())
        .param("expected", user.rowVersion()).update();
    if (rows == 0) {
      throw new StaleUpdateException("user", user.name(), user.rowVersion());
    }
    return find(user.name()).orElseThrow();
  }

  private static String roles(Set<Role> roles) {
    return roles.stream().sorted().map(Role::id).collect(Collectors.joining(","));
  }

  static User map(ResultSet rs, int row) throws SQLException {
    String roles = rs.getString("roles");
    Set<Role> set = EnumSet.noneOf(Role.class);
    if (!roles.isBlank()) {
      Arrays.stream(roles.split(",")).map(Role::fromId).forEach(set::add);
    }
    return new User(rs.getLong("id"), rs.getString("name"), rs.getString("display_name"), set,
        rs.getBoolean("disabled"), rs.getTimestamp("created_at").toInstant(), rs.getLong("row_version"));
  }
}
