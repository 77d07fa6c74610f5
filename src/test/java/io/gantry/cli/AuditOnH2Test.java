package io.gantry.cli;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The audit chain's verification on the embedded default database, where only the chain tells. */
class AuditOnH2Test extends AuditContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    register(registry, TestDatabase.H2);
  }

  @Override
  boolean refusesEdits() {
    return false;
  }
}
