package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.identity.Scope;
import io.gantry.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The matrix of what runs where: for each component in each environment, its last deployment, the version
 * its last success put there, and what is under way there (running, queued, waiting and for what).
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class DeploymentMatrixContractTest {

  private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
  private static final ComponentRef WEB = new ComponentRef("shop", "web");
  private static final ComponentRef API = new ComponentRef("shop", "api");
  private static final ComponentRef LEDGER = new ComponentRef("books", "ledger");
  private final TestDatabase database;
  private Deployments deployments;
  private DeploymentMatrix matrix;
  private int minute;

  DeploymentMatrixContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    var db = database.create();
    deployments = new Deployments(db.jdbc());
    matrix = new DeploymentMatrix(db.jdbc());
    // the places of the matrix: the catalog's components in the declared environments
    var jdbc = db.jdbc();
    for (String service : List.of("shop", "books")) {
      jdbc.sql("insert into services (name, labels, created_at, updated_at) values (:n, '{}', :t, :t)")
          .param("n", service).param("t", java.sql.Timestamp.from(NOW)).update();
    }
    for (ComponentRef c : List.of(WEB, API, LEDGER)) {
      jdbc.sql("""
          insert into components (service_id, name, type, requires, required_attributes, labels, created_at, updated_at)
          values ((select id from services where name = :s), :n, 'software', '[]', '[]', '{}', :t, :t)
          """).param("s", c.service()).param("n", c.component()).param("t", java.sql.Timestamp.from(NOW)).update();
    }
    for (String env : List.of("qa", "prod")) {
      jdbc.sql("""
          insert into environments (name, purpose, controlled, owner, promotes_to, labels, created_at, updated_at)
          values (:n, 'test', false, 'ops', '[]', '{}', :t, :t)
          """).param("n", env).param("t", java.sql.Timestamp.from(NOW)).update();
    }
  }

  private Instant next() {
    return NOW.plusSeconds(60L * ++minute);
  }

  private Deployment requested(ComponentRef component, String version, String environment, Deployment.Kind kind) {
    return deployments.create(new Deployments.NewDeployment(component, version, environment, "m", 1, environment,
        "bob", "test", kind, null, null, 0), next());
  }

  private Deployment requested(ComponentRef component, String version, String environment) {
    return requested(component, version, environment, Deployment.Kind.DEPLOY);
  }

  /** Carries a deployment along the usual path to {@code end} (a final state, or one on the way). */
  private Deployment through(Deployment d, DeploymentState end) {
    List<DeploymentState> path = switch (end) {
      case CANCELLED -> List.of(DeploymentState.CANCELLED);
      case ROLLED_BACK -> List.of(DeploymentState.PLANNED, DeploymentState.COMPONENTS_VERIFIED,
          DeploymentState.ENVIRONMENT_VERIFIED, DeploymentState.EXECUTING, DeploymentState.ROLLING_BACK,
          DeploymentState.ROLLED_BACK);
      default -> {
        List<DeploymentState> usual = List.of(DeploymentState.PLANNED, DeploymentState.COMPONENTS_VERIFIED,
            DeploymentState.ENVIRONMENT_VERIFIED, DeploymentState.EXECUTING, DeploymentState.VERIFYING,
            DeploymentState.SUCCEEDED);
        yield end == DeploymentState.FAILED
            ? List.of(DeploymentState.PLANNED, DeploymentState.COMPONENTS_VERIFIED, DeploymentState.ENVIRONMENT_VERIFIED,
                DeploymentState.EXECUTING, DeploymentState.FAILED)
            : usual.subList(0, usual.indexOf(end) + 1);
      }
    };
    for (DeploymentState s : path) {
      d = deployments.transition(d, s, "gantry", s == DeploymentState.FAILED ? "step install failed" : "on", next());
    }
    return d;
  }

  private DeploymentMatrix.Cell cell(Map<DeploymentMatrix.Place, DeploymentMatrix.Cell> cells, String env,
      ComponentRef component) {
    return cells.get(new DeploymentMatrix.Place(env, component));
  }

  @Test
  void a_cell_shows_the_version_of_the_last_success_and_the_outcome_of_the_last_deployment() {
    through(requested(WEB, "1.0", "qa"), DeploymentState.SUCCEEDED);
    Deployment failed = through(requested(WEB, "1.1", "qa"), DeploymentState.FAILED);
    through(requested(WEB, "1.0", "prod"), DeploymentState.SUCCEEDED);
    Deployment rolledBack = through(requested(WEB, "1.1", "prod"), DeploymentState.ROLLED_BACK);
    Deployment cancelled = through(requested(API, "2.0", "qa"), DeploymentState.CANCELLED);

    var cells = matrix.cells(DeploymentMatrix.Filter.ALL);

    assertThat(cells).hasSize(3);
    var webQa = cell(cells, "qa", WEB);
    assertThat(webQa.deployedVersion()).isEqualTo("1.0");
    assertThat(webQa.last().id()).isEqualTo(failed.id());
    assertThat(webQa.last().state()).isEqualTo(DeploymentState.FAILED);
    assertThat(webQa.last().version()).isEqualTo("1.1");
    assertThat(webQa.last().outcome()).isEqualTo("step install failed");
    assertThat(webQa.last().finishedAt()).isNotNull();
    assertThat(webQa.active()).isEmpty();
    assertThat(cell(cells, "prod", WEB).last().id()).isEqualTo(rolledBack.id());
    assertThat(cell(cells, "prod", WEB).deployedVersion()).isEqualTo("1.0");
    var apiQa = cell(cells, "qa", API);
    assertThat(apiQa.last().id()).isEqualTo(cancelled.id());
    assertThat(apiQa.lastSucceeded()).isNull();
    assertThat(apiQa.deployedVersion()).isNull();
  }

  @Test
  void a_component_removed_by_its_last_success_runs_no_version_there() {
    through(requested(WEB, "1.0", "qa"), DeploymentState.SUCCEEDED);
    Deployment removed = through(requested(WEB, "1.0", "qa", Deployment.Kind.UNDEPLOY), DeploymentState.SUCCEEDED);

    var webQa = cell(matrix.cells(DeploymentMatrix.Filter.ALL), "qa", WEB);

    assertThat(webQa.lastSucceeded().id()).isEqualTo(removed.id());
    assertThat(webQa.lastSucceeded().kind()).isEqualTo(Deployment.Kind.UNDEPLOY);
    assertThat(webQa.deployedVersion()).isNull();
  }

  @Test
  void deployments_under_way_are_told_apart_as_running_queued_or_waiting_and_for_what() {
    through(requested(WEB, "1.0", "qa"), DeploymentState.SUCCEEDED);
    Deployment running = through(requested(WEB, "1.1", "qa"), DeploymentState.EXECUTING);
    Deployment waiting = requested(WEB, "1.2", "qa");
    deployments.recordWait(waiting.id(), DeploymentEvent.WaitKind.LOCK, "waiting for deployment #" + running.id(),
        next());
    Deployment queued = requested(WEB, "1.3", "qa");
    // a wait that is over: the deployment moved on since
    Deployment movedOn = requested(API, "2.0", "qa");
    deployments.recordWait(movedOn.id(), DeploymentEvent.WaitKind.WINDOW, "waiting for the window", next());
    through(movedOn, DeploymentState.EXECUTING);
    Deployment approval = through(requested(API, "2.0", "prod"), DeploymentState.EXECUTING);
    deployments.recordWait(approval.id(), DeploymentEvent.WaitKind.APPROVAL, "waiting for approval of step go",
        next());

    var cells = matrix.cells(DeploymentMatrix.Filter.ALL);

    var webQa = cell(cells, "qa", WEB);
    assertThat(webQa.deployedVersion()).isEqualTo("1.0");
    assertThat(webQa.last().id()).isEqualTo(queued.id());
    assertThat(webQa.running()).extracting(DeploymentMatrix.Active::id).containsExactly(running.id());
    assertThat(webQa.queued()).extracting(DeploymentMatrix.Active::id).containsExactly(queued.id());
    assertThat(webQa.waiting()).singleElement().satisfies(w -> {
      assertThat(w.id()).isEqualTo(waiting.id());
      assertThat(w.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.LOCK);
      assertThat(w.waitingWhat()).isEqualTo("deployment #" + running.id());
      assertThat(w.waitingSince()).isNotNull();
    });
    assertThat(cell(cells, "qa", API).running()).extracting(DeploymentMatrix.Active::id).containsExactly(movedOn.id());
    assertThat(cell(cells, "qa", API).waiting()).isEmpty();
    assertThat(cell(cells, "prod", API).waiting()).singleElement()
        .satisfies(w -> assertThat(w.waitingFor()).isEqualTo(DeploymentEvent.WaitKind.APPROVAL));
    assertThat(cell(cells, "prod", API).deployedVersion()).isNull();
  }

  @Test
  void deployments_to_places_no_longer_declared_are_left_out() {
    through(requested(new ComponentRef("shop", "gone"), "1.0", "qa"), DeploymentState.SUCCEEDED);
    through(requested(WEB, "1.0", "old-env"), DeploymentState.SUCCEEDED);

    assertThat(matrix.cells(DeploymentMatrix.Filter.ALL)).isEmpty();
  }

  @Test
  void the_matrix_keeps_to_the_filter_and_to_the_scopes_a_reader_sees() {
    through(requested(WEB, "1.0", "qa"), DeploymentState.SUCCEEDED);
    through(requested(WEB, "1.0", "prod"), DeploymentState.SUCCEEDED);
    requested(WEB, "1.1", "prod");
    through(requested(LEDGER, "3.0", "qa"), DeploymentState.SUCCEEDED);
    requested(LEDGER, "3.1", "qa");

    assertThat(matrix.cells(new DeploymentMatrix.Filter("shop", null, null)).keySet())
        .extracting(DeploymentMatrix.Place::component).containsOnly(WEB);
    assertThat(matrix.cells(new DeploymentMatrix.Filter(null, "qa", null)).keySet())
        .extracting(DeploymentMatrix.Place::environment).containsOnly("qa").hasSize(2);

    var scoped = matrix.cells(new DeploymentMatrix.Filter(null, null,
        List.of(new Scope("shop", "prod"), Scope.service("books"))));
    assertThat(scoped.keySet()).containsExactlyInAnyOrder(new DeploymentMatrix.Place("prod", WEB),
        new DeploymentMatrix.Place("qa", LEDGER));
    assertThat(cell(scoped, "qa", LEDGER).queued()).hasSize(1);
    assertThat(matrix.cells(new DeploymentMatrix.Filter(null, null, List.of()))).isEmpty();
  }
}
