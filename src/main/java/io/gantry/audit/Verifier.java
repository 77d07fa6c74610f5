package io.gantry.audit;

import io.gantry.audit.Verification.Problem;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Walks the audit chain after sealing what is there: each entry's chain hash again from the one
 * before, each row's hash again from the row as it is now, and each sequential table for rows that
 * appeared below rows sealed before them; then the exported head, when there is one.
 */
@Component
class Verifier {

  static final int PAGE = 1000;
  static final int LISTED = 100;
  /** Problems kept before sorting; a thoroughly tampered chain is counted, not held in memory. */
  static final int KEPT = 1000;

  /** The problems found: all counted, the first {@link #KEPT} of each kind of search kept. */
  private static final class Problems {
    final List<Problem> kept = new ArrayList<>();
    long count;

    void add(Problem p) {
      count++;
      if (kept.size() < KEPT) {
        kept.add(p);
      }
    }
  }

  private final JdbcClient jdbc;
  private final Sealer sealer;
  private final Clock clock;
  private final Optional<HeadFile> headFile;

  Verifier(JdbcTemplate template, Sealer sealer, Clock clock, AuditSettings settings) {
    this.jdbc = JdbcClient.create(template);
    this.sealer = sealer;
    this.clock = clock;
    this.headFile = Optional.ofNullable(settings.headFile).map(HeadFile::new);
  }

  private record ChainEntry(long seq, String table, long rowId, String rowHash, String chainHash) {}

  Verification verify() {
    long sealedNow = sealer.sealAll();
    Problems problems = new Problems();
    headFile.ifPresent(file -> compareHead(file, problems));
    String previous = Hashes.GENESIS;
    long expected = 1;
    long entries = 0;
    ChainEntry last = null;
    for (long from = 1; ; ) {
      List<ChainEntry> page = jdbc.sql("""
          select seq, table_name, row_id, row_hash, chain_hash from audit_chain where seq >= :from order by seq limit :n
          """).param("from", from).param("n", PAGE).query((rs, i) -> new ChainEntry(rs.getLong(1), rs.getString(2),
          rs.getLong(3), rs.getString(4), rs.getString(5))).list();
      if (page.isEmpty()) {
        break;
      }
      Map<String, Map<Long, String>> rows = currentRows(page);
      for (ChainEntry e : page) {
        if (e.seq() != expected) {
          problems.add(new Problem("entry-missing", null, null, expected, "entries " + expected
              + (e.seq() - 1 > expected ? " to " + (e.seq() - 1) : "") + " of the chain are gone"));
        }
        if (!Hashes.chain(previous, e.seq(), e.table(), e.rowId(), e.rowHash()).equals(e.chainHash())) {
          problems.add(new Problem("entry-altered", e.table(), e.rowId(), e.seq(), "chain entry " + e.seq()
              + " does not follow from the entry before it: the entry was edited"));
        }
        Map<Long, String> ofTable = rows.get(e.table());
        if (ofTable == null) {
          problems.add(new Problem("entry-altered", e.table(), e.rowId(), e.seq(), "chain entry " + e.seq()
              + " names a table the chain does not seal"));
        } else if (!ofTable.containsKey(e.rowId())) {
          problems.add(new Problem("deleted", e.table(), e.rowId(), e.seq(), e.table() + " row " + e.rowId()
              + " was sealed as entry " + e.seq() + " and is no longer there"));
        } else if (!ofTable.get(e.rowId()).equals(e.rowHash())) {
          problems.add(new Problem("edited", e.table(), e.rowId(), e.seq(), e.table() + " row " + e.rowId()
              + " differs from what was sealed as entry " + e.seq()));
        }
        previous = e.chainHash();
        expected = e.seq() + 1;
        last = e;
      }
      entries += page.size();
      from = last.seq() + 1;
    }
    long waiting = 0;
    for (HistoryTable table : HistoryTable.ALL) {
      waiting += table.sequential() ? outOfOrder(table, problems) : unsealed(table);
    }
    List<Problem> found = new ArrayList<>(problems.kept);
    found.sort(Comparator.comparing(Problem::entry, Comparator.nullsLast(Comparator.naturalOrder())));
    return new Verification(problems.count == 0, entries, last == null ? null : last.seq(),
        last == null ? null : last.chainHash(), sealedNow, waiting, problems.count,
        List.copyOf(found.subList(0, Math.min(LISTED, found.size()))), clock.instant());
  }

