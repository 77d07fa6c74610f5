package io.gantry.inbound;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** GitHub's and GitLab's webhooks against a real server on Postgres. */
class InboundHooksOnPostgresTest extends InboundHooksContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    register(registry, TestDatabase.POSTGRESQL);
  }
}
