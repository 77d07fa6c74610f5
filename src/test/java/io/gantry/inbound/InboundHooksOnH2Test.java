package io.gantry.inbound;

import io.gantry.testing.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** GitHub's and GitLab's webhooks against a real server on H2. */
class InboundHooksOnH2Test extends InboundHooksContract {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    register(registry, TestDatabase.H2);
  }
}
