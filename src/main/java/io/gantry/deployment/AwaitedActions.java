package io.gantry.deployment;

import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.model.Criterion;
import io.gantry.model.ModelDefinition;
import io.gantry.model.ModelDocuments;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import io.gantry.shared.PageRequest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * What a deployment waits for from people now, and which of those waits a given person may end: the same
 * conditions and roles that {@link DeploymentDecisions}, {@link DeploymentAborts} and
 * {@link DeploymentCancellations} check when the action is taken, read ahead so that a person is offered
 * only the actions that fit it and the moment. The checks at the moment of acting stay the authority.
 */
@Service
public class AwaitedActions {

  /** The states in which a deployment can wait for a person's decision. */
  private static final Set<DeploymentState> WAITING_STATES = EnumSet.of(DeploymentState.ENVIRONMENT_VERIFIED,
      DeploymentState.EXECUTING, DeploymentState.VERIFYING);

  private final Deployments deployments;
  private final Models models;
  private final Access access;
  private final JdbcClient jdbc;

  public AwaitedActions(Deployments deployments, Models models, Access access, JdbcClient jdbc) {
    this.deployments = deployments;
    this.models = models;
    this.access = access;
    this.jdbc = jdbc;
  }

  /** What kind of thing a person is asked to do. */
  public enum Kind { SIGNOFF, APPROVAL, CONFIRMATION, FAILURE_DECISION, RESUME }

  /**
   * One thing a deployment waits for from a person. {@code step} names the step (or the criterion, e.g.
   * {@code exitCriteria[0]}); {@code role} the roles that may do it; {@code allowed} whether the person asked
   * about may do it now (false e.g. for the requester of an approval, or one who already decided).
   */
  public record Awaited(Kind kind, String target, String step, String instructions, List<String> checklist,
      boolean evidenceRequired, List<String> roles, boolean allowed, String refusal) {}

  /** The deployment's current waits for people, each with whether {@code user} may act on it. */
  public List<Awaited> of(Deployment d, String user) {
    if (!WAITING_STATES.contains(d.state())) {
      return List.of();
    }
    List<DeploymentEvent> waits = jdbc.sql("""
        select * from deployment_events where deployment_id = :id and kind = 'WAIT' order by id desc limit 1
        """).param("id", d.id()).query(Deployments::mapEvent).list();
    DeploymentEvent lastWait = waits.isEmpty() ? null : waits.getFirst();
    Set<Role> held = access.rolesIn(user, d.scope());
    List<Awaited> awaited = new ArrayList<>();
    Stage stage = null;
    // people's steps waiting on targets: one query for the deployment's waiting step runs
    List<Map<String, Object>> waiting = jdbc.sql("""
        select t.target, s.step_name from step_runs s join target_runs t on t.id = s.target_run_id
         where t.deployment_id = :id and s.state = 'WAITING' order by t.target, s.id
        """).param("id", d.id()).query().listOfRows();
    if (!waiting.isEmpty() || d.state() != DeploymentState.EXECUTING) {
      stage = stage(d);
    }
    java.util.Set<String> decided = waiting.isEmpty() ? java.util.Set.of() : decidedByUser(d, user);
    for (Map<String, Object> row : waiting) {
      String target = (String) row.get("target");
      String name = (String) row.get("step_name");
      Step step = Stream.of(stage.steps(), stage.acceptance(), stage.removeSteps()).flatMap(List::stream)
          .filter(s -> s.name().equals(name)).findFirst().orElse(null);
      if (step instanceof Step.Manual manual) {
        List<String> roles = roles(manual.role(), stage);
        boolean holds = roles.stream().map(Role::fromId).anyMatch(held::contains);
        awaited.add(new Awaited(Kind.SIGNOFF, target, name, manual.instructions(),
            manual.checklist() == null ? List.of() : manual.checklist(),
            Boolean.TRUE.equals(manual.evidenceRequired()), roles, holds,
            holds ? null : "needs one of the roles " + String.join(", ", roles) + " in " + d.scope()));
      } else if (step instanceof Step.Approval approval) {
        List<String> roles = roles(approval.role(), stage);
        boolean holds = roles.stream().map(Role::fromId).anyMatch(held::contains);
        String refusal = !holds ? "needs one of the roles " + String.join(", ", roles) + " in " + d.scope()
            : user.equals(d.requestedBy()) ? "the requester cannot approve or reject its own deployment"
            : decided.contains(target + "\u0000" + name) ? "you have already decided on this step"
            : null;
        awaited.add(new Awaited(Kind.APPROVAL, target, name, approval.instructions(), List.of(), false, roles,
            refusal == null, refusal));
      }
    }
    if (lastWait != null && d.state() == DeploymentState.EXECUTING) {
      List<String> roles = DeploymentAborts.MAY_ABORT.stream().map(Role::id).sorted().toList();
      boolean holds = DeploymentAborts.MAY_ABORT.stream().anyMatch(held::contains);
      String refusal = holds ? null : "needs one of the roles " + String.join(", ", roles) + " in " + d.scope();
      if (lastWait.waitingFor() == DeploymentEvent.WaitKind.DECISION) {
        for (TargetRun run : deployments.targetRuns(d.id())) {
          if (run.state() == TargetRunState.FAILED) {
            awaited.add(new Awaited(Kind.FAILURE_DECISION, run.target(), null, run.outcome(), List.of(), false,
                roles, holds, refusal));
          }
        }
      }
      if (lastWait.waitingFor() == DeploymentEvent.WaitKind.PAUSE
          || lastWait.waitingFor() == DeploymentEvent.WaitKind.CANARY_PAUSE) {
        awaited.add(new Awaited(Kind.RESUME, null, null, lastWait.message(), List.of(), false, roles, holds,
            refusal));
      }
    }
    String list = d.state() == DeploymentState.ENVIRONMENT_VERIFIED ? StageCriteria.ENTRY
        : d.state() == DeploymentState.VERIFYING ? StageCriteria.EXIT : null;
    if (list != null && lastWait != null && lastWait.waitingFor() == StageCriteria.waitKind(list)) {
      List<Criterion> criteria = list.equals(StageCriteria.ENTRY) ? stage.entryCriteria() : stage.exitCriteria();
      for (int i = 0; i < criteria.size(); i++) {
        if (criteria.get(i) instanceof Criterion.Manual manual
            && deployments.decisions(d.id(), Execution.ALL_TARGETS, StageCriteria.name(list, i)).isEmpty()) {
          boolean holds = held.contains(Role.fromId(manual.role()));
          awaited.add(new Awaited(Kind.CONFIRMATION, null, StageCriteria.name(list, i), manual.description(),
              List.of(), false, List.of(manual.role()), holds, holds ? null
                  : "needs the role " + manual.role() + " in " + d.scope()));
          break;
        }
      }
    }
    return awaited;
  }

