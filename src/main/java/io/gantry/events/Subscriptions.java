package io.gantry.events;

import io.gantry.secret.Secrets;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Names;
import io.gantry.shared.NotFoundException;
import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The subscriptions, checked when they are made: a known sink, an address it can use, a mode it knows, type
 * patterns that can match, and for HTTP a secret that is set (every webhook is signed). Each is a {@link Fanout}:
 * every event of a wanted type written after it was made goes to it.
 */
@Service
public class Subscriptions implements Fanout {

  private static final Pattern TYPE_PATTERN =
      Pattern.compile("(dev\\.cdevents\\.|dev\\.cdeventsx\\.gantry-)[a-z0-9.-]*\\*?|dev\\.cdevents\\*|\\*");
  private static final int MAX_TYPES = 50;
  /** The exchange an amqp subscription publishes to when it names none. */
  public static final String DEFAULT_EXCHANGE = "gantry.events";
  private static final Pattern EXCHANGE = Pattern.compile("[A-Za-z0-9._:-]{1,255}");

  private final JdbcClient jdbc;
  private final Secrets secrets;
  private final Clock clock;
  private volatile List<Subscription> cached;
  private volatile long cachedAt;

  Subscriptions(JdbcClient jdbc, Secrets secrets, Clock clock) {
    this.jdbc = jdbc;
    this.secrets = secrets;
    this.clock = clock;
  }

  /**
   * What a person asks for.
   *
   * @param exchange for an amqp subscription, the exchange its events are published to (default
   *     {@value #DEFAULT_EXCHANGE}); no other sink takes one
   */
  public record NewSubscription(String name, String sink, String address, String mode, List<String> types,
      String secret, String exchange) {

    /** A subscription without an exchange (every sink but amqp, or amqp to the default exchange). */
    public NewSubscription(String name, String sink, String address, String mode, List<String> types, String secret) {
      this(name, sink, address, mode, types, secret, null);
    }
  }

