package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.config.ConfigFile;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A step that prints far more than the record keeps: the record holds the tail, the data folder all of it,
 * with its size and SHA-256 in the record, on both databases.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class StepOutputContractTest {

  /** 300,000 lines of 27 bytes: 8 MB, some 120 times the tail the record keeps. */
  private static final String LINE = "a line printed by the step";
  private static final int LINES = 300_000;

  private static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: qa, kind: local, path: t1}
      ---
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
            steps:
              - {name: chatty, type: shell, command: "COMMAND", timeout: 5m}
      """;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;

  @TempDir
  Path home;

  StepOutputContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
  }

  private Deployment deployWith(String command) {
    fixture.config.apply(List.of(new ConfigFile("test.yaml", CONFIG.replace("COMMAND", command))), "test", "alice");
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), "1.0.0", Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream("true\n".getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null),
        "bob");
    fixture.engine().runDue();
    return fixture.deployments.get(d.id());
  }

  private StepRun onlyStepRun(Deployment d) {
    List<StepRun> runs = fixture.deployments.stepRuns(d.id());
    assertThat(runs).hasSize(1);
    return runs.getFirst();
  }

  @Test
  void an_api_token_a_failing_step_prints_is_masked_in_its_output_its_outcome_and_the_deployments_record()
      throws Exception {
    String token = "gty_" + "Ab3".repeat(13) + "x";
    Path file = Files.writeString(home.resolve("stolen.token"), token + "\n");
    Deployment d = deployWith("echo token: $(cat " + file + "); exit 1");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    StepRun run = onlyStepRun(d);
    String everything = run.output() + run.outcome() + Files.readString(fixture.dataDir.resolve(run.outputFile()))
        + fixture.deployments.events(d.id(), 0).stream().map(DeploymentEvent::message).toList();
    assertThat(everything).doesNotContain(token).doesNotContain(token.substring(4, 20)).contains("gty_****");
  }

  @Test
  void a_secret_a_step_is_given_reaches_its_command_and_is_masked_in_everything_kept_of_it() throws Exception {
    fixture.secrets().set("api-key", "s3cr3t-value-42", "alice");
    fixture.config.apply(List.of(new ConfigFile("test.yaml", CONFIG.replace(
        "{name: chatty, type: shell, command: \"COMMAND\", timeout: 5m}",
        "{name: chatty, type: shell, command: \"echo key=$API_KEY > seen.txt; echo key=$API_KEY; exit 1\","
            + " environment: {API_KEY: \"${secret:api-key}\"}, timeout: 5m}"))), "test", "alice");
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), "1.0.0", Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream("true\n".getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null),
        "bob");
    fixture.engine().runDue();

    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.FAILED);
    try (var found = Files.walk(home)) {
      Path seen = found.filter(p -> p.getFileName().toString().equals("seen.txt")).findFirst().orElseThrow();
      assertThat(Files.readString(seen)).as("the command was given the value").isEqualTo("key=s3cr3t-value-42\n");
    }
    StepRun run = onlyStepRun(fixture.deployments.get(d.id()));
    String everything = run.output() + run.outcome() + Files.readString(fixture.dataDir.resolve(run.outputFile()))
        + fixture.deployments.events(d.id(), 0).stream().map(DeploymentEvent::message).toList();
    assertThat(everything).doesNotContain("s3cr3t-value-42").contains("key=****");
    assertThat(fixture.jdbc().sql("select actor from secret_events where name = 'api-key' and action = 'used'")
        .query(String.class).list()).as("the secrets' history says which step on which target was given it")
        .containsExactly("step chatty on t1 (shop/web@1.0.0)");
  }

  @Test
  void every_line_of_a_multi_line_secret_a_step_prints_is_masked_in_everything_kept_of_it() throws Exception {
    List<String> lines = List.of("-----BEGIN OPENSSH PRIVATE KEY-----",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
        "QyNTUxOQAAACDxm0nL7vFq3X9cQe4pT2hRkY8uWbZs1JdA5oEiGtHnVwAAAJgAAAAAAAAA",
        "Zm9v", "-----END OPENSSH PRIVATE KEY-----");
    fixture.secrets().set("deploy-key", String.join("\n", lines), "alice");
    fixture.config.apply(List.of(new ConfigFile("test.yaml", CONFIG.replace(
        "{name: chatty, type: shell, command: \"COMMAND\", timeout: 5m}",
        "{name: chatty, type: shell, command: \"echo \\\"$KEY\\\" > key.pem; cat key.pem;"
            + " sed 's/^/  > /' key.pem >&2; exit 1\", environment: {KEY: \"${secret:deploy-key}\"}, timeout: 5m}"))),
        "test", "alice");
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), "1.0.0", Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream("true\n".getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null),
        "bob");
    fixture.engine().runDue();

    assertThat(fixture.deployments.get(d.id()).state()).isEqualTo(DeploymentState.FAILED);
    try (var found = Files.walk(home)) {
      Path pem = found.filter(p -> p.getFileName().toString().equals("key.pem")).findFirst().orElseThrow();
      assertThat(Files.readAllLines(pem)).as("the command was given the value").isEqualTo(lines);
    }
    StepRun run = onlyStepRun(fixture.deployments.get(d.id()));
    String everything = run.output() + run.outcome() + fixture.deployments.get(d.id()).outcome()
        + Files.readString(fixture.dataDir.resolve(run.outputFile()))
        + fixture.deployments.events(d.id(), 0).stream().map(DeploymentEvent::message).toList();
    for (String line : lines) {
      assertThat(everything).doesNotContain(line);
    }
    assertThat(everything).doesNotContain("b3BlbnNzaC1rZXkt", "QyNTUxOQ").contains("  > ****");
    assertThat(run.output()).isEqualTo("****\n".repeat(5) + "  > ****\n".repeat(5));
  }

  @Test
  void a_step_referring_to_a_secret_that_is_not_set_fails_before_its_command_runs() throws Exception {
    fixture.secrets();
    fixture.config.apply(List.of(new ConfigFile("test.yaml", CONFIG.replace(
        "{name: chatty, type: shell, command: \"COMMAND\", timeout: 5m}",
        "{name: chatty, type: shell, command: \"touch ran.txt\", environment: {TOKEN: \"${secret:nope}\"}}"))),
        "test", "alice");
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), "1.0.0", Map.of(),
        List.of(new Library.Upload("run.sh", () -> new ByteArrayInputStream("true\n".getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
    Deployment requested = fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null,
        null), "bob");
    fixture.engine().runDue();
    Deployment d = fixture.deployments.get(requested.id());

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(onlyStepRun(d).outcome()).contains("secret \"nope\" is not set", "gantry secret set nope");
    try (var found = Files.walk(home)) {
      assertThat(found.filter(p -> p.getFileName().toString().equals("ran.txt"))).isEmpty();
    }
  }

  @Test
  void a_step_printing_far_more_than_the_tail_keeps_the_tail_in_the_record_and_all_of_it_in_a_file()
      throws Exception {
    Deployment d = deployWith("yes '" + LINE + "' | head -n " + LINES + "; echo the end");

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    StepRun run = onlyStepRun(d);
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    byte[] line = (LINE + "\n").getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < LINES; i++) {
      expected.update(line);
    }
    byte[] end = "the end\n".getBytes(StandardCharsets.UTF_8);
    expected.update(end);
    long printed = (long) line.length * LINES + end.length;

    assertThat(run.output()).hasSize(StepOutputs.DEFAULT_TAIL).endsWith(LINE + "\nthe end\n");
    assertThat(run.outputSize()).isEqualTo(printed);
    assertThat(run.outputFile()).isEqualTo("output/" + d.id() + "/" + run.id() + ".log");
    Path file = fixture.dataDir.resolve(run.outputFile());
    assertThat(Files.size(file)).isEqualTo(printed);
    assertThat(run.outputSha256()).isEqualTo(HexFormat.of().formatHex(expected.digest()))
        .isEqualTo(sha256(file));
  }

  @Test
  void a_step_printing_less_than_the_tail_keeps_all_of_it_in_the_record_too() throws Exception {
    Deployment d = deployWith("echo one; echo two >&2; printf 'no newline at the end'");

    StepRun run = onlyStepRun(d);
    String all = "one\ntwo\nno newline at the end\n";
    assertThat(run.output()).isEqualTo(all);
    assertThat(run.outputSize()).isEqualTo(all.length());
    assertThat(Files.readString(fixture.dataDir.resolve(run.outputFile()))).isEqualTo(all);
    assertThat(run.outputSha256()).isEqualTo(HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(all.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void a_tail_that_would_start_inside_a_character_starts_at_the_next_whole_one() {
    StepOutputs outputs = new StepOutputs(home, 5);
    StepOutputs.Capture capture = outputs.capture(1, 1);
    capture.accept("aé€");

    StepOutput kept = capture.finish();

    // "aé€\n" is 1 + 2 + 3 + 1 bytes; its last 5 start in the middle of "é".
    assertThat(kept.tail()).isEqualTo("€\n");
    assertThat(kept.size()).isEqualTo(7);
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