  /** Whether {@code user} may cancel the deployment now (it has not started executing). */
  public boolean mayCancel(Deployment d, String user) {
    return DeploymentCancellations.CANCELLABLE.contains(d.state())
        && access.rolesIn(user, d.scope()).stream().anyMatch(DeploymentController.REQUESTERS::contains);
  }

  /** Whether {@code user} may abort the deployment now (it is executing or verifying). */
  public boolean mayAbort(Deployment d, String user) {
    return (d.state() == DeploymentState.EXECUTING || d.state() == DeploymentState.VERIFYING)
        && access.rolesIn(user, d.scope()).stream().anyMatch(DeploymentAborts.MAY_ABORT::contains);
  }

  /** A deployment that waits for a person, with what it waits for that {@code user} may do. */
  public record Work(Deployment deployment, List<Awaited> awaited) {}

  /**
   * Every deployment in {@code user}'s reach that waits for an action {@code user} may take now, oldest
   * first: its work list. Only unfinished deployments that can wait for a person are looked at.
   */
  public List<Work> workOf(String user) {
    Access.Reach reach = access.reach(user, Access.INSIDERS);
    List<Work> work = new ArrayList<>();
    for (DeploymentState state : WAITING_STATES) {
      deployments.page(new Deployments.Filter(null, null, null, state, reach.everywhere() ? null : reach.scopes()),
          new PageRequest(0, 200)).items().forEach(d -> {
            List<Awaited> mine = of(d, user).stream().filter(Awaited::allowed).toList();
            if (!mine.isEmpty()) {
              work.add(new Work(d, mine));
            }
          });
    }
    work.sort(java.util.Comparator.comparingLong(w -> w.deployment().id()));
    return work;
  }

  /** The target and step of every decision {@code user} took on the deployment, in one query. */
  private java.util.Set<String> decidedByUser(Deployment d, String user) {
    return new java.util.HashSet<>(jdbc.sql("""
        select target, step from decisions where deployment_id = :d and actor = :actor
        """).param("d", d.id()).param("actor", user)
        .query((rs, n) -> rs.getString("target") + "\u0000" + rs.getString("step")).list());
  }

  private Stage stage(Deployment d) {
    ModelDefinition model = ModelDocuments.parse(d.model(), models.version(d.model(), d.modelVersion()).text());
    return model.spec().stages().stream().filter(s -> s.name().equals(d.stage())).findFirst().orElseThrow();
  }

  /** The roles that decide a people's step, as {@link DeploymentDecisions} requires them. */
  private static List<String> roles(String role, Stage stage) {
    return role != null ? List.of(role)
        : stage.approvers() != null && stage.approvers().roles() != null && !stage.approvers().roles().isEmpty()
            ? stage.approvers().roles() : DeploymentDecisions.RUNNERS;
  }
}
