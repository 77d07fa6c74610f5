package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.identity.Actor;
import io.gantry.identity.Role;
import io.gantry.shared.Json;
import io.gantry.testing.MutableClock;
import io.gantry.testing.OpenSshServer;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * Deployments to an SSH target (a real OpenSSH server on 127.0.0.1) whose private key, or its
 * passphrase, is kept in the secret store: the key is read when the connection is made and never
 * written to disk; a passphrase-protected key opens from a file or a secret; a wrong passphrase or a
 * secret that is not set fails the deployment with the reason in its record; and neither the key's
 * text nor the passphrase is found in the records the API answers with, in the events, or in anything
 * printed meanwhile. The database does not matter here, so this runs on H2 only.
 */
@ExtendWith(OutputCaptureExtension.class)
class SshKeysFromSecretsTest {

  private static final String PASSPHRASE = "correct horse battery staple";

  @TempDir
  static Path sshDir;
  static OpenSshServer server;
  /** A client key the server accepts, protected by {@link #PASSPHRASE}. */
  static Path protectedKey;

  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private io.gantry.secret.Secrets secrets;

  @TempDir
  Path dataDir;

  @BeforeAll
  static void startServer() throws Exception {
    server = OpenSshServer.start(sshDir.resolve("sshd"));
    protectedKey = sshDir.resolve("protected_key");
    Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", PASSPHRASE, "-C",
        "gantry-test-protected", "-f", protectedKey.toString()).redirectErrorStream(true).start();
    String out = new String(keygen.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keygen.waitFor()).as(out).isZero();
    Files.writeString(server.clientKey().resolveSibling("authorized_keys"),
        Files.readString(protectedKey.resolveSibling("protected_key.pub")), StandardOpenOption.APPEND);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(TestDatabase.H2.create(), clock, dataDir);
    fixture.users.create("alice", null, EnumSet.of(Role.DEPLOYMENT_PRACTITIONER), Actor.GANTRY);
    secrets = fixture.secrets();
  }

  /** Configures target s1 reached with {@code key} (the ssh fields that give the key) and deploys 1.0.0 to it. */
  private Deployment deploy(String key) {
    String target = server.target("s1", dataDir.resolve("hosts").resolve("s1"))
        .replace("identityFile: " + server.clientKey(), key);
    fixture.apply("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: qa}
        spec: {purpose: test, owner: qa-team}
        ---
        %s
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: shop}
        spec: {owner: team-shop}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: web}
        spec: {service: shop, type: software}
        ---
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: software}
        spec:
          appliesTo: {componentTypes: [software]}
          stages:
            - name: qa
              environment: qa
              strategy: {type: all-at-once}
              steps:
                - {name: install, type: artifact.install, destination: releases}
                - {name: run, type: shell, command: "cat current/notes.txt > ran.txt"}
        """.formatted(target));
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), "1.0.0", Map.of(),
        List.of(new Library.Upload("notes.txt", () -> new ByteArrayInputStream("n".getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null),
        "bob");
    fixture.engine().runDue();
    return fixture.deployments.get(d.id());
  }

  /** Everything kept of a deployment that the API answers with, and the secrets' listing, as JSON. */
  private String records(Deployment d) {
    return Json.write(fixture.deployments.get(d.id())) + Json.write(fixture.deployments.targetRuns(d.id()))
        + Json.write(fixture.deployments.stepRuns(d.id())) + Json.write(fixture.deployments.events(d.id(), 0))
        + Json.write(secrets.list());
  }

  private static String keyText(Path file) throws Exception {
    return Files.readString(file).strip();
  }

  private void assertRan(Deployment d) throws Exception {
    assertThat(d.state()).as(d.outcome() + " " + fixture.deployments.events(d.id(), 0)).isEqualTo(DeploymentState.SUCCEEDED);
    try (var found = Files.walk(dataDir.resolve("hosts").resolve("s1"))) {
      Path ran = found.filter(p -> p.getFileName().toString().equals("ran.txt")).findFirst().orElseThrow();
      assertThat(Files.readString(ran)).isEqualTo("n");
    }
  }

  private static void assertNowhere(String what, String... values) {
    for (String value : values) {
      assertThat(what).doesNotContain(value);
      for (String line : value.lines().filter(l -> l.length() >= 16 && !l.startsWith("-----")).toList()) {
        assertThat(what).as("a line of the key").doesNotContain(line);
      }
    }
  }

  @Test
  void a_deployment_over_ssh_with_a_key_from_a_secret_succeeds_and_the_key_is_never_written_shown_or_printed(
      CapturedOutput output) throws Exception {
    String key = keyText(server.clientKey());
    secrets.set("s1-key", key, "alice");

    Deployment d = deploy("identity: \"${secret:s1-key}\"");

    assertRan(d);
    assertNowhere(records(d) + output.getAll(), key);
    try (var files = Files.walk(dataDir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertNowhere(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1), key);
      }
    }
  }

  @Test
  void a_deployment_over_ssh_with_a_passphrase_protected_key_file_and_its_passphrase_from_a_secret_succeeds(
      CapturedOutput output) throws Exception {
    secrets.set("s1-passphrase", PASSPHRASE, "alice");

    Deployment d = deploy("identityFile: " + protectedKey + ", passphrase: \"${secret:s1-passphrase}\"");

    assertRan(d);
    assertNowhere(records(d) + output.getAll(), PASSPHRASE);
  }

  @Test
  void a_deployment_over_ssh_with_a_passphrase_protected_key_from_a_secret_succeeds(CapturedOutput output)
      throws Exception {
    String key = keyText(protectedKey);
    secrets.set("s1-key", key, "alice");
    secrets.set("s1-passphrase", PASSPHRASE, "alice");

    Deployment d = deploy("identity: \"${secret:s1-key}\", passphrase: \"${secret:s1-passphrase}\"");

    assertRan(d);
    assertNowhere(records(d) + output.getAll(), key, PASSPHRASE);
    assertThat(fixture.jdbc().sql("select distinct name || ' ' || actor from secret_events where action = 'used'")
        .query(String.class).list()).as("the secrets' history says which connection was given each")
        .containsExactlyInAnyOrder("s1-key the SSH connection to " + server.user() + "@127.0.0.1:" + server.port(), "s1-passphrase the SSH connection to "
            + server.user() + "@127.0.0.1:" + server.port());
  }

  @Test
  void a_wrong_passphrase_fails_the_deployment_with_the_reason_in_its_record(CapturedOutput output) throws Exception {
    String key = keyText(protectedKey);
    secrets.set("s1-key", key, "alice");
    secrets.set("s1-passphrase", "not the passphrase at all", "alice");

    Deployment d = deploy("identity: \"${secret:s1-key}\", passphrase: \"${secret:s1-passphrase}\"");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    String records = records(d);
    assertThat(records).contains("the private key from ${secret:s1-key} of target s1 does not open with the "
        + "passphrase ${secret:s1-passphrase}: the passphrase is wrong");
    assertNowhere(records + output.getAll(), key, "not the passphrase at all");
    assertThat(dataDir.resolve("hosts").resolve("s1")).as("nothing done on s1").doesNotExist();
  }

  @Test
  void a_key_file_protected_by_a_passphrase_that_is_not_declared_fails_the_deployment_saying_so() {
    Deployment d = deploy("identityFile: " + protectedKey);

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(records(d)).contains("the private key " + protectedKey + " of target s1 is protected by a passphrase: "
        + "keep the passphrase as a secret and declare it as ssh.passphrase: ${secret:NAME}");
  }

  @Test
  void a_key_secret_that_is_not_set_fails_the_deployment_naming_the_secret_and_the_target() {
    Deployment d = deploy("identity: \"${secret:s1-key}\"");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(records(d)).contains("the private key of target s1 is the secret ${secret:s1-key}, which cannot be "
        + "given: secret \\\"s1-key\\\" is not set");
  }

  @Test
  void a_passphrase_secret_that_is_not_set_fails_the_deployment_naming_the_secret_and_the_target() throws Exception {
    secrets.set("s1-key", keyText(protectedKey), "alice");

    Deployment d = deploy("identity: \"${secret:s1-key}\", passphrase: \"${secret:s1-passphrase}\"");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(records(d)).contains("the passphrase of the private key of target s1 is the secret "
        + "${secret:s1-passphrase}, which cannot be given: secret \\\"s1-passphrase\\\" is not set");
  }
}
