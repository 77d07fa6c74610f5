package io.gantry.console;

import io.gantry.change.ApprovalRule;
import io.gantry.change.Change;
import io.gantry.change.ChangeDecision;
import io.gantry.change.ChangeState;
import io.gantry.change.Changes;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.shared.PageRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.Principal;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The change list and each change's page, and the decisions taken there. Everything is read and done
 * through the change module's service with the checks of its API (change/ChangeController): a person
 * sees the changes its roles reach, and approves, rejects, submits, cancels and reviews as the API lets it.
 */
@Controller
class ChangePages {

  /** As the API: those who record, submit and cancel changes, and those who review them. */
  static final Set<Role> REQUESTERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER,
      Role.SERVICE_OWNER, Role.TECHNICAL_SPECIALIST);
  static final Set<Role> REVIEWERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.SERVICE_OWNER);
  static final int PAGE_SIZE = 50;

  private final Changes changes;
  private final Access access;

  ChangePages(Changes changes, Access access) {
    this.changes = changes;
    this.access = access;
  }

  private static boolean sees(Access.Reach reach, Change c) {
    return c.scopes().isEmpty() ? reach.sees(Scope.NONE) : reach.seesAny(c.scopes());
  }

  @GetMapping("/console/changes")
  String list(@RequestParam(required = false) String state, @RequestParam(defaultValue = "0") int page,
      Principal principal, Model model, HttpServletResponse response) {
    List<String> states = Arrays.stream(ChangeState.values()).map(ChangeState::id).toList();
    String wanted = state == null || state.isBlank() ? null : state.strip();
    try {
      Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
      var found = reach.page(r -> changes.list(wanted, null, null, null, null, r), c -> sees(reach, c),
          new PageRequest(Math.max(page, 0), PAGE_SIZE));
      model.addAttribute("page", new ChangeListPage(wanted, states, found.items().stream().map(c ->
          new ChangeListPage.Row(c.key(), c.title(), c.type().id(), c.state().id(), c.risk().id(), c.plannedStart(),
              c.plannedEnd(), c.requestedBy(), c.scopes().stream().map(Scope::toString)
                  .collect(Collectors.joining(", ")))).toList(), found.page(), found.hasNext(), found.total(), null));
    } catch (RuntimeException e) {
      Refusals.unlessRefusal(e);
      response.setStatus(Refusals.status(e).value());
      model.addAttribute("page", new ChangeListPage(null, states, List.of(), 0, false, 0, Refusals.message(e)));
    }
    return "changes";
  }

  @GetMapping("/console/changes/{key}")
  String change(@PathVariable String key, Principal principal, Model model, HttpServletResponse response) {
    String user = principal.getName();
    Change c;
    try {
      c = changes.get(key);
      if (!sees(access.reach(user, Access.INSIDERS), c)) {
        throw new AccessDeniedException(c.key() + " is in " + c.scopes().stream().map(Scope::toString)
            .collect(Collectors.joining(" and ")) + ", which none of your roles reaches");
      }
    } catch (RuntimeException e) {
      Refusals.unlessRefusal(e);
      response.setStatus(Refusals.status(e).value());
      model.addAttribute("title", "Change " + key);
      model.addAttribute("refusal", Refusals.message(e));
      model.addAttribute("back", "/console/changes");
      model.addAttribute("backLabel", "All changes");
      return "changes-refused";
    }
    model.addAttribute("page", page(c, user, (String) model.getAttribute("notice"),
        (String) model.getAttribute("refusal")));
    return "change";
  }

  ChangePage page(Change c, String user, String notice, String refusal) {
    List<ChangeDecision> decisions = changes.decisions(c);
    Set<String> held = access.rolesInAll(user, c.scopes()).stream().map(Role::id).collect(Collectors.toSet());
    String whyNot = whyNotDecide(c, user, held, decisions);
    boolean requester = access.rolesInAll(user, c.scopes()).stream().anyMatch(REQUESTERS::contains);
    boolean reviewer = access.rolesInAll(user, c.scopes()).stream().anyMatch(REVIEWERS::contains);
    return new ChangePage(c.key(), c.title(), c.type().id(), c.state().id(), c.risk().id(), c.impact().id(),
        c.plannedStart(), c.plannedEnd(), c.requestedBy(), c.requestedAt(), c.services(),
        c.components().stream().map(Object::toString).toList(), c.environments(), c.implementationPlan(),
        c.backoutPlan(), c.testPlan(), c.emergencyReason(), c.closureCode() == null ? null : c.closureCode().id(),
        c.outcome(), c.external() == null ? null : c.external().system() + " " + c.external().reference(),
        c.rules().stream().map(ApprovalRule::describe).toList(), progress(c, decisions),
        decisions.stream().map(d -> new ChangePage.Decision(d.approver(), d.roles(),
            d.verdict() == ChangeDecision.Verdict.APPROVE ? "approved" : "rejected", d.reason(), d.at())).toList(),
        changes.deployments(c), c.forDeployment(),
        changes.review(c).map(r -> new ChangePage.Review(r.reviewer(), r.summary(), r.followUps(), r.at()))
            .orElse(null),
        changes.history(c).stream().map(e -> new ChangePage.Entry(e.at(), e.kind().name().toLowerCase(),
            e.from() == null ? null : e.from().id(), e.to() == null ? null : e.to().id(), e.actor(), e.reason()))
            .toList(),
        c.state() == ChangeState.ASSESSED && whyNot == null, c.state() == ChangeState.ASSESSED ? whyNot : null,
        requester && c.state() == ChangeState.NEW, requester && c.state().canBecome(ChangeState.CANCELLED),
        reviewer && c.state() == ChangeState.CLOSED && changes.review(c).isEmpty(), notice, refusal);
  }

  /**
   * Why {@code user} may not approve or reject the change, in the words of the rules that
   * {@link Changes#approve} applies; null when it may.
   */
  static String whyNotDecide(Change c, String user, Set<String> held, List<ChangeDecision> decisions) {
    if (c.external() != null) {
      return "It is decided in " + c.external().system() + " (" + c.external().reference() + ").";
    }
    if (c.rules().stream().noneMatch(r -> r.heldBy(held))) {
      return "Deciding needs one of the roles " + c.rules().stream().flatMap(r -> r.roles().stream()).distinct()
          .collect(Collectors.joining(", ")) + " wherever the change acts.";
    }
    if (user.equals(c.requestedBy()) && c.rules().stream().anyMatch(ApprovalRule::separationOfDuties)) {
      return "You requested this change: someone else approves or rejects it (separation of duties).";
    }
    if (decisions.stream().anyMatch(d -> d.approver().equals(user))) {
      return "You have already decided on it.";
    }
    return null;
  }

  /** How far the approvals are, rule by rule: "1 of 2 approvals from deployment-manager". */
  static String progress(Change c, List<ChangeDecision> decisions) {
    if (c.rules().isEmpty()) {
      return null;
    }
    List<ChangeDecision> approvals = decisions.stream().filter(d -> d.verdict() == ChangeDecision.Verdict.APPROVE)
        .toList();
    return c.rules().stream().map(rule -> approvals.stream().filter(a -> rule.heldBy(Set.copyOf(a.roles())))
        .map(ChangeDecision::approver).distinct().count() + " of " + rule.count() + " approvals from "
        + String.join(", ", rule.roles())).collect(Collectors.joining("; "));
  }

  // --- actions: each through the service method the API calls, after the API's own check

  @PostMapping("/console/changes/{key}/approve")
  String approve(@PathVariable String key, @RequestParam(required = false) String reason, Principal principal,
      RedirectAttributes after) {
    return act(key, after, () -> changes.approve(key, principal.getName(), reason), "You approved %s.");
  }

  @PostMapping("/console/changes/{key}/reject")
  String reject(@PathVariable String key, @RequestParam(required = false) String reason, Principal principal,
      RedirectAttributes after) {
    return act(key, after, () -> changes.reject(key, principal.getName(), reason), "You rejected %s.");
  }

  @PostMapping("/console/changes/{key}/submit")
  String submit(@PathVariable String key, Principal principal, RedirectAttributes after) {
    return act(key, after, () -> {
      access.require(principal.getName(), REQUESTERS, changes.get(key).scopes(), "submitting a change");
      changes.submit(key, principal.getName());
    }, "You submitted %s for approval.");
  }

  @PostMapping("/console/changes/{key}/cancel")
  String cancel(@PathVariable String key, @RequestParam(required = false) String reason, Principal principal,
      RedirectAttributes after) {
    return act(key, after, () -> {
      access.require(principal.getName(), REQUESTERS, changes.get(key).scopes(), "cancelling a change");
      changes.cancel(key, principal.getName(), reason);
    }, "You cancelled %s.");
  }

  @PostMapping("/console/changes/{key}/review")
  String review(@PathVariable String key, @RequestParam(required = false) String summary,
      @RequestParam(required = false) String followUps, Principal principal, RedirectAttributes after) {
    return act(key, after, () -> {
      access.require(principal.getName(), REVIEWERS, changes.get(key).scopes(), "reviewing a change");
      changes.review(key, principal.getName(), summary, followUps);
    }, "You recorded the review of %s.");
  }

  /** Does it and goes back to the change's page, saying what was done or why it was refused. */
  private String act(String key, RedirectAttributes after, Runnable action, String done) {
    long id = Change.idOf(key);
    String page = id < 0 ? "/console/changes" : "/console/changes/" + Change.key(id);
    try {
      action.run();
      after.addFlashAttribute("notice", done.formatted(Change.key(id)));
    } catch (RuntimeException e) {
      Refusals.unlessRefusal(e);
      after.addFlashAttribute("refusal", Refusals.message(e));
    }
    return "redirect:" + page;
  }
}
