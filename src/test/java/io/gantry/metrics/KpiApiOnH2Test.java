package io.gantry.metrics;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** KPI targets, evaluations, the survey and external findings over real HTTP on H2. */
class KpiApiOnH2Test extends KpiApiContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    register(registry, TestDatabase.H2);
  }
}
