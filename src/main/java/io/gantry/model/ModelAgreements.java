package io.gantry.model;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The sign-off of a proposed model version: each of the users it awaits (the owner and reviewers of the version in
 * force and of the proposal, fixed when it was proposed) agrees or rejects it, for themselves, with a comment. Nobody
 * decides on their own proposal, nor on one they were not named for. The last agreement brings the version into
 * force (the instant is recorded and the people it concerns are told); one rejection ends the proposal.
 */
@Service
public class ModelAgreements {

  /** The longest comment kept. */
  public static final int MAX_COMMENT = 2000;

  private final Models models;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;

  public ModelAgreements(Models models, JdbcClient jdbc, TransactionTemplate tx, Clock clock) {
    this.models = models;
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
  }

  /** What a signer may say of a proposal. */
  public enum Decision {
    AGREE, REJECT;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The decision of an id ({@code agree}, {@code reject}); anything else is refused, naming {@code field}. */
    public static Decision fromId(String field, String id) {
      for (Decision d : values()) {
        if (d.id().equals(id)) {
          return d;
        }
      }
      throw InvalidInputException.of(field, "\"" + id + "\" is not a decision: agree or reject");
    }
  }

  /** One signer's decision on a proposal. */
  public record Agreement(String model, int version, String user, Decision decision, String comment,
      Instant decidedAt) {}

  /**
   * Records {@code user}'s decision on version {@code number} of {@code model} and returns the version as it then
   * stands.
   *
   * @throws AccessDeniedException when the user proposed it, or is not one of those it awaits
   * @throws ConflictException when the version is not a proposal, or the user decided on it already
   */
  public ModelVersion decide(String model, int number, String user, Decision decision, String comment) {
    if (comment == null || comment.isBlank()) {
      throw InvalidInputException.of("comment", "say why you " + decision.id() + " (the comment is recorded)");
    }
    if (comment.length() > MAX_COMMENT) {
      throw InvalidInputException.of("comment", "at most " + MAX_COMMENT + " characters");
    }
    return tx.execute(status -> {
      DeploymentModel m = models.get(model);
      // one decision at a time per model, so that the last of two agreements made together sees the other
      jdbc.sql("select id from deployment_models where id = :id for update").param("id", m.id())
          .query(Long.class).single();
      ModelVersion v = models.version(model, number);
      if (v.state() != ModelVersionState.PROPOSED) {
        throw new ConflictException("version " + number + " of model " + model + " is " + v.state().id()
            + ", not a proposal awaiting agreement");
      }
      if (v.author().equals(user)) {
        throw new AccessDeniedException(user + " proposed version " + number + " of model " + model
            + " and may not decide on their own proposal");
      }
      if (!v.signers().contains(user)) {
        throw new AccessDeniedException("version " + number + " of model " + model + " awaits the agreement of "
            + String.join(", ", v.signers()) + "; " + user + " is not one of them");
      }
      List<Agreement> before = of(model, number);
      if (before.stream().anyMatch(a -> a.user().equals(user))) {
        throw new ConflictException(user + " has already decided on version " + number + " of model " + model);
      }
      Instant now = clock.instant();
      jdbc.sql("""
          insert into model_agreements (model_id, version_number, user_name, decision, comment, decided_at)
          values (:model, :number, :user, :decision, :comment, :now)
          """).param("model", m.id()).param("number", number).param("user", user).param("decision", decision.id())
          .param("comment", comment).param("now", Timestamp.from(now)).update();
      if (decision == Decision.REJECT) {
        models.end(m, number, ModelVersionState.REJECTED, now);
      } else {
        List<String> agreed = new java.util.ArrayList<>(before.stream().map(Agreement::user).toList());
        agreed.add(user);
        if (agreed.containsAll(v.signers())) {
          models.bringIntoForce(m, number, "in force: agreed by " + String.join(", ", v.signers()), now);
        }
      }
      return models.version(model, number);
    });
  }

  /** The decisions on version {@code number} of {@code model}, in the order they were made. */
  public List<Agreement> of(String model, int number) {
    return jdbc.sql("""
        select a.*, m.name as model_name from model_agreements a join deployment_models m on m.id = a.model_id
         where m.name = :model and a.version_number = :number order by a.decided_at, a.id
        """).param("model", model).param("number", number)
        .query((rs, i) -> new Agreement(rs.getString("model_name"), rs.getInt("version_number"),
            rs.getString("user_name"), Decision.fromId("decision", rs.getString("decision")), rs.getString("comment"),
            rs.getTimestamp("decided_at").toInstant())).list();
  }

  /** Whether a version in force came in agreed by all it awaited (not on apply). */
  public boolean agreed(ModelVersion version) {
    return version.inForceAt() != null && !version.signers().isEmpty();
  }
}
