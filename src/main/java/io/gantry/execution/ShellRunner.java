package io.gantry.execution;

import io.gantry.model.Step;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code /bin/sh -c command} in the target folder, as the server's OS user or the one
 * {@code gantry.targets.run-as} names ({@link StepUser}). Output goes to a temporary file that is
 * followed while the command runs: a process the command leaves in the background may keep that file
 * open for as long as it likes without holding the step up, which a pipe would not allow.
 */
final class ShellRunner {

  private static final int LAST_LINES = 10;
  private static final long POLL_MILLIS = 50;
  private static final int MAX_LINE = 8192;

  StepOutcome run(Step.Shell step, StepContext ctx, Duration timeout, StepUser user)
      throws IOException, InterruptedException {
    if (step.command() == null || step.command().isBlank()) {
      throw new StepFailure("a shell step needs a command");
    }
    String dir = step.workingDirectory() == null ? "." : step.workingDirectory();
    Path workingDirectory = TargetPaths.inside(ctx.targetRoot(), dir, "workingDirectory");
    if (!Files.isDirectory(workingDirectory)) {
      throw new StepFailure("working directory " + workingDirectory + " does not exist");
    }
    int expected = step.expectExitCode() == null ? 0 : step.expectExitCode();

    Path output = Files.createTempFile("gantry-shell-", ".log");
    try {
      ProcessBuilder builder = new ProcessBuilder(user.command(List.of("/bin/sh", "-c", step.command())))
          .directory(workingDirectory.toFile())
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      StepEnvironment.reset(builder.environment());
      user.environment(builder.environment());
      if (step.environment() != null) {
        builder.environment().putAll(step.environment());
      }
      builder.environment().putAll(ctx.gantryEnvironment(ctx.targetRoot().toString()));

      Process process = builder.start();
      LineFollower follower = new LineFollower(output, ctx);
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
          follower.poll(false);
          if (System.nanoTime() - deadline > 0) {
            killTree(process);
            follower.poll(true);
            return new StepOutcome.Failed("command did not finish within " + readable(timeout) + " and was killed"
                + follower.lastLinesSuffix());
          }
        }
      } catch (InterruptedException e) {
        killTree(process);
        throw e;
      }
      follower.poll(true);
      int exit = process.exitValue();
      if (exit != expected) {
        return new StepOutcome.Failed("command exited with " + exit + " (expected " + expected + ")"
            + follower.lastLinesSuffix());
      }
      return new StepOutcome.Succeeded("command exited with " + exit);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String readable(Duration d) {
    long millis = d.toMillis();
    return millis % 1000 != 0 ? millis + "ms" : millis % 60_000 != 0 ? d.toSeconds() + "s" : d.toMinutes() + "m";
  }

  /** Kills the command and everything it started, children first seen while the parent still holds them. */
  private static void killTree(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Forwards complete lines of the output file to the log as they appear, remembering the last few. */
  private static final class LineFollower {
    private final Path file;
    private final StepContext ctx;
    private final Deque<String> last = new ArrayDeque<>();
    private long position;
    private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

    LineFollower(Path file, StepContext ctx) {
      this.file = file;
      this.ctx = ctx;
    }

    void poll(boolean finished) throws IOException {
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
        in.seek(position);
        byte[] buffer = new byte[8192];
        for (int n; (n = in.read(buffer)) > 0; ) {
          position += n;
          for (int i = 0; i < n; i++) {
            if (buffer[i] == '\n') {
              emit();
            } else {
              partial.write(buffer[i]);
              if (partial.size() >= MAX_LINE) {
                emit();
              }
            }
          }
        }
      }
      if (finished && partial.size() > 0) {
        emit();
      }
    }

    private void emit() {
      String line = partial.toString(StandardCharsets.UTF_8);
      if (line.endsWith("\r")) {
        line = line.substring(0, line.length() - 1);
      }
      partial.reset();
      ctx.log().accept(line);
      last.addLast(line);
      if (last.size() > LAST_LINES) {
        last.removeFirst();
      }
    }

    String lastLinesSuffix() {
      return last.isEmpty() ? "; it printed nothing" : "; its last lines were:\n" + String.join("\n", last);
    }
  }
}
