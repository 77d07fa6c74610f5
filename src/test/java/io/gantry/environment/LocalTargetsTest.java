package io.gantry.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.StartupProblem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where local targets' folders are, on real folders: a relative path lands under the local root beside
 * the data directory; a folder that is the data directory, lies in it (also through a link) or holds it
 * is refused; so is a local root in the data directory; and the folders an earlier Gantry kept in the
 * data directory are moved out once, and never when both places exist.
 */
class LocalTargetsTest {

  @TempDir Path home;
  private Path data;
  private LocalTargets places;

  @BeforeEach
  void setUp() throws Exception {
    data = Files.createDirectories(home.resolve("data"));
    Files.writeString(data.resolve("secrets.key"), "not for scripts");
    places = LocalTargets.beside(data);
  }

  @Test
  void a_relative_path_lands_under_the_local_root_beside_the_data_directory() {
    assertThat(places.root()).isEqualTo(home.resolve("targets"));
    assertThat(places.resolve("web-1")).isEqualTo(home.resolve("targets/web-1"));
    assertThat(places.resolve("team/web-1")).isEqualTo(home.resolve("targets/team/web-1"));
    assertThat(places.problem("web-1")).isNull();
    assertThat(places.problem(home.resolve("elsewhere/web-1").toString())).as("an absolute path outside").isNull();
  }

  @Test
  void a_local_root_of_the_callers_choosing_is_where_relative_paths_land() {
    LocalTargets chosen = new LocalTargets(data, home.resolve("srv/gantry-targets").toString());
    assertThat(chosen.resolve("web-1")).isEqualTo(home.resolve("srv/gantry-targets/web-1"));
  }

  @Test
  void a_folder_up_into_the_data_directory_is_refused() {
    assertThat(places.problem("../data/x")).contains("\"../data/x\" resolves to " + data.resolve("x"))
        .contains("is inside the data directory " + data);
    assertThat(places.problem("../data")).contains("is the data directory");
  }

  @Test
  void the_data_directory_itself_or_a_folder_holding_it_is_refused() {
    assertThat(places.problem(data.toString())).contains("is the data directory");
    assertThat(places.problem(data.resolve("targets/web-1").toString())).contains("is inside the data directory");
    assertThat(places.problem(home.toString())).contains("holds the data directory " + data);
    assertThat(places.problem("..")).contains("holds the data directory");
  }

  @Test
  void a_symbolic_link_into_the_data_directory_is_refused() throws Exception {
    Files.createDirectories(home.resolve("targets"));
    Files.createSymbolicLink(home.resolve("targets/sneaky"), data);
    assertThat(places.problem("sneaky")).contains("is the data directory").contains("through a symbolic link");
    assertThat(places.problem("sneaky/web-1")).contains("is inside the data directory")
        .contains("through a symbolic link");
    // a link to a folder the data directory does not have yet
    Path link = Files.createSymbolicLink(home.resolve("outside"), data.resolve("dml"));
    assertThat(places.problem(link.resolve("web-1").toString())).contains("is inside the data directory");
  }

  @Test
  void a_path_that_is_no_path_is_refused() {
    assertThat(places.problem("a\0b")).contains("is not a valid path");
    assertThat(places.problem("")).contains("needs a folder");
  }

  @Test
  void a_local_root_in_the_data_directory_keeps_the_server_from_starting() {
    assertThatThrownBy(() -> new LocalTargets(data, data.resolve("targets").toString()))
        .isInstanceOf(StartupProblem.class)
        .hasMessage("gantry.targets.local-root " + data.resolve("targets") + " is inside the data directory " + data
            + "; local targets must live outside it: set gantry.targets.local-root to a folder outside " + data);
    assertThatThrownBy(() -> new LocalTargets(data, data.toString())).isInstanceOf(StartupProblem.class)
        .hasMessageContaining("is the data directory");
    assertThatThrownBy(() -> new LocalTargets(data, home.toString())).isInstanceOf(StartupProblem.class)
        .hasMessageContaining("holds the data directory");
    assertThatThrownBy(() -> LocalTargets.beside(Path.of("/"))).isInstanceOf(StartupProblem.class);
  }

