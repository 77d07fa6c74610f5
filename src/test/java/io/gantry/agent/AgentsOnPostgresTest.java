package io.gantry.agent;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Agents' registration, approval and heartbeats against a real server on Postgres. */
class AgentsOnPostgresTest extends AgentsContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    register(registry, TestDatabase.POSTGRESQL);
  }
}
