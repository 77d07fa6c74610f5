package io.gantry.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Environments and targets, against H2 and PostgreSQL alike. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class EnvironmentsContractTest {

  private final TestDatabase database;
  private Environments environments;
  private Targets targets;
  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");

  EnvironmentsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = database.create();
    environments = new Environments(db.jdbc(), clock);
    targets = new Targets(db.jdbc(), clock);
    environments.create(staging("platform"));
  }

  private static EnvironmentDefinition staging(String owner) {
    return new EnvironmentDefinition("staging", "Pre-production", Purpose.STAGING, true, owner,
        List.of("production"), Map.of("region", "eu"));
  }

  @Test
  void an_environment_keeps_its_purpose_control_owner_and_promotion_path() {
    Environment staging = environments.find("staging").orElseThrow();
    assertThat(staging.definition()).isEqualTo(staging("platform"));
    assertThat(staging.rowVersion()).isZero();
    assertThat(environments.page(new PageRequest(0, 10)).total()).isEqualTo(1);
  }

  @Test
  void an_environment_update_with_a_stale_row_version_is_refused() {
    Environment staging = environments.find("staging").orElseThrow();
    environments.update(staging("ops"), staging.rowVersion());
    assertThatThrownBy(() -> environments.update(staging("other"), staging.rowVersion()))
        .isInstanceOf(StaleUpdateException.class);
    assertThat(environments.find("staging").orElseThrow().definition().owner()).isEqualTo("ops");
  }

  @Test
  void a_local_target_and_a_site_keep_their_settings_facts_and_tags() {
    targets.create(new TargetDefinition("web-1", "first web node", "staging", TargetKind.LOCAL, "targets/web-1", null,
        Map.of("os", "linux"), List.of("web"), Map.of()));
    targets.create(new TargetDefinition("dc1-hall2", null, "staging", TargetKind.SITE, null, "DC1, hall 2",
        Map.of("power", "dual"), List.of(), Map.of()));

    Target web = targets.find("web-1").orElseThrow();
    assertThat(web.definition().path()).isEqualTo("targets/web-1");
    assertThat(web.definition().facts()).containsEntry("os", "linux");
    assertThat(web.definition().tags()).containsExactly("web");
    assertThat(targets.find("dc1-hall2").orElseThrow().definition().location()).isEqualTo("DC1, hall 2");
    assertThat(targets.page("staging", PageRequest.all()).items()).extracting(Target::name)
        .containsExactly("dc1-hall2", "web-1");
  }

  @Test
  void a_target_update_and_delete_need_the_current_row_version() {
    var def = new TargetDefinition("web-1", null, "staging", TargetKind.LOCAL, "a", null, Map.of(), List.of(), Map.of());
    Target created = targets.create(def);
    Target updated = targets.update(new TargetDefinition("web-1", null, "staging", TargetKind.LOCAL, "b", null,
        Map.of(), List.of(), Map.of()), created.rowVersion());
    assertThatThrownBy(() -> targets.delete("web-1", created.rowVersion())).isInstanceOf(StaleUpdateException.class);
    targets.delete("web-1", updated.rowVersion());
    assertThat(targets.find("web-1")).isEmpty();
  }
}
