package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Undeploy: a component removed from an environment as a deployment of its own, and what is where after it. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class UndeployContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;
  private TestDatabase.Instance db;

  @TempDir
  Path home;

  UndeployContractTest(TestDatabase database) {
    this.database = database;
  }

  static final String CONFIG = """
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
      kind: Target
      metadata: {name: t2}
      spec: {environment: qa, kind: local, path: t2}
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
              - {name: install, type: artifact.install, destination: releases}
              - {name: start, type: shell, command: "echo running > state.txt"}
      REMOVE
      """;

  static final String REMOVE = """
            removeSteps:
              - {name: stop, type: shell, command: "echo stopped > state.txt"}
              - {name: remove, type: artifact.remove, destination: releases}
      """;

  @BeforeEach
  void setUp() {
    db = database.create();
    fixture = new EngineFixture(db, clock, home);
    engine = fixture.engine();
  }

  private void push(String version) {
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(),
        List.of(new Library.Upload("app.txt", () -> new ByteArrayInputStream(version.getBytes(StandardCharsets.UTF_8)))),
        List.of()), "alice");
  }

  private Deployment run(DeploymentRequests.Request request) {
    Deployment d = fixture.requests.request(request, "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private static DeploymentRequests.Request deploy(String version) {
    return new DeploymentRequests.Request("shop/web", version, "qa", null, null);
  }

  private static DeploymentRequests.Request undeploy(String version) {
    return new DeploymentRequests.Request("shop/web", version, "qa", null, null, Deployment.Kind.UNDEPLOY, null, null,
        null);
  }

  @Test
  void undeploy_runs_the_removal_steps_on_every_target_that_has_the_component_and_the_inventory_forgets_it()
      throws Exception {
    fixture.apply(CONFIG.replace("REMOVE", REMOVE));
    push("1.0.0");
    push("1.1.0");
    run(deploy("1.0.0"));
    assertThat(run(deploy("1.1.0")).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fixture.deployments.placements()).extracting(Deployments.Placement::target,
        Deployments.Placement::version).containsExactly(org.assertj.core.groups.Tuple.tuple("t1", "1.1.0"),
        org.assertj.core.groups.Tuple.tuple("t2", "1.1.0"));

    Deployment d = run(undeploy(null));

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(d.kind()).isEqualTo(Deployment.Kind.UNDEPLOY);
    assertThat(d.version()).isEqualTo("1.1.0");
    assertThat(d.outcome()).isEqualTo("shop/web removed from every target of qa");
    for (String t : List.of("t1", "t2")) {
      Path target = home.resolve("targets").resolve(t).resolve("shop.web");
      assertThat(target.resolve("current")).doesNotExist();
      assertThat(target.resolve("releases")).doesNotExist();
      assertThat(target.resolve("state.txt")).hasContent("stopped");
    }
    assertThat(fixture.deployments.placements()).isEmpty();
    assertThat(fixture.deployments.currentVersions("qa", new ComponentRef("shop", "web"))).isEmpty();
    assertThat(fixture.deployments.onTarget("t1", 10)).extracting(Deployment::kind)
        .containsExactly(Deployment.Kind.UNDEPLOY, Deployment.Kind.DEPLOY, Deployment.Kind.DEPLOY);

    // deployed again afterwards, it is where it was
    assertThat(run(deploy("1.0.0")).state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fixture.deployments.placements()).extracting(Deployments.Placement::version).containsOnly("1.0.0");
  }

  @Test
  void undeploying_what_is_not_deployed_or_without_removal_steps_is_refused_and_leaves_nothing_behind() {
    fixture.apply(CONFIG.replace("REMOVE", ""));
    push("1.0.0");

    assertThatThrownBy(() -> fixture.requests.request(undeploy(null), "bob"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("shop/web is not deployed in qa");
    run(deploy("1.0.0"));
    long before = db.count("deployments");

    assertThatThrownBy(() -> fixture.requests.request(undeploy("9.9.9"), "bob"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("is not what runs in qa (it runs 1.0.0)");
    assertThatThrownBy(() -> fixture.requests.request(undeploy(null), "bob"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("declares no removeSteps");
    assertThat(db.count("deployments")).isEqualTo(before);
    assertThat(Files.exists(home.resolve("targets/t1/shop.web/current"))).isTrue();
  }
}
