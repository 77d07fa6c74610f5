package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.config.ConfigFile;
import io.gantry.environment.LocalTargets;
import io.gantry.environment.Target;
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

/**
 * Local targets live outside the data directory: a relative path lands under the local root beside it,
 * a target declared in it (up a relative path, by its absolute path, through a symbolic link) is refused
 * at plan and apply with the file, line and field and changes nothing, and the folder an earlier Gantry
 * kept in the data directory is moved out and worked on by the next deployment, with the records intact.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class LocalTargetPlacesContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  /** Holds the data directory ({@code home/data}) and, beside it, the local root ({@code home/targets}). */
  @TempDir
  Path home;

  LocalTargetPlacesContractTest(TestDatabase database) {
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
              - {name: note, type: shell, command: "echo \\"$GANTRY_VERSION\\" >> versions.log"}
      """;

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
    fixture.apply(CONFIG);
  }

  @Test
  void a_relative_path_lands_under_the_local_root_beside_the_data_directory() {
    assertThat(deploy("1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);

    assertThat(home.resolve("targets/t1/shop.web/versions.log")).hasContent("1.0.0");
    assertThat(home.resolve("targets/t1/shop.web/current/app.txt")).hasContent("web 1.0.0");
    assertThat(fixture.dataDir.resolve("targets")).as("nothing of a target in the data directory").doesNotExist();
  }

  @Test
  void a_target_up_a_relative_path_into_the_data_directory_is_refused_and_nothing_changes() {
    refusedAt("../data/x", "the folder \"../data/x\" resolves to " + fixture.dataDir.resolve("x")
        + ", which is inside the data directory " + fixture.dataDir);
  }

  @Test
  void a_target_at_the_data_directory_itself_is_refused_and_nothing_changes() {
    refusedAt(fixture.dataDir.toString(), "which is the data directory");
  }

  @Test
  void a_target_holding_the_data_directory_is_refused_and_nothing_changes() {
    refusedAt(home.toString(), "which holds the data directory " + fixture.dataDir);
  }

  @Test
  void a_target_through_a_symbolic_link_into_the_data_directory_is_refused_and_nothing_changes() throws Exception {
    Files.createDirectories(home.resolve("targets"));
    Files.createSymbolicLink(home.resolve("targets/sneaky"), Files.createDirectories(fixture.dataDir.resolve("dml")));
    refusedAt("sneaky/x", "is inside the data directory " + fixture.dataDir
        + " (through a symbolic link: it is " + fixture.dataDir.toRealPath().resolve("dml/x") + ")");
  }

  @Test
  void the_folder_an_earlier_gantry_kept_in_the_data_directory_moves_out_and_the_next_deployment_works_on_it()
      throws Exception {
    assertThat(deploy("1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);
    // where an earlier Gantry kept it: the examples said targets/t1, relative to the data directory
    Files.createDirectories(fixture.dataDir.resolve("targets"));
    Files.move(home.resolve("targets/t1"), fixture.dataDir.resolve("targets/t1"));
    Files.writeString(fixture.dataDir.resolve("targets/t1/kept.txt"), "left by an operator");
    LocalTargets places = LocalTargets.beside(fixture.dataDir);

    assertThat(places.moveOutOfDataDirectory(fixture.targets.all())).containsExactly(
        "Moved the folder of local target t1 out of the data directory: " + fixture.dataDir.resolve("targets/t1")
            + " -> " + home.resolve("targets/t1"));
    assertThat(home.resolve("targets/t1/kept.txt")).hasContent("left by an operator");
    assertThat(fixture.dataDir.resolve("targets/t1")).doesNotExist();
    assertThat(places.moveOutOfDataDirectory(fixture.targets.all())).as("moved once").isEmpty();

    Deployment second = deploy("2.0.0");
    assertThat(second.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(home.resolve("targets/t1/shop.web/versions.log")).as("worked on the moved folder")
        .hasContent("1.0.0\n2.0.0");
    assertThat(home.resolve("targets/t1/shop.web/releases/1.0.0/app.txt")).hasContent("web 1.0.0");
    assertThat(home.resolve("targets/t1/shop.web/current/app.txt")).hasContent("web 2.0.0");
    assertThat(fixture.deployments.placements()).singleElement().satisfies(p -> {
      assertThat(p.target()).isEqualTo("t1");
      assertThat(p.version()).isEqualTo("2.0.0");
      assertThat(p.deployment()).isEqualTo(second.id());
    });
    assertThat(fixture.deployments.onTarget("t1", 10)).extracting(Deployment::version)
        .containsExactly("2.0.0", "1.0.0");
  }

  @Test
  void a_folder_in_both_places_is_refused_and_both_stay_as_they_are() throws Exception {
    assertThat(deploy("1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);
    Files.createDirectories(fixture.dataDir.resolve("targets/t1"));
    Files.writeString(fixture.dataDir.resolve("targets/t1/old.txt"), "old");

    var refused = catchThrowableOfType(io.gantry.shared.StartupProblem.class,
        () -> LocalTargets.beside(fixture.dataDir).moveOutOfDataDirectory(fixture.targets.all()));

    assertThat(refused).hasMessageContaining("local target t1 has a folder both where an earlier Gantry put it");
    assertThat(fixture.dataDir.resolve("targets/t1/old.txt")).hasContent("old");
    assertThat(home.resolve("targets/t1/shop.web/current/app.txt")).hasContent("web 1.0.0");
  }

  /** Plan and apply of a second target at {@code path} are refused at its spec.path, and nothing changes. */
  private void refusedAt(String path, String why) {
    String text = CONFIG + """
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: t2}
        spec:
          environment: qa
          kind: local
          path: "%s"
        """.formatted(path);
    int line = text.substring(0, text.indexOf("  path: \"")).split("\n", -1).length;
    List<ConfigFile> files = List.of(new ConfigFile("targets.yaml", text));
    Target before = fixture.targets.find("t1").orElseThrow();

    for (Runnable attempt : List.<Runnable>of(() -> fixture.config.plan(files),
        () -> fixture.config.apply(files, "test", "alice"))) {
      InvalidInputException refused = catchThrowableOfType(InvalidInputException.class, attempt::run);
      assertThat(refused).as("refused").isNotNull();
      assertThat(refused.findings()).singleElement().satisfies(f -> {
        assertThat(f.location().file()).isEqualTo("targets.yaml");
        assertThat(f.location().line()).isEqualTo(line);
        assertThat(f.field()).isEqualTo("spec.path");
        assertThat(f.message()).contains(why).contains("Put local targets outside it");
      });
    }
    assertThat(fixture.targets.find("t2")).isEmpty();
    assertThat(fixture.targets.all()).containsExactly(before);
    assertThat(fixture.dataDir.resolve("x")).doesNotExist();
  }

  private Deployment deploy(String version) {
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(), List.of(
        new Library.Upload("app.txt", () -> new ByteArrayInputStream(("web " + version)
            .getBytes(StandardCharsets.UTF_8)))), List.of()), "alice");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null),
        "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }
}
