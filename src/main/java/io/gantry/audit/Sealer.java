package io.gantry.audit;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Appends new history rows to the audit chain. One transaction seals at most a batch: it locks the
 * one row of {@code audit_seal_lock} (a second server waits, then sees what the first sealed), reads
 * the chain's head, and per table first the rows that appeared in ids skipped before (a transaction
 * that took a lower id committed after a higher one), then the rows above the highest id sealed, in
 * id order, noting the ids it skips. Nothing else in the application has to call it: a history row
 * is sealed within one period of its commit, or at the next verification.
 */
@Component
class Sealer {

  private final JdbcTemplate template;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final AuditSettings settings;

  Sealer(JdbcTemplate template, TransactionTemplate tx, Clock clock, AuditSettings settings) {
    this.template = template;
    this.jdbc = JdbcClient.create(template);
    this.tx = tx;
    this.clock = clock;
    this.settings = settings;
  }

  record Head(long seq, String hash) {}

  /** Seals every history row committed by now, a batch per transaction; says how many it sealed. */
  long sealAll() {
    long sealed = 0;
    for (int n; (n = tx.execute(status -> sealBatch())) > 0; ) {
      sealed += n;
      if (n < settings.batch) {
        break;
      }
    }
    return sealed;
  }

  Optional<Head> head() {
    return jdbc.sql("select seq, chain_hash from audit_chain order by seq desc limit 1")
        .query((rs, i) -> new Head(rs.getLong(1), rs.getString(2))).optional();
  }

  /** The chain hash of an entry, if the chain has it. */
  Optional<String> hashAt(long seq) {
    return jdbc.sql("select chain_hash from audit_chain where seq = :seq").param("seq", seq).query(String.class)
        .optional();
  }

  private record Entry(long seq, String table, long rowId, String rowHash, String chainHash) {}

  private record Row(long id, String hash) {}

  /** Seals up to one batch in the caller's transaction. */
  private int sealBatch() {
    jdbc.sql("select id from audit_seal_lock where id = 1 for update").query(Integer.class).single();
    Head head = head().orElse(new Head(0, Hashes.GENESIS));
    Instant now = clock.instant();
    List<Entry> entries = new ArrayList<>();
    for (HistoryTable table : HistoryTable.ALL) {
      int room = settings.batch - entries.size();
      if (room == 0) {
        break;
      }
      List<Row> rows = table.sequential() ? sequential(table, room, now) : unsealed(table, room);
      for (Row row : rows) {
        long seq = head.seq() + 1;
        head = new Head(seq, Hashes.chain(head.hash(), seq, table.name(), row.id(), row.hash()));
        entries.add(new Entry(seq, table.name(), row.id(), row.hash(), head.hash()));
      }
    }
    if (!entries.isEmpty()) {
      Timestamp at = Timestamp.from(now);
      template.batchUpdate("""
          insert into audit_chain (seq, table_name, row_id, row_hash, chain_hash, sealed_at) values (?, ?, ?, ?, ?, ?)
          """, entries, entries.size(), (ps, e) -> {
            ps.setLong(1, e.seq());
            ps.setString(2, e.table());
            ps.setLong(3, e.rowId());
            ps.setString(4, e.rowHash());
            ps.setString(5, e.chainHash());
            ps.setTimestamp(6, at);
          });
    }
    return entries.size();
  }

  /** Rows that came late into skipped ids, then rows above the highest sealed, noting what is skipped. */
  private List<Row> sequential(HistoryTable table, int room, Instant now) {
    List<Row> rows = new ArrayList<>(jdbc.sql("""
        select t.* from %1$s t
          join audit_gaps g on g.table_name = :table and t.id between g.first_id and g.last_id
         where not exists (select 1 from audit_chain c where c.table_name = :table and c.row_id = t.id)
         order by t.id limit :room
        """.formatted(table.name())).param("table", table.name()).param("room", room)
        .query((rs, i) -> new Row(rs.getLong("id"), Hashes.row(rs, table))).list());
    if (rows.size() < room) {
      // every late row there is now sealed: ids still missing after the grace stay missing for good
      jdbc.sql("delete from audit_gaps where table_name = :table and seen_at < :cutoff")
          .param("table", table.name()).param("cutoff", Timestamp.from(now.minus(settings.lateCommitGrace)))
          .update();
    }
    Long sealedUpTo = jdbc.sql("select max(row_id) from audit_chain where table_name = :table")
        .param("table", table.name()).query(Long.class).optional().orElse(null);
    List<Row> fresh = jdbc.sql("select * from %1$s where id > :above order by id limit :room"
        .formatted(table.name())).param("above", sealedUpTo == null ? Long.MIN_VALUE : sealedUpTo)
        .param("room", room - rows.size())
        .query((rs, i) -> new Row(rs.getLong("id"), Hashes.row(rs, table))).list();
    // below the first row ever sealed of a table, every id counts as skipped: a lower one may commit later
    long expected = sealedUpTo == null ? Long.MIN_VALUE : sealedUpTo + 1;
    for (Row row : fresh) {
      if (row.id() > expected) {
        // a gap noted before stays as first seen (only a chain cut short by hand finds one there)
        jdbc.sql("""
            insert into audit_gaps (table_name, first_id, last_id, seen_at)
            select cast(:table as varchar(63)), cast(:first as bigint), cast(:last as bigint),
                   cast(:now as timestamp with time zone)
              from (values (1)) one
             where not exists (select 1 from audit_gaps where table_name = :table and first_id = :first)
            """).param("table", table.name()).param("first", expected).param("last", row.id() - 1)
            .param("now", Timestamp.from(now)).update();
      }
      expected = row.id() + 1;
    }
    rows.addAll(fresh);
    return rows;
  }

  /** A table keyed by what its rows belong to: any row not in the chain yet is sealed now. */
  private List<Row> unsealed(HistoryTable table, int room) {
    return jdbc.sql("""
        select t.* from %1$s t
         where not exists (select 1 from audit_chain c where c.table_name = :table and c.row_id = t.%2$s)
         order by t.%2$s limit :room
        """.formatted(table.name(), table.key())).param("table", table.name()).param("room", room)
        .query((rs, i) -> new Row(rs.getLong(table.key()), Hashes.row(rs, table))).list();
  }
}
