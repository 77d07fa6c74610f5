package io.gantry.improvement;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.Deployments;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.identity.Users;
import io.gantry.improvement.Review.FollowUp;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "Reviews", description = "Reviews of deployments and their follow-up actions")
class ReviewController {

  /** Who writes reviews and adds follow-ups: deployment managers in the deployment's scope. */
  static final Set<Role> REVIEWERS = EnumSet.of(Role.DEPLOYMENT_MANAGER);

  private final Reviews reviews;
  private final Deployments deployments;
  private final Access access;
  private final Users users;

  ReviewController(Reviews reviews, Deployments deployments, Access access, Users users) {
    this.reviews = reviews;
    this.deployments = deployments;
    this.access = access;
    this.users = users;
  }

  /** A follow-up action: what, who owns it (a user), due on which day (YYYY-MM-DD). */
  record NewFollowUp(String action, String owner, String due) {}

  record NewReview(String whatHappened, String causes, List<NewFollowUp> followUps) {}

  @PostMapping("/api/v1/deployments/{id}/review")
  @Operation(summary = "Write the review of a deployment (any outcome): what happened, its causes and follow-up "
      + "actions; deployment managers in its scope, once per deployment")
  @Transactional
  ResponseEntity<Review> write(@PathVariable long id, @RequestBody NewReview body, Principal principal) {
    Deployment d = writable(id, principal);
    String what = text("whatHappened", body.whatHappened(), 4000);
    String causes = text("causes", body.causes(), 4000);
    List<Reviews.NewFollowUp> followUps = new ArrayList<>();
    List<NewFollowUp> given = body.followUps() == null ? List.of() : body.followUps();
    for (int i = 0; i < given.size(); i++) {
      if (given.get(i) == null) {
        throw InvalidInputException.of("followUps[" + i + "]", "a follow-up needs an action, an owner and a due day");
      }
      followUps.add(followUp("followUps[" + i + "].", given.get(i)));
    }
    return ResponseEntity.status(HttpStatus.CREATED).body(reviews.write(id, d.component().service(),
        d.environment(), what, causes, followUps, principal.getName()));
  }

  @GetMapping("/api/v1/deployments/{id}/review")
  @Operation(summary = "The review of a deployment with its follow-ups (read as the deployment is)")
  Review get(@PathVariable long id, Principal principal) {
    Deployment d = deployments.find(id).orElseThrow(() -> new NotFoundException("deployment", String.valueOf(id)));
    access.reach(principal.getName(), Access.INSIDERS).requireSees("deployment #" + id, d.scope());
    return reviews.find(id).orElseThrow(() -> new NotFoundException("review of deployment", String.valueOf(id)));
  }

  @PostMapping("/api/v1/deployments/{id}/review/followups")
  @Operation(summary = "Add a follow-up action to a deployment's review; deployment managers in its scope")
  @Transactional
  ResponseEntity<FollowUp> addFollowUp(@PathVariable long id, @RequestBody NewFollowUp body, Principal principal) {
    writable(id, principal);
    if (body == null) {
      throw InvalidInputException.of("action", "a follow-up needs an action, an owner and a due day");
    }
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(reviews.addFollowUp(id, followUp("", body), principal.getName()));
  }

  @PostMapping("/api/v1/followups/{id}/done")
  @Operation(summary = "Mark a follow-up action done: its owner, or a deployment manager in its deployment's scope")
  @Transactional
  FollowUp done(@PathVariable long id, Principal principal) {
    FollowUp f = reviews.followUp(id).orElseThrow(() -> new NotFoundException("follow-up", String.valueOf(id)));
    Review review = reviews.find(f.deployment()).orElseThrow();
    Scope scope = new Scope(review.service(), review.environment());
    access.reach(principal.getName(), Access.INSIDERS).requireSees("follow-up #" + id, scope);
    if (!f.owner().equals(principal.getName())) {
      access.require(principal.getName(), REVIEWERS, scope, "marking another user's follow-up done");
    }
    return reviews.done(f, principal.getName());
  }

  @GetMapping("/api/v1/followups")
  @Operation(summary = "Follow-up actions across deployments, oldest due first, of the deployments the caller may "
      + "read; filtered by owner and to the overdue ones (open, due day passed)")
  List<FollowUp> followUps(@RequestParam(required = false) String owner,
      @RequestParam(defaultValue = "false") boolean overdue, Principal principal) {
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    String who = owner == null || owner.isBlank() ? null : owner.strip();
    return reviews.followUps(who, overdue).stream()
        .filter(l -> reach.sees(new Scope(l.service(), l.environment()))).map(Reviews.Listed::followUp).toList();
  }

  /** The deployment, when the caller may review it. */
  private Deployment writable(long id, Principal principal) {
    Deployment d = deployments.find(id).orElseThrow(() -> new NotFoundException("deployment", String.valueOf(id)));
    access.reach(principal.getName(), Access.INSIDERS).requireSees("deployment #" + id, d.scope());
    access.require(principal.getName(), REVIEWERS, d.scope(), "reviewing deployment #" + id);
    return d;
  }

  private Reviews.NewFollowUp followUp(String prefix, NewFollowUp f) {
    String action = text(prefix + "action", f.action(), 1000);
    String owner = text(prefix + "owner", f.owner(), 63);
    if (users.find(owner).filter(u -> !u.disabled()).isEmpty()) {
      throw InvalidInputException.of(prefix + "owner", "\"" + owner + "\" is not an enabled user");
    }
    if (f.due() == null || f.due().isBlank()) {
      throw InvalidInputException.of(prefix + "due", "a follow-up needs the day it is due, e.g. 2026-04-30");
    }
    try {
      return new Reviews.NewFollowUp(action, owner, LocalDate.parse(f.due().strip()));
    } catch (DateTimeParseException e) {
      throw InvalidInputException.of(prefix + "due", "\"" + f.due() + "\" is not a day (YYYY-MM-DD)");
    }
  }

  static String text(String field, String value, int max) {
    if (value == null || value.isBlank()) {
      throw InvalidInputException.of(field, "must not be empty");
    }
    if (value.length() > max) {
      throw InvalidInputException.of(field, "is " + value.length() + " characters long; at most " + max);
    }
    return value.strip();
  }
}
