package io.gantry.api;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The REST API on PostgreSQL, the production database. */
class ApiOnPostgresTest extends ApiContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.POSTGRESQL);
  }
}
