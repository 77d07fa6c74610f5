package io.gantry.catalog;

import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * Approving or withdrawing a version for those outside the REST API (the console): the same roles as
 * {@code PUT .../versions/{version}/status} require, in the component's service, and the same
 * {@link Library#changeStatus}, so a change made here is recorded exactly as one made through the API.
 */
@org.springframework.stereotype.Component
public class VersionApproval {

  private final Library library;
  private final Access access;

  public VersionApproval(Library library, Access access) {
    this.library = library;
    this.access = access;
  }

  /** The roles that approve or withdraw versions, in the component's service. */
  public static Set<Role> approvers() {
    return Set.copyOf(CatalogController.APPROVERS);
  }

  /** Whether {@code user} holds a role that approves or withdraws versions of {@code service}'s components. */
  public boolean mayChange(String user, String service) {
    return access.rolesIn(user, Scope.service(service)).stream().anyMatch(CatalogController.APPROVERS::contains);
  }

  /** The statuses a version in {@code status} may move to, in the lifecycle's order. */
  public static List<VersionStatus> next(VersionStatus status) {
    return Arrays.stream(VersionStatus.values()).filter(status::canBecome).toList();
  }

  /** Refused unless {@code user} may; otherwise as {@link Library#changeStatus}. */
  public ComponentVersion change(String user, ComponentRef ref, String version, VersionStatus next, String reason,
      long expectedRowVersion) {
    access.require(user, CatalogController.APPROVERS, Scope.service(ref.service()),
        "approving or withdrawing a version");
    return library.changeStatus(ref, version, next, reason, expectedRowVersion, user);
  }
}