  /** The hash of every row a page of entries names, as the row is now, by table and key. */
  private Map<String, Map<Long, String>> currentRows(List<ChainEntry> page) {
    Map<String, List<Long>> ids = new LinkedHashMap<>();
    page.forEach(e -> ids.computeIfAbsent(e.table(), t -> new ArrayList<>()).add(e.rowId()));
    Map<String, Map<Long, String>> rows = new HashMap<>();
    ids.forEach((name, keys) -> HistoryTable.ALL.stream().filter(t -> t.name().equals(name)).findFirst()
        .ifPresent(table -> {
          Map<Long, String> hashes = new HashMap<>();
          jdbc.sql("select * from %1$s where %2$s in (:ids)".formatted(table.name(), table.key()))
              .param("ids", keys).query(rs -> {
                hashes.put(rs.getLong(table.key()), Hashes.row(rs, table));
              });
          rows.put(name, hashes);
        }));
    return rows;
  }

  private void compareHead(HeadFile file, Problems problems) {
    Sealer.Head exported;
    try {
      Optional<Sealer.Head> read = file.read();
      if (read.isEmpty()) {
        return;
      }
      exported = read.get();
    } catch (IllegalStateException | UncheckedIOException e) {
      problems.add(new Problem("head-mismatch", null, null, null, e.getMessage()));
      return;
    }
    Optional<String> hash = jdbc.sql("select chain_hash from audit_chain where seq = :seq")
        .param("seq", exported.seq()).query(String.class).optional();
    if (hash.isEmpty()) {
      problems.add(new Problem("head-mismatch", null, null, exported.seq(), "the chain has no entry " + exported.seq()
          + ", the head exported to " + file.path() + ": the chain was cut short or rewritten"));
    } else if (!hash.get().equals(exported.hash())) {
      problems.add(new Problem("head-mismatch", null, null, exported.seq(), "chain entry " + exported.seq()
          + " differs from the head exported to " + file.path() + ": the chain was rewritten"));
    }
  }

  /**
   * Rows below the highest sealed that are not in the chain and not in ids skipped less than the grace
   * ago: they were inserted after rows that come after them. Says how many rows wait to be sealed.
   */
  private long outOfOrder(HistoryTable table, Problems problems) {
    Long sealedUpTo = jdbc.sql("select max(row_id) from audit_chain where table_name = :table")
        .param("table", table.name()).query(Long.class).optional().orElse(null);
    if (sealedUpTo == null) {
      return jdbc.sql("select count(*) from " + table.name()).query(Long.class).single();
    }
    String unsealedBelow = """
        from %1$s t
         where t.id <= :upTo
           and not exists (select 1 from audit_chain c where c.table_name = :table and c.row_id = t.id)
           and not exists (select 1 from audit_gaps g
                            where g.table_name = :table and t.id between g.first_id and g.last_id)
        """.formatted(table.name());
    List<Long> ids = jdbc.sql("select t.id " + unsealedBelow + " order by t.id limit :n").param("upTo", sealedUpTo)
        .param("table", table.name()).param("n", LISTED).query(Long.class).list();
    long more = ids.size() < LISTED ? 0 : jdbc.sql("select count(*) " + unsealedBelow).param("upTo", sealedUpTo)
        .param("table", table.name()).query(Long.class).single() - ids.size();
    problems.count += more;
    ids.forEach(id -> problems.add(new Problem("inserted-out-of-order", table.name(), id, null, table.name()
        + " row " + id + " is not in the chain, and rows after it were sealed before it appeared: it was inserted out"
        + " of order")));
    return jdbc.sql("""
        select count(*) from %1$s t
         where not exists (select 1 from audit_chain c where c.table_name = :table and c.row_id = t.id)
           and (t.id > :upTo
                or exists (select 1 from audit_gaps g
                            where g.table_name = :table and t.id between g.first_id and g.last_id))
        """.formatted(table.name())).param("table", table.name()).param("upTo", sealedUpTo).query(Long.class).single();
  }

  private long unsealed(HistoryTable table) {
    return jdbc.sql("""
        select count(*) from %1$s t
         where not exists (select 1 from audit_chain c where c.table_name = :table and c.row_id = t.%2$s)
        """.formatted(table.name(), table.key())).param("table", table.name()).query(Long.class).single();
  }
}
