package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Two engines (as two server processes would) share one database: each deployment is claimed by one
 * of them at a time (and claimed again only after it waits), so no step runs twice. Every step appends a line to a file on its target; each
 * file must hold each step exactly once.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class TwoEnginesContractTest {

  private static final int COMPONENTS = 12;
  private final TestDatabase database;
  @TempDir Path home;

  TwoEnginesContractTest(TestDatabase database) {
    this.database = database;
  }

  @Test
  void two_engines_on_one_database_never_run_the_same_step_twice() throws Exception {
    TestDatabase.Instance db = database.create();
    Clock clock = Clock.tick(Clock.systemUTC(), Duration.ofNanos(1000));
    EngineFixture fixture = new EngineFixture(db, clock, home);
    Library library = fixture.library;
    Deployments deployments = fixture.deployments;
    var requests = fixture.requests;
    StringBuilder yaml = new StringBuilder("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: qa}
        spec: {purpose: test, owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: svc}
        spec: {owner: qa}
        ---
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: m}
        spec:
          appliesTo: {services: [svc]}
          stages:
            - name: qa
              environment: qa
              steps:
                - {name: one, type: shell, command: "echo $GANTRY_VERSION-one >> steps.log"}
                - {name: two, type: shell, command: "echo $GANTRY_VERSION-two >> steps.log"}
                - {name: three, type: shell, command: "echo $GANTRY_VERSION-three >> steps.log"}
        """);
    for (int c = 0; c < COMPONENTS; c++) {
      yaml.append("---\napiVersion: gantry.io/v1\nkind: Component\nmetadata: {name: c").append(c)
          .append("}\nspec: {service: svc, type: software}\n---\napiVersion: gantry.io/v1\nkind: Target\n")
          .append("metadata: {name: t").append(c).append("}\nspec: {environment: qa, kind: local, path: t")
          .append(c).append("}\n");
    }
    fixture.apply(yaml.toString());
    for (int c = 0; c < COMPONENTS; c++) {
      library.push(new Library.Push(new ComponentRef("svc", "c" + c), "1.0." + c, Map.of(),
          List.of(new Library.Upload("a.txt", () -> new ByteArrayInputStream("a".getBytes(StandardCharsets.UTF_8)))),
          List.of()), "alice");
      requests.request(new DeploymentRequests.Request("svc/c" + c, "1.0." + c, "qa", null, null), "bob");
    }

    List<Engine> engines = List.of(fixture.engine(), fixture.engine());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<Integer>> claimed = new ArrayList<>();
    for (Engine e : engines) {
      claimed.add(pool.submit(e::runDue));
    }
    int total = 0;
    for (Future<Integer> f : claimed) {
      total += f.get();
    }
    pool.shutdown();

    // a deployment that waits (for the queue, behind another on the same targets) is claimed again
    // when woken, so there are at least as many claims as deployments; what must never happen is
    // two engines running one step, which the step logs below would show
    assertThat(total).as("claims made by the two engines").isGreaterThanOrEqualTo(COMPONENTS);
    assertThat(deployments.page(new Deployments.Filter("qa", null, null, DeploymentState.SUCCEEDED),
        io.gantry.shared.PageRequest.all()).total()).isEqualTo(COMPONENTS);
    for (int c = 0; c < COMPONENTS; c++) {
      // every deployment lands on every target of the environment: each target's log names each
      // step of each deployment exactly once
      List<String> lines = new ArrayList<>();
      for (int component = 0; component < COMPONENTS; component++) {
        lines.addAll(Files.readAllLines(home.resolve("targets/t" + c + "/svc.c" + component + "/steps.log")));
      }
      assertThat(lines).hasSize(COMPONENTS * 3).doesNotHaveDuplicates().isNotEmpty();
    }
  }
}
