package io.gantry.secret;

import io.gantry.execution.StepSecrets;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Masking;
import io.gantry.shared.NotFoundException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The secret store: values written, never read back through the API; given to steps by reference
 * ({@code ${secret:NAME}}) when they run; every value masked in what Gantry keeps and shows. Values are
 * sealed by {@link SecretKeys}; the database holds only sealed values and who did what.
 */
@Service
public class Secrets implements StepSecrets {

  /** How a reference is written in a step's environment or a template's variables. */
  public static final Pattern REFERENCE = Pattern.compile("\\$\\{secret:([^}]*)}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
  static final int MIN_LENGTH = 8;
  static final int MAX_LENGTH = 4096;
  /** How long another server's change to a secret may go unseen by this server's masking. */
  private static final Duration FRESH = Duration.ofSeconds(5);

  /** What is known of a secret, never its value. */
  public record SecretInfo(String name, String keyId, String createdBy, Instant createdAt, String updatedBy,
      Instant updatedAt) {}

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final SecretKeys keys;
  private volatile Map<String, String> values;
  private volatile Map<String, String> unopened = Map.of();
  private volatile long loadedAt;

  @org.springframework.beans.factory.annotation.Autowired
  public Secrets(JdbcClient jdbc, TransactionTemplate tx, Clock clock,
      @Value("${gantry.secrets.key:}") String key,
      @Value("${gantry.secrets.key-file:${gantry.data-dir:./data}/secrets.key}") Path keyFile,
      @Value("${gantry.secrets.previous-key-files:}") String previousKeyFiles) {
    this(jdbc, tx, clock, SecretKeys.load(key, keyFile, Arrays.stream(previousKeyFiles.split(","))
        .map(String::strip).filter(s -> !s.isEmpty()).map(Path::of).toList()));
  }

  Secrets(JdbcClient jdbc, TransactionTemplate tx, Clock clock, SecretKeys keys) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
    this.keys = keys;
    Masking.addSource(maskingSource);
  }

  /** What masking asks for; let go of when the server stops, so a stopped store is never asked again. */
  private final java.util.function.Supplier<java.util.Collection<String>> maskingSource = () -> values().values();

  @jakarta.annotation.PreDestroy
  void stopMasking() {
    Masking.removeSource(maskingSource);
  }

  /** Sets a secret's value (new or replaced); answers what is known of it, never the value. */
  public SecretInfo set(String name, String value, String actor) {
    requireName(name);
    if (value == null || value.length() < MIN_LENGTH || value.length() > MAX_LENGTH) {
      throw InvalidInputException.of("value", "a secret's value has " + MIN_LENGTH + " to " + MAX_LENGTH
          + " characters (a shorter one would be masked wherever it happened to appear), not "
          + (value == null ? "none" : value.length()));
    }
    if (!value.strip().equals(value)) {
      throw InvalidInputException.of("value", "a secret's value neither starts nor ends with white space "
          + "(a trailing newline from a file or echo is the usual cause)");
    }
    Instant now = clock.instant();
    String sealed = keys.seal(name, value);
    tx.executeWithoutResult(s -> {
      int updated = jdbc.sql("update secrets set key_id = :key, sealed = :sealed, updated_by = :actor, updated_at = :now"
          + " where name = :name").param("key", keys.currentId()).param("sealed", sealed).param("actor", actor)
          .param("now", Timestamp.from(now)).param("name", name).update();
      if (updated == 0) {
        jdbc.sql("""
            insert into secrets (name, key_id, sealed, created_by, created_at, updated_by, updated_at)
            values (:name, :key, :sealed, :actor, :now, :actor, :now)
            """).param("name", name).param("key", keys.currentId()).param("sealed", sealed).param("actor", actor)
            .param("now", Timestamp.from(now)).update();
      }
      event(name, updated == 0 ? "set" : "replaced", actor, now, keys.currentId());
    });
    invalidate();
    return get(name);
  }

  public List<SecretInfo> list() {
    return jdbc.sql("select * from secrets order by name").query(Secrets::info).list();
  }

  public SecretInfo get(String name) {
    return jdbc.sql("select * from secrets where name = :name").param("name", name).query(Secrets::info).optional()
        .orElseThrow(() -> new NotFoundException("secret", name));
  }

  public void delete(String name, String actor) {
    tx.executeWithoutResult(s -> {
      if (jdbc.sql("delete from secrets where name = :name").param("name", name).update() == 0) {
        throw new NotFoundException("secret", name);
      }
      event(name, "deleted", actor, clock.instant(), null);
    });
    invalidate();
  }

  /** Seals again with the current key every secret sealed with another; answers how many. */
  public int rotate(String actor) {
    Integer count = tx.execute(s -> {
      List<Sealed> old = jdbc.sql("select name, key_id, sealed from secrets where key_id <> :key for update")
          .param("key", keys.currentId()).query((rs, n) -> new Sealed(rs.getString("name"), rs.getString("key_id"),
              rs.getString("sealed"))).list();
      Instant now = clock.instant();
      for (Sealed row : old) {
        String value = keys.open(row.name(), row.keyId(), row.sealed());
        jdbc.sql("update secrets set key_id = :key, sealed = :sealed where name = :name")
            .param("key", keys.currentId()).param("sealed", keys.seal(row.name(), value)).param("name", row.name())
            .update();
        event(row.name(), "rotated", actor, now, keys.currentId());
      }
      return old.size();
    });
    invalidate();
    return count == null ? 0 : count;
  }

