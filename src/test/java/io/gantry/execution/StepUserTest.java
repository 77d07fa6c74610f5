package io.gantry.execution;

import static io.gantry.execution.Fixtures.context;
import static io.gantry.execution.Fixtures.shell;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.Release;
import io.gantry.shared.StartupProblem;
import io.gantry.testing.MutableClock;
import io.gantry.testing.StepTestUser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry.targets.run-as}: refused at start for a user that is not there or is root; with an
 * unprivileged user, commands on a local target run as it, and the data directory is kept from it.
 */
class StepUserTest {

  @TempDir
  Path home;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final Log log = new Log();
  private final Release release = Release.of("2.0.0", Map.of("a.txt", "a"));

  @Test
  void unset_or_blank_runs_commands_as_the_servers_user() {
    assertThat(new StepUser(null, home.resolve("data")).isServer()).isTrue();
    assertThat(new StepUser("  ", home.resolve("data")).isServer()).isTrue();
    assertThat(Files.exists(home.resolve("data"))).as("nothing is done to the data directory").isFalse();
  }

  @Test
  void a_user_that_does_not_exist_keeps_the_server_from_starting_with_one_line_naming_the_setting() {
    assertThatThrownBy(() -> new StepUser("no-such-user-gantry", home.resolve("data")))
        .isInstanceOf(StartupProblem.class)
        .hasMessage("gantry.targets.run-as names the OS user \"no-such-user-gantry\", which does not exist on this "
            + "host: create it (e.g. useradd --system --no-create-home no-such-user-gantry) or unset "
            + "gantry.targets.run-as");
    assertThatThrownBy(() -> new StepUser("bad name;rm", home.resolve("data"))).isInstanceOf(StartupProblem.class)
        .hasMessageContaining("gantry.targets.run-as \"bad name;rm\" is not an OS user name");
  }

  @Test
  void root_keeps_the_server_from_starting() {
    assertThatThrownBy(() -> new StepUser("root", home.resolve("data"))).isInstanceOf(StartupProblem.class)
        .hasMessageStartingWith("gantry.targets.run-as names \"root\", which is root (uid 0)");
  }

  @Test
  void a_command_runs_as_the_user_with_its_own_home_and_name_and_not_roots_groups() throws Exception {
    String name = StepTestUser.name();
    StepUser user = new StepUser(name, home.resolve("data"));
    Path target = Files.createDirectory(home.resolve("target"));
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    user.own(target);
    StepRunner runner = new StepRunner(clock, new Fixtures.RecordingSleeper(clock))
        .runningAs(user);

    StepOutcome outcome = runner.run(shell("id -u; id -G; echo \"user=$USER logname=$LOGNAME\"; touch mine"),
        context(target, release, log));

    assertThat(outcome).as(String.join("\n", log.lines)).isInstanceOf(StepOutcome.Succeeded.class);
    int uid = StepTestUser.uid(name);
    assertThat(log.lines.get(0)).isEqualTo(String.valueOf(uid));
    assertThat(log.lines.get(1).split(" ")).doesNotContain("0");
    assertThat(log.lines.get(2)).isEqualTo("user=" + name + " logname=" + name);
    assertThat(Files.getAttribute(target.resolve("mine"), "unix:uid")).isEqualTo(uid);
  }

  @Test
  void the_data_directory_is_made_or_left_readable_by_the_servers_user_only() throws Exception {
    String name = StepTestUser.name();
    Path made = home.resolve("made/data");
    Files.createDirectories(made.getParent(), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxr-xr-x")));
    new StepUser(name, made);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(made))).isEqualTo("rwx------");

    Path open = Files.createDirectories(home.resolve("open/data"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    new StepUser(name, open);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(open))).isEqualTo("rwx------");
  }
}
