package io.gantry.execution;

import static io.gantry.execution.Fixtures.context;
import static io.gantry.execution.Fixtures.install;
import static io.gantry.execution.Fixtures.template;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.Release;
import io.gantry.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemplateStepTest {

  @TempDir
  Path target;

  @TempDir
  Path elsewhere;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final StepRunner runner =
      new StepRunner(clock, new Fixtures.RecordingSleeper(clock));
  private final Log log = new Log();
  private final Release release = Release.of("1.2.0", Map.of(
      "config/app.properties.tmpl", "env=${environment}\nversion=${version}\nport=${port}\nliteral=$${port}\n"));

  @Test
  void a_source_from_the_current_release_is_rendered_with_step_variables_winning_over_the_context() {
    runner.run(install("releases", null, null), context(target, release, log));

    StepOutcome outcome = runner.run(
        template("current/app.properties", "config/app.properties.tmpl", null, Map.of("port", "8081",
            "environment", "staging")),
        context(target, release, log, release::open, Map.of("port", "9999")));

    assertThat(outcome).isEqualTo(new StepOutcome.Succeeded(
        "rendered config/app.properties.tmpl to current/app.properties"));
    assertThat(target.resolve("releases/1.2.0/app.properties"))
        .hasContent("env=staging\nversion=1.2.0\nport=8081\nliteral=${port}");
  }

  @Test
  void inline_content_is_rendered_into_a_new_folder_and_replaces_the_old_file() throws Exception {
    Files.createDirectories(target.resolve("conf"));
    Files.writeString(target.resolve("conf/target.env"), "old");

    StepOutcome outcome = runner.run(template("conf/target.env", null, "TARGET=${target}\nVERSION=${version}\n", null),
        context(target, release, log));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(target.resolve("conf/target.env")).hasContent("TARGET=web-1\nVERSION=1.2.0");
    assertThat(target.resolve("conf").toFile().list()).containsExactly("target.env");
  }

  @Test
  void an_unknown_placeholder_fails_the_step_naming_it_and_writes_nothing() {
    StepOutcome outcome = runner.run(template("app.properties", null, "a=${port}\nb=${region}\nc=${version}\n", null),
        context(target, release, log));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).startsWith("the template uses variables with no value: port, region");
    assertThat(target.resolve("app.properties")).doesNotExist();
  }

  @Test
  void a_destination_leaving_the_target_folder_is_refused() throws Exception {
    Files.createSymbolicLink(target.resolve("escape"), elsewhere);
    for (String destination : List.of("../outside.properties", "/tmp/outside.properties", "escape/app.properties",
        "conf/../../outside.properties")) {
      StepOutcome outcome = runner.run(template(destination, null, "x=1\n", null), context(target, release, log));

      assertThat(outcome).as(destination).isInstanceOf(StepOutcome.Failed.class);
      assertThat(((StepOutcome.Failed) outcome).reason()).as(destination).contains("destination");
    }
    assertThat(elsewhere.toFile().list()).isEmpty();
    assertThat(target.getParent().resolve("outside.properties")).doesNotExist();
  }

  @Test
  void a_source_needs_an_installed_release_and_must_be_in_it() {
    StepOutcome before = runner.run(template("app.properties", "config/app.properties.tmpl", null, null),
        context(target, release, log));
    assertThat(((StepOutcome.Failed) before).reason()).contains("install the version first");

    runner.run(install("releases", null, null), context(target, release, log));
    StepOutcome missing = runner.run(template("app.properties", "config/other.tmpl", null, null),
        context(target, release, log));
    assertThat(((StepOutcome.Failed) missing).reason()).contains("config/other.tmpl is not in the current release");

    StepOutcome climbing = runner.run(template("app.properties", "../../etc/passwd", null, null),
        context(target, release, log));
    assertThat(((StepOutcome.Failed) climbing).reason()).contains("escapes its folder");
  }

  @Test
  void a_template_needs_exactly_one_of_source_and_content() {
    assertThat(runner.run(template("a", "x.tmpl", "inline", null), context(target, release, log)))
        .isEqualTo(new StepOutcome.Failed("a template step needs either source or content, not both"));
    assertThat(runner.run(template("a", null, null, null), context(target, release, log)))
        .isEqualTo(new StepOutcome.Failed("a template step needs either source or content"));
  }
}
