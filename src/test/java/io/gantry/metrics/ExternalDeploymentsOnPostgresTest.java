package io.gantry.metrics;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Deployments done elsewhere, recorded and measured over real HTTP on PostgreSQL. */
class ExternalDeploymentsOnPostgresTest extends ExternalDeploymentsApiContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    MetricsApiContract.register(registry, TestDatabase.POSTGRESQL);
  }
}
