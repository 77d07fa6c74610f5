package io.gantry.cli;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The audit chain's verification on PostgreSQL, where the database also refuses the edit. */
class AuditOnPostgresTest extends AuditContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    register(registry, TestDatabase.POSTGRESQL);
  }

  @Override
  boolean refusesEdits() {
    return true;
  }
}
