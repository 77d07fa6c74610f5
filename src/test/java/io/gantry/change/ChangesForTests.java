package io.gantry.change;

import io.gantry.catalog.Components;
import io.gantry.catalog.Services;
import io.gantry.deployment.Deployments;
import io.gantry.environment.Environments;
import io.gantry.identity.Access;
import io.gantry.identity.Users;
import io.gantry.model.Models;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** Change enablement wired by hand for fixtures outside this package, publishing its events to {@code events}. */
public final class ChangesForTests {

  private ChangesForTests() {}

  public static Changes changes(JdbcClient jdbc, TransactionTemplate tx, Clock clock, Deployments deployments,
      Environments environments, ApplicationEventPublisher events) {
    return new Changes(new ChangeRecords(jdbc, events), new Services(jdbc, clock), new Components(jdbc, clock),
        environments, new Models(jdbc, clock), new Access(new Users(jdbc, clock), jdbc), deployments, tx, clock,
        Duration.ofHours(72), ItsmSettings.none());
  }

  public static DeploymentChanges deploymentChanges(JdbcClient jdbc) {
    return new DeploymentChanges(new ChangeRecords(jdbc), jdbc);
  }
}
