package io.gantry.metrics;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.Deployments;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Repository;

/** Stakeholder satisfaction: the requester of a finished deployment rates it once. */
@Repository
class Ratings {

  private final JdbcClient jdbc;
  private final Deployments deployments;
  private final Clock clock;

  Ratings(JdbcClient jdbc, Deployments deployments, Clock clock) {
    this.jdbc = jdbc;
    this.deployments = deployments;
    this.clock = clock;
  }

  Rating rate(long deploymentId, Integer leadTime, Integer quality, String comment, String actor) {
    return rate(deploymentId, leadTime, quality, null, comment, actor);
  }

  /** As {@link #rate(long, Integer, Integer, String, String)}, with the optional satisfaction with the rate of change. */
  Rating rate(long deploymentId, Integer leadTime, Integer quality, Integer rateOfChange, String comment,
      String actor) {
    Deployment d = deployments.get(deploymentId);
    List<Finding> findings = new ArrayList<>();
    check(findings, "leadTime", leadTime);
    check(findings, "quality", quality);
    if (rateOfChange != null) {
      check(findings, "rateOfChange", rateOfChange);
    }
    if (comment != null && comment.length() > 2000) {
      findings.add(Finding.of("comment", "the comment is longer than 2000 characters"));
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("the rating was not recorded: " + findings.getFirst(), findings);
    }
    if (!d.requestedBy().equals(actor)) {
      throw new AccessDeniedException("only " + d.requestedBy() + ", who requested deployment #" + d.id()
          + ", may rate it");
    }
    if (!d.state().isFinal()) {
      throw new ConflictException("deployment #" + d.id() + " is " + d.state() + "; rate it once it has finished");
    }
    try {
      jdbc.sql("""
          insert into deployment_ratings (deployment_id, rated_by, lead_time, quality, rate_of_change, comment,
                                          rated_at, deployment_finished_at)
          values (:d, :by, :leadTime, :quality, :rateOfChange, :comment, :now, :finished)
          """).param("rateOfChange", rateOfChange).param("d", d.id()).param("finished", Timestamp.from(d.finishedAt())).param("by", actor).param("leadTime", leadTime).param("quality", quality)
          .param("comment", comment == null || comment.isBlank() ? null : comment.strip())
          .param("now", Timestamp.from(clock.instant())).update();
    } catch (DuplicateKeyException e) {
      throw new ConflictException("deployment #" + d.id() + " has already been rated");
    }
    return find(d.id()).orElseThrow();
  }

  Optional<Rating> find(long deploymentId) {
    return jdbc.sql("select * from deployment_ratings where deployment_id = :d").param("d", deploymentId)
        .query((rs, n) -> new Rating(rs.getLong("id"), rs.getLong("deployment_id"), rs.getString("rated_by"),
            rs.getInt("lead_time"), rs.getInt("quality"), rs.getObject("rate_of_change", Integer.class),
            rs.getString("comment"),
            rs.getTimestamp("rated_at").toInstant())).optional();
  }

  private static void check(List<Finding> findings, String field, Integer value) {
    if (value == null) {
      findings.add(Finding.of(field, field + " needs a rating from 1 (poor) to 5 (excellent)"));
    } else if (value < 1 || value > 5) {
      findings.add(Finding.of(field, field + " rating " + value + " is outside 1 (poor) to 5 (excellent)"));
    }
  }
}
