package io.gantry.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.audit.Verification.Problem;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The audit chain over history rows written and tampered with directly in the database, on H2 and
 * PostgreSQL. On PostgreSQL the database itself refuses the edit, so the tamperer there is the tables'
 * owner with their triggers switched off.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class AuditChainContractTest {

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-03-02T12:00:00Z");
  private TestDatabase.Instance db;
  private JdbcClient jdbc;
  private long deployment;

  @TempDir
  Path dir;

  AuditChainContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    jdbc = db.jdbc();
    jdbc.sql("""
        insert into deployments (service, component, version, environment, model, model_version, stage, state,
                                 requested_by, requested_at, reason)
        values ('shop', 'web', '1.0.0', 'dev', 'in-house-software', 1, 'dev', 'SUCCEEDED', 'dana', :at, 'test')
        """).param("at", Timestamp.from(clock.instant())).update();
    deployment = jdbc.sql("select max(id) from deployments").query(Long.class).single();
  }

  private AuditSettings settings(int batch, String headFile) {
    return new AuditSettings(Duration.ofSeconds(5), batch, Duration.ofMinutes(10), headFile);
  }

  private Sealer sealer() {
    return sealer(settings(500, ""));
  }

  private Sealer sealer(AuditSettings settings) {
    return new Sealer(new JdbcTemplate(db.dataSource()), db.transactions(), clock, settings);
  }

  private Verification verify() {
    return verify(settings(500, ""));
  }

  private Verification verify(AuditSettings settings) {
    return new Verifier(new JdbcTemplate(db.dataSource()), sealer(settings), clock, settings).verify();
  }

  /** An event as the engine writes it, with the id the database gives, or the one named. */
  private long event(String message) {
    jdbc.sql("""
        insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
        values (:d, :at, 'TRANSITION', 'PLANNING', 'engine', :m)
        """).param("d", deployment).param("at", Timestamp.from(clock.instant())).param("m", message).update();
    return jdbc.sql("select max(id) from deployment_events").query(Long.class).single();
  }

  private void event(long id, String message) {
    jdbc.sql("""
        insert into deployment_events (id, deployment_id, at, kind, to_state, actor, message)
        values (:id, :d, :at, 'TRANSITION', 'PLANNING', 'engine', :m)
        """).param("id", id).param("d", deployment).param("at", Timestamp.from(clock.instant())).param("m", message)
        .update();
  }

  /**
   * A statement run past the database's own refusal: on PostgreSQL by the tables' owner with the
   * table's triggers off for the statement.
   */
  private void tamper(String table, String sql) {
    if (database == TestDatabase.POSTGRESQL) {
      jdbc.sql("alter table " + table + " disable trigger user").update();
      try {
        jdbc.sql(sql).update();
      } finally {
        jdbc.sql("alter table " + table + " enable trigger user").update();
      }
    } else {
      jdbc.sql(sql).update();
    }
  }

  private static Problem first(Verification v) {
    assertThat(v.intact()).as("the chain verifies").isFalse();
    return v.problems().getFirst();
  }

  @Test
  void a_clean_history_verifies_with_every_row_in_the_chain() {
    event("requested");
    event("planning");
    jdbc.sql("insert into config_applies (author, reason, created_at, summary) values ('dana', 'set-up', :at, '{}')")
        .param("at", Timestamp.from(clock.instant())).update();
    sealer().sealAll();
    event("succeeded");

    Verification v = verify();

    assertThat(v.problems()).isEmpty();
    assertThat(v.intact()).isTrue();
    assertThat(v.entries()).isEqualTo(4);
    assertThat(v.sealedNow()).isEqualTo(1);
    assertThat(v.headEntry()).isEqualTo(4);
  }

  @Test
  void an_edited_event_is_named_with_its_table_and_id() {
    event("requested");
    long edited = event("approved by dana");
    event("succeeded");
    sealer().sealAll();

    tamper("deployment_events", "update deployment_events set actor = 'mallory' where id = " + edited);

    Problem problem = first(verify());
    assertThat(problem.problem()).isEqualTo("edited");
    assertThat(problem.table()).isEqualTo("deployment_events");
    assertThat(problem.id()).isEqualTo(edited);
  }

  @Test
  void a_deleted_event_is_named_with_its_table_and_id() {
    event("requested");
    long deleted = event("failed: disk full");
    event("rolled back");
    sealer().sealAll();

    tamper("deployment_events", "delete from deployment_events where id = " + deleted);

    Problem problem = first(verify());
    assertThat(problem.problem()).isEqualTo("deleted");
    assertThat(problem.table()).isEqualTo("deployment_events");
    assertThat(problem.id()).isEqualTo(deleted);
  }

  @Test
  void a_row_inserted_below_rows_sealed_before_it_is_named_as_inserted_out_of_order() {
    event(10, "requested");
    event(20, "planning");
    event(30, "succeeded");
    sealer().sealAll();
    clock.advance(Duration.ofMinutes(11));
    sealer().sealAll();

    event(15, "approved by dana");

    Problem problem = first(verify());
    assertThat(problem.problem()).isEqualTo("inserted-out-of-order");
    assertThat(problem.table()).isEqualTo("deployment_events");
    assertThat(problem.id()).isEqualTo(15);
  }

  @Test
  void a_row_that_appears_in_an_id_skipped_less_than_the_grace_ago_is_sealed_as_a_late_commit() {
    event(10, "requested");
    event(30, "succeeded");
    sealer().sealAll();
    clock.advance(Duration.ofMinutes(9));

    event(20, "committed late");

    Verification v = verify();
    assertThat(v.problems()).isEmpty();
    assertThat(v.entries()).isEqualTo(3);
  }

  @Test
  void the_first_rows_of_a_table_committed_out_of_id_order_are_sealed_and_not_taken_for_tampering()
      throws Exception {
    long late;
    try (Connection slow = db.dataSource().getConnection()) {
      slow.setAutoCommit(false);
      try (PreparedStatement insert = slow.prepareStatement("""
          insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
          values (?, ?, 'TRANSITION', 'PLANNING', 'engine', 'taken first, committed last')
          """, new String[] {"id"})) {
        insert.setLong(1, deployment);
        insert.setTimestamp(2, Timestamp.from(clock.instant()));
        insert.executeUpdate();
        try (var keys = insert.getGeneratedKeys()) {
          keys.next();
          late = keys.getLong(1);
        }
      }
      long higher = event("taken last, committed first");
      assertThat(higher).isGreaterThan(late);
      sealer().sealAll();
      slow.commit();
    }
    clock.advance(Duration.ofMinutes(1));

    Verification v = verify();

    assertThat(v.problems()).isEmpty();
    assertThat(v.entries()).isEqualTo(2);
    assertThat(jdbc.sql("select count(*) from audit_chain where table_name = 'deployment_events' and row_id = :id")
        .param("id", late).query(Long.class).single()).isEqualTo(1);
  }

  @Test
  void an_edited_chain_entry_is_named() {
    event("requested");
    long edited = event("planning");
    event("succeeded");
    sealer().sealAll();

    tamper("audit_chain", "update audit_chain set row_hash = '" + "a".repeat(64) + "' where row_id = " + edited);

    Problem problem = first(verify());
    assertThat(problem.problem()).isEqualTo("entry-altered");
    assertThat(problem.id()).isEqualTo(edited);
  }

  @Test
  void a_chain_rewritten_whole_after_an_edit_is_caught_by_the_exported_head_even_after_a_restart() {
    String headFile = dir.resolve("audit-head").toString();
    AuditSettings exporting = settings(500, headFile);
    event("requested");
    long edited = event("approved by dana");
    new SealLoop(sealer(exporting), exporting).sealOnce();
    assertThat(verify(exporting).intact()).isTrue();

    tamper("deployment_events", "update deployment_events set actor = 'mallory' where id = " + edited);
    tamper("audit_chain", "delete from audit_chain");
    sealer().sealAll();
    // a server started again after the rewrite does not export the rewritten chain's head over the old one
    new SealLoop(sealer(exporting), exporting).sealOnce();

    Problem problem = first(verify(exporting));
    assertThat(problem.problem()).isEqualTo("head-mismatch");
    assertThat(problem.entry()).isEqualTo(2);
  }

  @Test
  void columns_the_application_writes_later_are_accepted_and_left_out_of_the_hash() {
    jdbc.sql("""
        insert into freezes (name, reason, recurrence, starts, ends, declared_by, declared_at)
        values ('year-end', 'closing', 'once', '2026-12-20T00:00', '2027-01-02T00:00', 'dana', :at)
        """).param("at", Timestamp.from(clock.instant())).update();
    jdbc.sql("""
        insert into decisions (deployment_id, target, step, decision, actor, note, checklist, at)
        values (:d, 'web-1', 'sign-off', 'SIGNED_OFF', 'sam', 'done', '[]', :at)
        """).param("d", deployment).param("at", Timestamp.from(clock.instant())).update();
    sealer().sealAll();

    jdbc.sql("""
        update freezes set removed_by = 'dana', removed_at = :at, removed_reason = 'lifted',
                           row_version = row_version + 1
        """).param("at", Timestamp.from(clock.instant())).update();
    jdbc.sql("update decisions set applied_at = :at").param("at", Timestamp.from(clock.instant())).update();

    assertThat(verify().problems()).isEmpty();
  }

  @Test
  void on_postgresql_the_database_refuses_to_update_or_delete_history_rows() {
    org.junit.jupiter.api.Assumptions.assumeTrue(database == TestDatabase.POSTGRESQL, "H2 has no such refusal");
    long id = event("approved by dana");
    jdbc.sql("""
        insert into freezes (name, reason, recurrence, starts, ends, declared_by, declared_at)
        values ('year-end', 'closing', 'once', '2026-12-20T00:00', '2027-01-02T00:00', 'dana', :at)
        """).param("at", Timestamp.from(clock.instant())).update();
    jdbc.sql("update freezes set removed_by = 'dana', removed_at = :at, removed_reason = 'lifted'")
        .param("at", Timestamp.from(clock.instant())).update();
    sealer().sealAll();

    assertThatThrownBy(() -> jdbc.sql("update deployment_events set actor = 'mallory' where id = :id")
        .param("id", id).update()).rootCause().hasMessageContaining("deployment_events is append-only history");
    assertThatThrownBy(() -> jdbc.sql("delete from deployment_events").update())
        .rootCause().hasMessageContaining("its rows cannot be deleted");
    assertThatThrownBy(() -> jdbc.sql("update freezes set removed_by = 'mallory'").update())
        .rootCause().hasMessageContaining("freezes.removed_by was written once");
    assertThatThrownBy(() -> jdbc.sql("update audit_chain set row_hash = 'x'").update())
        .rootCause().hasMessageContaining("audit_chain is append-only history");
    assertThat(jdbc.sql("select actor from deployment_events where id = :id").param("id", id).query(String.class)
        .single()).isEqualTo("engine");
    assertThat(verify().problems()).isEmpty();
  }

  @Test
  void on_postgresql_every_table_in_the_chain_has_the_refusing_trigger() {
    org.junit.jupiter.api.Assumptions.assumeTrue(database == TestDatabase.POSTGRESQL, "H2 has no such refusal");
    List<String> guarded = jdbc.sql("""
        select c.relname from pg_trigger t join pg_class c on c.oid = t.tgrelid
          join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = current_schema() and t.tgname = c.relname || '_append_only'
        """).query(String.class).list();

    assertThat(guarded).containsAll(HistoryTable.ALL.stream().map(HistoryTable::name).toList()).contains("audit_chain");
  }

  @Test
  void two_sealers_at_once_make_one_chain_with_each_row_once() throws Exception {
    for (int i = 0; i < 600; i++) {
      event("event " + i);
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    CountDownLatch go = new CountDownLatch(1);
    Callable<Long> sealing = () -> {
      go.await();
      long sealed = 0;
      for (int i = 0; i < 5; i++) {
        sealed += sealer(settings(100, "")).sealAll();
      }
      return sealed;
    };
    try {
      Future<Long> first = pool.submit(sealing);
      Future<Long> second = pool.submit(sealing);
      Future<?> writer = pool.submit(() -> {
        go.await();
        for (int i = 0; i < 200; i++) {
          event("while sealing " + i);
        }
        return null;
      });
      go.countDown();
      writer.get();
      assertThat(first.get() + second.get()).isLessThanOrEqualTo(800);
    } finally {
      pool.shutdownNow();
    }

    Verification v = verify();

    assertThat(v.problems()).isEmpty();
    assertThat(v.entries()).isEqualTo(800);
    assertThat(jdbc.sql("select count(distinct row_id) from audit_chain").query(Long.class).single()).isEqualTo(800);
  }

  @Test
  void the_sealer_works_in_batches_and_a_pass_with_nothing_new_is_cheap() {
    Timestamp at = Timestamp.from(clock.instant());
    new JdbcTemplate(db.dataSource()).batchUpdate("""
        insert into deployment_events (deployment_id, at, kind, to_state, actor, message)
        values (?, ?, 'TRANSITION', 'PLANNING', 'engine', ?)
        """, java.util.stream.IntStream.range(0, 5000).mapToObj(i -> new Object[] {deployment, at, "bulk " + i})
        .toList());

    long start = System.nanoTime();
    long sealed = sealer(settings(500, "")).sealAll();
    Duration sealing = Duration.ofNanos(System.nanoTime() - start);
    start = System.nanoTime();
    for (int i = 0; i < 10; i++) {
      sealer().sealAll();
    }
    Duration idle = Duration.ofNanos(System.nanoTime() - start).dividedBy(10);

    assertThat(sealed).isEqualTo(5000);
    assertThat(sealing).as("sealing 5000 rows").isLessThan(Duration.ofSeconds(30));
    assertThat(idle).as("a pass with nothing new").isLessThan(Duration.ofMillis(500));
    assertThat(verify().problems()).isEmpty();
  }
}
