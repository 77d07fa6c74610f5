package io.gantry.identity;

import java.util.EnumSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On the first start (no users yet) creates the user {@code admin}, a deployment manager, and writes
 * its API token to {@code <data-dir>/admin.token}, a file only its owner can read. On every start,
 * removes that file if its user has a token of its own by now, and warns while it is still there.
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
  private final AdminTokenFile adminTokenFile;
  private final TransactionTemplate tx;

  IdentityBootstrap(Users users, ApiTokens tokens, AdminTokenFile adminTokenFile, TransactionTemplate tx) {
    this.users = users;
    this.tokens = tokens;
    this.adminTokenFile = adminTokenFile;
    this.tx = tx;
  }

  @Override
  public void run(ApplicationArguments args) {
    var file = adminTokenFile.path();
    String secret;
    try {
      secret = tx.execute(status -> {
        if (users.count() > 0) {
          return null;
        }
        User admin = users.create(ADMIN, "Administrator", EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
        String issued = tokens.issue(admin, "bootstrap", tokens.maxDays(), Actor.GANTRY).secret();
        adminTokenFile.write(issued);
        return issued;
      });
    } catch (org.springframework.dao.DuplicateKeyException startedBeside) {
      // a server started beside this one on the same new database made the first administrator first
      log.info("Another server made the first administrator \"{}\"; its token is in that server's {}", ADMIN, file);
      return;
    }
    if (secret != null) {
      log.info("Created user \"{}\" (deployment-manager). Its API token is in {} (readable only by you). "
          + "The gantry CLI reads it from there when run in this directory; or: export GANTRY_TOKEN=$(cat {}). "
          + "The file is removed once {} has a token of its own (gantry token create) or on request "
          + "(gantry token remove-admin-file).", ADMIN, file, file, ADMIN);
      return;
    }
    tx.executeWithoutResult(status -> adminTokenFile.removeIfSuperseded());
    if (adminTokenFile.token().filter(t -> t.revokedAt() == null).isPresent()) {
      log.warn("The first administrator's token file {} still holds a live deployment-manager token. Create a "
          + "token of your own (gantry token create) and keep it elsewhere, and the file is removed; or remove "
          + "it now (gantry token remove-admin-file).", file);
    }
  }
}
