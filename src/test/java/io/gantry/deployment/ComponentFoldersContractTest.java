package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Components do not share a target's files: each has {@code <target>/<service>.<component>/} with its
 * own {@code current} and releases; removing one leaves the others' files as they were; a target with
 * the shared layout of an earlier Gantry is moved into the folder of the component the record names,
 * or refused when the record cannot say.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ComponentFoldersContractTest {

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  ComponentFoldersContractTest(TestDatabase database) {
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
      kind: Component
      metadata: {name: api}
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
              - {name: run, type: shell, command: "sh current/run.sh"}
              - {name: note, type: shell, command: "echo \\"$GANTRY_COMPONENT $GANTRY_VERSION $GANTRY_TARGET_DIR\\" > who.txt"}
            removeSteps:
              - {name: stop, type: shell, command: "echo stopped > state.txt"}
              - {name: remove, type: artifact.remove, destination: releases}
      """;

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engine();
    fixture.apply(CONFIG);
  }

  private void push(String component, String version, String script) {
    fixture.library.push(new Library.Push(new ComponentRef("shop", component), version, Map.of(), List.of(
        new Library.Upload("run.sh", () -> new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8))),
        new Library.Upload("app.txt", () -> new ByteArrayInputStream((component + " " + version)
            .getBytes(StandardCharsets.UTF_8)))), List.of()), "alice");
  }

  private Deployment deploy(String component, String version) {
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/" + component, version, "qa", null,
        null), "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private Deployment undeploy(String component) {
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/" + component, null, "qa", null,
        null, Deployment.Kind.UNDEPLOY, null, null, null), "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private Path target() {
    return home.resolve("targets/t1");
  }

  private List<String> log(Deployment d) {
    return fixture.deployments.events(d.id(), 0).stream().map(DeploymentEvent::message).toList();
  }

  @Test
  void two_components_on_one_target_each_get_their_own_folder_with_their_own_current_and_releases()
      throws Exception {
    push("web", "1.0.0", "echo web > ran.txt\n");
    push("api", "2.0.0", "echo api > ran.txt\n");

    assertThat(deploy("web", "1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(deploy("api", "2.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);

    Path web = target().resolve("shop.web");
    Path api = target().resolve("shop.api");
    assertThat(Files.readSymbolicLink(web.resolve("current"))).isEqualTo(Path.of("releases/1.0.0"));
    assertThat(Files.readSymbolicLink(api.resolve("current"))).isEqualTo(Path.of("releases/2.0.0"));
    assertThat(web.resolve("current/app.txt")).hasContent("web 1.0.0");
    assertThat(api.resolve("current/app.txt")).hasContent("api 2.0.0");
    assertThat(web.resolve("ran.txt")).hasContent("web");
    assertThat(api.resolve("ran.txt")).hasContent("api");
    // what the steps are told is the component's folder, not the target's
    assertThat(web.resolve("who.txt")).hasContent("shop/web 1.0.0 " + web.toAbsolutePath().normalize());
    try (Stream<Path> top = Files.list(target())) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("shop.web", "shop.api");
    }
  }

  @Test
  void removing_one_component_leaves_every_file_of_another_on_the_same_target_byte_for_byte_as_it_was()
      throws Exception {
    push("web", "1.0.0", "echo web > ran.txt\n");
    push("api", "2.0.0", "echo api > ran.txt\nln -s current/app.txt link-to-app\n");
    deploy("web", "1.0.0");
    deploy("api", "2.0.0");
    Map<String, String> apiBefore = tree(target().resolve("shop.api"));

    Deployment removed = undeploy("web");

    assertThat(removed.state()).as(removed.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(target().resolve("shop.web/current")).doesNotExist();
    assertThat(target().resolve("shop.web/releases")).doesNotExist();
    assertThat(target().resolve("shop.web/state.txt")).hasContent("stopped");
    assertThat(tree(target().resolve("shop.api"))).isEqualTo(apiBefore).isNotEmpty();
  }

  @Test
  void a_target_with_the_shared_layout_of_an_earlier_gantry_is_moved_into_the_folder_of_its_one_component_once()
      throws Exception {
    push("web", "1.0.0", "echo web > ran.txt\n");
    push("api", "2.0.0", "echo api > ran.txt\n");
    push("api", "2.0.1", "echo api > ran.txt\n");
    deploy("web", "1.0.0");
    oldLayoutFrom("shop.web");
    Map<String, String> old = tree(target());

    Deployment api = deploy("api", "2.0.0");

    assertThat(api.state()).as(api.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(tree(target().resolve("shop.web"))).isEqualTo(old);
    assertThat(target().resolve("shop.web/current/app.txt")).hasContent("web 1.0.0");
    assertThat(target().resolve("current")).doesNotExist();
    assertThat(target().resolve("releases")).doesNotExist();
    assertThat(log(api)).anyMatch(m -> m.contains("target t1 had the shared layout of an earlier Gantry")
        && m.contains("shop/web is the only component"));

    // the second time there is nothing left to move
    Deployment again = deploy("api", "2.0.1");
    assertThat(again.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(log(again)).noneMatch(m -> m.contains("shared layout"));
    assertThat(tree(target().resolve("shop.web"))).isEqualTo(old);
  }

  @Test
  void a_move_of_the_shared_layout_stopped_half_way_is_finished_by_the_next_deployment() throws Exception {
    push("web", "1.0.0", "echo web > ran.txt\n");
    push("api", "2.0.0", "echo api > ran.txt\n");
    deploy("web", "1.0.0");
    oldLayoutFrom("shop.web");
    Map<String, String> old = tree(target());
    // as a server that died after moving the releases folder and one file, but before current
    Files.createDirectories(target().resolve("shop.web"));
    Files.move(target().resolve("releases"), target().resolve("shop.web/releases"));
    Files.move(target().resolve("ran.txt"), target().resolve("shop.web/ran.txt"));

    Deployment api = deploy("api", "2.0.0");

    assertThat(api.state()).as(api.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(tree(target().resolve("shop.web"))).isEqualTo(old);
    assertThat(Files.readSymbolicLink(target().resolve("shop.web/current"))).isEqualTo(Path.of("releases/1.0.0"));
  }

  @Test
  void a_shared_layout_the_record_cannot_give_to_one_component_is_refused_naming_the_target_and_left_untouched()
      throws Exception {
    push("web", "1.0.0", "echo web > ran.txt\n");
    push("api", "2.0.0", "echo api > ran.txt\n");
    push("api", "2.0.1", "echo api > ran.txt\n");
    deploy("web", "1.0.0");
    deploy("api", "2.0.0");
    // both components changed files on t1, and an earlier layout is found at its top
    Files.createDirectories(target().resolve("releases/0.9.0"));
    Files.writeString(target().resolve("releases/0.9.0/app.txt"), "whose?");
    Files.createSymbolicLink(target().resolve("current"), Path.of("releases/0.9.0"));
    Map<String, String> before = tree(target());

    Deployment refused = deploy("api", "2.0.1");

    assertThat(refused.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(refused.outcome()).contains("target t1 has current at the top of")
        .contains("2 components changing files there (shop/api, shop/web)").contains("nothing was moved")
        .contains("then deploy again");
    assertThat(tree(target())).isEqualTo(before);
  }

  @Test
  void a_link_planted_in_place_of_another_components_folder_is_refused_and_nothing_is_written_through_it()
      throws Exception {
    Path outside = home.resolve("outside");
    Files.createDirectories(outside);
    push("web", "1.0.0", "ln -s " + outside + " ../shop.api\n");
    push("api", "2.0.0", "echo api > ran.txt\n");
    assertThat(deploy("web", "1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(Files.isSymbolicLink(target().resolve("shop.api"))).as("the hostile step planted it").isTrue();

    Deployment api = deploy("api", "2.0.0");

    assertThat(api.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(api.outcome()).contains("shop.api is a symbolic link, not a folder").contains("remove the link");
    try (Stream<Path> written = Files.list(outside)) {
      assertThat(written).isEmpty();
    }
  }

  /** Moves a component's folder back up into the target, as an earlier Gantry laid it out. */
  private void oldLayoutFrom(String folder) throws IOException {
    Path from = target().resolve(folder);
    try (Stream<Path> entries = Files.list(from)) {
      for (Path entry : entries.toList()) {
        Files.move(entry, target().resolve(entry.getFileName().toString()));
      }
    }
    Files.delete(from);
  }

  /** Every file, folder and link under {@code root}: its SHA-256, "dir", or where it points. */
  static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    List<Path> all = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.forEach(all::add);
    }
    for (Path p : all) {
      String key = root.relativize(p).toString();
      if (Files.isSymbolicLink(p)) {
        out.put(key, "-> " + Files.readSymbolicLink(p));
      } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        out.put(key, "dir");
      } else {
        try {
          out.put(key, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
        } catch (java.security.NoSuchAlgorithmException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return out;
  }
}
