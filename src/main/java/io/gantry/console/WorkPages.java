package io.gantry.console;

import io.gantry.change.ChangeApprovals;
import io.gantry.deployment.AwaitedActions;
import io.gantry.model.ModelAgreements;
import io.gantry.model.ModelNotices;
import io.gantry.model.Models;
import io.gantry.shared.PageRequest;
import java.util.ArrayList;
import java.util.List;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * My work: what deployments wait for from the person signed in (approvals, sign-offs, confirmations of
 * criteria, decisions after a failure, pauses to end), in the scopes its roles reach and only where its roles
 * allow the action, each linking to the deployment's page where it is done; the changes awaiting its
 * approval, each linking to the change's page; the proposed model versions awaiting its agreement; and its notices
 * of model versions in force, each linking to the notice's page.
 */
@Controller
class WorkPages {

  /** How many of the person's notices the page lists (the unread first, then the newest read). */
  static final int NOTICES = 20;

  private final AwaitedActions awaited;
  private final ChangeApprovals approvals;
  private final Models models;
  private final ModelAgreements agreements;
  private final ModelNotices notices;

  WorkPages(AwaitedActions awaited, ChangeApprovals approvals, Models models, ModelAgreements agreements,
      ModelNotices notices) {
    this.awaited = awaited;
    this.approvals = approvals;
    this.models = models;
    this.agreements = agreements;
    this.notices = notices;
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
    String user = signedIn.getName();
    List<WorkPage.ProposalItem> proposals = models.proposals().stream()
        .filter(v -> v.signers().contains(user))
        .filter(v -> agreements.of(v.model(), v.number()).stream().noneMatch(a -> a.user().equals(user)))
        .map(v -> new WorkPage.ProposalItem(v.model(), v.number(), v.author(), v.reason(), When.at(v.createdAt())))
        .toList();
    List<ModelNotices.Notice> mine = new ArrayList<>(notices.inbox(user, true, new PageRequest(0, NOTICES)).items());
    if (mine.size() < NOTICES) {
      notices.inbox(user, false, new PageRequest(0, NOTICES)).items().stream().filter(n -> n.readAt() != null)
          .limit(NOTICES - mine.size()).forEach(mine::add);
    }
    List<WorkPage.NoticeItem> told = mine.stream().map(n -> new WorkPage.NoticeItem(n.id(), n.model(), n.version(),
        n.why(), When.at(n.createdAt()), n.readAt() == null ? null : When.at(n.readAt()))).toList();
    model.addAttribute("page", new WorkPage(items, changes, proposals, told));
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
