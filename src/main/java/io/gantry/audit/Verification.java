package io.gantry.audit;

import java.time.Instant;
import java.util.List;

/**
 * What a walk of the audit chain found.
 *
 * @param intact whether nothing was found wrong
 * @param entries the entries walked
 * @param headEntry the last entry's number (null for an empty chain)
 * @param headHash the last entry's chain hash
 * @param sealedNow history rows sealed by this verification before the walk
 * @param waiting rows not sealed yet: committed after the walk began, or into ids skipped less than the
 *     late-commit grace ago
 * @param problemCount every problem found; {@code problems} lists the first ones, in chain order
 * @param problems the first problem names what to look at first
 */
record Verification(boolean intact, long entries, Long headEntry, String headHash, long sealedNow, long waiting,
    long problemCount, List<Problem> problems, Instant verifiedAt) {

  /**
   * One thing wrong.
   *
   * @param problem {@code edited}, {@code deleted}, {@code inserted-out-of-order}, {@code entry-altered},
   *     {@code entry-missing} or {@code head-mismatch}
   * @param table the history table, when the problem is with a row
   * @param id the row's id (for a table keyed by what it belongs to, that key)
   * @param entry the chain entry, when there is one
   */
  record Problem(String problem, String table, Long id, Long entry, String detail) {}
}