  @Test
  void the_folders_an_earlier_gantry_kept_in_the_data_directory_move_out_once() throws Exception {
    // the examples' old path (targets/web-1) became web-1; a declaration left as it was keeps targets/api-1
    Files.createDirectories(data.resolve("targets/web-1/shop.web/releases/1.0.0"));
    Files.writeString(data.resolve("targets/web-1/shop.web/releases/1.0.0/app.txt"), "1.0.0");
    Files.createSymbolicLink(data.resolve("targets/web-1/shop.web/current"), Path.of("releases/1.0.0"));
    Files.createDirectories(data.resolve("targets/api-1"));
    Files.writeString(data.resolve("targets/api-1/state.txt"), "running");
    Files.createDirectories(data.resolve("targets/undeclared"));
    List<Target> declared = List.of(local("web-1", "web-1"), local("api-1", "targets/api-1"),
        local("db-1", "db-1"), local("abs", home.resolve("abs").toString()));

    List<String> lines = places.moveOutOfDataDirectory(declared);

    assertThat(lines).containsExactly(
        "Moved the folder of local target web-1 out of the data directory: " + data.resolve("targets/web-1")
            + " -> " + home.resolve("targets/web-1"),
        "Moved the folder of local target api-1 out of the data directory: " + data.resolve("targets/api-1")
            + " -> " + home.resolve("targets/targets/api-1"));
    assertThat(home.resolve("targets/web-1/shop.web/current/app.txt")).hasContent("1.0.0");
    assertThat(Files.readSymbolicLink(home.resolve("targets/web-1/shop.web/current")))
        .isEqualTo(Path.of("releases/1.0.0"));
    assertThat(home.resolve("targets/targets/api-1/state.txt")).hasContent("running");
    assertThat(data.resolve("targets/web-1")).doesNotExist();
    assertThat(data.resolve("targets/api-1")).doesNotExist();
    assertThat(data.resolve("targets/undeclared")).as("never anything else").isDirectory();
    assertThat(home.resolve("targets/db-1")).doesNotExist();
    assertThat(data.resolve("secrets.key")).hasContent("not for scripts");

    assertThat(places.moveOutOfDataDirectory(declared)).as("once: the second start has nothing to move").isEmpty();
  }

  @Test
  void a_folder_in_both_places_keeps_the_server_from_starting_and_nothing_moves() throws Exception {
    Files.createDirectories(data.resolve("targets/web-1"));
    Files.writeString(data.resolve("targets/web-1/old.txt"), "old");
    Files.createDirectories(data.resolve("targets/web-2"));
    Files.createDirectories(home.resolve("targets/web-1"));
    Files.writeString(home.resolve("targets/web-1/new.txt"), "new");

    assertThatThrownBy(() -> places.moveOutOfDataDirectory(List.of(local("web-2", "web-2"), local("web-1", "web-1"))))
        .isInstanceOf(StartupProblem.class)
        .hasMessage("local target web-1 has a folder both where an earlier Gantry put it, "
            + data.resolve("targets/web-1") + ", and where it is now, " + home.resolve("targets/web-1")
            + "; nothing was moved: keep the one you want, remove or rename the other, then start again");
    assertThat(data.resolve("targets/web-1/old.txt")).hasContent("old");
    assertThat(home.resolve("targets/web-1/new.txt")).hasContent("new");
    assertThat(data.resolve("targets/web-2")).as("checked before any move").isDirectory();
    assertThat(home.resolve("targets/web-2")).doesNotExist();
  }

  @Test
  void two_targets_claiming_one_earlier_folder_keep_the_server_from_starting() throws Exception {
    Files.createDirectories(data.resolve("targets/web-1"));
    assertThatThrownBy(() -> places.moveOutOfDataDirectory(
        List.of(local("a", "web-1"), local("b", "targets/web-1"))))
        .isInstanceOf(StartupProblem.class)
        .hasMessageStartingWith("local targets a and b both had the folder " + data.resolve("targets/web-1"));
    assertThat(data.resolve("targets/web-1")).isDirectory();
  }

  private static Target local(String name, String path) {
    return new Target(1, new TargetDefinition(name, null, "qa", TargetKind.LOCAL, path, null, Map.of(), List.of(),
        Map.of()), 0, Instant.EPOCH, Instant.EPOCH);
  }
}
