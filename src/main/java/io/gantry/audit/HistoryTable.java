package io.gantry.audit;

import java.util.List;
import java.util.Set;

/**
 * A table whose rows are sealed into the audit chain.
 *
 * @param name the table
 * @param key the column that names a row: the table's own identity, or for a table keyed by what it
 *     belongs to (one review per change), that column
 * @param sequential whether the key is the table's own sequence, so that a row appearing below rows
 *     already sealed is one inserted out of order (after the late-commit grace)
 * @param writtenLater columns the application writes after the insert, left out of the row's hash
 *     (on PostgreSQL the trigger of the same table lets only these change)
 */
record HistoryTable(String name, String key, boolean sequential, Set<String> writtenLater) {

  /** Every table in the chain; the PostgreSQL migration that refuses their edits names the same. */
  static final List<HistoryTable> ALL = List.of(
      sequential("deployment_events"),
      sequential("decisions", "applied_at"),
      sequential("evidence"),
      keyedBy("deployment_aborts", "deployment_id", "applied_at"),
      sequential("change_history"),
      sequential("change_approvals"),
      keyedBy("change_reviews", "change_id"),
      sequential("release_history"),
      sequential("model_versions"),
      sequential("model_agreements"),
      sequential("config_applies"),
      sequential("freezes", "removed_by", "removed_at", "removed_reason", "row_version"),
      sequential("schedule_conflicts"),
      sequential("trigger_firings", "deployment_id"),
      sequential("secret_events"),
      sequential("identity_events"));

  HistoryTable {
    if (!name.matches("[a-z_]+") || !key.matches("[a-z_]+")) {
      throw new IllegalArgumentException("a history table and its key are plain lower-case names: " + name);
    }
    writtenLater = Set.copyOf(writtenLater);
  }

  static HistoryTable sequential(String name, String... writtenLater) {
    return new HistoryTable(name, "id", true, Set.of(writtenLater));
  }

  static HistoryTable keyedBy(String name, String key, String... writtenLater) {
    return new HistoryTable(name, key, false, Set.of(writtenLater));
  }
}
