package io.gantry;

import io.gantry.cli.ServerLauncher;
import io.gantry.shared.InvalidInputException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Starts the server, first checking what would make it fail half-way with a page of log: a port
 * another process listens on, or an H2 database file another server has open. Either is refused
 * with one line saying why and what to do, before anything is logged.
 */
final class ServerStart implements ServerLauncher {

  /** H2's error code for a database file that another process has open. */
  private static final String H2_DATABASE_ALREADY_OPEN = "90020";

  @Override
  public void start(String[] springArgs) {
    SpringApplication application = new SpringApplication(GantryApplication.class);
    application.addListeners((ApplicationListener<ApplicationEnvironmentPreparedEvent>) event ->
        checkResources(event.getEnvironment()));
    try {
      application.run(springArgs);
    } catch (Refused refused) {
      throw new NotStarted(refused.reason);
    } catch (RuntimeException e) {
      // the checks above were passed, but another process took the port or the file just after
      throw explained(e);
    }
  }

  private static void checkResources(Environment environment) {
    int port = environment.getProperty("server.port", Integer.class, 8080);
    String address = environment.getProperty("server.address");
    if (port > 0 && !free(address, port)) {
      throw new Refused(portInUse(port));
    }
    makeDataDirectory(Path.of(environment.getProperty("gantry.data-dir", "./data")));
    Path database = h2File(environment.getProperty("spring.datasource.url", ""));
    if (database != null && locked(database)) {
      throw new Refused(databaseInUse(database.toString()));
    }
  }

  /**
   * Makes the data directory, when it is not there yet, readable by the server's user only (mode 700): it
   * holds the database file on H2, the secrets key, the first administrator's token and step output, and
   * the files in it are made with the umask's modes. One made before stays as it is (see StepUser for
   * gantry.targets.run-as, which takes away its group's and others' permissions).
   */
  private static void makeDataDirectory(Path dataDir) {
    Path absolute = dataDir.toAbsolutePath().normalize();
    if (Files.exists(absolute)) {
      return;
    }
    try {
      Files.createDirectories(absolute.getParent());
      Files.createDirectory(absolute, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    } catch (IOException | UnsupportedOperationException e) {
      // whatever is wrong is said by what needs the folder first, in its own words
    }
  }

  private static boolean free(String address, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(address == null || address.isBlank() ? new InetSocketAddress(port)
          : new InetSocketAddress(InetAddress.getByName(address), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The file of an embedded H2 database ({@code jdbc:h2:file:PATH;...} or {@code jdbc:h2:PATH}), else null. */
  private static Path h2File(String url) {
    if (!url.startsWith("jdbc:h2:")) {
      return null;
    }
    String rest = url.substring("jdbc:h2:".length());
    int options = rest.indexOf(';');
    String name = options < 0 ? rest : rest.substring(0, options);
    if (name.startsWith("file:")) {
      name = name.substring("file:".length());
    } else if (name.startsWith("mem:") || name.startsWith("tcp:") || name.startsWith("ssl:")
        || name.startsWith("zip:") || name.contains(":") && !name.startsWith("/")) {
      return null;
    }
    if (name.startsWith("~/")) {
      name = System.getProperty("user.home") + name.substring(1);
    }
    return Path.of(name + ".mv.db");
  }

  /** Whether another process holds the lock H2 takes on an open database file. */
  private static boolean locked(Path file) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (OverlappingFileLockException e) {
      return true;
    } catch (IOException e) {
      // unreadable or read-only: H2 will say so itself
      return false;
    }
  }

  private static String portInUse(int port) {
    return "port " + port + " is in use by another process; stop it or start with --port N";
  }

  private static String databaseInUse(String file) {
    return "the database " + file + " is in use by another Gantry server on the same data directory; "
        + "stop that server, or start with --data-dir DIR for a separate one";
  }

  static RuntimeException explained(RuntimeException failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof PortInUseException port) {
        return new NotStarted(portInUse(port.getPort()));
      }
      if (cause instanceof SQLException sql && H2_DATABASE_ALREADY_OPEN.equals(sql.getSQLState())) {
        return new NotStarted("the database is in use by another Gantry server on the same data directory; "
            + "stop that server, or start with --data-dir DIR for a separate one");
      }
      if (cause instanceof io.gantry.shared.StartupProblem problem) {
        return new NotStarted(problem.getMessage());
      }
      if (cause instanceof InvalidInputException invalid) {
        StringBuilder reason = new StringBuilder("the configuration given with --apply was not applied: ")
            .append(invalid.getMessage());
        invalid.findings().forEach(finding -> reason.append("\n  ").append(finding));
        return new NotStarted(reason.toString());
      }
    }
    return failure;
  }

  /**
   * Keeps Spring from logging a failed start with its stack trace when the command says why in one line
   * (a setting refused, a port or database in use): registered in {@code META-INF/spring.factories}.
   */
  public static final class OneLineRefusals implements org.springframework.boot.SpringBootExceptionReporter,
      org.springframework.core.Ordered {

    @Override
    public boolean reportException(Throwable failure) {
      return failure instanceof RuntimeException e && explained(e) instanceof NotStarted;
    }

    @Override
    public int getOrder() {
      return HIGHEST_PRECEDENCE;
    }
  }

  /** Ends the start quietly: Spring reports no failure for it, the command says why in one line. */
  private static final class Refused extends SpringApplication.AbandonedRunException {

    private final String reason;

    Refused(String reason) {
      this.reason = reason;
    }
  }
}
