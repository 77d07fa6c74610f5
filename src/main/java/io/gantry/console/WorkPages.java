package io.gantry.console;

import io.gantry.change.ChangeApprovals;
import io.gantry.deployment.AwaitedActions;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * My work: what deployments wait for from the person signed in (approvals, sign-offs, confirmations of
 * criteria, decisions after a failure, pauses to end), in the scopes its roles reach and only where its roles
 * allow the action, each linking to the deployment's page where it is done; and the changes awaiting its
 * approval, each linking to the change's page.
 */
@Controller
class WorkPages {

  private final AwaitedActions awaited;
  private final ChangeApprovals approvals;

  WorkPages(AwaitedActions awaited, ChangeApprovals approvals) {
    this.awaited = awaited;
    this.approvals = approvals;
  }

  @GetMapping("/console/work")
  String work(Authentication signedIn, Model model) {
    List<WorkPage.Item> items = new ArrayList<>();
    for (AwaitedActions.Work w : awaited.workOf(signedIn.getName())) {
      var d = w.deployment();
      for (AwaitedActions.Awaited a : w.awaited()) {
        items.add(new WorkPage.Item(d.id(), d.component().toString(), d.version(), d.environment(), d.state().name(),
            label(a.kind()), a.target(), a.step(), a.instructions()));
      }
    }
    List<WorkPage.ChangeItem> changes = approvals.awaitingApprovalBy(signedIn.getName()).stream()
        .map(c -> new WorkPage.ChangeItem(c.key(), c.title(), c.type().id(), c.requestedBy(),
            DeploymentTimes.of(c.plannedStart()))).toList();
    model.addAttribute("page", new WorkPage(items, changes));
    return "work";
  }

  static String label(AwaitedActions.Kind kind) {
    return switch (kind) {
      case SIGNOFF -> "Sign off";
      case APPROVAL -> "Approve or reject";
      case CONFIRMATION -> "Confirm a criterion";
      case FAILURE_DECISION -> "Decide after a failure";
      case RESUME -> "End a pause";
    };
  }
}
