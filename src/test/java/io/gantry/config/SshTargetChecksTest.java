package io.gantry.config;

import static io.gantry.config.ConfigLoaderTest.lineOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How an SSH target gives its private key: a file or a secret, exactly one, and a passphrase only as a
 * secret; anything else is refused at plan and apply with its file, line and field.
 */
class SshTargetChecksTest {

  private static final String FILE = "targets/web.yaml";
  private static final String TEXT = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: web-1}
      spec:
        environment: qa
        kind: ssh
        path: /srv/web
        ssh:
          host: web-1.example.org
          user: deploy
          KEY
      """;

  private final ConfigLoader loader = new ConfigLoader();

  private DesiredState accepted(String key) {
    return new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, TEXT.replace("KEY", key)))));
  }

  private List<Finding> refused(String text) {
    InvalidInputException e = (InvalidInputException) org.assertj.core.api.Assertions.catchThrowable(
        () -> new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, text)))));
    assertThat(e).as("the configuration is refused").isNotNull();
    return e.findings();
  }

  @Test
  void a_key_from_a_secret_and_a_passphrase_from_a_secret_are_accepted_as_references_with_a_file_or_a_secret() {
    var fromSecret = accepted("identity: \"${secret:web-key}\"\n    passphrase: \"${secret:web-passphrase}\"")
        .targets().get("web-1").definition().ssh();
    assertThat(fromSecret.identity()).isEqualTo("${secret:web-key}");
    assertThat(fromSecret.passphrase()).isEqualTo("${secret:web-passphrase}");
    assertThat(fromSecret.identityFile()).isNull();

    var fromFile = accepted("identityFile: keys/web\n    passphrase: \"${secret:web-passphrase}\"").targets().get("web-1").definition()
        .ssh();
    assertThat(fromFile.identityFile()).isEqualTo("keys/web");
    assertThat(fromFile.passphrase()).isEqualTo("${secret:web-passphrase}");
  }

  @Test
  void a_target_giving_its_key_both_as_a_file_and_a_secret_or_not_at_all_is_refused_with_its_place() {
    String both = TEXT.replace("KEY", "identityFile: keys/web\n    identity: \"${secret:web-key}\"");
    assertThat(refused(both)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.ssh.identity");
      assertThat(f.message()).isEqualTo("give the private key once: as identityFile or as identity, not both");
      assertThat(f.location().file()).isEqualTo(FILE);
      assertThat(f.location().line()).isEqualTo(lineOf(both, "identity: "));
    });

    String none = TEXT.replace("KEY", "passphrase: \"${secret:web-passphrase}\"");
    assertThat(refused(none)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.ssh");
      assertThat(f.message()).isEqualTo("give the private key as identityFile (a file on the Gantry host) or as "
          + "identity: ${secret:NAME} (a secret)");
      assertThat(f.location().line()).isEqualTo(lineOf(none, "ssh:"));
    });
  }

  @Test
  void a_key_or_passphrase_written_as_a_value_or_naming_no_possible_secret_is_refused_with_its_place() {
    String written = TEXT.replace("KEY", "identity: \"-----BEGIN OPENSSH PRIVATE KEY-----\"\n"
        + "    passphrase: \"hunter2-hunter2\"");
    assertThat(refused(written)).extracting(Finding::field, Finding::message).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple("spec.ssh.identity", "give the name of a secret as ${secret:NAME} (the "
            + "private key's text is kept in the secret store, never in configuration), not a value"),
        org.assertj.core.groups.Tuple.tuple("spec.ssh.passphrase", "give the name of a secret as ${secret:NAME} (the "
            + "passphrase is kept in the secret store, never in configuration), not a value"));
    assertThat(refused(written)).allSatisfy(f -> assertThat(f.location().file()).isEqualTo(FILE));

    String badName = TEXT.replace("KEY", "identity: \"${secret:web key}\"");
    assertThat(refused(badName)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.ssh.identity");
      assertThat(f.message()).endsWith("not \"web key\", which cannot be a secret's name");
      assertThat(f.location().line()).isEqualTo(lineOf(badName, "identity: "));
    });

    String elsewhere = TEXT.replace("KEY", "identityFile: \"${secret:web-key}\"");
    assertThat(refused(elsewhere)).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("spec.ssh.identityFile");
      assertThat(f.message()).contains("an ssh target's identity and passphrase; here it would be used as written");
    });
  }
}
