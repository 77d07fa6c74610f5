package io.gantry.change;

import java.util.List;
import java.util.Set;

/**
 * N of M: {@code count} different approvers, each holding one of {@code roles}; with separation of
 * duties the requester's approval does not count (and is refused).
 */
public record ApprovalRule(List<String> roles, int count, boolean separationOfDuties) {

  public ApprovalRule {
    roles = List.copyOf(roles);
    if (roles.isEmpty() || count < 1) {
      throw new IllegalArgumentException("an approval rule needs at least one role and a count of at least 1");
    }
  }

  /** The rule of a stage that names none: one deployment manager, not the requester. */
  public static final ApprovalRule DEFAULT = new ApprovalRule(List.of("deployment-manager"), 1, true);

  /** Whether someone holding these roles (ids) may count towards this rule. */
  public boolean heldBy(Set<String> held) {
    return roles.stream().anyMatch(held::contains);
  }

  public String describe() {
    return count + " of " + String.join(", ", roles) + (separationOfDuties ? " (not the requester)" : "");
  }
}
