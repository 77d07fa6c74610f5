package io.gantry.metrics;

import io.gantry.deployment.Deployments;
import java.time.Clock;
import java.time.Instant;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** Incidents reported and resolved as the incident desk records them, for fixtures outside this package. */
public final class IncidentsForTests {

  private final Incidents incidents;

  public IncidentsForTests(JdbcClient jdbc, Deployments deployments, TransactionTemplate tx, Clock clock,
      ApplicationEventPublisher events) {
    this.incidents = new Incidents(jdbc, deployments, tx, clock, events);
  }

  public Incident report(String service, String environment, String title, String reference, Instant detectedAt,
      String actor) {
    return incidents.report(new Incidents.Report(service, environment, "2", title, reference, detectedAt, null, null),
        actor);
  }

  public Incident resolve(long id, Instant at, String actor) {
    return incidents.resolve(id, at, actor);
  }
}
