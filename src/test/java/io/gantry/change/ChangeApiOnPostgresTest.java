package io.gantry.change;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The changes API on the PostgreSQL, the production database. */
class ChangeApiOnPostgresTest extends ChangeApiContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    register(registry, TestDatabase.POSTGRESQL);
  }
}
