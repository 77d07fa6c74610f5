package io.gantry.identity;

import io.gantry.shared.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Component;

/**
 * The first administrator's token file, {@code <data-dir>/admin.token}: written once, when Gantry
 * creates its first user, readable only by its owner. It is removed once that user holds another
 * live API token (a credential of its own, so the file is no longer needed), when its token is no
 * longer live, or when its user asks. Only the server whose data directory holds it can remove it.
 */
@Component
class AdminTokenFile {

  private static final Logger log = LoggerFactory.getLogger(AdminTokenFile.class);

  private final Path file;
  private final ApiTokens tokens;
  private final JdbcClient jdbc;
  private final Clock clock;

  AdminTokenFile(@Value("${gantry.data-dir:./data}") Path dataDir, ApiTokens tokens, JdbcClient jdbc, Clock clock) {
    this.file = dataDir.resolve("admin.token").toAbsolutePath().normalize();
    this.tokens = tokens;
    this.jdbc = jdbc;
    this.clock = clock;
  }

  Path path() {
    return file;
  }

  void write(String secret) {
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
        w.write(secret + "\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not write the first API token to " + file, e);
    }
  }

  /** The token the file holds, if the file is there and holds a known token. */
  Optional<ApiToken> token() {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return tokens.findBySecret(Files.readString(file, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      log.warn("cannot read {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  /**
   * Removes the file when its user holds another live API token, or when its own token is revoked or
   * expired; says whether it did. Called after a token is issued and at start-up.
   */
  boolean removeIfSuperseded() {
    Optional<ApiToken> held = token();
    if (held.isEmpty()) {
      return false;
    }
    ApiToken token = held.get();
    Instant now = clock.instant();
    String why;
    if (!token.activeAt(now)) {
      why = "its token " + token.id() + " is no longer live";
    } else {
      Optional<ApiToken> other = tokens.of(token.user()).stream()
          .filter(t -> t.id() != token.id() && t.kind() == ApiToken.Kind.API && t.activeAt(now)).findFirst();
      if (other.isEmpty()) {
        return false;
      }
      why = token.user() + " holds another token (" + other.get().id() + ")";
    }
    return remove(token, Actor.GANTRY, why);
  }

  /** Removes the file at its user's request. */
  void removeAtRequestOf(String user, Actor actor) {
    ApiToken token = token().orElseThrow(() -> new NotFoundException("the first administrator's token file",
        file.toString()));
    if (!token.user().equals(user)) {
      throw new AccessDeniedException("only " + token.user() + ", whose token it holds, may remove " + file);
    }
    remove(token, actor, "asked by " + actor.name());
  }

  private boolean remove(ApiToken token, Actor actor, String why) {
    try {
      if (!Files.deleteIfExists(file)) {
        return false;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not remove " + file, e);
    }
    IdentityHistory.record(jdbc, clock.instant(), actor, IdentityHistory.Action.ADMIN_TOKEN_FILE_REMOVED,
        token.user(), token.id(), "removed " + file + " (token " + token.id() + " is not revoked): " + why);
    log.info("Removed the first administrator's token file {}: {}. Token {} itself stays valid until it expires "
        + "or is revoked.", file, why, token.id());
    return true;
  }
}