  /** The names a text refers to with {@code ${secret:NAME}}. */
  public static Set<String> references(String text) {
    if (text == null) {
      return Set.of();
    }
    Matcher m = REFERENCE.matcher(text);
    Set<String> names = new java.util.LinkedHashSet<>();
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  @Override
  public String resolve(String text) {
    if (text == null || !text.contains("${secret:")) {
      return text;
    }
    Map<String, String> known = loadValues();
    Matcher m = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = known.get(name);
      if (value == null && unopened.containsKey(name)) {
        throw new SecretUnavailableException(unopened.get(name));
      }
      if (value == null) {
        throw new SecretUnavailableException("secret \"" + name + "\" is not set: a deployment manager sets it with "
            + "gantry secret set " + name);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * Resolves {@code text} for {@code usedBy} and records, for each secret it names, that {@code usedBy} was given it
   * ({@code used} in {@code secret_events}, never the value): the history says which step on which target, or which
   * connection, read a secret, as it says which agent was sent one.
   */
  @Override
  public String resolve(String text, String usedBy) {
    String resolved = resolve(text);
    Set<String> names = references(text);
    if (!names.isEmpty()) {
      String actor = usedBy.length() <= 100 ? usedBy : usedBy.substring(0, 99) + "\u2026";
      Instant now = clock.instant();
      tx.executeWithoutResult(t -> names.forEach(name -> event(name, "used", actor, now, null)));
    }
    return resolved;
  }

  /** Reads the values again at the next masking: this server changed one. */
  private void invalidate() {
    values = null;
    loadedAt = 0;
  }

  /**
   * The value of the secret {@code name}, read now (a value set again is given from then on), for a
   * setting that names a secret, such as an ITSM tool's password; throws {@link SecretUnavailableException}
   * when it is not set or does not open, with a message that names it.
   */
  public String value(String name) {
    requireName(name);
    return resolve("${secret:" + name + "}");
  }

  /**
   * The value of the secret {@code name} for a step on another host (an agent's), recorded in
   * {@code secret_events} as {@code sent} to {@code to} (never the value) before it is given; throws
   * {@link SecretUnavailableException} when it is not set or does not open, with a message that names it.
   */
  public String sendTo(String name, String to) {
    String value = value(name);
    event(name, "sent", to, clock.instant(), null);
    return value;
  }

  /** The values to mask: read again when this server changed one, or when they are a few seconds old. */
  private Map<String, String> values() {
    Map<String, String> v = values;
    if (loadedAt == 0 || System.nanoTime() - loadedAt > FRESH.toNanos()) {
      try {
        return loadValues();
      } catch (RuntimeException e) {
        // the database is away: mask what was known, and ask again only once that is a few seconds old
        // (masking runs for every line a step prints)
        loadedAt = System.nanoTime();
        return v == null ? Map.of() : v;
      }
    }
    if (v == null) {
      return Map.of();
    }
    return v;
  }

  private Map<String, String> loadValues() {
    Map<String, String> loaded = new HashMap<>();
    Map<String, String> problems = new HashMap<>();
    for (Sealed row : jdbc.sql("select name, key_id, sealed from secrets").query((rs, n) -> new Sealed(
        rs.getString("name"), rs.getString("key_id"), rs.getString("sealed"))).list()) {
      try {
        loaded.put(row.name(), keys.open(row.name(), row.keyId(), row.sealed()));
      } catch (SecretUnavailableException e) {
        problems.put(row.name(), e.getMessage()); // resolving a reference to it says why
      }
    }
    unopened = Map.copyOf(problems);
    values = Map.copyOf(loaded);
    loadedAt = System.nanoTime();
    return values;
  }

  private record Sealed(String name, String keyId, String sealed) {}

  private void event(String name, String action, String actor, Instant at, String keyId) {
    jdbc.sql("insert into secret_events (name, action, actor, at, key_id) values (:name, :action, :actor, :at, :key)")
        .param("name", name).param("action", action).param("actor", actor).param("at", Timestamp.from(at))
        .param("key", keyId).update();
  }

  static void requireName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw InvalidInputException.of("name", "a secret's name is 1 to 100 letters, digits, '_', '.' or '-', "
          + "starting with a letter or digit, not " + (name == null ? "none" : "\"" + name + "\""));
    }
  }

  private static SecretInfo info(ResultSet rs, int row) throws SQLException {
    return new SecretInfo(rs.getString("name"), rs.getString("key_id"), rs.getString("created_by"),
        rs.getTimestamp("created_at").toInstant(), rs.getString("updated_by"), rs.getTimestamp("updated_at").toInstant());
  }

  static String describe(Set<String> names) {
    return names.stream().sorted().collect(Collectors.joining(", "));
  }
}
