package io.gantry.improvement;

import io.gantry.improvement.Review.FollowUp;
import io.gantry.shared.ConflictException;
import io.gantry.shared.NotFoundException;
import java.sql.Date;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The reviews of deployments and their follow-up actions. At most one review per deployment. */
@Repository
class Reviews {

  private final JdbcClient jdbc;
  private final Clock clock;

  Reviews(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** What a new follow-up action is. */
  record NewFollowUp(String action, String owner, LocalDate due) {}

  /** Writes the review of a deployment with its first follow-ups; refused when the deployment has one. */
  Review write(long deployment, String service, String environment, String whatHappened, String causes,
      List<NewFollowUp> followUps, String by) {
    if (find(deployment).isPresent()) {
      throw new ConflictException("deployment #" + deployment + " has been reviewed already; add follow-ups to "
          + "its review instead");
    }
    Instant now = clock.instant();
    var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
    jdbc.sql("""
        insert into deployment_reviews (deployment_id, service, environment, what_happened, causes, written_by,
                                        written_at)
        values (:d, :service, :environment, :what, :causes, :by, :now)
        """).param("d", deployment).param("service", service).param("environment", environment)
        .param("what", whatHappened).param("causes", causes).param("by", by).param("now", Timestamp.from(now))
        .update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    followUps.forEach(f -> insertFollowUp(id, f, by, now));
    return find(deployment).orElseThrow();
  }

  /** Adds a follow-up to the review of a deployment. */
  FollowUp addFollowUp(long deployment, NewFollowUp followUp, String by) {
    Review review = find(deployment).orElseThrow(() -> new NotFoundException("review of deployment",
        String.valueOf(deployment)));
    long id = insertFollowUp(review.id(), followUp, by, clock.instant());
    return followUp(id).orElseThrow();
  }

  private long insertFollowUp(long review, NewFollowUp f, String by, Instant now) {
    var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
    jdbc.sql("""
        insert into review_followups (review_id, action, owner, due_on, state, added_by, added_at)
        values (:review, :action, :owner, :due, 'OPEN', :by, :now)
        """).param("review", review).param("action", f.action()).param("owner", f.owner())
        .param("due", Date.valueOf(f.due())).param("by", by).param("now", Timestamp.from(now)).update(keys, "id");
    return keys.getKeyAs(Number.class).longValue();
  }

  /** Marks an open follow-up done; refused when it is done already. */
  FollowUp done(FollowUp followUp, String by) {
    int changed = jdbc.sql("""
        update review_followups set state = 'DONE', done_by = :by, done_at = :now where id = :id and state = 'OPEN'
        """).param("by", by).param("now", Timestamp.from(clock.instant())).param("id", followUp.id()).update();
    if (changed == 0) {
      throw new ConflictException("follow-up #" + followUp.id() + " is done already");
    }
    return followUp(followUp.id()).orElseThrow();
  }

  Optional<Review> find(long deployment) {
    return jdbc.sql("select * from deployment_reviews where deployment_id = :d").param("d", deployment)
        .query((rs, n) -> review(rs, List.of())).optional()
        .map(r -> new Review(r.id(), r.deployment(), r.service(), r.environment(), r.whatHappened(), r.causes(),
            r.writtenBy(), r.writtenAt(), followUps(r.id())));
  }

  /** The reviews written in {@code [from, to)}, without their follow-ups. */
  List<Review> writtenBetween(Instant from, Instant to) {
    return jdbc.sql("""
        select * from deployment_reviews where written_at >= :from and written_at < :to order by written_at, id
        """).param("from", Timestamp.from(from)).param("to", Timestamp.from(to))
        .query((rs, n) -> review(rs, List.of())).list();
  }

  /** The reviews of these deployments' ids, without their follow-ups. */
  List<Review> ofDeployments(List<Long> deployments) {
    if (deployments.isEmpty()) {
      return List.of();
    }
    return jdbc.sql("select * from deployment_reviews where deployment_id in (:ids) order by id")
        .param("ids", deployments).query((rs, n) -> review(rs, List.of())).list();
  }

  Optional<FollowUp> followUp(long id) {
    return jdbc.sql("""
        select f.*, r.deployment_id from review_followups f join deployment_reviews r on r.id = f.review_id
         where f.id = :id
        """).param("id", id).query(this::mapFollowUp).optional();
  }

  private List<FollowUp> followUps(long review) {
    return jdbc.sql("""
        select f.*, r.deployment_id from review_followups f join deployment_reviews r on r.id = f.review_id
         where f.review_id = :review order by f.id
        """).param("review", review).query(this::mapFollowUp).list();
  }

  /** One listed follow-up and the scope of its review. */
  record Listed(FollowUp followUp, String service, String environment) {}

  /**
   * Follow-ups across deployments, oldest due first: of {@code owner} (null for anyone's), and only the overdue ones
   * when {@code overdue}.
   */
  List<Listed> followUps(String owner, boolean overdue) {
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    return jdbc.sql("""
        select f.*, r.deployment_id, r.service, r.environment
          from review_followups f join deployment_reviews r on r.id = f.review_id
         where (cast(:owner as varchar(63)) is null or f.owner = :owner)
           and (:overdue = false or (f.state = 'OPEN' and f.due_on < :today))
         order by f.due_on, f.id
        """).param("owner", owner).param("overdue", overdue).param("today", Date.valueOf(today))
        .query((rs, n) -> new Listed(mapFollowUp(rs, n), rs.getString("service"), rs.getString("environment"))).list();
  }

  private FollowUp mapFollowUp(ResultSet rs, int row) throws SQLException {
    LocalDate due = rs.getDate("due_on").toLocalDate();
    Review.State state = Review.State.valueOf(rs.getString("state"));
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    return new FollowUp(rs.getLong("id"), rs.getLong("review_id"), rs.getLong("deployment_id"),
        rs.getString("action"), rs.getString("owner"), due, state,
        state == Review.State.OPEN && due.isBefore(today), rs.getString("added_by"), instant(rs, "added_at"),
        rs.getString("done_by"), instant(rs, "done_at"));
  }

  private static Review review(ResultSet rs, List<FollowUp> followUps) throws SQLException {
    return new Review(rs.getLong("id"), rs.getLong("deployment_id"), rs.getString("service"),
        rs.getString("environment"), rs.getString("what_happened"), rs.getString("causes"),
        rs.getString("written_by"), instant(rs, "written_at"), followUps);
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
