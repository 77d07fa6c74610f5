package io.gantry.execution;

import static io.gantry.execution.Fixtures.context;
import static io.gantry.execution.Fixtures.install;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.CheckedFile;
import io.gantry.catalog.CheckedStream;
import io.gantry.catalog.Digest;
import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.Release;
import io.gantry.shared.IntegrityViolationException;
import io.gantry.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactInstallStepTest {

  @TempDir
  Path target;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final StepRunner runner =
      new StepRunner(clock, new Fixtures.RecordingSleeper(clock));
  private final Log log = new Log();

  private static Release release(String version) {
    return Release.of(version, Map.of(
        "app.py", "print('" + version + "')\n",
        "bin/start.sh", "#!/bin/sh\necho start " + version + "\n",
        "bin/tool", "#!/bin/sh\necho tool\n",
        "config/app.properties.tmpl", "version=${version}\n",
        "docs/notes.txt", "notes for " + version + "\n"));
  }

  private StepOutcome installRelease(Release release, Integer keep) {
    clock.advance(Duration.ofMinutes(1));
    return runner.run(install("releases", null, keep), context(target, release, log));
  }

  @Test
  void install_copies_every_artifact_with_its_path_verifies_it_and_points_current_at_the_release() throws Exception {
    StepOutcome outcome = installRelease(release("1.0.0"), null);

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(((StepOutcome.Succeeded) outcome).summary()).contains("shop/web@1.0.0", "5 file(s)", "releases/1.0.0");
    Path folder = target.resolve("releases/1.0.0");
    assertThat(folder.resolve("docs/notes.txt")).hasContent("notes for 1.0.0");
    assertThat(folder.resolve("config/app.properties.tmpl")).hasContent("version=${version}");
    Path current = target.resolve("current");
    assertThat(Files.isSymbolicLink(current)).isTrue();
    assertThat(Files.readSymbolicLink(current)).isEqualTo(Path.of("releases/1.0.0"));
    assertThat(current.resolve("app.py")).hasContent("print('1.0.0')");
    assertThat(runner.currentVersion(target)).contains("1.0.0");
    try (Stream<Path> leftovers = Stream.concat(Files.list(target), Files.list(target.resolve("releases")))) {
      assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("."));
    }
  }

  @Test
  void a_link_left_half_made_by_a_server_that_died_mid_switch_is_removed_by_the_next_install() throws Exception {
    installRelease(release("1.0.0"), null);
    // what a server halted between making the new link and renaming it over current leaves
    Files.createSymbolicLink(target.resolve(".current-0b3c1d2e-dead-4e6f-8a9b-0c1d2e3f4a5b"), Path.of("releases/1.0.0"));
    Path notALink = Files.writeString(target.resolve(".current-notes"), "a file of someone else's");

    installRelease(release("1.1.0"), null);

    assertThat(Files.readSymbolicLink(target.resolve("current"))).isEqualTo(Path.of("releases/1.1.0"));
    try (Stream<Path> files = Files.list(target)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".current")))
          .as("the dead server's link is gone; a file that is no link is left alone").containsExactly(".current-notes");
    }
    assertThat(notALink).hasContent("a file of someone else's");
  }

  @Test
  void shell_scripts_and_files_under_bin_become_executable_by_their_owner() throws Exception {
    installRelease(release("1.0.0"), null);

    Path folder = target.resolve("releases/1.0.0");
    assertThat(Files.getPosixFilePermissions(folder.resolve("bin/start.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(Files.getPosixFilePermissions(folder.resolve("bin/tool"))).contains(PosixFilePermission.OWNER_EXECUTE);
    assertThat(Files.getPosixFilePermissions(folder.resolve("app.py"))).doesNotContain(PosixFilePermission.OWNER_EXECUTE);
  }

  @Test
  void installing_a_newer_version_switches_current_to_it() {
    installRelease(release("1.0.0"), null);
    installRelease(release("1.1.0"), null);

    assertThat(runner.currentVersion(target)).contains("1.1.0");
    assertThat(target.resolve("current/app.py")).hasContent("print('1.1.0')");
    assertThat(target.resolve("releases/1.0.0")).isDirectory();
  }

  @Test
  void bytes_that_arrive_changed_fail_the_install_and_leave_current_and_the_releases_untouched() {
    installRelease(release("1.0.0"), null);
    Release next = release("1.1.0");

    StepOutcome outcome = runner.run(install("releases", null, null), context(target, next, log,
        artifact -> artifact.path().equals("app.py")
            ? new ByteArrayInputStream("print('evil')\n".getBytes(StandardCharsets.UTF_8))
            : next.open(artifact),
        Map.of()));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("app.py", "arrived on the target as sha256:",
        next.version().artifacts().stream().filter(a -> a.path().equals("app.py")).findFirst().orElseThrow()
            .digest().value());
    assertThat(runner.currentVersion(target)).contains("1.0.0");
    assertThat(target.resolve("releases/1.1.0")).doesNotExist();
    assertThat(target.resolve("releases").toFile().list()).containsExactly("1.0.0");
  }

  @Test
  void an_artifact_the_library_finds_altered_fails_the_install_and_leaves_current_untouched() {
    installRelease(release("1.0.0"), null);
    Release next = release("1.1.0");

    StepOutcome outcome = runner.run(install("releases", null, null), context(target, next, log,
        artifact -> new FilterInputStream(next.open(artifact)) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n < 0 && artifact.path().equals("docs/notes.txt")) {
              throw new IntegrityViolationException("artifact has been altered in the library");
            }
            return n;
          }
        },
        Map.of()));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("docs/notes.txt", "integrity", "altered");
    assertThat(runner.currentVersion(target)).contains("1.0.0");
    assertThat(target.resolve("releases/1.1.0")).doesNotExist();
  }

  @Test
  void bytes_a_checked_stream_refuses_at_their_end_fail_the_install_and_leave_current_untouched() {
    installRelease(release("1.0.0"), null);
    Release next = release("1.1.0");

    // the stream names the right digest but carries other bytes: it is trusted to check, and it refuses them
    StepOutcome outcome = runner.run(install("releases", null, null), context(target, next, log,
        artifact -> new CheckedStream(artifact.path().equals("app.py")
            ? new ByteArrayInputStream("print('evil')\n".getBytes(StandardCharsets.UTF_8)) : next.open(artifact),
            artifact.digest(), actual -> new IntegrityViolationException("bytes hash to " + actual)),
        Map.of()));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("app.py", "integrity", "bytes hash to sha256:");
    assertThat(runner.currentVersion(target)).contains("1.0.0");
    assertThat(target.resolve("releases").toFile().list()).containsExactly("1.0.0");
  }

  @Test
  void a_checked_stream_of_another_digest_does_not_spare_the_install_its_own_hash() {
    installRelease(release("1.0.0"), null);
    Release next = release("1.1.0");
    byte[] evil = "print('evil')\n".getBytes(StandardCharsets.UTF_8);
    Digest ofEvil = Digest.ofSha256(sha256(evil));

    // a stream that checks its bytes against the digest of what it carries proves nothing about the artifact
    StepOutcome outcome = runner.run(install("releases", null, null), context(target, next, log,
        artifact -> artifact.path().equals("app.py")
            ? new CheckedStream(new ByteArrayInputStream(evil), ofEvil, a -> new IntegrityViolationException("no"))
            : next.open(artifact),
        Map.of()));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("app.py", "arrived on the target as " + ofEvil);
    assertThat(runner.currentVersion(target)).contains("1.0.0");
  }

  /** Each artifact's bytes in a file of {@code downloads} named by its digest, as an agent keeps them. */
  private static java.util.function.Function<io.gantry.catalog.Artifact, java.io.InputStream> checkedFiles(
      Release release, Path downloads) {
    return artifact -> {
      try {
        Path file = downloads.resolve(artifact.digest().hex());
        if (!Files.exists(file)) {
          Files.write(file, release.bytes().get(artifact.path()));
        }
        return new CheckedFile(file, artifact.digest(),
            actual -> new IntegrityViolationException("reads as " + actual));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    };
  }

  @Test
  void a_file_already_checked_on_the_host_is_linked_into_the_release_and_two_paths_of_one_content_stay_two_files(
      @TempDir Path downloads) throws Exception {
    Release release = Release.of("1.0.0", Map.of("app.py", "print('same')\n", "copy/app.py", "print('same')\n",
        "bin/start.sh", "#!/bin/sh\n"));

    StepOutcome outcome = runner.run(install("releases", null, null), context(target, release, log,
        checkedFiles(release, downloads), Map.of()));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    Path releaseFolder = target.resolve("releases/1.0.0");
    Path shared = downloads.resolve(release.version().artifacts().stream().filter(a -> a.path().equals("app.py"))
        .findFirst().orElseThrow().digest().hex());
    assertThat(Files.isSameFile(releaseFolder.resolve("app.py"), shared)).isTrue();
    assertThat(Files.isSameFile(releaseFolder.resolve("copy/app.py"), shared))
        .as("the second path of the same bytes is a copy, so a change to one does not show in the other").isFalse();
    assertThat(releaseFolder.resolve("copy/app.py")).hasContent("print('same')");
    assertThat(Files.isExecutable(releaseFolder.resolve("bin/start.sh"))).isTrue();
    assertThat(log.lines).anyMatch(l -> l.contains("installed and verified 3 file(s)")
        && l.contains("2 linked to the checked downloads on this host, not copied"));
  }

  @Test
  void a_checked_file_of_another_digest_is_not_linked_but_copied_and_hashed_and_refused() throws Exception {
    installRelease(release("1.0.0"), null);
    Release next = release("1.1.0");
    Path evil = Files.writeString(target.resolveSibling(target.getFileName() + "-evil.py"), "print('evil')\n");
    Digest ofEvil = Digest.ofSha256(sha256(Files.readAllBytes(evil)));

    // a file checked against the digest of what it holds proves nothing about the artifact
    StepOutcome outcome = runner.run(install("releases", null, null), context(target, next, log,
        artifact -> {
          if (!artifact.path().equals("app.py")) {
            return next.open(artifact);
          }
          try {
            return new CheckedFile(evil, ofEvil, a -> new IntegrityViolationException("no"));
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }, Map.of()));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("app.py", "arrived on the target as " + ofEvil);
    assertThat(runner.currentVersion(target)).contains("1.0.0");
    assertThat(target.resolve("releases").toFile().list()).containsExactly("1.0.0");
  }

  @Test
  void a_checked_file_on_another_file_system_is_copied_and_its_bytes_checked_as_they_are_read() throws Exception {
    Path other = Path.of("/dev/shm");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(other) && Files.isWritable(other)
        && !Files.getFileStore(other).equals(Files.getFileStore(target)), "a second file system at /dev/shm");
    Path downloads = Files.createTempDirectory(other, "gantry-downloads");
    try {
      Release release = release("1.0.0");
      Function<io.gantry.catalog.Artifact, java.io.InputStream> files = checkedFiles(release, downloads);
      // app.py changed after its check: read as a stream, it is refused at its end
      Path app = downloads.resolve(release.version().artifacts().stream().filter(a -> a.path().equals("app.py"))
          .findFirst().orElseThrow().digest().hex());
      StepOutcome refused = runner.run(install("releases", null, null), context(target, release, log, artifact -> {
        java.io.InputStream in = files.apply(artifact);
        if (artifact.path().equals("app.py")) {
          try {
            Files.writeString(app, "print('changed')\n");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
        return in;
      }, Map.of()));
      assertThat(refused).isInstanceOf(StepOutcome.Failed.class);
      assertThat(((StepOutcome.Failed) refused).reason()).contains("app.py", "integrity", "reads as sha256:");
      assertThat(runner.currentVersion(target)).isEmpty();

      Files.write(app, release.bytes().get("app.py"));
      StepOutcome outcome = runner.run(install("releases", null, null), context(target, release, log, files,
          Map.of()));
      assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
      assertThat(Files.isSameFile(target.resolve("releases/1.0.0/app.py"), app)).isFalse();
      assertThat(target.resolve("releases/1.0.0/app.py")).hasContent("print('1.0.0')");
    } finally {
      io.gantry.shared.Folders.deleteTree(downloads);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void old_releases_are_pruned_to_keep_releases_newest_first() {
    for (String version : List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0")) {
      assertThat(installRelease(release(version), 3)).isInstanceOf(StepOutcome.Succeeded.class);
    }

    assertThat(target.resolve("releases").toFile().list()).containsExactlyInAnyOrder("1.2.0", "1.3.0", "1.4.0");
    assertThat(log.lines).contains("removed old release releases/1.0.0", "removed old release releases/1.1.0");
  }

  @Test
  void pruning_never_removes_the_release_current_pointed_to_before_so_a_rollback_stays_possible() {
    installRelease(release("1.0.0"), 1);
    installRelease(release("1.1.0"), 1);

    assertThat(target.resolve("releases").toFile().list()).containsExactlyInAnyOrder("1.0.0", "1.1.0");

    installRelease(release("1.2.0"), 1);

    assertThat(target.resolve("releases").toFile().list()).containsExactlyInAnyOrder("1.1.0", "1.2.0");
  }

  @Test
  void pruning_keeps_a_rolled_back_to_release_even_when_newer_ones_would_fill_keep_releases() {
    installRelease(release("1.0.0"), 2);
    installRelease(release("1.1.0"), 2);
    installRelease(release("1.2.0"), 2);
    assertThat(runner.switchCurrent(target, "releases", "1.1.0")).isInstanceOf(StepOutcome.Succeeded.class);

    // 1.2.0 is newer, but 1.1.0 is what current pointed to before this install.
    installRelease(release("1.3.0"), 1);

    assertThat(target.resolve("releases").toFile().list()).containsExactlyInAnyOrder("1.1.0", "1.3.0");
  }

  @Test
  void installing_the_same_version_again_is_harmless_and_restores_files_changed_on_the_target() throws Exception {
    Release release = release("1.0.0");
    installRelease(release, null);
    Files.writeString(target.resolve("releases/1.0.0/app.py"), "tampered on the target");
    Files.writeString(target.resolve("releases/1.0.0/app.properties"), "port=8080\n");

    StepOutcome again = installRelease(release, null);

    assertThat(again).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(target.resolve("current/app.py")).hasContent("print('1.0.0')");
    assertThat(target.resolve("current/app.properties")).hasContent("port=8080");
    assertThat(runner.currentVersion(target)).contains("1.0.0");
    assertThat(target.resolve("releases").toFile().list()).containsExactly("1.0.0");
  }

  @Test
  void one_named_artifact_can_be_installed_alone() {
    StepOutcome outcome = runner.run(install("releases", "docs/notes.txt", null),
        context(target, release("1.0.0"), log));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(target.resolve("releases/1.0.0/docs/notes.txt")).exists();
    assertThat(target.resolve("releases/1.0.0/app.py")).doesNotExist();
  }

  @Test
  void a_named_artifact_the_version_lacks_fails_the_install() {
    StepOutcome outcome = runner.run(install("releases", "missing.jar", null), context(target, release("1.0.0"), log));

    assertThat(outcome).isEqualTo(new StepOutcome.Failed("version shop/web@1.0.0 has no artifact \"missing.jar\""));
  }

  @Test
  void an_artifact_path_leaving_the_release_folder_is_refused() {
    Release evil = Release.of("1.0.0", Map.of("../../outside.sh", "rm -rf /"));

    StepOutcome outcome = runner.run(install("releases", null, null), context(target, evil, log));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("escapes its folder");
    assertThat(target.getParent().resolve("outside.sh")).doesNotExist();
    assertThat(target.resolve("current")).doesNotExist();
  }

  @Test
  void a_destination_leaving_the_target_folder_is_refused() {
    for (String destination : List.of("../elsewhere", "/tmp/releases", ".", "current")) {
      StepOutcome outcome = runner.run(install(destination, null, null), context(target, release("1.0.0"), log));

      assertThat(outcome).as(destination).isInstanceOf(StepOutcome.Failed.class);
    }
    assertThat(target.getParent().resolve("elsewhere")).doesNotExist();
  }

  @Test
  void switch_current_rolls_back_to_a_previous_release_and_refuses_one_that_is_not_there() {
    installRelease(release("1.0.0"), null);
    installRelease(release("1.1.0"), null);

    StepOutcome rollback = runner.switchCurrent(target, "releases", "1.0.0");

    assertThat(rollback).isEqualTo(new StepOutcome.Succeeded("current points to releases/1.0.0 (was releases/1.1.0)"));
    assertThat(target.resolve("current/app.py")).hasContent("print('1.0.0')");
    assertThat(runner.switchCurrent(target, null, "0.9.0")).isInstanceOf(StepOutcome.Failed.class);
    assertThat(runner.currentVersion(target)).contains("1.0.0");
  }

  @Test
  void a_folder_named_current_that_is_not_a_link_is_left_alone() throws Exception {
    Files.createDirectories(target.resolve("current"));
    Files.writeString(target.resolve("current/keep.txt"), "mine");

    StepOutcome outcome = installRelease(release("1.0.0"), null);

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("not a symbolic link");
    assertThat(target.resolve("current/keep.txt")).hasContent("mine");
  }
}