  public Subscription add(NewSubscription s, String actor) {
    Names.require("name", s.name());
    String sink = s.sink() == null ? "" : s.sink().toLowerCase(Locale.ROOT);
    String mode = null;
    String exchange = null;
    if (!"amqp".equals(sink) && s.exchange() != null) {
      throw InvalidInputException.of("exchange", "only an amqp subscription publishes to an exchange");
    }
    switch (sink) {
      case "http" -> {
        URI uri = parse(s.address());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
          throw InvalidInputException.of("address", "an http subscription's address is an http:// or https:// URL "
              + "with a host, not \"" + s.address() + "\"");
        }
        mode = s.mode() == null ? "structured" : s.mode().toLowerCase(Locale.ROOT);
        if (!mode.equals("structured") && !mode.equals("binary")) {
          throw InvalidInputException.of("mode", "mode is structured (the CloudEvent as JSON) or binary (ce- headers "
              + "and the CDEvent as the body), not \"" + s.mode() + "\"");
        }
        if (s.secret() == null || s.secret().isBlank()) {
          throw InvalidInputException.of("secret", "an http subscription names the secret its deliveries are signed "
              + "with (set it first with gantry secret set NAME)");
        }
        requireSecret(s.secret());
      }
      case "amqp" -> {
        URI uri = parse(s.address());
        if (!"amqp".equals(uri.getScheme()) && !"amqps".equals(uri.getScheme()) || uri.getHost() == null) {
          throw InvalidInputException.of("address", "an amqp subscription's address is amqp://host[:port]/[vhost] "
              + "or amqps://..., without credentials in it, not \"" + s.address() + "\"");
        }
        if (uri.getUserInfo() != null) {
          throw InvalidInputException.of("address", "put no user or password in the address: name a secret holding "
              + "user:password with \"secret\"");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
          throw InvalidInputException.of("address", "an amqp address takes no ?query or #fragment: \""
              + s.address() + "\"");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.length() > 1 && path.substring(1).contains("/")) {
          throw InvalidInputException.of("address", "the vhost is the one path segment after the host (write a / in "
              + "its name as %2F), not \"" + path + "\"");
        }
        exchange = s.exchange() == null ? DEFAULT_EXCHANGE : s.exchange();
        if (!EXCHANGE.matcher(exchange).matches()) {
          throw InvalidInputException.of("exchange", "an exchange name is 1 to 255 letters, digits, '.', '_', ':' "
              + "and '-', not \"" + s.exchange() + "\"");
        }
        if (s.mode() != null) {
          throw InvalidInputException.of("mode", "an amqp subscription sends the CloudEvent in structured mode; it "
              + "takes no mode");
        }
        if (s.secret() != null) {
          requireSecret(s.secret());
        }
        // the broker's default exchange routes by queue name, not by event type
        if (exchange.startsWith("amq.") && !exchange.equals("amq.topic")) {
          throw InvalidInputException.of("exchange", "events are routed by their type: publish to a topic exchange "
              + "(amq.topic or one of your own), not " + exchange);
        }
      }
      default -> throw InvalidInputException.of("sink", "sink is http or amqp, not \"" + s.sink() + "\"");
    }
    List<String> types = s.types() == null ? List.of() : s.types();
    if (types.size() > MAX_TYPES) {
      throw InvalidInputException.of("types", "at most " + MAX_TYPES + " type patterns");
    }
    for (int i = 0; i < types.size(); i++) {
      String t = types.get(i);
      if (t == null || !TYPE_PATTERN.matcher(t).matches()) {
        throw InvalidInputException.of("types[" + i + "]", "\"" + t + "\" is not a CDEvents type or a prefix of one "
            + "ending in * (e.g. dev.cdevents.service.deployed.0.3.0 or dev.cdevents.service.*)");
      }
    }
    List<String> stored = types.contains("*") ? List.of() : List.copyOf(types);
    try {
      jdbc.sql("""
          insert into event_subscriptions (name, sink, address, mode, types, secret_name, exchange, created_by,
                                           created_at)
          values (:name, :sink, :address, :mode, :types, :secret, :exchange, :by, :at)
          """).param("name", s.name()).param("sink", sink).param("address", s.address()).param("mode", mode)
          .param("exchange", exchange)
          .param("types", String.join(",", stored)).param("secret", s.secret()).param("by", actor)
          .param("at", Timestamp.from(clock.instant())).update();
    } catch (DuplicateKeyException e) {
      throw new ConflictException("a subscription named " + s.name() + " exists; remove it first to change it");
    }
    cached = null;
    return get(s.name());
  }

  public List<Subscription> list() {
    return jdbc.sql("select * from event_subscriptions order by name").query(Subscriptions::map).list();
  }

  public Subscription get(String name) {
    return jdbc.sql("select * from event_subscriptions where name = :name").param("name", name)
        .query(Subscriptions::map).optional().orElseThrow(() -> new NotFoundException("subscription", name));
  }

  /** Removes a subscription; deliveries already planned for it are still sent. */
  public void remove(String name) {
    if (jdbc.sql("delete from event_subscriptions where name = :name").param("name", name).update() == 0) {
      throw new NotFoundException("subscription", name);
    }
    cached = null;
  }

  @Override
  public List<Destination> destinations(StoredEvent event) {
    // read again at most every second: another server may have added or removed one
    List<Subscription> all = cached;
    if (all == null || System.nanoTime() - cachedAt > 1_000_000_000L) {
      all = list();
      cached = all;
      cachedAt = System.nanoTime();
    }
    return all.stream().filter(s -> s.wants(event.type())).map(s -> new Destination(s.sink(), s.id(), s.address(),
        s.mode() == null ? settings(s) : withMode(settings(s), s.mode()))).toList();
  }

  private static Map<String, String> settings(Subscription s) {
    var m = new java.util.HashMap<String, String>();
    if (s.secret() != null) {
      m.put("secret", s.secret());
    }
    if (s.exchange() != null) {
      m.put("exchange", s.exchange());
    }
    return m;
  }

  private static Map<String, String> withMode(Map<String, String> settings, String mode) {
    var m = new java.util.HashMap<>(settings);
    m.put("mode", mode);
    return m;
  }

  private void requireSecret(String name) {
    try {
      secrets.get(name);
    } catch (NotFoundException e) {
      throw InvalidInputException.of("secret", "no secret named \"" + name + "\" is set; set it first with "
          + "gantry secret set " + name);
    }
  }

  private static URI parse(String address) {
    try {
      return new URI(address == null ? "" : address);
    } catch (java.net.URISyntaxException e) {
      throw InvalidInputException.of("address", "\"" + address + "\" is not a URL: " + e.getReason());
    }
  }

  private static Subscription map(ResultSet rs, int row) throws SQLException {
    String types = rs.getString("types");
    return new Subscription(rs.getLong("id"), rs.getString("name"), rs.getString("sink"), rs.getString("address"),
        rs.getString("mode"), types.isEmpty() ? List.of() : Arrays.asList(types.split(",")),
        rs.getString("secret_name"), rs.getString("exchange"), rs.getString("created_by"),
        rs.getTimestamp("created_at").toInstant());
  }
}
