package io.gantry.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Masking;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The secret store on both databases: sealed at rest, given by reference, rotated, never shown. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class SecretsContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private TestDatabase.Instance db;

  @TempDir
  Path dir;

  SecretsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
  }

  private Secrets store(String keyFile, String... previous) {
    return new Secrets(db.jdbc(), db.transactions(), clock, "", dir.resolve(keyFile), String.join(",",
        List.of(previous).stream().map(p -> dir.resolve(p).toString()).toList()));
  }

  @Test
  void a_value_is_kept_sealed_given_only_by_reference_and_masked_wherever_it_appears() throws Exception {
    Secrets secrets = store("a.key");

    Secrets.SecretInfo info = secrets.set("db-password", "correct horse battery", "alice");

    assertThat(info.toString()).doesNotContain("correct horse battery");
    assertThat(Files.getPosixFilePermissions(dir.resolve("a.key"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    String stored = db.jdbc().sql("select sealed from secrets where name = 'db-password'").query(String.class).single();
    assertThat(stored).doesNotContain("correct horse").doesNotContain("Y29ycmVjdCBob3JzZ"); // nor its base64
    assertThat(secrets.resolve("postgres://app:${secret:db-password}@db/app"))
        .isEqualTo("postgres://app:correct horse battery@db/app");
    assertThat(Masking.mask("connecting with correct horse battery")).isEqualTo("connecting with ****");
    assertThat(db.jdbc().sql("select action from secret_events").query(String.class).list()).containsExactly("set");
  }

  @Test
  void a_sealed_value_moved_to_another_name_or_changed_does_not_open() {
    Secrets secrets = store("a.key");
    secrets.set("one", "value-of-one", "alice");
    secrets.set("two", "value-of-two", "alice");
    db.jdbc().sql("update secrets set sealed = (select sealed from secrets where name = 'one') where name = 'two'")
        .update();

    assertThatThrownBy(() -> store("a.key").resolve("${secret:two}")).isInstanceOf(SecretUnavailableException.class)
        .hasMessageContaining("secret \"two\" does not open").hasMessageContaining("moved from another name");
    assertThat(store("a.key").resolve("${secret:one}")).isEqualTo("value-of-one");
  }

  @Test
  void a_new_key_opens_nothing_until_the_old_one_is_given_and_rotation_reseals_with_the_new_one() {
    store("old.key").set("api-key", "value-sealed-under-old", "alice");

    assertThatThrownBy(() -> store("new.key").resolve("${secret:api-key}")).isInstanceOf(SecretUnavailableException.class);
    Secrets both = store("new.key", "old.key");
    assertThat(both.resolve("${secret:api-key}")).isEqualTo("value-sealed-under-old");
    assertThat(both.rotate("alice")).isOne();
    assertThat(both.rotate("alice")).as("nothing left under the old key").isZero();

    assertThat(store("new.key").resolve("${secret:api-key}")).isEqualTo("value-sealed-under-old");
    assertThat(store("new.key").list().getFirst().keyId()).isEqualTo(SecretKeys.id(java.util.Base64.getDecoder()
        .decode(read("new.key"))));
  }

  @Test
  void bad_names_short_values_and_a_key_file_others_may_read_are_refused_with_the_reason() throws Exception {
    Secrets secrets = store("a.key");

    assertThatThrownBy(() -> secrets.set("../etc", "long-enough-value", "alice")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("name");
    assertThatThrownBy(() -> secrets.set("pin", "1234", "alice")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("8 to 4096 characters");
    assertThatThrownBy(() -> secrets.set("pin", "long-enough-value\n", "alice"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("white space");
    assertThat(secrets.list()).isEmpty();
    Files.setPosixFilePermissions(dir.resolve("a.key"), PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> store("a.key")).hasMessageContaining("chmod 600");
  }

  private String read(String file) {
    try {
      return Files.readString(dir.resolve(file)).strip();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
