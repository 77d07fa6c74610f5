package io.gantry.execution;

import static io.gantry.execution.Fixtures.install;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import io.gantry.execution.Fixtures.Release;
import io.gantry.testing.MutableClock;
import io.gantry.testing.OpenSshServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a component's files live on a target, local and over SSH (a real OpenSSH server): a folder of
 * its own whose name cannot leave the target, never a link, and the shared layout of an earlier Gantry
 * moved into it when the record names its one owner.
 */
class ComponentFolderLayoutTest {

  private static final ComponentRef WEB = Fixtures.WEB;
  private static final ComponentRef API = new ComponentRef("shop", "api");

  @TempDir
  static Path serverDir;
  static OpenSshServer server;

  @TempDir
  Path target;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final SshConnections connections = new SshConnections(null);
  private final StepRunner runner = new StepRunner(clock, new Fixtures.RecordingSleeper(clock), connections);

  @BeforeAll
  static void startServer() throws Exception {
    server = OpenSshServer.start(serverDir.resolve("sshd"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @AfterEach
  void closeClients() {
    connections.destroy();
  }

  private SshEndpoint endpoint() {
    return new SshEndpoint("127.0.0.1", server.port(), server.user(), server.clientKey(), server.hostKeyFingerprint());
  }

  @Test
  void a_components_folder_is_one_segment_named_service_dot_component_and_names_that_could_leave_the_target_are_refused() {
    assertThat(ComponentFolder.of(WEB)).isEqualTo("shop.web");
    for (ComponentRef bad : List.of(new ComponentRef("..", "web"), new ComponentRef("shop", ".."),
        new ComponentRef("/etc", "web"), new ComponentRef("shop", "a/../../b"), new ComponentRef("shop", ""),
        new ComponentRef("shop", ".hidden"), new ComponentRef("Shop", "web"), new ComponentRef("shop", "web\nx"))) {
      assertThatThrownBy(() -> ComponentFolder.of(bad)).as(bad.toString()).isInstanceOf(StepFailure.class)
          .hasMessageContaining("cannot have a folder on a target");
    }
  }

  @Test
  void preparing_makes_the_components_folder_and_leaves_the_record_unasked_when_there_is_no_earlier_layout()
      throws IOException {
    AtomicInteger asked = new AtomicInteger();

    Preparation p = LocalLayout.prepare("t1", target, WEB, () -> {
      asked.incrementAndGet();
      return List.of();
    });

    assertThat(p).isEqualTo(Preparation.READY);
    assertThat(target.resolve("shop.web")).isDirectory();
    assertThat(asked).hasValue(0);
  }

  @Test
  void a_link_or_a_file_in_place_of_a_components_folder_is_refused_locally_and_no_step_writes_through_it()
      throws IOException {
    Path elsewhere = Files.createDirectories(target.resolveSibling(target.getFileName() + "-elsewhere"));
    Files.createSymbolicLink(target.resolve("shop.web"), elsewhere);
    Files.writeString(target.resolve("shop.api"), "a file");

    assertThat(LocalLayout.prepare("t1", target, WEB, List::of).problem())
        .contains("shop.web is a symbolic link, not a folder");
    assertThat(LocalLayout.prepare("t1", target, API, List::of).problem()).contains("shop.api is a file, not a folder");
    // a step given the folder anyway refuses it too
    Release release = Release.of("1.0.0", Map.of("app.txt", "one"));
    StepOutcome outcome = runner.run(install(null, null, null), new StepContext(target.resolve("shop.web"), "t1",
        release.version(), Map.of(), release::open, Duration.ofSeconds(30), line -> {}));
    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    try (Stream<Path> written = Files.list(elsewhere)) {
      assertThat(written).isEmpty();
    }
  }

  @Test
  void an_earlier_shared_layout_with_no_owner_or_several_in_the_record_is_refused_and_left_as_it_was()
      throws IOException {
    oldLayout(target);

    String none = LocalLayout.prepare("t1", target, API, List::of).problem();
    String two = LocalLayout.prepare("t1", target, API, () -> List.of(WEB, API)).problem();

    assertThat(none).contains("target t1 has current at the top of " + target)
        .contains("no deployment recorded on t1 says which component it belongs to").contains("then deploy again");
    assertThat(two).contains("2 components changing files there (shop/api, shop/web)");
    try (Stream<Path> top = Files.list(target)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("current", "releases", "app.pid");
    }
  }

  @Test
  void over_ssh_an_earlier_shared_layout_is_moved_into_the_folder_of_its_one_owner_once_and_current_still_holds()
      throws IOException {
    oldLayout(target);
    Supplier<List<ComponentRef>> owner = () -> List.of(WEB);

    Preparation first = runner.prepareRemote(endpoint(), "s1", target.toString(), API, owner);

    assertThat(first.problem()).isNull();
    assertThat(first.note()).contains("moved current and app.pid, releases into " + target + "/shop.web");
    assertThat(Files.readSymbolicLink(target.resolve("shop.web/current"))).isEqualTo(Path.of("releases/1.0.0"));
    assertThat(target.resolve("shop.web/current/app.txt")).hasContent("one");
    assertThat(target.resolve("shop.web/app.pid")).hasContent("42");
    assertThat(target.resolve("shop.api")).isDirectory();
    try (Stream<Path> top = Files.list(target)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("shop.web", "shop.api");
    }

    Preparation second = runner.prepareRemote(endpoint(), "s1", target.toString(), API, () -> {
      throw new AssertionError("the record is asked only when an earlier layout is found");
    });
    assertThat(second).isEqualTo(Preparation.READY);
  }

  @Test
  void over_ssh_a_link_in_place_of_a_components_folder_is_refused_by_preparing_and_by_every_step() throws IOException {
    Path elsewhere = Files.createDirectories(target.resolveSibling(target.getFileName() + "-elsewhere"));
    Files.createSymbolicLink(target.resolve("shop.web"), elsewhere);

    Preparation p = runner.prepareRemote(endpoint(), "s1", target.toString(), WEB, List::of);
    Release release = Release.of("1.0.0", Map.of("app.txt", "one"));
    StepOutcome install = runner.run(install(null, null, null), new StepContext(target.resolve("shop.web"), "s1",
        release.version(), Map.of(), release::open, Duration.ofSeconds(30), line -> {}, endpoint()));

    assertThat(p.problem()).contains("shop.web is a symbolic link, not a folder");
    assertThat(install).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) install).reason()).contains("is a symbolic link");
    try (Stream<Path> written = Files.list(elsewhere)) {
      assertThat(written).isEmpty();
    }
  }

  @Test
  void over_ssh_an_earlier_shared_layout_the_record_cannot_give_to_one_component_is_refused() throws IOException {
    oldLayout(target);

    Preparation p = runner.prepareRemote(endpoint(), "s1", target.toString(), API, () -> List.of(WEB, API));

    assertThat(p.problem()).contains("target s1 has current at the top of " + target);
    assertThat(target.resolve("current")).isSymbolicLink();
    assertThat(target.resolve("shop.web")).doesNotExist();
  }

  /** The layout of an earlier Gantry: current and releases at the top, and a file a step wrote there. */
  private static void oldLayout(Path root) throws IOException {
    Files.createDirectories(root.resolve("releases/1.0.0"));
    Files.writeString(root.resolve("releases/1.0.0/app.txt"), "one");
    Files.createSymbolicLink(root.resolve("current"), Path.of("releases/1.0.0"));
    Files.writeString(root.resolve("app.pid"), "42");
  }
}
