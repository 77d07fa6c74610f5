package io.gantry.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./gantry} launcher as a user runs it, on the jar the build just made: it extracts the jar once per
 * build and gives each kind of command a class data archive of its own, made once, without changing what a
 * command prints.
 */
class LauncherIT {

  private static final Path HOME = Path.of("").toAbsolutePath();
  private static final Path APP = HOME.resolve("target/gantry-app");

  @TempDir
  Path scratch;

  record Run(int exit, String out, String err) {}

  private Run gantry(Map<String, String> env, String... args) throws IOException, InterruptedException {
    Path out = scratch.resolve("out-" + System.nanoTime());
    Path err = scratch.resolve("err-" + System.nanoTime());
    ProcessBuilder builder = new ProcessBuilder(Stream.concat(Stream.of(HOME.resolve("gantry").toString()),
        Stream.of(args)).toList()).directory(scratch.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().remove("GANTRY_JAVA_OPTS");
    builder.environment().remove("GANTRY_CDS");
    builder.environment().putAll(env);
    Process process = builder.start();
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).as("the launcher ends").isTrue();
    return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static List<Path> archives(String kind) throws IOException {
    try (Stream<Path> files = Files.list(APP)) {
      return files.filter(f -> f.getFileName().toString().matches("cds-" + kind + "-\\d+\\.(jsa|aot)")).toList();
    }
  }

  @Test
  void a_command_runs_from_the_extracted_jar_with_its_archive_made_once_and_prints_exactly_what_it_did_before()
      throws Exception {
    Run first = gantry(Map.of(), "--version");
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out()).startsWith("gantry ");
    assertThat(first.err()).as("nothing but the command's own output").isEmpty();
    assertThat(APP.resolve("gantry.jar")).isRegularFile();
    assertThat(APP.resolve("lib")).isDirectory();
    List<Path> archives = archives("cli");
    assertThat(archives).hasSize(1);
    FileTime made = Files.getLastModifiedTime(archives.getFirst());

    Path classes = scratch.resolve("classes.log");
    Run again = gantry(Map.of("GANTRY_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes), "--version");
    assertThat(again).isEqualTo(first);
    assertThat(Files.getLastModifiedTime(archives.getFirst())).as("made once").isEqualTo(made);
    assertThat(Files.readString(classes)).as("the command's classes come from the archive")
        .contains("io.gantry.Gantry source: shared objects file");

    Run without = gantry(Map.of("GANTRY_CDS", "off", "GANTRY_JAVA_OPTS", "-Xlog:class+load=info:file=" + classes),
        "--version");
    assertThat(without).isEqualTo(first);
    assertThat(Files.readString(classes)).doesNotContain("io.gantry.Gantry source: shared objects file");
  }

  @Test
  void the_agent_has_an_archive_of_its_own_and_a_new_build_is_extracted_again() throws Exception {
    Run help = gantry(Map.of(), "agent", "--help");
    assertThat(help.exit()).as(help.err()).isZero();
    assertThat(help.out()).contains("--server", "--token-file");
    assertThat(archives("agent")).hasSize(1);

    // a jar newer than what was extracted (a new build): extracted again, its archives made anew
    Path marker = APP.resolve("lib/marker-of-the-old-extraction");
    Files.writeString(marker, "old");
    Files.setLastModifiedTime(HOME.resolve("target/gantry.jar"), FileTime.from(Instant.now().plusSeconds(2)));
    Run after = gantry(Map.of(), "--version");
    assertThat(after.exit()).as(after.err()).isZero();
    assertThat(marker).doesNotExist();
    assertThat(archives("agent")).isEmpty();
    assertThat(archives("cli")).hasSize(1);
  }
}
