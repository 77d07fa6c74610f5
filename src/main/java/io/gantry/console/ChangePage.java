package io.gantry.console;

import java.time.Instant;
import java.util.List;

/**
 * One change as the console shows it, with what the signed-in person may do with it now. Public for the
 * compiled templates only.
 *
 * @param mayDecide whether it may approve or reject: the change awaits approval here (not in an ITSM
 *     tool), the person holds a role of one of its rules wherever it acts, has not decided yet, and is not
 *     its requester under separation of duties
 * @param decideWhyNot why it may not decide, when the change awaits approval and it may not
 */
public record ChangePage(String key, String title, String type, String state, String risk, String impact,
    Instant plannedStart, Instant plannedEnd, String requestedBy, Instant requestedAt, List<String> services,
    List<String> components, List<String> environments, String implementationPlan, String backoutPlan,
    String testPlan, String emergencyReason, String closureCode, String outcome, String external,
    List<String> rules, String progress, List<Decision> decisions, List<Long> deployments, Long forDeployment,
    Review review, List<Entry> history, boolean mayDecide, String decideWhyNot, boolean maySubmit,
    boolean mayCancel, boolean mayReview, String notice, String refusal) {

  public record Decision(String approver, List<String> roles, String decision, String reason, Instant at) {}

  public record Review(String reviewer, String summary, String followUps, Instant at) {}

  public record Entry(Instant at, String kind, String from, String to, String actor, String reason) {}
}
