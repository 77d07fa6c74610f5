package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.deployment.Deployments;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.security.access.AccessDeniedException;

/** Requesters rate their finished deployments, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class RatingsContractTest {

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private TestDatabase.Instance db;
  private Records records;
  private Ratings ratings;

  RatingsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    records = new Records(db);
    ratings = new Ratings(db.jdbc(), new Deployments(db.jdbc()), clock);
  }

  @Test
  void the_requester_rates_a_finished_deployment_once() {
    long id = records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");

    Rating r = ratings.rate(id, 4, 5, "smooth", "alice");

    assertThat(r).extracting(Rating::deployment, Rating::ratedBy, Rating::leadTime, Rating::quality,
        Rating::comment).containsExactly(id, "alice", 4, 5, "smooth");
    assertThat(ratings.find(id)).contains(r);
    assertThatThrownBy(() -> ratings.rate(id, 1, 1, "changed my mind", "alice"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("already been rated");
  }

  @Test
  void only_the_requester_may_rate() {
    long id = records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");

    assertThatThrownBy(() -> ratings.rate(id, 4, 5, null, "mallory")).isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("only alice");
    assertThat(db.count("deployment_ratings")).isZero();
  }

  @Test
  void ratings_outside_1_to_5_are_refused_naming_each_and_nothing_is_recorded() {
    long id = records.succeeded("shop", "production", "2026-03-02 10:00", "2026-03-02 11:00");

    assertThatThrownBy(() -> ratings.rate(id, 0, 6, null, "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .extracting(Finding::field).containsExactly("leadTime", "quality"));
    assertThatThrownBy(() -> ratings.rate(id, null, 3, null, "alice")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("leadTime");
    assertThat(db.count("deployment_ratings")).isZero();
  }

  @Test
  void an_unfinished_or_unknown_deployment_cannot_be_rated() {
    long running = records.deployment("shop", "web", "1.0", "production", "std", "alice", "2026-03-02 10:00")
        .to("PLANNED", "2026-03-02 10:01").id;

    assertThatThrownBy(() -> ratings.rate(running, 3, 3, null, "alice")).isInstanceOf(ConflictException.class)
        .hasMessageContaining("once it has finished");
    assertThatThrownBy(() -> ratings.rate(9999, 3, 3, null, "alice")).isInstanceOf(NotFoundException.class);
  }
}
