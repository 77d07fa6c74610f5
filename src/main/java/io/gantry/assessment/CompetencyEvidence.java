package io.gantry.assessment;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.identity.User;
import io.gantry.identity.Users;
import io.gantry.model.DeploymentModel;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.model.Step;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * Judges "deployment includes required competencies and human resources" (Table 7.1, level 3) from the models in
 * use: every role a stage needs a person of (its approvers, of the deployment or of its change, its approval steps, its manual steps' sign-off) must be
 * held by at least one enabled user in the stage's environment. Met when 90 % or more of those (stage, role) needs
 * are covered, partly met at 50 % or more; met when no stage needs a person. Whether those people have the skills is
 * for the assessor.
 */
@Component
class CompetencyEvidence implements EvidenceSource {

  private final Models models;
  private final Users users;
  private final Access access;

  CompetencyEvidence(Models models, Users users, Access access) {
    this.models = models;
    this.users = users;
    this.access = access;
  }

  @Override
  public Set<Criterion> criteria() {
    return Set.of(Criterion.COMPETENCIES);
  }

  /** One role a stage needs a person of. */
  record Need(String model, String stage, String environment, String role) {}

  @Override
  public Evidence evidence(Criterion criterion, AssessmentPeriod period) {
    List<Need> needs = new ArrayList<>();
    for (DeploymentModel m : models.all()) {
      if (m.retired() || m.definition() == null) {
        continue;
      }
      for (Stage s : m.definition().spec().stages()) {
        roles(s).forEach(r -> needs.add(new Need(m.name(), s.name(), s.environment(), r)));
      }
    }
    List<User> enabled = new ArrayList<>();
    for (int p = 0; ; p++) {
      Page<User> page = users.page(new PageRequest(p, PageRequest.MAX_SIZE));
      page.items().stream().filter(u -> !u.disabled()).forEach(enabled::add);
      if (!page.hasNext()) {
        break;
      }
    }
    List<String> facts = new ArrayList<>();
    long covered = 0;
    for (Need n : needs) {
      Optional<Role> role = Arrays.stream(Role.values()).filter(r -> r.id().equals(n.role())).findFirst();
      long holders = role.isEmpty() ? 0 : enabled.stream()
          .filter(u -> access.reach(u.name(), Set.of(role.get())).sees(new Scope(null, n.environment()))).count();
      if (holders > 0) {
        covered++;
      }
      facts.add("model " + n.model() + ", stage " + n.stage() + " (" + n.environment() + ") needs " + n.role() + ": "
          + holders + " user(s) hold it there");
    }
    if (needs.isEmpty()) {
      return new Evidence(criterion, Judgement.MET, "no stage of a model in use needs an approver or a sign-off, so "
          + "no role is missing; whether people have the skills is for the assessor", facts);
    }
    double share = Shares.percent(covered, needs.size());
    return new Evidence(criterion, Shares.judge(share), covered + " of " + needs.size() + " roles the stages need "
        + "a person of (" + Shares.text(share) + ") are held by an enabled user in the stage's environment (met at "
        + "90 % or more, partly met at 50 % or more); Gantry cannot see people's skills", facts);
  }

  /** The roles a stage needs a person of, each once. */
  static Set<String> roles(Stage s) {
    Set<String> roles = new LinkedHashSet<>();
    if (s.authorization() != Stage.Authorization.AUTOMATIC && s.approvers() != null && s.approvers().roles() != null) {
      roles.addAll(s.approvers().roles());
    }
    Stream.concat(s.steps().stream(), s.acceptance().stream()).forEach(step -> {
      if (step instanceof Step.Approval a && a.role() != null) {
        roles.add(a.role());
      } else if (step instanceof Step.Manual m && m.role() != null) {
        roles.add(m.role());
      }
    });
    return roles;
  }
}
