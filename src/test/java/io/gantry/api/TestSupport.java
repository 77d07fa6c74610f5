package io.gantry.api;

import io.gantry.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.test.context.DynamicPropertyRegistry;

public final class TestSupport {

  private TestSupport() {}

  /** Points a booted server at a new database of the kind and a new data directory. */
  public static void register(DynamicPropertyRegistry registry, TestDatabase database) throws Exception {
    for (String property : database.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-api-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
  }
}
