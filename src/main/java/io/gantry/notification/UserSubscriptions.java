package io.gantry.notification;

import io.gantry.identity.Access;
import io.gantry.identity.Scope;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Names;
import io.gantry.shared.NotFoundException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;

/**
 * What users asked to be told about: the deployments of a service, in an environment, or of a service in an
 * environment, at some moments, by e-mail. A user manages only its own; it may subscribe only to a scope it may read,
 * and is told only while it still may (a role taken away stops the mail without anyone removing the subscription).
 */
@Service
public class UserSubscriptions {

  /** The most subscriptions one user holds. */
  static final int MAX_PER_USER = 100;

  private final JdbcClient jdbc;
  private final Access access;
  private final Clock clock;

  public UserSubscriptions(JdbcClient jdbc, Access access, Clock clock) {
    this.jdbc = jdbc;
    this.access = access;
    this.clock = clock;
  }

  /** One subscription of a user. {@code service} or {@code environment} null: any. */
  public record Subscription(long id, String user, String service, String environment, List<String> on,
      String channel, Instant createdAt) {

    Scope scope() {
      return new Scope(service, environment);
    }

    boolean wants(Moment moment, String eventService, String eventEnvironment) {
      return on.contains(moment.id()) && (service == null || service.equals(eventService))
          && (environment == null || environment.equals(eventEnvironment));
    }
  }

  /** What a user asks for. */
  public record NewSubscription(String service, String environment, List<String> on, String channel) {}

  /** Subscribes {@code user} itself; refused unless it may read the scope it names. */
  public Subscription subscribe(String user, NewSubscription s) {
    if (s.service() != null) {
      Names.require("service", s.service());
    }
    if (s.environment() != null) {
      Names.require("environment", s.environment());
    }
    if (s.service() == null && s.environment() == null) {
      throw InvalidInputException.of("service", "name a service, an environment or both: a subscription to every "
          + "deployment everywhere would bury the ones that matter");
    }
    List<String> on = s.on() == null ? List.of() : s.on();
    if (on.isEmpty()) {
      throw InvalidInputException.of("on", "say when to be told: one or more of " + Moment.ids());
    }
    Set<Moment> moments = EnumSet.noneOf(Moment.class);
    for (int i = 0; i < on.size(); i++) {
      String id = on.get(i);
      Moment m = id == null ? null : Moment.of(id).orElse(null);
      if (m == null) {
        throw InvalidInputException.of("on[" + i + "]", "\"" + NotificationRules.printable(String.valueOf(id))
            + "\" is not a moment of a deployment; use one of " + Moment.ids());
      }
      moments.add(m);
    }
    String channel = s.channel() == null ? Channel.EMAIL.id() : s.channel();
    if (!channel.equals(Channel.EMAIL.id())) {
      throw InvalidInputException.of("channel", "a user subscribes by e-mail (email), not \""
          + NotificationRules.printable(channel) + "\": chat channels are declared in the model's notifications");
    }
    Scope scope = new Scope(s.service(), s.environment());
    if (!mayRead(user, scope)) {
      throw new AccessDeniedException("deployments in " + scope + " are outside the scopes of your roles: you may "
          + "subscribe only to what you may read");
    }
    if (count(user) >= MAX_PER_USER) {
      throw InvalidInputException.of("service", "you hold " + MAX_PER_USER + " subscriptions, the most one user "
          + "may: remove some first");
    }
    String stored = moments.stream().map(Moment::id).collect(Collectors.joining(","));
    var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
    jdbc.sql("""
        insert into notification_subscriptions (user_name, service, environment, moments, channel, created_at)
        values (:user, :service, :environment, :moments, :channel, :at)
        """).param("user", user).param("service", s.service()).param("environment", s.environment())
        .param("moments", stored).param("channel", channel).param("at", Timestamp.from(clock.instant()))
        .update(keys, "id");
    return get(user, keys.getKeyAs(Number.class).longValue());
  }

  /** The user's own subscriptions. */
  public List<Subscription> of(String user) {
    return jdbc.sql("select * from notification_subscriptions where user_name = :user order by id")
        .param("user", user).query(UserSubscriptions::map).list();
  }

  /** One of the user's own; another user's is not found (it is not shown to exist). */
  public Subscription get(String user, long id) {
    return jdbc.sql("select * from notification_subscriptions where id = :id and user_name = :user")
        .param("id", id).param("user", user).query(UserSubscriptions::map).optional()
        .orElseThrow(() -> new NotFoundException("subscription", String.valueOf(id)));
  }

  /** Removes one of the user's own subscriptions; another user's is not found. */
  public void unsubscribe(String user, long id) {
    if (jdbc.sql("delete from notification_subscriptions where id = :id and user_name = :user").param("id", id)
        .param("user", user).update() == 0) {
      throw new NotFoundException("subscription", String.valueOf(id));
    }
  }

  /**
   * The users to tell of {@code moment} in the event's scope: each whose subscription wants it and who may read
   * that scope now.
   */
  List<String> subscribersOf(Moment moment, String service, String environment) {
    List<Subscription> all = jdbc.sql("""
        select * from notification_subscriptions
         where moments like :moment and (service is null or service = :service)
           and (environment is null or environment = :environment)
         order by id
        """).param("moment", "%" + moment.id() + "%").param("service", service).param("environment", environment)
        .query(UserSubscriptions::map).list();
    Scope scope = new Scope(service, environment);
    List<String> users = new ArrayList<>();
    for (Subscription s : all) {
      if (s.wants(moment, service, environment) && !users.contains(s.user()) && mayRead(s.user(), scope)) {
        users.add(s.user());
      }
    }
    return users;
  }

  /** Whether the user may read deployments in the scope: as the deployment list decides it. */
  boolean mayRead(String user, Scope scope) {
    return access.reach(user, Access.INSIDERS).sees(scope);
  }

  private int count(String user) {
    return jdbc.sql("select count(*) from notification_subscriptions where user_name = :user").param("user", user)
        .query(Integer.class).single();
  }

  private static Subscription map(ResultSet rs, int row) throws SQLException {
    return new Subscription(rs.getLong("id"), rs.getString("user_name"), rs.getString("service"),
        rs.getString("environment"), Arrays.asList(rs.getString("moments").split(",")), rs.getString("channel"),
        rs.getTimestamp("created_at").toInstant());
  }
}
