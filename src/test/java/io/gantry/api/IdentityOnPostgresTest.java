package io.gantry.api;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Users' and tokens' lifecycle on PostgreSQL, the production database. */
class IdentityOnPostgresTest extends IdentityApiContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.POSTGRESQL);
  }
}
