package io.gantry.execution;

import static io.gantry.execution.Fixtures.install;
import static io.gantry.execution.Fixtures.shell;
import static io.gantry.execution.Fixtures.template;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.Artifact;
import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.Release;
import io.gantry.model.TargetRequirement;
import io.gantry.shared.IntegrityViolationException;
import io.gantry.testing.MutableClock;
import io.gantry.model.Step;
import io.gantry.testing.OpenSshServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The steps that change a target, run over SSH against a real OpenSSH server on 127.0.0.1. */
class SshStepsTest {

  @TempDir
  static Path serverDir;
  static OpenSshServer server;

  @TempDir
  Path target;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final SshConnections connections = new SshConnections(null);
  private final StepRunner runner = new StepRunner(clock, new Fixtures.RecordingSleeper(clock), connections);
  private final Log log = new Log();

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

  private StepContext context(Release release, SshEndpoint endpoint) {
    return context(release, endpoint, release::open);
  }

  private StepContext context(Release release, SshEndpoint endpoint, Function<Artifact, InputStream> artifacts) {
    Map<String, String> vars = new HashMap<>(Map.of("environment", "test", "target", "web-1",
        "version", release.version().version().value(), "port", "18080"));
    return new StepContext(target, "web-1", release.version(), vars, artifacts, Duration.ofSeconds(30), log::add,
        endpoint);
  }

  /** A context in a blue-green slot of the folder {@code target} on the host. */
  private StepContext inSlot(Release release, String slot, int port) {
    StepContext c = context(release, endpoint());
    return new StepContext(target.resolve(slot), c.targetName(), c.version(), c.variables(), c.artifacts(),
        Duration.ofSeconds(30), c.log(), c.ssh(), new Slot(slot, port));
  }

  @Test
  void on_the_host_the_live_link_moves_to_the_slot_with_or_without_a_command_and_a_failing_command_puts_it_back()
      throws IOException {
    Release release = Release.of("1.0.0", Map.of("app.txt", "one"));
    Files.createDirectories(target.resolve("blue"));
    Files.createDirectories(target.resolve("green"));

    assertThat(runner.switchTo(inSlot(release, "blue", 8081), null)).isInstanceOfSatisfying(
        StepOutcome.Succeeded.class, s -> assertThat(s.summary()).isEqualTo("live -> blue"));
    assertThat(Files.readSymbolicLink(target.resolve("live")).toString()).isEqualTo("blue");
    StepOutcome switched = runner.switchTo(inSlot(release, "green", 8082),
        new Step.Shell("proxy", null, null, null, "echo $GANTRY_SLOT $GANTRY_PORT > proxy.conf", null, null, null));
    assertThat(switched).isInstanceOfSatisfying(StepOutcome.Succeeded.class,
        s -> assertThat(s.summary()).startsWith("live -> green (was blue); proxy:"));
    assertThat(Files.readString(target.resolve("proxy.conf")).strip()).isEqualTo("green 8082");

    StepOutcome failed = runner.switchTo(inSlot(release, "blue", 8081),
        new Step.Shell("proxy", null, null, null, "exit 3", null, null, null));

    assertThat(failed).isInstanceOfSatisfying(StepOutcome.Failed.class,
        f -> assertThat(f.reason()).endsWith("live put back to green"));
    assertThat(Files.readSymbolicLink(target.resolve("live")).toString()).isEqualTo("green");
  }

