package io.gantry.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On the first start (no users yet) creates the user {@code admin}, a deployment manager, and writes
 * its API token to {@code <data-dir>/admin.token}, a file only its owner can read.
 */
@Component
@Order(IdentityBootstrap.ORDER)
public class IdentityBootstrap implements ApplicationRunner {

  /** Runs before any other start-up work that acts as a user. */
  public static final int ORDER = 0;
  public static final String ADMIN = "admin";
  private static final Logger log = LoggerFactory.getLogger(IdentityBootstrap.class);

  private final Users users;
  private final ApiTokens tokens;
  private final TransactionTemplate tx;
  private final Path dataDir;

  IdentityBootstrap(Users users, ApiTokens tokens, TransactionTemplate tx,
      @Value("${gantry.data-dir:./data}") Path dataDir) {
    this.users = users;
    this.tokens = tokens;
    this.tx = tx;
    this.dataDir = dataDir;
  }

  @Override
  public void run(ApplicationArguments args) {
    Path file = dataDir.resolve("admin.token").toAbsolutePath().normalize();
    String secret = tx.execute(status -> {
      if (users.count() > 0) {
        return null;
      }
      User admin = users.create(ADMIN, "Administrator", EnumSet.of(Role.DEPLOYMENT_MANAGER));
      String issued = tokens.issue(admin, "bootstrap", 365).secret();
      writeOwnerOnly(file, issued + "\n");
      return issued;
    });
    if (secret != null) {
      log.info("Created user \"{}\" (deployment-manager). Its API token is in {} (readable only by you). "
          + "The gantry CLI reads it from there when run in this directory; or: export GANTRY_TOKEN=$(cat {})",
          ADMIN, file, file);
    }
  }

  private static void writeOwnerOnly(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      if (posix) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } else {
        Files.createFile(file);
      }
      try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
        w.write(content);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the first API token to " + file, e);
    }
  }
}
