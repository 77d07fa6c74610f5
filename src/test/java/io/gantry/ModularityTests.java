package io.gantry;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

class ModularityTests {

  @Test
  void modules_use_only_each_others_public_api_and_depend_on_each_other_without_cycles() {
    ApplicationModules.of(GantryApplication.class).verify();
  }
}