  @Test
  void on_the_host_a_slot_that_is_a_link_is_refused_and_live_is_not_touched() throws IOException {
    Release release = Release.of("1.0.0", Map.of("app.txt", "one"));
    Files.createDirectories(target);
    Files.createSymbolicLink(target.resolve("blue"), Files.createDirectories(serverDir.resolve("elsewhere")));

    StepOutcome outcome = runner.switchTo(inSlot(release, "blue", 8081), null);

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class,
        f -> assertThat(f.reason()).contains("is not a real folder").contains("nothing was switched"));
    assertThat(Files.exists(target.resolve("live"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
  }

  @Test
  void install_copies_the_files_checks_them_on_the_host_and_switches_current_keeping_the_previous_release()
      throws IOException {
    Release first = Release.of("1.0.0", Map.of("app.txt", "one", "bin/start.sh", "#!/bin/sh\necho started\n"));
    Release second = Release.of("1.1.0", Map.of("app.txt", "two", "bin/start.sh", "#!/bin/sh\necho started\n"));

    assertThat(runner.run(install(null, null, null), context(first, endpoint())))
        .isInstanceOf(StepOutcome.Succeeded.class);
    StepOutcome outcome = runner.run(install(null, null, null), context(second, endpoint()));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(((StepOutcome.Succeeded) outcome).summary()).contains("on " + endpoint());
    assertThat(Files.readSymbolicLink(target.resolve("current"))).isEqualTo(Path.of("releases/1.1.0"));
    assertThat(Files.readString(target.resolve("current/app.txt"))).isEqualTo("two");
    assertThat(Files.readString(target.resolve("releases/1.0.0/app.txt"))).isEqualTo("one");
    assertThat(Files.isExecutable(target.resolve("current/bin/start.sh"))).isTrue();
    assertThat(log.lines).anyMatch(l -> l.contains("SHA-256 checked on the host"))
        .anyMatch(l -> l.equals("current -> releases/1.1.0 (was releases/1.0.0)"));
    try (var entries = Files.list(target.resolve("releases"))) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("1.0.0", "1.1.0");
    }
  }

  @Test
  void small_text_files_carried_in_the_command_arrive_byte_for_byte_beside_binary_and_large_ones() throws IOException {
    Map<String, byte[]> files = new java.util.TreeMap<>();
    files.put("quotes.txt", "it's \"quoted\" 'twice' '\\'' \\n \\ %s %% $HOME `id` $(id)\n".getBytes(StandardCharsets.UTF_8));
    files.put("no-newline.txt", "-n last line without an end".getBytes(StandardCharsets.UTF_8));
    files.put("unicode.txt", "caf\u00e9 \ud83d\ude80 \u00fcber\r\nwindows line\r\n".getBytes(StandardCharsets.UTF_8));
    files.put("empty.txt", new byte[0]);
    files.put("nul.bin", new byte[] {'a', 0, 'b', '\n'});
    files.put("latin1.txt", new byte[] {'c', 'a', 'f', (byte) 0xe9, '\n'});
    byte[] large = "x".repeat(SshStepRunner.INLINE_FILE).getBytes(StandardCharsets.UTF_8);
    large[large.length - 1] = '\n';
    files.put("large.txt", java.util.Arrays.copyOf(large, large.length + 1));
    Release release = Release.ofBytes("1.0.0", files);
    StepContext ctx = context(release, endpoint());

    List<Artifact> artifacts = release.version().artifacts();
    assertThat(SshStepRunner.inlined(artifacts, ctx).keySet().stream().map(i -> artifacts.get(i).path()))
        .as("the text files of at most INLINE_FILE bytes go in the command; the others stream")
        .containsExactlyInAnyOrder("empty.txt", "no-newline.txt", "quotes.txt", "unicode.txt");
    assertThat(runner.run(install(null, null, null), ctx)).isInstanceOf(StepOutcome.Succeeded.class);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      assertThat(target.resolve("current/" + file.getKey())).as(file.getKey()).hasBinaryContent(file.getValue());
    }
    assertThat(log.lines).anyMatch(l -> l.contains("copied 7 file(s), " + files.values().stream()
        .mapToInt(b -> b.length).sum() + " bytes"));
  }

  @Test
  void many_small_files_full_of_quotes_install_whole_though_one_command_carries_only_so_many() throws IOException {
    // a quote grows thirteenfold once quoted for the script and again for the account's shell: past the budget the
    // files stream, so the command stays within what the host takes for one argument
    Map<String, String> files = new java.util.TreeMap<>();
    for (int i = 0; i < 40; i++) {
      files.put("conf/" + i + ".txt", "'".repeat(1000) + i);
    }
    Release release = Release.of("1.0.0", files);
    StepContext ctx = context(release, endpoint());

    assertThat(SshStepRunner.inlined(release.version().artifacts(), ctx)).hasSizeBetween(1, 39);
    assertThat(runner.run(install(null, null, null), ctx)).isInstanceOf(StepOutcome.Succeeded.class);
    for (Map.Entry<String, String> file : files.entrySet()) {
      assertThat(target.resolve("current/" + file.getKey())).as(file.getKey()).hasContent(file.getValue());
    }
  }

