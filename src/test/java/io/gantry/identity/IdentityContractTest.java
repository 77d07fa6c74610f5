package io.gantry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Users and API tokens, against H2 and PostgreSQL alike. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class IdentityContractTest {

  private final TestDatabase database;
  private TestDatabase.Instance db;
  private Users users;
  private ApiTokens tokens;
  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");

  IdentityContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    users = new Users(db.jdbc(), clock);
    tokens = new ApiTokens(db.jdbc(), clock);
  }

  @Test
  void a_user_keeps_its_roles_and_is_listed_by_page() {
    users.create("alice", "Alice", EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.AUDITOR));
    users.create("bob", null, EnumSet.of(Role.SUPPLIER));

    assertThat(users.find("alice").orElseThrow().roles()).containsExactlyInAnyOrder(Role.DEPLOYMENT_MANAGER, Role.AUDITOR);
    var page = users.page(new PageRequest(0, 1));
    assertThat(page.total()).isEqualTo(2);
    assertThat(page.items()).extracting(User::name).containsExactly("alice");
  }

  @Test
  void a_user_update_based_on_a_stale_row_version_is_refused() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR));
    users.update(alice, EnumSet.of(Role.SERVICE_DESK), false);
    assertThatThrownBy(() -> users.update(alice, EnumSet.of(Role.DEPLOYMENT_MANAGER), false))
        .isInstanceOf(StaleUpdateException.class);
    assertThat(users.find("alice").orElseThrow().roles()).containsExactly(Role.SERVICE_DESK);
  }

  @Test
  void a_token_is_stored_only_as_a_hash_and_found_by_its_secret() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR));
    ApiTokens.Issued issued = tokens.issue(alice, "ci", 30);

    assertThat(issued.secret()).startsWith("gty_").hasSize(44);
    assertThat(tokens.findBySecret(issued.secret()).orElseThrow().id()).isEqualTo(issued.token().id());
    assertThat(tokens.findBySecret(issued.secret() + "x")).isEmpty();
    String stored = db.jdbc().sql("select token_hash || token_prefix from api_tokens").query(String.class).single();
    assertThat(stored).doesNotContain(issued.secret());
    assertThat(issued.token().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
  }

  @Test
  void a_token_expires_after_its_days() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR));
    ApiToken token = tokens.issue(alice, "ci", 1).token();
    assertThat(token.expiredAt(clock.instant())).isFalse();
    clock.advance(Duration.ofDays(1));
    assertThat(token.expiredAt(clock.instant())).isTrue();
  }

  @Test
  void a_revoked_token_records_who_revoked_it_and_cannot_be_revoked_twice() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR));
    ApiToken token = tokens.issue(alice, "ci", 30).token();
    ApiToken revoked = tokens.revoke(token.id(), "admin");

    assertThat(revoked.revokedAt()).isEqualTo(clock.instant());
    assertThat(revoked.revokedBy()).isEqualTo("admin");
    assertThatThrownBy(() -> tokens.revoke(token.id(), "admin")).isInstanceOf(ConflictException.class);
  }

  @Test
  void a_token_lifetime_outside_1_to_730_days_is_refused() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR));
    assertThatThrownBy(() -> tokens.issue(alice, "ci", 0)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> tokens.issue(alice, "ci", 731)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("730");
    assertThat(db.count("api_tokens")).isZero();
  }

  @Test
  void use_is_recorded_at_most_once_a_minute() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR));
    ApiToken token = tokens.issue(alice, "ci", 30).token();
    tokens.touch(token);
    ApiToken used = tokens.get(token.id());
    assertThat(used.lastUsedAt()).isEqualTo(clock.instant());

    clock.advance(Duration.ofSeconds(30));
    tokens.touch(used);
    assertThat(tokens.get(token.id()).lastUsedAt()).isEqualTo(used.lastUsedAt());
    clock.advance(Duration.ofSeconds(31));
    tokens.touch(used);
    assertThat(tokens.get(token.id()).lastUsedAt()).isEqualTo(clock.instant());
  }

  @Test
  void an_unknown_role_is_refused_listing_the_valid_ones() {
    assertThatThrownBy(() -> Role.fromId("admin")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("deployment-manager").hasMessageContaining("auditor");
  }
}
