package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Digest;
import io.gantry.catalog.Version;
import io.gantry.catalog.VersionStatus;
import io.gantry.model.Step;
import io.gantry.model.TimeSpan;
import io.gantry.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;

/** Versions with their bytes held in memory, steps with only the fields a test cares about, and a log to read. */
final class Fixtures {

  static final ComponentRef WEB = new ComponentRef("shop", "web");

  private Fixtures() {}

  /** A version and the bytes of its artifacts; {@link #open} serves them as the library would. */
  record Release(ComponentVersion version, Map<String, byte[]> bytes) {

    static Release of(String version, Map<String, String> files) {
      Map<String, byte[]> bytes = new TreeMap<>();
      files.forEach((path, text) -> bytes.put(path, text.getBytes(StandardCharsets.UTF_8)));
      return ofBytes(version, bytes);
    }

    static Release ofBytes(String version, Map<String, byte[]> bytes) {
      List<Artifact> artifacts = new ArrayList<>();
      new TreeMap<>(bytes).forEach((path, content) ->
          artifacts.add(new Artifact(path, sha256(content), (long) content.length, null)));
      ComponentVersion cv = new ComponentVersion(1, WEB, new Version(version), VersionStatus.REGISTERED,
          sha256(version.getBytes(StandardCharsets.UTF_8)), Map.of(), artifacts, "tester",
          Instant.parse("2026-11-26T10:00:00Z"), null, null, null, 0);
      return new Release(cv, Map.copyOf(bytes));
    }

    /** Every file of a folder, by its path relative to the folder. */
    static Release ofFolder(String version, Path folder) {
      Map<String, byte[]> bytes = new TreeMap<>();
      try (Stream<Path> files = Files.walk(folder)) {
        for (Path file : files.filter(Files::isRegularFile).toList()) {
          bytes.put(folder.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return ofBytes(version, bytes);
    }

    InputStream open(Artifact artifact) {
      return new ByteArrayInputStream(bytes.get(artifact.path()));
    }

    Release withFile(String path, String text) {
      Map<String, byte[]> changed = new HashMap<>(bytes);
      changed.put(path, text.getBytes(StandardCharsets.UTF_8));
      return ofBytes(version.version().value(), changed);
    }
  }

  /** Collects log lines for assertions. */
  static final class Log {
    final List<String> lines = new CopyOnWriteArrayList<>();

    void add(String line) {
      lines.add(line);
    }
  }

  static StepContext context(Path target, Release release, Log log) {
    return context(target, release, log, release::open, Map.of());
  }

  static StepContext context(Path target, Release release, Log log, Function<Artifact, InputStream> artifacts,
      Map<String, String> variables) {
    Map<String, String> vars = new HashMap<>(Map.of("environment", "test", "target", "web-1",
        "version", release.version().version().value()));
    vars.putAll(variables);
    return new StepContext(target, "web-1", release.version(), vars, artifacts, Duration.ofSeconds(30), log::add);
  }

  /** A sleeper that sleeps no time: it records what it was asked and moves the clock on instead. */
  static final class RecordingSleeper implements Sleeper {
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final MutableClock clock;

    RecordingSleeper(MutableClock clock) {
      this.clock = clock;
    }

    @Override
    public void sleep(Duration duration) {
      sleeps.add(duration);
      clock.advance(duration);
    }
  }

  static Step.ArtifactInstall install(String destination, String artifact, Integer keepReleases) {
    return new Step.ArtifactInstall("install", null, true, List.of(), destination, artifact, keepReleases);
  }

  static Step.Template template(String destination, String source, String content, Map<String, String> variables) {
    return new Step.Template("configure", null, true, List.of(), destination, source, content, variables);
  }

  static Step.Shell shell(String command) {
    return shell(command, null, null, null, null);
  }

  static Step.Shell shell(String command, String workingDirectory, Map<String, String> environment,
      Integer expectExitCode, String timeout) {
    return new Step.Shell("command", timeout == null ? null : new TimeSpan(timeout), false, List.of(), command,
        workingDirectory, environment, expectExitCode);
  }

  static Step.HttpCheck httpCheck(String url, String expectBody, Integer retries, String interval, String deadline) {
    return new Step.HttpCheck("health", null, true, List.of(), url, null, expectBody, retries,
        interval == null ? null : new TimeSpan(interval), deadline == null ? null : new TimeSpan(deadline));
  }

  static Digest sha256(byte[] bytes) {
    try {
      return Digest.ofSha256(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