  @Test
  void install_keeps_only_the_newest_releases_asked_for() throws IOException {
    for (String v : List.of("1.0.0", "1.1.0", "1.2.0", "1.3.0")) {
      assertThat(runner.run(install(null, null, 2), context(Release.of(v, Map.of("a.txt", v)), endpoint())))
          .isInstanceOf(StepOutcome.Succeeded.class);
    }
    try (var entries = Files.list(target.resolve("releases"))) {
      assertThat(entries.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("1.2.0", "1.3.0");
    }
  }

  @Test
  void an_install_past_the_releases_kept_removes_the_oldest_in_its_own_one_command() throws IOException {
    for (String v : List.of("1.0.0", "1.1.0")) {
      assertThat(runner.run(install(null, null, 2), context(Release.of(v, Map.of("a.txt", v)), endpoint())))
          .isInstanceOf(StepOutcome.Succeeded.class);
    }
    long before = connections.commandsRun();

    StepOutcome third = runner.run(install(null, null, 2), context(Release.of("1.2.0", Map.of("a.txt", "1.2.0")),
        endpoint()));

    assertThat(third).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(connections.commandsRun() - before).as("files, hashes, switch and removal: one command").isEqualTo(1);
    assertThat(releaseFolders()).containsExactly("1.1.0", "1.2.0");
    assertThat(log.lines).contains("removed old release releases/1.0.0");
  }

  @Test
  void a_release_published_by_a_command_of_its_own_still_has_the_old_ones_removed() throws Exception {
    // an external artifact (no recorded size) ends the files' command: the release is published by another, given
    // no input, and the old releases by a third
    for (String version : List.of("1.0.0", "1.1.0", "1.2.0")) {
      Release sized = Release.of(version, Map.of("a.txt", version, "z.bin", "from elsewhere"));
      List<Artifact> unsized = sized.version().artifacts().stream().map(a -> a.path().endsWith(".bin")
          ? new Artifact(a.path(), a.digest(), null, "https://artifacts.example/" + a.path()) : a).toList();
      var v = sized.version();
      Release release = new Release(new io.gantry.catalog.ComponentVersion(v.id(), v.component(), v.version(),
          v.status(), v.contentDigest(), v.attributes(), unsized, v.createdBy(), v.createdAt(), null, null, null, 0),
          sized.bytes());
      assertThat(runner.run(install(null, null, 2), context(release, endpoint())))
          .isInstanceOf(StepOutcome.Succeeded.class);
    }
    assertThat(releaseFolders()).containsExactly("1.1.0", "1.2.0");
    assertThat(target.resolve("current/z.bin")).hasContent("from elsewhere");
  }

  @Test
  void bytes_that_arrive_other_than_the_version_records_switch_nothing() {
    Release good = Release.of("1.0.0", Map.of("app.txt", "one"));
    runner.run(install(null, null, null), context(good, endpoint()));
    Release next = Release.of("2.0.0", Map.of("app.txt", "two"));

    StepOutcome outcome = runner.run(install(null, null, null), context(next, endpoint(),
        a -> new ByteArrayInputStream("tampered".getBytes(StandardCharsets.UTF_8))));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("arrived on", "but the version records",
        "nothing was switched");
    assertThat(target.resolve("current/app.txt")).hasContent("one");
    assertThat(target.resolve("releases/2.0.0")).doesNotExist();
  }

  /** The files of a release under releases/, including a staging folder an install left behind. */
  private List<String> releaseFolders() throws IOException {
    if (!Files.isDirectory(target.resolve("releases"))) {
      return List.of();
    }
    try (var entries = Files.list(target.resolve("releases"))) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void one_file_of_a_release_changed_on_its_way_to_the_host_is_named_and_nothing_switches() throws IOException {
    Release good = Release.of("1.0.0", Map.of("a.txt", "one", "b.txt", "bee", "c.txt", "sea"));
    runner.run(install(null, null, null), context(good, endpoint()));
    Release next = Release.of("2.0.0", Map.of("a.txt", "two", "b.txt", "bee", "c.txt", "sea"));

    // b.txt arrives with as many bytes as the version records, one of them different
    StepOutcome outcome = runner.run(install(null, null, null), context(next, endpoint(),
        a -> a.path().equals("b.txt") ? new ByteArrayInputStream("bez".getBytes(StandardCharsets.UTF_8))
            : next.open(a)));

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason())
        .contains("artifact b.txt arrived on", "but the version records sha256:", "nothing was switched"));
    assertThat(Files.readSymbolicLink(target.resolve("current"))).isEqualTo(Path.of("releases/1.0.0"));
    assertThat(target.resolve("current/a.txt")).hasContent("one");
    assertThat(releaseFolders()).as("no release 2.0.0 and no staging folder left").containsExactly("1.0.0");
  }

