package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.testing.MutableClock;
import io.gantry.testing.OpenSshServer;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Blue-green deployments on an SSH target (a real sshd on this host): the slots' servers are started
 * over SSH, the live link is moved on the host, and a rollback is a switch back there. The model is
 * {@link BlueGreenContractTest}'s. On PostgreSQL only: what is under test is the SSH side, and the
 * engine's storage is tested on both databases by {@link BlueGreenContractTest}.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = TestDatabase.class, names = "POSTGRESQL")
class BlueGreenSshContractTest {

  @TempDir
  static Path sshDir;
  static OpenSshServer server;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private EngineFixture fixture;
  private Engine engine;
  private int bluePort;
  private int greenPort;
  private Path component;

  @TempDir
  Path home;

  BlueGreenSshContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeAll
  static void startServer() throws Exception {
    server = OpenSshServer.start(sshDir.resolve("sshd"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void setUp() throws Exception {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
    bluePort = BlueGreenContractTest.freePort();
    greenPort = BlueGreenContractTest.freePort();
    while (greenPort == bluePort) {
      greenPort = BlueGreenContractTest.freePort();
    }
    Path host = home.resolve("host/t1").toAbsolutePath();
    Files.createDirectories(host);
    component = host.resolve("shop.web");
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
        """.formatted(server.target("t1", host))
        + BlueGreenContractTest.model(bluePort, greenPort));
  }

  @AfterEach
  void stopServers() throws Exception {
    BlueGreenContractTest.stopServersUnder(home.resolve("host"));
  }

  private Deployment deploy(String version, String health, boolean failWhenLive) {
    List<Library.Upload> files = new ArrayList<>(List.of(upload("bin/start.sh", BlueGreenContractTest.START),
        upload("health", health)));
    if (failWhenLive) {
      files.add(upload("fail-when-live", "yes"));
    }
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(), files, List.of()),
        "alice");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null),
        "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private static Library.Upload upload(String path, String text) {
    return new Library.Upload(path, () -> new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private String answer(int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  private String live() throws Exception {
    return Files.readSymbolicLink(component.resolve("live")).toString();
  }

  private long pid(String slot) throws Exception {
    return Long.parseLong(Files.readString(component.resolve(slot).resolve("server.pid")).strip());
  }

  private List<String> switches(Deployment d) {
    return fixture.deployments.events(d.id(), 0).stream().filter(e -> e.kind() == DeploymentEvent.Kind.SWITCH)
        .map(DeploymentEvent::step).toList();
  }

  @Test
  void over_ssh_a_new_version_is_checked_in_the_idle_slot_while_the_live_one_serves_and_then_switched_to()
      throws Exception {
    assertThat(deploy("1.0.0", "ok 1.0.0", false).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).isEqualTo("blue");

    Deployment d = deploy("2.0.0", "ok 2.0.0", false);

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(live()).isEqualTo("green");
    assertThat(answer(greenPort)).isEqualTo("ok 2.0.0");
    assertThat(answer(bluePort)).isEqualTo("ok 1.0.0");
    assertThat(Files.readString(component.resolve("live-while-idle-was-checked"))).isEqualTo("ok 1.0.0");
    assertThat(Files.readString(component.resolve("proxy.conf")).strip()).isEqualTo("green " + greenPort);
    assertThat(switches(d)).containsExactly("switch");
  }

  @Test
  void over_ssh_a_failure_after_the_switch_switches_back_and_a_bad_version_never_leaves_the_idle_slot()
      throws Exception {
    assertThat(deploy("1.0.0", "ok 1.0.0", false).state()).isEqualTo(DeploymentState.SUCCEEDED);
    long servingPid = pid("blue");

    Deployment failsLive = deploy("2.0.0", "ok 2.0.0", true);

    assertThat(failsLive.state()).as(failsLive.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(switches(failsLive)).containsExactly("switch", "switch-back");
    assertThat(live()).isEqualTo("blue");
    assertThat(Files.readString(component.resolve("proxy.conf")).strip()).isEqualTo("blue " + bluePort);

    Deployment bad = deploy("3.0.0", "failing 3.0.0", false);

    assertThat(bad.state()).as(bad.outcome()).isEqualTo(DeploymentState.ROLLED_BACK);
    assertThat(switches(bad)).isEmpty();
    assertThat(live()).isEqualTo("blue");
    assertThat(pid("blue")).as("blue's server ran all along").isEqualTo(servingPid);
    assertThat(answer(bluePort)).isEqualTo("ok 1.0.0");
  }
}
