package io.gantry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.access.AccessDeniedException;

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
    tokens = new ApiTokens(db.jdbc(), clock, 365);
  }

  @Test
  void a_server_started_beside_another_on_a_new_database_starts_when_the_other_made_the_first_administrator(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path data) throws Exception {
    var first = new IdentityBootstrap(users, tokens, new AdminTokenFile(data.resolve("one"), tokens, db.jdbc(), clock),
        db.transactions());
    first.run(null);
    // the second server read "no users yet" before the first one's commit
    Users readBeforeTheCommit = new Users(db.jdbc(), clock) {
      @Override
      public long count() {
        return 0;
      }
    };
    var second = new IdentityBootstrap(readBeforeTheCommit, tokens, new AdminTokenFile(data.resolve("two"), tokens,
        db.jdbc(), clock), db.transactions());

    second.run(null);

    assertThat(java.nio.file.Files.exists(data.resolve("two/admin.token"))).isFalse();
    assertThat(java.nio.file.Files.exists(data.resolve("one/admin.token"))).isTrue();
    assertThat(db.count("users")).isOne();
  }

  @Test
  void a_user_keeps_its_roles_and_is_listed_by_page() {
    users.create("alice", "Alice", EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.AUDITOR), Actor.GANTRY);
    users.create("bob", null, EnumSet.of(Role.SUPPLIER), Actor.GANTRY);

    assertThat(users.find("alice").orElseThrow().roles()).containsExactlyInAnyOrder(Role.DEPLOYMENT_MANAGER, Role.AUDITOR);
    var page = users.page(new PageRequest(0, 1));
    assertThat(page.total()).isEqualTo(2);
    assertThat(page.items()).extracting(User::name).containsExactly("alice");
  }

  @Test
  void a_user_update_based_on_a_stale_row_version_is_refused() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    users.change(alice, EnumSet.of(Role.SERVICE_DESK), false, Actor.GANTRY);
    assertThatThrownBy(() -> users.change(alice, EnumSet.of(Role.DEPLOYMENT_MANAGER), false, Actor.GANTRY))
        .isInstanceOf(StaleUpdateException.class);
    assertThat(users.find("alice").orElseThrow().roles()).containsExactly(Role.SERVICE_DESK);
  }

  @Test
  void a_token_is_stored_only_as_a_hash_and_found_by_its_secret() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    ApiTokens.Issued issued = tokens.issue(alice, "ci", 30, Actor.GANTRY);

    assertThat(issued.secret()).startsWith("gty_").hasSize(44);
    assertThat(tokens.findBySecret(issued.secret()).orElseThrow().id()).isEqualTo(issued.token().id());
    assertThat(tokens.findBySecret(issued.secret() + "x")).isEmpty();
    String stored = db.jdbc().sql("select token_hash || token_prefix from api_tokens").query(String.class).single();
    assertThat(stored).doesNotContain(issued.secret());
    assertThat(issued.token().expiresAt()).isEqualTo(clock.instant().plus(Duration.ofDays(30)));
  }

  @Test
  void a_token_expires_after_its_days() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    ApiToken token = tokens.issue(alice, "ci", 1, Actor.GANTRY).token();
    assertThat(token.expiredAt(clock.instant())).isFalse();
    clock.advance(Duration.ofDays(1));
    assertThat(token.expiredAt(clock.instant())).isTrue();
  }

  @Test
  void a_revoked_token_records_who_revoked_it_and_cannot_be_revoked_twice() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    ApiToken token = tokens.issue(alice, "ci", 30, Actor.GANTRY).token();
    ApiToken revoked = tokens.revoke(token.id(), Actor.named("admin")).getFirst();

    assertThat(revoked.revokedAt()).isEqualTo(clock.instant());
    assertThat(revoked.revokedBy()).isEqualTo("admin");
    assertThatThrownBy(() -> tokens.revoke(token.id(), Actor.named("admin"))).isInstanceOf(ConflictException.class);
  }

  @Test
  void a_token_lifetime_outside_1_day_to_the_configured_maximum_is_refused() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    assertThatThrownBy(() -> tokens.issue(alice, "ci", 0, Actor.GANTRY)).isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> tokens.issue(alice, "ci", 366, Actor.GANTRY)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("365").hasMessageContaining("gantry.tokens.max-days");
    assertThat(db.count("api_tokens")).isZero();
  }

  @Test
  void use_is_recorded_at_most_once_a_minute() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    ApiToken token = tokens.issue(alice, "ci", 30, Actor.GANTRY).token();
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

  @Test
  void revoking_a_token_revokes_the_tokens_made_with_it_transitively_and_leaves_the_others() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    ApiToken root = tokens.issue(alice, "root", 30, Actor.GANTRY).token();
    ApiToken child = tokens.issue(alice, "child", 10, new Actor("alice", root.id())).token();
    ApiToken grandchild = tokens.issue(alice, "grandchild", 5, new Actor("alice", child.id())).token();
    ApiToken other = tokens.issue(alice, "other", 30, Actor.GANTRY).token();

    var revoked = tokens.revoke(root.id(), Actor.named("alice"));

    assertThat(revoked).extracting(ApiToken::id).containsExactly(root.id(), child.id(), grandchild.id());
    assertThat(tokens.get(grandchild.id()).revokedReason()).isEqualTo("revoked with token " + child.id()
        + ", which made it");
    assertThat(tokens.get(other.id()).revokedAt()).isNull();
  }

  @Test
  void a_token_never_outlives_the_token_that_makes_it() {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    ApiToken parent = tokens.issue(alice, "parent", 10, Actor.GANTRY).token();
    Actor withParent = new Actor("alice", parent.id());

    assertThatThrownBy(() -> tokens.issue(alice, "longer", 11, withParent)).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("cannot outlive");
    assertThat(tokens.issue(alice, "default", null, withParent).token().expiresAt()).isEqualTo(parent.expiresAt());
  }

  @Test
  void a_token_of_one_user_cannot_make_a_token_for_another() {
    User alice = users.create("alice", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    User bob = users.create("bob", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    ApiToken alices = tokens.issue(alice, "mine", 10, Actor.GANTRY).token();

    assertThatThrownBy(() -> tokens.issue(bob, "yours", 5, new Actor("alice", alices.id())))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(tokens.of("bob")).isEmpty();
  }

  @Test
  void an_enrolment_code_makes_one_token_of_its_own_and_is_used_up() {
    User bob = users.create("bob", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    ApiToken code = tokens.enrol(bob, Actor.named("admin")).token();

    ApiToken made = tokens.claim(code, "laptop", null).token();

    assertThat(made.user()).isEqualTo("bob");
    assertThat(made.issuedByToken()).isNull();
    assertThat(tokens.get(code.id()).revokedReason()).isEqualTo("used");
    assertThatThrownBy(() -> tokens.claim(tokens.get(code.id()), "again", null))
        .isInstanceOf(ConflictException.class);
  }

  @Test
  void the_last_enabled_deployment_manager_cannot_be_disabled_or_lose_the_role() {
    User alice = users.create("alice", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    User bob = users.create("bob", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);

    users.change(bob, bob.roles(), true, Actor.named("alice"));

    assertThatThrownBy(() -> users.change(alice, alice.roles(), true, Actor.named("alice")))
        .isInstanceOf(ConflictException.class).hasMessageContaining("last enabled deployment manager");
    assertThatThrownBy(() -> users.change(alice, EnumSet.of(Role.AUDITOR), false, Actor.named("alice")))
        .isInstanceOf(ConflictException.class);
    assertThat(users.find("alice").orElseThrow().roles()).containsExactly(Role.DEPLOYMENT_MANAGER);
  }

  @Test
  void the_history_records_who_did_what_in_order() {
    User bob = users.create("bob", null, EnumSet.of(Role.AUDITOR), Actor.named("alice"));
    users.change(bob, EnumSet.of(Role.AUDITOR, Role.SUPPLIER), false, new Actor("alice", 7L));
    ApiToken token = tokens.issue(bob, "ci", 30, Actor.GANTRY).token();
    tokens.revoke(token.id(), Actor.named("alice"));

    var entries = new IdentityHistory(db.jdbc()).page("bob", PageRequest.all()).items();

    assertThat(entries).extracting(IdentityHistory.Entry::action)
        .containsExactly("user-created", "roles-changed", "token-issued", "token-revoked");
    assertThat(entries.get(1).actor()).isEqualTo("alice");
    assertThat(entries.get(1).actorToken()).isEqualTo(7L);
    assertThat(entries.get(1).detail()).contains("auditor -> auditor,supplier").contains("granted supplier");
    assertThat(entries).extracting(IdentityHistory.Entry::id).isSorted();
  }

  @Test
  void the_first_administrators_token_file_goes_once_its_user_has_another_token_or_asks() throws Exception {
    Path dir = Files.createTempDirectory("gantry-identity");
    AdminTokenFile file = new AdminTokenFile(dir, tokens, db.jdbc(), clock);
    User admin = users.create("admin", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    file.write(tokens.issue(admin, "bootstrap", 365, Actor.GANTRY).secret());
    User bob = users.create("bob", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    tokens.issue(bob, "bobs", 30, Actor.GANTRY);

    assertThat(file.removeIfSuperseded()).as("another user's token is not the administrator's").isFalse();
    assertThatThrownBy(() -> file.removeAtRequestOf("bob", Actor.named("bob")))
        .isInstanceOf(AccessDeniedException.class);
    assertThat(file.path()).exists();

    tokens.issue(admin, "laptop", 30, Actor.GANTRY);
    assertThat(file.removeIfSuperseded()).isTrue();
    assertThat(file.path()).doesNotExist();
  }

  @Test
  void the_first_administrators_token_file_is_removed_at_its_users_request() throws Exception {
    Path dir = Files.createTempDirectory("gantry-identity");
    AdminTokenFile file = new AdminTokenFile(dir, tokens, db.jdbc(), clock);
    User admin = users.create("admin", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    ApiTokens.Issued bootstrap = tokens.issue(admin, "bootstrap", 365, Actor.GANTRY);
    file.write(bootstrap.secret());

    file.removeAtRequestOf("admin", Actor.named("admin"));

    assertThat(file.path()).doesNotExist();
    assertThat(tokens.get(bootstrap.token().id()).revokedAt()).isNull();
    assertThat(new IdentityHistory(db.jdbc()).page("admin", PageRequest.all()).items())
        .extracting(IdentityHistory.Entry::action).contains("admin-token-file-removed");
  }

  @Test
  void the_configured_maximum_lifetime_is_checked_when_the_server_starts() {
    assertThatThrownBy(() -> new ApiTokens(db.jdbc(), clock, 0)).hasMessageContaining("gantry.tokens.max-days");
    assertThatThrownBy(() -> new ApiTokens(db.jdbc(), clock, 3651)).hasMessageContaining("3650");
  }

  @Test
  void two_servers_disabling_the_last_two_deployment_managers_at_once_leave_one_enabled() throws Exception {
    User alice = users.create("alice", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    User bob = users.create("bob", null, EnumSet.of(Role.DEPLOYMENT_MANAGER), Actor.GANTRY);
    var aliceDisabled = new CountDownLatch(1);
    var commit = new CountDownLatch(1);
    try (var servers = Executors.newFixedThreadPool(2)) {
      var first = servers.submit(() -> db.transactions().executeWithoutResult(status -> {
        users.change(alice, alice.roles(), true, Actor.named("bob"));
        aliceDisabled.countDown();
        try {
          commit.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }));
      aliceDisabled.await();
      var second = servers.submit(() -> db.transactions().executeWithoutResult(status ->
          users.change(bob, bob.roles(), true, Actor.named("alice"))));
      try {
        // without a lock the second change sees alice still enabled and commits while the first waits
        second.get(2, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException waitedOrRefused) {
        // waited for the first server's lock, or refused
      }
      commit.countDown();
      first.get();
      assertThatThrownBy(second::get).isInstanceOf(ExecutionException.class);
    }
    assertThat(db.jdbc().sql("select count(*) from users where disabled = false").query(Long.class).single())
        .isEqualTo(1);
  }

  @Test
  void a_token_made_on_one_server_while_another_revokes_its_maker_is_revoked_too() throws Exception {
    User alice = users.create("alice", null, EnumSet.of(Role.AUDITOR), Actor.GANTRY);
    ApiToken maker = tokens.issue(alice, "maker", 30, Actor.GANTRY).token();
    var made = new CountDownLatch(1);
    var commit = new CountDownLatch(1);
    try (var servers = Executors.newFixedThreadPool(2)) {
      var issuing = servers.submit(() -> db.transactions().execute(status -> {
        ApiToken child = tokens.issue(alice, "child", 5, new Actor("alice", maker.id())).token();
        made.countDown();
        try {
          commit.await();
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
        return child;
      }));
      made.await();
      var revoking = servers.submit(() -> db.transactions().execute(status ->
          tokens.revoke(maker.id(), Actor.named("alice"))));
      try {
        // without a lock the revocation finds no token made with the maker yet and commits at once
        revoking.get(2, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException waited) {
        // waited for the issuing server's lock
      }
      commit.countDown();
      ApiToken child = issuing.get();
      try {
        revoking.get();
      } catch (ExecutionException lockTimedOut) {
        // H2 gives up waiting for a lock after a second: then nothing was revoked, and the maker lives on
      }
      ApiToken makerNow = tokens.get(maker.id());
      assertThat(tokens.get(child.id()).revokedAt() == null).isEqualTo(makerNow.revokedAt() == null);
    }
  }
}
