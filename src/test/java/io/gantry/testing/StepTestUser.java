package io.gantry.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * An unprivileged OS user for tests of {@code gantry.targets.run-as}: {@code gantry-step-test}, made when it is
 * not there (a system user without a home), else {@code nobody}. Such tests need root, as the server does to
 * start steps as another user: without it they are skipped, saying why.
 */
public final class StepTestUser {

  public static final String NAME = "gantry-step-test";

  private StepTestUser() {}

  /** The user's name; skips the calling test when not running as root. */
  public static String name() {
    assumeTrue(isRoot(), "runs only as root: starting steps as another OS user (gantry.targets.run-as) needs root");
    if (run("getent", "passwd", NAME) == 0) {
      return NAME;
    }
    if (run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NAME) == 0) {
      return NAME;
    }
    return "nobody";
  }

  /** The user's uid, as {@code id -u NAME} says. */
  public static int uid(String name) {
    try {
      Process p = new ProcessBuilder("id", "-u", name).start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      p.waitFor(10, TimeUnit.SECONDS);
      return Integer.parseInt(out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static int run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
