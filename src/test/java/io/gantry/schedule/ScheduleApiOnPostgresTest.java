package io.gantry.schedule;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The schedule's API on PostgreSQL. */
class ScheduleApiOnPostgresTest extends ScheduleApiContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    register(registry, TestDatabase.POSTGRESQL);
  }
}
