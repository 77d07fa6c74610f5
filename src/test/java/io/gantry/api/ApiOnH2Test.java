package io.gantry.api;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The REST API on the embedded default database. */
class ApiOnH2Test extends ApiContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }
}