  @Test
  void a_file_shorter_than_the_version_records_switches_nothing_and_leaves_nothing_behind() throws IOException {
    Release next = Release.of("2.0.0", Map.of("a.txt", "first file", "b.txt", "second file"));

    StepOutcome outcome = runner.run(install(null, null, null), context(next, endpoint(),
        a -> a.path().equals("a.txt") ? new ByteArrayInputStream("first".getBytes(StandardCharsets.UTF_8))
            : next.open(a)));

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason())
        .contains("artifact a.txt arrived on", "nothing was switched"));
    assertThat(target.resolve("current")).doesNotExist();
    assertThat(releaseFolders()).isEmpty();
  }

  @Test
  void a_release_the_host_s_disk_cannot_hold_is_refused_with_the_host_s_reason_and_nothing_switches()
      throws Exception {
    // the target folder on a 1 MiB tmpfs (root, as on the build machine)
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", target.toString())
        .redirectErrorStream(true).start();
    String said = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    org.junit.jupiter.api.Assumptions.assumeTrue(mount.waitFor() == 0, "a tmpfs cannot be mounted here: " + said);
    try {
      Release small = Release.of("1.0.0", Map.of("app.txt", "one"));
      assertThat(runner.run(install(null, null, null), context(small, endpoint())))
          .isInstanceOf(StepOutcome.Succeeded.class);
      Release big = Release.of("2.0.0", Map.of("app.txt", "two", "data.bin", "x".repeat(2 * 1024 * 1024)));

      StepOutcome outcome = runner.run(install(null, null, null), context(big, endpoint()));

      assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason())
          .contains("could not write the files to", "No space left on device"));
      assertThat(Files.readSymbolicLink(target.resolve("current"))).isEqualTo(Path.of("releases/1.0.0"));
      assertThat(releaseFolders()).as("no release 2.0.0 and no staging folder left").containsExactly("1.0.0");
    } finally {
      new ProcessBuilder("umount", target.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  void files_of_unknown_size_between_others_arrive_whole_over_one_connection() throws Exception {
    Release sized = Release.of("1.0.0", Map.of("a.txt", "alpha", "b/ext.bin", "external, size not recorded",
        "c.txt", "gamma", "d/other.bin", "another one"));
    // artifacts that name a URL have no recorded size: what the library gives is read to its end
    List<Artifact> unsized = sized.version().artifacts().stream().map(a -> a.path().endsWith(".bin")
        ? new Artifact(a.path(), a.digest(), null, "https://artifacts.example/" + a.path()) : a).toList();
    var v = sized.version();
    Release release = new Release(new io.gantry.catalog.ComponentVersion(v.id(), v.component(), v.version(), v.status(),
        v.contentDigest(), v.attributes(), unsized, v.createdBy(), v.createdAt(), null, null, null, 0), sized.bytes());
    try (io.gantry.testing.TcpProxy proxy = new io.gantry.testing.TcpProxy(server.port())) {
      SshEndpoint through = new SshEndpoint("127.0.0.1", proxy.port(), server.user(), server.clientKey(),
          server.hostKeyFingerprint());

      assertThat(runner.run(install(null, null, null), context(release, through)))
          .isInstanceOf(StepOutcome.Succeeded.class);

      assertThat(proxy.accepted()).isEqualTo(1);
    }
    assertThat(target.resolve("current/a.txt")).hasContent("alpha");
    assertThat(target.resolve("current/b/ext.bin")).hasContent("external, size not recorded");
    assertThat(target.resolve("current/c.txt")).hasContent("gamma");
    assertThat(target.resolve("current/d/other.bin")).hasContent("another one");
    assertThat(releaseFolders()).containsExactly("1.0.0");
  }

  @Test
  void a_command_is_not_run_when_the_target_folder_is_a_link_or_missing() throws IOException {
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    Path elsewhere = Files.createDirectories(serverDir.resolve("elsewhere-" + System.nanoTime()));
    Files.delete(target);
    Files.createSymbolicLink(target, elsewhere);

    StepOutcome linked = runner.run(shell("touch ran"), context(release, endpoint()));

    assertThat(linked).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason())
        .contains("is a symbolic link, not a folder", "(on " + endpoint() + ")"));
    assertThat(elsewhere.resolve("ran")).doesNotExist();
    Files.delete(target);

    StepOutcome missing = runner.run(shell("touch ran"), context(release, endpoint()));
    StepOutcome template = runner.run(template("app.conf", null, "x=1", Map.of()), context(release, endpoint()));

    assertThat(missing).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason())
        .contains("the target folder " + target + " does not exist on " + endpoint()));
    assertThat(template).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason())
        .contains("the target folder " + target + " does not exist on " + endpoint()));
    assertThat(target).doesNotExist();
    assertThat(log.lines).as("the refusal's marker line is not logged as the command's output")
        .noneMatch(l -> l.matches("[0-9a-f-]{36}"));
  }

  @Test
  void gantry_s_commands_run_under_bin_sh_whatever_the_account_s_login_shell_is() throws Exception {
    // the account running the tests logs in with bash here; Gantry's commands are POSIX shell, run by /bin/sh
    try (SshConnections.Session session = connections.open(endpoint())) {
      SshConnections.Session.Result r = session.exec("readlink /proc/$$/exe", Duration.ofSeconds(30));

      assertThat(r.output().strip()).isEqualTo(Path.of("/bin/sh").toRealPath().toString());
    }
  }

  @Test
  void a_refusal_names_a_folder_with_a_backslash_in_its_name_exactly() throws IOException {
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    Path folder = serverDir.resolve("web\\nodes-" + System.nanoTime());
    Files.createSymbolicLink(folder, Files.createDirectories(serverDir.resolve("elsewhere-" + System.nanoTime())));
    StepContext c = context(release, endpoint());
    StepContext linked = new StepContext(folder, c.targetName(), c.version(), c.variables(), c.artifacts(),
        Duration.ofSeconds(30), c.log(), c.ssh());

    StepOutcome outcome = runner.run(shell("touch ran"), linked);

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason())
        .contains(folder + " is a symbolic link, not a folder"));
  }

  @Test
  void the_library_s_own_check_at_the_end_of_a_file_is_heard_though_the_host_reads_the_file_by_its_size() {
    Release next = Release.of("2.0.0", Map.of("app.txt", "two", "z.txt", "last"));
    // the library serves the recorded bytes, then finds at their end that its stored copy no longer matches
    StepOutcome outcome = runner.run(install(null, null, null), context(next, endpoint(), a -> {
      InputStream bytes = next.open(a);
      return new InputStream() {
        @Override
        public int read() throws IOException {
          int b = bytes.read();
          if (b < 0 && a.path().equals("app.txt")) {
            throw new IntegrityViolationException("stored bytes of app.txt no longer match sha256:...");
          }
          return b;
        }
      };
    }));

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class,
        f -> assertThat(f.reason()).contains("app.txt", "no longer match"));
    assertThat(target.resolve("current")).doesNotExist();
  }

  @Test
  void the_library_s_copy_is_hashed_on_the_host_alone_which_refuses_a_copy_altered_in_the_library() throws IOException {
    Release release = Release.of("1.0.0", Map.of("app.txt", "the bytes the version records", "big.bin",
        "x".repeat(SshStepRunner.INLINE_FILE + 1)));
    // the library's checking stream, as Library.open gives it: hashing on the server as well would find nothing the
    // host does not find before anything switches
    int[] hashedOnTheServer = {0};
    Function<Artifact, InputStream> library = a -> new io.gantry.catalog.CheckedStream(release.open(a),
        a.digest(), actual -> new IntegrityViolationException("the library found " + actual)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (a.path().equals("big.bin")) {
          hashedOnTheServer[0]++;
        }
        return super.read(b, off, len);
      }
    };
    assertThat(runner.run(install(null, null, null), context(release, endpoint(), library)))
        .isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(target.resolve("current/big.bin")).hasContent("x".repeat(SshStepRunner.INLINE_FILE + 1));
    assertThat(hashedOnTheServer[0]).as("the large file's bytes went unhashed by the server").isZero();

    // the library's copy of the large file altered, its size unchanged: the host's digest refuses it
    Release next = Release.of("2.0.0", Map.of("app.txt", "next", "big.bin", "y".repeat(SshStepRunner.INLINE_FILE + 1)));
    StepOutcome outcome = runner.run(install(null, null, null), context(next, endpoint(),
        a -> new io.gantry.catalog.CheckedStream(a.path().equals("big.bin")
            ? new ByteArrayInputStream("z".repeat(SshStepRunner.INLINE_FILE + 1).getBytes(StandardCharsets.UTF_8))
            : next.open(a), a.digest(), actual -> new IntegrityViolationException("the library found " + actual))));

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class, f -> assertThat(f.reason())
        .contains("artifact big.bin arrived on", "but the version records", "nothing was switched"));
    assertThat(Files.readSymbolicLink(target.resolve("current"))).isEqualTo(Path.of("releases/1.0.0"));
    assertThat(releaseFolders()).containsExactly("1.0.0");
  }

  @Test
  void a_library_that_finds_its_bytes_changed_stops_the_copy() {
    Release next = Release.of("2.0.0", Map.of("app.txt", "two"));
    StepOutcome outcome = runner.run(install(null, null, null), context(next, endpoint(), a -> new InputStream() {
      @Override
      public int read() {
        throw new IntegrityViolationException("stored bytes of app.txt no longer match sha256:...");
      }
    }));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("no longer match");
    assertThat(target.resolve("current")).doesNotExist();
  }

  @Test
  void a_template_is_rendered_from_the_current_release_and_written_on_the_host() throws IOException {
    Release release = Release.of("1.0.0", Map.of("app.properties.tmpl", "port=${port}\nenv=${environment}\n"));
    runner.run(install(null, null, null), context(release, endpoint()));

    StepOutcome outcome = runner.run(template("config/app.properties", "app.properties.tmpl", null, Map.of()),
        context(release, endpoint()));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(Files.readString(target.resolve("config/app.properties"))).isEqualTo("port=18080\nenv=test\n");
  }

  @Test
  void a_template_from_the_current_release_keeps_its_bytes_exactly_and_replaces_the_file_it_renders_to()
      throws IOException {
    // no newline at its end, a line far longer than a line of output is kept, and characters of several bytes
    String text = "name=\u00e9t\u00e9 \u2603 ${environment}\n" + "x".repeat(20_000) + "\n\n${port}";
    Release release = Release.of("1.0.0", Map.of("big.tmpl", text));
    runner.run(install(null, null, null), context(release, endpoint()));
    Files.createDirectories(target.resolve("config"));
    Files.writeString(target.resolve("config/out"), "the file of the version before");

    StepOutcome outcome = runner.run(template("config/out", "big.tmpl", null, Map.of()), context(release, endpoint()));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(Files.readString(target.resolve("config/out")))
        .isEqualTo("name=\u00e9t\u00e9 \u2603 test\n" + "x".repeat(20_000) + "\n\n18080");
    try (var left = Files.list(target.resolve("config"))) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly("out");
    }
  }

  @Test
  void a_template_source_larger_than_gantry_reads_writes_nothing_and_says_so() throws IOException {
    Release release = Release.of("1.0.0", Map.of("huge.tmpl", "y".repeat(1 << 20)));
    runner.run(install(null, null, null), context(release, endpoint()));

    StepOutcome outcome = runner.run(template("out.txt", "huge.tmpl", null, Map.of()), context(release, endpoint()));

    assertThat(((StepOutcome.Failed) outcome).reason()).contains("huge.tmpl", "too large: Gantry reads at most 1 MiB");
    assertThat(target.resolve("out.txt")).doesNotExist();
  }

  @Test
  void a_template_whose_source_is_not_in_the_current_release_writes_nothing() {
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    runner.run(install(null, null, null), context(release, endpoint()));

    StepOutcome outcome = runner.run(template("out.txt", "missing.tmpl", null, Map.of()), context(release, endpoint()));

    assertThat(((StepOutcome.Failed) outcome).reason()).contains("missing.tmpl is not in the current release");
    assertThat(target.resolve("out.txt")).doesNotExist();
  }

  @Test
  void a_template_with_a_variable_that_has_no_value_writes_nothing() {
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    StepOutcome outcome = runner.run(template("out.txt", null, "x=${nowhere}", Map.of()), context(release, endpoint()));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("nowhere");
    assertThat(target.resolve("out.txt")).doesNotExist();
  }

  @Test
  void a_command_runs_on_the_host_in_its_folder_with_its_environment_and_its_output_is_logged() throws IOException {
    Files.createDirectories(target.resolve("work"));
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));

    StepOutcome outcome = runner.run(shell("echo \"$(pwd) $GREETING $GANTRY_TARGET $GANTRY_VERSION\"; echo err >&2",
        "work", Map.of("GREETING", "it's me"), null, null), context(release, endpoint()));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(log.lines).contains(target.toRealPath() + "/work it's me web-1 1.0.0", "err");
  }

  @Test
  void a_target_s_steps_share_one_ssh_connection_and_one_the_host_dropped_while_idle_is_made_again()
      throws Exception {
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    try (io.gantry.testing.TcpProxy proxy = new io.gantry.testing.TcpProxy(server.port())) {
      SshEndpoint through = new SshEndpoint("127.0.0.1", proxy.port(), server.user(), server.clientKey(),
          server.hostKeyFingerprint());

      assertThat(runner.run(install(null, null, null), context(release, through)))
          .isInstanceOf(StepOutcome.Succeeded.class);
      for (int i = 0; i < 3; i++) {
        assertThat(runner.run(shell("echo step " + i), context(release, through)))
            .isInstanceOf(StepOutcome.Succeeded.class);
      }
      assertThat(proxy.accepted()).as("one connection for the install and three commands").isEqualTo(1);
      assertThat(connections.idleSessions()).isEqualTo(1);

      proxy.cut(); // the host side drops the idle connection, as a restarted server or a forgetful firewall would
      assertThat(runner.run(shell("echo after"), context(release, through))).isInstanceOf(StepOutcome.Succeeded.class);
      assertThat(log.lines).contains("after");
      assertThat(proxy.accepted()).as("a new connection, once").isEqualTo(2);
    }
  }

  @Test
  void twenty_targets_of_one_host_worked_on_at_once_keep_their_connections_for_their_next_steps() throws Exception {
    try (io.gantry.testing.TcpProxy proxy = new io.gantry.testing.TcpProxy(server.port())) {
      SshEndpoint through = new SshEndpoint("127.0.0.1", proxy.port(), server.user(), server.clientKey(),
          server.hostKeyFingerprint());
      for (int round = 0; round < 2; round++) {
        // a stage at maxParallel 20: a step on each of 20 targets of the host at the same time
        List<SshConnections.Session> atOnce = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
          SshConnections.Session session = connections.open(through);
          assertThat(session.exec("echo step " + i, Duration.ofSeconds(30)).exit()).isZero();
          atOnce.add(session);
        }
        atOnce.forEach(SshConnections.Session::close);
        assertThat(connections.idleSessions()).isEqualTo(20);
      }

      assertThat(proxy.accepted()).as("the second round's steps use the first round's connections").isEqualTo(20);
    }
  }

  @Test
  void thirty_targets_of_one_host_connecting_at_once_are_not_dropped_by_sshd_s_limit_on_logins_under_way()
      throws Exception {
    // sshd refuses every connection beyond 10 that has not logged in yet (its default, 10:30:100, drops some at random
    // from 10 on); Gantry opens at most OPENING_PER_HOST at once to one host, a margin below: sshd learns of a login
    // a moment after its client
    try (OpenSshServer strict = OpenSshServer.start(serverDir.resolve("strict-sshd"), List.of("MaxStartups 10"))) {
      SshEndpoint host = new SshEndpoint("127.0.0.1", strict.port(), strict.user(), strict.clientKey(),
          strict.hostKeyFingerprint());
      var start = new java.util.concurrent.CountDownLatch(1);
      try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
        List<java.util.concurrent.Future<Integer>> steps = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
          int n = i;
          steps.add(threads.submit(() -> {
            start.await();
            try (SshConnections.Session session = connections.open(host)) {
              return session.exec("echo step " + n, Duration.ofSeconds(30)).exit();
            }
          }));
        }
        start.countDown();
        for (var step : steps) {
          assertThat(step.get()).isZero();
        }
      }
    }
    assertThat(SshConnections.OPENING_PER_HOST).isLessThan(10);
  }

  @Test
  void a_connection_lost_during_a_command_fails_that_step_and_the_next_step_gets_a_new_one() throws Exception {
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    try (io.gantry.testing.TcpProxy proxy = new io.gantry.testing.TcpProxy(server.port())) {
      SshEndpoint through = new SshEndpoint("127.0.0.1", proxy.port(), server.user(), server.clientKey(),
          server.hostKeyFingerprint());
      Thread cut = Thread.ofVirtual().start(() -> {
        try {
          Thread.sleep(1500);
        } catch (InterruptedException e) {
          return;
        }
        proxy.cut();
      });

      StepOutcome lost = runner.run(shell("sleep 5"), context(release, through));
      cut.join();

      assertThat(lost).isInstanceOf(StepOutcome.Failed.class);
      assertThat(((StepOutcome.Failed) lost).reason()).contains("connection");
      assertThat(connections.idleSessions()).isZero();
      assertThat(runner.run(shell("echo next"), context(release, through))).isInstanceOf(StepOutcome.Succeeded.class);
      assertThat(proxy.accepted()).isEqualTo(2);
    }
  }

  @Test
  void a_command_that_exits_otherwise_fails_with_its_exit_code_and_last_lines() {
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    StepOutcome outcome = runner.run(shell("echo about to fail; exit 5"), context(release, endpoint()));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).startsWith("command exited with 5 (expected 0)")
        .contains("about to fail");
  }

  @Test
  void a_command_past_its_timeout_is_killed_on_the_host() {
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    StepOutcome outcome = runner.run(shell("sleep 30", null, null, null, "1s"), context(release, endpoint()));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("did not finish within 1s");
  }

  @Test
  void a_process_left_running_in_the_background_does_not_hold_the_step() {
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    StepOutcome outcome = runner.run(shell("sleep 20 & echo $! > bg.pid; echo started"), context(release, endpoint()));
    try {
      assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
      assertThat(log.lines).contains("started");
    } finally {
      try {
        long pid = Long.parseLong(Files.readString(target.resolve("bg.pid")).trim());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      } catch (IOException | NumberFormatException e) {
        // nothing was left running
      }
    }
  }

  @Test
  void a_host_offering_another_key_than_the_target_declares_is_not_talked_to() throws IOException {
    SshEndpoint wrong = new SshEndpoint("127.0.0.1", server.port(), server.user(), server.clientKey(),
        "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));

    StepOutcome outcome = runner.run(shell("touch touched"), context(release, wrong));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains(server.hostKeyFingerprint(),
        "but the target declares SHA256:AAAA");
    assertThat(target.resolve("touched")).doesNotExist();
  }

  @Test
  void without_a_declared_key_the_host_must_be_in_the_known_hosts_file() throws IOException {
    Path knownHosts = target.resolve("known_hosts");
    Files.writeString(knownHosts, "");
    SshConnections strict = new SshConnections(knownHosts.toString());
    StepRunner strictRunner = new StepRunner(clock, new Fixtures.RecordingSleeper(clock),
        strict);
    SshEndpoint undeclared = new SshEndpoint("127.0.0.1", server.port(), server.user(), server.clientKey(), null);
    Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
    try {
      StepOutcome unknown = strictRunner.run(shell("true"), context(release, undeclared));
      assertThat(unknown).isInstanceOf(StepOutcome.Failed.class);
      assertThat(((StepOutcome.Failed) unknown).reason()).contains("is not known", server.hostKeyFingerprint());
    } finally {
      strict.destroy();
    }

    Files.writeString(knownHosts, server.knownHostsLine() + "\n");
    SshConnections trusting = new SshConnections(knownHosts.toString());
    try {
      StepOutcome known = new StepRunner(clock, new Fixtures.RecordingSleeper(clock),
          trusting).run(shell("true"), context(release, undeclared));
      assertThat(known).isInstanceOf(StepOutcome.Succeeded.class);
    } finally {
      trusting.destroy();
    }
  }

  @Test
  void a_key_the_host_does_not_accept_is_a_clear_failure() throws Exception {
    Path otherKey = target.resolve("other_key");
    new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", otherKey.toString()).start().waitFor();
    SshEndpoint stranger = new SshEndpoint("127.0.0.1", server.port(), server.user(), otherKey,
        server.hostKeyFingerprint());

    StepOutcome outcome = runner.run(shell("true"), context(Release.of("1.0.0", Map.of("a.txt", "a")), stranger));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("cannot log in to", otherKey.toString());
  }

  @Test
  void only_the_declared_key_is_offered_never_the_service_users_own_keys_or_ssh_config() throws Exception {
    // the service user's home holds the key the host accepts, as its default key and named in its
    // ~/.ssh/config; the target declares another key: logging in must fail, whatever the home holds
    Path home = target.resolve("home");
    Path dotSsh = Files.createDirectories(home.resolve(".ssh"));
    Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(dotSsh, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    Files.copy(server.clientKey(), dotSsh.resolve("id_ecdsa"));
    Files.setPosixFilePermissions(dotSsh.resolve("id_ecdsa"),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Files.writeString(dotSsh.resolve("config"), "Host *\n  IdentityFile " + dotSsh.resolve("id_ecdsa")
        + "\n  User " + server.user() + "\n");
    Path declared = target.resolve("declared_key");
    new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", declared.toString()).start().waitFor();
    SshEndpoint endpoint = new SshEndpoint("127.0.0.1", server.port(), server.user(), declared,
        server.hostKeyFingerprint());
    java.util.function.Supplier<Path> realHome = () -> Path.of(System.getProperty("user.home"));
    org.apache.sshd.common.util.io.PathUtils.setUserHomeFolderResolver(() -> home);
    SshConnections fresh = new SshConnections(null);
    try {
      StepOutcome outcome = new StepRunner(clock, new Fixtures.RecordingSleeper(clock),
          fresh).run(shell("true"), context(Release.of("1.0.0", Map.of("a.txt", "a")), endpoint));

      assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
      assertThat(((StepOutcome.Failed) outcome).reason()).contains("cannot log in to", declared.toString());
    } finally {
      fresh.destroy();
      org.apache.sshd.common.util.io.PathUtils.setUserHomeFolderResolver(realHome);
    }
  }

  @Test
  void a_private_key_others_may_read_is_refused_before_connecting() throws Exception {
    Path shared = target.resolve("shared_key");
    Files.copy(server.clientKey(), shared);
    Files.setPosixFilePermissions(shared, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    SshEndpoint endpoint = new SshEndpoint("127.0.0.1", server.port(), server.user(), shared,
        server.hostKeyFingerprint());

    StepOutcome outcome = runner.run(shell("true"), context(Release.of("1.0.0", Map.of("a.txt", "a")), endpoint));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains(shared.toString(), "readable by others", "chmod 600");
  }

  @Test
  void a_host_that_does_not_answer_is_a_clear_failure() {
    SshEndpoint nowhere = new SshEndpoint("127.0.0.1", 1, server.user(), server.clientKey(), null);

    StepOutcome outcome = runner.run(shell("true"), context(Release.of("1.0.0", Map.of("a.txt", "a")), nowhere));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason()).contains("cannot connect to", "127.0.0.1:1");
  }

  @Test
  void the_host_is_checked_for_its_folder_free_disk_tools_and_a_custom_command() {
    String root = target.resolve("app").toString();
    assertThat(runner.checkRemote(endpoint(), root, List.of(new TargetRequirement.FreeDisk(1),
        new TargetRequirement.Tool("sh"), new TargetRequirement.Command("test -d .")))).isNull();
    assertThat(target.resolve("app")).isDirectory();

    assertThat(runner.checkRemote(endpoint(), root, List.of(new TargetRequirement.Tool("no-such-tool-here"))))
        .isEqualTo("tool no-such-tool-here is not on the PATH");
    assertThat(runner.checkRemote(endpoint(), root, List.of(new TargetRequirement.FreeDisk(Integer.MAX_VALUE))))
        .startsWith("only ").endsWith("MB");
    assertThat(runner.checkRemote(endpoint(), root, List.of(new TargetRequirement.Command("exit 4"))))
        .isEqualTo("check command exited 4: exit 4");
    assertThat(runner.checkRemote(new SshEndpoint("127.0.0.1", 1, "nobody", server.clientKey(), null), root,
        List.of())).startsWith("not reachable: cannot connect to");
  }

  @Test
  void a_component_folder_the_verification_found_ready_is_prepared_without_a_command_of_its_own() throws IOException {
    String root = target.toString();
    java.util.function.Supplier<List<io.gantry.catalog.ComponentRef>> nothingWorkedHere = List::of;
    // the first time there is no folder yet: the verification changes nothing, the preparation makes it
    assertThat(runner.checkRemote(endpoint(), root, List.of(), Fixtures.WEB)).isNull();
    assertThat(target.resolve(ComponentFolder.of(Fixtures.WEB))).doesNotExist();
    long before = connections.commandsRun();
    assertThat(runner.prepareRemote(endpoint(), "web-1", root, Fixtures.WEB, nothingWorkedHere))
        .isEqualTo(Preparation.READY);
    assertThat(connections.commandsRun() - before).isEqualTo(1);
    assertThat(target.resolve(ComponentFolder.of(Fixtures.WEB))).isDirectory();

    // the next deployment: the verification's look stands in for the preparation's
    assertThat(runner.checkRemote(endpoint(), root, List.of(), Fixtures.WEB)).isNull();
    before = connections.commandsRun();
    assertThat(runner.prepareRemote(endpoint(), "web-1", root, Fixtures.WEB, nothingWorkedHere))
        .isEqualTo(Preparation.READY);
    assertThat(connections.commandsRun() - before).isZero();

    // a look is used once, and only for the folder it was of
    before = connections.commandsRun();
    assertThat(runner.prepareRemote(endpoint(), "web-1", root, Fixtures.WEB, nothingWorkedHere))
        .isEqualTo(Preparation.READY);
    assertThat(connections.commandsRun() - before).isEqualTo(1);
  }

  @Test
  void a_component_folder_swapped_for_a_link_after_the_verification_is_refused_by_the_step_s_own_command()
      throws IOException {
    String root = target.toString();
    Path folder = target.resolve(ComponentFolder.of(Fixtures.WEB));
    Files.createDirectories(folder);
    assertThat(runner.checkRemote(endpoint(), root, List.of(), Fixtures.WEB)).isNull();
    assertThat(runner.prepareRemote(endpoint(), "web-1", root, Fixtures.WEB, List::of)).isEqualTo(Preparation.READY);
    // between the look and the step, someone puts a link where the folder was
    Path elsewhere = Files.createDirectories(target.resolve("elsewhere"));
    Files.delete(folder);
    Files.createSymbolicLink(folder, elsewhere);

    StepContext ctx = new StepContext(folder, "web-1", Release.of("1.0.0", Map.of("a.txt", "a")).version(), Map.of(),
        Release.of("1.0.0", Map.of("a.txt", "a"))::open, Duration.ofSeconds(30), log::add, endpoint());
    StepOutcome outcome = runner.run(install(null, null, null), ctx);

    assertThat(outcome).isInstanceOfSatisfying(StepOutcome.Failed.class,
        f -> assertThat(f.reason()).contains("is a symbolic link"));
    try (var entries = Files.list(elsewhere)) {
      assertThat(entries).isEmpty();
    }
  }

  @Test
  void the_verification_does_not_stand_in_for_the_preparation_of_an_earlier_gantry_s_shared_layout()
      throws IOException {
    String root = target.toString();
    Files.createDirectories(target.resolve(ComponentFolder.of(Fixtures.WEB)));
    Files.createDirectories(target.resolve("releases/1.0.0"));
    Files.createSymbolicLink(target.resolve("current"), Path.of("releases/1.0.0"));
    assertThat(runner.checkRemote(endpoint(), root, List.of(), Fixtures.WEB)).isNull();

    long before = connections.commandsRun();
    runner.prepareRemote(endpoint(), "web-1", root, Fixtures.WEB, () -> List.of(Fixtures.WEB));

    assertThat(connections.commandsRun() - before).as("the preparation looked, and moved the layout").isPositive();
    assertThat(target.resolve(ComponentFolder.of(Fixtures.WEB) + "/current")).isSymbolicLink();
  }

  @Test
  void a_host_that_goes_away_mid_step_fails_the_step_with_the_cause() throws Exception {
    OpenSshServer doomed = OpenSshServer.start(target.resolve("doomed-sshd"));
    try {
      SshEndpoint endpoint = new SshEndpoint("127.0.0.1", doomed.port(), doomed.user(), doomed.clientKey(),
          doomed.hostKeyFingerprint());
      Release release = Release.of("1.0.0", Map.of("a.txt", "a"));
      CompletableFuture<StepOutcome> running = CompletableFuture.supplyAsync(() -> runner.run(
          shell("touch started; sleep 30"), context(release, endpoint)));
      waitFor(target.resolve("started"));

      doomed.kill();

      StepOutcome outcome = running.get(30, TimeUnit.SECONDS);
      assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
      assertThat(((StepOutcome.Failed) outcome).reason()).contains("connection to", "was lost");
    } finally {
      doomed.close();
    }
  }

  static void waitFor(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!Files.exists(file)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(file + " did not appear within 20 s");
      }
      Thread.sleep(20);
    }
  }
}
