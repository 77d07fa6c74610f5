package io.gantry.change;

import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.shared.PageRequest;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * The changes awaiting a person's approval: assessed, decided in Gantry (not in an external system), in a
 * scope its roles reach, with a rule it holds a role of, not its own under separation of duties, and not
 * yet decided by it. The conditions {@link Changes#approve} checks, read ahead for a person's work list;
 * the check when approving stays the authority.
 */
@Service
public class ChangeApprovals {

  /** How many changes awaiting approval are looked at, the newest first. */
  static final int LIMIT = PageRequest.MAX_SIZE;

  private final ChangeRecords records;
  private final Access access;

  ChangeApprovals(ChangeRecords records, Access access) {
    this.records = records;
    this.access = access;
  }

  public List<Change> awaitingApprovalBy(String user) {
    Access.Reach reach = access.reach(user, Access.INSIDERS);
    return records.page(new ChangeRecords.Filter(ChangeState.ASSESSED, null, null, null, null),
        new PageRequest(0, LIMIT)).items().stream()
        .filter(c -> c.external() == null)
        .filter(c -> c.scopes().isEmpty() ? reach.sees(Scope.NONE) : reach.seesAny(c.scopes()))
        .filter(c -> {
          Set<String> held = access.rolesInAll(user, c.scopes()).stream().map(Role::id)
              .collect(Collectors.toCollection(TreeSet::new));
          return c.rules().stream().anyMatch(r -> r.heldBy(held));
        })
        .filter(c -> !(user.equals(c.requestedBy()) && c.rules().stream().anyMatch(ApprovalRule::separationOfDuties)))
        .filter(c -> records.decisions(c.id()).stream().noneMatch(d -> d.approver().equals(user)))
        .toList();
  }
}
