package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.catalog.VersionStatus;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.PageRequest;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A request that misses what can be known when it is made (an entry criterion, an approval a
 * controlled environment needs, a step of the promotion path) is refused then, listing every miss
 * with the command that would mend it; it leaves no deployment behind, so no failure is counted.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class RequestChecksContractTest {

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: dev}
      spec: {purpose: development, owner: platform, promotesTo: [test]}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: test}
      spec: {purpose: test, owner: qa, promotesTo: [staging]}
      ---
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: staging}
      spec: {purpose: staging, controlled: true, owner: platform}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: d1}
      spec: {environment: dev, kind: local, path: d1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: test, kind: local, path: t1}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: s1}
      spec: {environment: staging, kind: local, path: s1}
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
          - name: dev
            environment: dev
            steps:
              - {name: install, type: artifact.install, destination: releases}
          - name: test
            environment: test
            steps:
              - {name: install, type: artifact.install, destination: releases}
          - name: staging
            environment: staging
            entryCriteria:
              - {type: stage-succeeded, stage: test}
              - {type: version-status, status: approved}
            steps:
              - {name: install, type: artifact.install, destination: releases}
      """;

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  RequestChecksContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
    fixture.apply(CONFIG);
    fixture.library.push(new Library.Push(WEB, "1.0.0", Map.of(), List.of(new Library.Upload("app.txt",
        () -> new ByteArrayInputStream("v1".getBytes(StandardCharsets.UTF_8)))), List.of()), "alice");
  }

  private static final ComponentRef WEB = new ComponentRef("shop", "web");

  private Deployment deploy(DeploymentRequests requests, String environment) {
    Deployment d = requests.request(new DeploymentRequests.Request("shop/web", "1.0.0", environment, null, null),
        "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private List<Finding> refusal(DeploymentRequests requests, String environment) {
    var thrown = assertThatThrownBy(() -> requests.request(
        new DeploymentRequests.Request("shop/web", "1.0.0", environment, null, null), "bob"))
        .isInstanceOf(InvalidInputException.class).actual();
    return ((InvalidInputException) thrown).findings();
  }

  private long deploymentsIn(String environment) {
    return fixture.deployments.page(new Deployments.Filter(environment, null, null, null), PageRequest.all()).total();
  }

  @Test
  void a_version_that_skipped_test_and_is_not_approved_is_refused_with_every_unmet_requirement_and_its_command() {
    List<Finding> unmet = refusal(fixture.requests, "staging");

    assertThat(unmet).extracting(Finding::field).containsExactly("entryCriteria[0]", "entryCriteria[1]",
        "environment");
    assertThat(unmet.get(0).message()).contains("succeeded in stage test").contains("gantry deploy shop/web@1.0.0 --to test");
    assertThat(unmet.get(1).message()).contains("to be approved, and it is registered")
        .contains("gantry version approve shop/web@1.0.0");
    assertThat(unmet.get(2).message()).contains("on the promotion path staging comes after test")
        .contains("gantry deploy shop/web@1.0.0 --to test");
    assertThat(deploymentsIn("staging")).as("a refused request leaves no deployment").isZero();
  }

  @Test
  void a_controlled_environment_refuses_a_version_that_is_not_approved_when_it_is_requested() {
    fixture.apply(CONFIG.replace("- {type: version-status, status: approved}", "- {type: stage-succeeded, stage: dev}"));
    assertThat(deploy(fixture.requests, "dev").state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(deploy(fixture.requests, "test").state()).isEqualTo(DeploymentState.SUCCEEDED);

    List<Finding> unmet = refusal(fixture.requests, "staging");

    assertThat(unmet).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("version");
      assertThat(f.message()).contains("staging is a controlled environment and accepts only approved versions")
          .contains("gantry version approve shop/web@1.0.0");
    });
  }

  @Test
  void a_version_that_followed_its_path_and_was_approved_is_accepted_and_succeeds() {
    assertThat(deploy(fixture.requests, "dev").state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(deploy(fixture.requests, "test").state()).isEqualTo(DeploymentState.SUCCEEDED);
    var v = fixture.library.get(WEB, "1.0.0");
    fixture.library.changeStatus(WEB, "1.0.0", VersionStatus.APPROVED, "tested", v.rowVersion(), "carol");

    assertThat(deploy(fixture.requests, "staging").state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void the_promotion_path_names_the_step_that_is_missing() {
    List<Finding> unmet = refusal(fixture.requests, "test");

    assertThat(unmet).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo("environment");
      assertThat(f.message()).contains("test comes after dev").contains("gantry deploy shop/web@1.0.0 --to dev");
    });
    assertThat(deploymentsIn("test")).isZero();
  }

  @Test
  void an_authorized_emergency_change_lets_a_version_skip_its_path_and_the_record_says_so() {
    PromotionExemptions emergency = (component, environment) -> environment.equals("test")
        ? Optional.of("emergency change CHG-7: payments down") : Optional.empty();
    DeploymentRequests requests = fixture.requests(List.of(emergency));

    Deployment d = deploy(requests, "test");

    assertThat(d.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .contains("reaches test without having succeeded in dev").contains("emergency change CHG-7: payments down"));
  }
}
