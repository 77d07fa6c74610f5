package io.gantry.metrics;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The metrics API over real HTTP on Postgres. */
class MetricsApiOnPostgresTest extends MetricsApiContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    register(registry, TestDatabase.POSTGRESQL);
  }
}
