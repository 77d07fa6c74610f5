package io.gantry.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes the connection pools of the test databases a test created, once it has ended (after its
 * own {@code @AfterEach}). Registered for every test class through JUnit's extension autodetection
 * ({@code junit-platform.properties}); test databases are made per test, never per class.
 */
public class ClosesTestDatabases implements AfterEachCallback {

  @Override
  public void afterEach(ExtensionContext context) {
    TestDatabase.closeAll();
  }
}
