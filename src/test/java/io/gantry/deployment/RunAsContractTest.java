package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.config.ConfigFile;
import io.gantry.execution.StepUser;
import io.gantry.testing.MutableClock;
import io.gantry.testing.StepTestUser;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local steps run as the unprivileged OS user {@code gantry.targets.run-as} names: a step is that user, may
 * write in its component's folder, cannot read the data directory, and the sample application deploys end to
 * end as it. Real processes as a real user, so it needs root (skipped otherwise); on H2 only, since nothing
 * here depends on the database.
 */
class RunAsContractTest {

  private static final Path SAMPLE_APP = Path.of("examples/sample-app");
  private static final ComponentRef WEB = new ComponentRef("shop", "web");

  private static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: qa, kind: local, path: t1, facts: {port: "PORT"}}
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
      STEPS
      """;

  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private String user;
  private int uid;
  private int port;

  /** Holds the data directory ({@code home/data}) and the local root ({@code home/targets}); searchable by all. */
  @TempDir
  Path home;

  @BeforeEach
  void setUp() throws IOException {
    user = StepTestUser.name();
    uid = StepTestUser.uid(user);
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    fixture = new EngineFixture(TestDatabase.H2.create(), clock, home);
    fixture.secrets();
    fixture.stepUser = new StepUser(user, fixture.dataDir);
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
  }

  @AfterEach
  void stopTheApp() throws Exception {
    Path pid = home.resolve("targets/t1/shop.web/app.pid");
    if (Files.exists(pid)) {
      ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private Deployment deploy(String steps, List<Library.Upload> files) {
    fixture.apply(CONFIG.replace("PORT", String.valueOf(port)).replace("STEPS", steps.indent(8).stripTrailing()));
    fixture.library.push(new Library.Push(WEB, "1.0.0", Map.of(), files, List.of()), "alice");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", "qa", null, null),
        "bob");
    fixture.engine().runDue();
    return fixture.deployments.get(d.id());
  }

  private Deployment deploy(String steps) {
    return deploy(steps, List.of(new Library.Upload("run.sh",
        () -> new ByteArrayInputStream("true\n".getBytes(StandardCharsets.UTF_8)))));
  }

  private String everything(Deployment d) throws IOException {
    StringBuilder all = new StringBuilder(String.valueOf(d.outcome()));
    for (StepRun run : fixture.deployments.stepRuns(d.id())) {
      all.append(run.output()).append(run.outcome());
      if (run.outputFile() != null) {
        all.append(Files.readString(fixture.dataDir.resolve(run.outputFile())));
      }
    }
    fixture.deployments.events(d.id(), 0).forEach(e -> all.append(e.message()).append('\n'));
    return all.toString();
  }

  @Test
  void a_step_is_the_user_and_writes_in_its_components_folder() throws Exception {
    Deployment d = deploy("""
        - {name: install, type: artifact.install, destination: releases}
        - {name: who, type: shell, command: "id -u; echo home=$HOME; echo written > by-step.txt; mkdir logs; cat current/run.sh"}
        """);

    assertThat(d.state()).as(everything(d)).isEqualTo(DeploymentState.SUCCEEDED);
    StepRun who = fixture.deployments.stepRuns(d.id()).getLast();
    assertThat(who.output()).startsWith(uid + "\nhome=").contains("true\n");
    Path folder = home.resolve("targets/t1/shop.web");
    assertThat(Files.getAttribute(folder, "unix:uid")).isEqualTo(uid);
    assertThat(Files.getAttribute(folder.resolve("by-step.txt"), "unix:uid")).isEqualTo(uid);
    assertThat(folder.resolve("logs")).isDirectory();
    assertThat(Files.getAttribute(folder.resolve("current/run.sh"), "unix:uid"))
        .as("the release stays the server's: the step reads it, and cannot change it").isEqualTo(0);
  }

  @Test
  void a_step_cannot_read_the_data_directory_and_nothing_of_it_reaches_the_record() throws Exception {
    Path token = fixture.dataDir.resolve("admin.token");
    String secretText = "gantry-admin-token-for-the-test-only";
    Files.writeString(token, secretText + "\n");
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    String key = Files.readString(fixture.dataDir.resolve("secrets.key")).strip();

    Deployment d = deploy("""
        - name: snoop
          type: shell
          command: "cat DATA/secrets.key; cat DATA/admin.token; ls DATA; exit 0"
        """.replace("DATA", fixture.dataDir.toString()));

    String all = everything(d);
    assertThat(all).contains("Permission denied").doesNotContain(secretText).doesNotContain(key)
        .doesNotContain("secrets.key\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fixture.dataDir))).isEqualTo("rwx------");
  }

  @Test
  void the_sample_app_deploys_end_to_end_and_runs_as_the_user() throws Exception {
    List<Library.Upload> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(SAMPLE_APP)) {
      for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
        byte[] bytes = Files.readAllBytes(file);
        files.add(new Library.Upload(SAMPLE_APP.relativize(file).toString(), () -> new ByteArrayInputStream(bytes)));
      }
    }

    Deployment d = deploy("""
        - {name: install, type: artifact.install, destination: releases, keepReleases: 3}
        - {name: configure, type: template, source: config/app.properties.tmpl, destination: current/app.properties}
        - {name: restart, type: shell, command: ./current/bin/restart.sh, timeout: 1m}
        - {name: health, type: http-check, url: "http://127.0.0.1:${port}/health", expectBody: UP, retries: 100, interval: 100ms, deadline: 30s}
        - {name: smoke, type: shell, command: ./current/bin/smoke-test.sh, timeout: 1m}
        """, files);

    assertThat(d.state()).as(everything(d)).isEqualTo(DeploymentState.SUCCEEDED);
    Path folder = home.resolve("targets/t1/shop.web");
    assertThat(Files.getAttribute(folder.resolve("current/app.properties"), "unix:uid")).isEqualTo(uid);
    long pid = Long.parseLong(Files.readString(folder.resolve("app.pid")).strip());
    assertThat(ProcessHandle.of(pid).flatMap(p -> p.info().user())).contains(user);
    assertThat(everything(d)).contains("home page names version 1.0.0");
  }
}
