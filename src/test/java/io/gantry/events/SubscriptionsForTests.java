package io.gantry.events;

import java.time.Clock;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The subscriptions of a test database, for tests outside this module that only read them. */
public final class SubscriptionsForTests {

  private SubscriptionsForTests() {}

  /** Subscriptions that list and read; adding one with a secret needs the secrets the server wires. */
  public static Subscriptions reading(JdbcClient jdbc, Clock clock) {
    return new Subscriptions(jdbc, null, clock);
  }
}
