package io.gantry.execution;

import static io.gantry.execution.Fixtures.context;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.Release;
import io.gantry.model.Step;
import io.gantry.model.TimeSpan;
import io.gantry.testing.MutableClock;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steps that work on the files of a local target (install, remove, template) stop once their timeout
 * has passed, before anything is switched or replaced. The clock moves as the bytes are read or as the
 * step reports progress, so nothing sleeps.
 */
class FileStepTimeoutTest {

  @TempDir
  Path target;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final StepRunner runner =
      new StepRunner(clock, new Fixtures.RecordingSleeper(clock));
  private final Log log = new Log();

  private static Release release(String version) {
    return Release.of(version, Map.of("app.py", "print('" + version + "')\n", "bin/start.sh", "echo start\n"));
  }

  /** Opens the release's files so that each read takes {@code perRead} of the clock's time. */
  private java.util.function.Function<io.gantry.catalog.Artifact, InputStream> slow(Release release,
      Duration perRead) {
    return artifact -> new FilterInputStream(release.open(artifact)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        clock.advance(perRead);
        return super.read(b, off, len);
      }
    };
  }

  private static Step.ArtifactInstall install(String timeout) {
    return new Step.ArtifactInstall("install", new TimeSpan(timeout), false, List.of(), "releases", null, null);
  }

  @Test
  void a_local_install_that_exceeds_its_timeout_fails_and_current_still_points_at_the_previous_release()
      throws Exception {
    assertThat(runner.run(install("5m"), context(target, release("1.0.0"), log)))
        .isInstanceOf(StepOutcome.Succeeded.class);
    Release next = release("2.0.0");

    StepOutcome outcome = runner.run(install("5m"), context(target, next, log, slow(next, Duration.ofMinutes(3)),
        Map.of()));

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason())
        .startsWith("step install did not finish within its timeout of 5m (stopped while copying ")
        .endsWith("nothing was switched: current points where it did before"));
    assertThat(Files.readSymbolicLink(target.resolve("current"))).isEqualTo(Path.of("releases/1.0.0"));
    try (Stream<Path> releases = Files.list(target.resolve("releases"))) {
      assertThat(releases.map(p -> p.getFileName().toString())).containsExactly("1.0.0");
    }
  }

  @Test
  void a_local_install_within_its_timeout_succeeds() {
    Release next = release("2.0.0");

    StepOutcome outcome = runner.run(install("5m"), context(target, next, log, slow(next, Duration.ofSeconds(10)),
        Map.of()));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
  }

  /** A context whose log moves the clock by {@code perLine} for each line, as a slow step would. */
  private StepContext slowContext(Release release, Duration perLine) {
    return new StepContext(target, "web-1", release.version(), Map.of("version", release.version().version().value()),
        release::open, Duration.ofSeconds(30), line -> clock.advance(perLine));
  }

  @Test
  void a_template_that_exceeds_its_timeout_fails_and_leaves_the_file_it_would_replace() throws Exception {
    Files.writeString(target.resolve("app.properties"), "old\n");
    Step.Template template = new Step.Template("configure", new TimeSpan("1s"), false, List.of(), "app.properties",
        null, "version=${version}\n", Map.of());

    StepOutcome outcome = runner.run(template, slowContext(release("1.0.0"), Duration.ofSeconds(2)));

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason()).isEqualTo(
        "step configure did not finish within its timeout of 1s (stopped while rendering); app.properties was left "
            + "as it was"));
    assertThat(target.resolve("app.properties")).hasContent("old");
    try (Stream<Path> files = Files.list(target)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("app.properties");
    }
  }

  @Test
  void a_remove_that_exceeds_its_timeout_fails_before_removing_anything() throws Exception {
    assertThat(runner.run(install("5m"), context(target, release("1.0.0"), log)))
        .isInstanceOf(StepOutcome.Succeeded.class);
    Step.ArtifactRemove remove = new Step.ArtifactRemove("remove", new TimeSpan("1s"), false, List.of(), "releases");

    StepOutcome outcome = runner.run(remove, slowContext(release("1.0.0"), Duration.ofSeconds(2)));

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason()).isEqualTo(
        "step remove did not finish within its timeout of 1s (stopped while about to remove current); nothing was "
            + "removed"));
    assertThat(Files.readSymbolicLink(target.resolve("current"))).isEqualTo(Path.of("releases/1.0.0"));
  }
}
