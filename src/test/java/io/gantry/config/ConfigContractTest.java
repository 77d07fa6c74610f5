package io.gantry.config;

import static io.gantry.config.ConfigLoaderTest.at;
import static io.gantry.config.ConfigLoaderTest.lineOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.gantry.catalog.ArtifactStore;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Components;
import io.gantry.catalog.Library;
import io.gantry.catalog.Services;
import io.gantry.catalog.TrustedKey;
import io.gantry.catalog.TrustedKeys;
import io.gantry.config.Plan.Action;
import io.gantry.config.Plan.Change;
import io.gantry.environment.Environments;
import io.gantry.environment.Target;
import io.gantry.environment.TargetDefinition;
import io.gantry.environment.Targets;
import io.gantry.model.ModelVersion;
import io.gantry.model.Models;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.SourceLocation;
import io.gantry.testing.MutableClock;
import io.gantry.testing.SigningKey;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Plan and apply of configuration as code, against H2 and PostgreSQL alike. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class ConfigContractTest {

  private static final List<String> TABLES = List.of("services", "components", "environments", "targets",
      "deployment_models", "model_versions", "config_applies", "trusted_keys");
  private static final String DIR = "examples/config/";
  private static final int EXAMPLE_OBJECTS = 4 + 8 + 3 + 6 + 2;

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private TestDatabase.Instance db;
  private Models models;
  private Targets targets;
  private TrustedKeys trustedKeys;
  private ConfigService config;
  /** Runs once right after the next apply has read the stored targets (to simulate a concurrent writer). */
  private Runnable afterTargetsRead;

  @TempDir
  Path dataDir;

  ConfigContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    models = new Models(db.jdbc(), clock);
    targets = new Targets(db.jdbc(), clock) {
      @Override
      public List<Target> all() {
        List<Target> all = super.all();
        Runnable hook = afterTargetsRead;
        afterTargetsRead = null;
        if (hook != null) {
          hook.run();
        }
        return all;
      }
    };
    config = new ConfigService(new ConfigLoader(), new ConfigInterpreter(), new Environments(db.jdbc(), clock),
        targets, new Services(db.jdbc(), clock), new Components(db.jdbc(), clock), new ComponentVersions(db.jdbc()),
        models, trustedKeys = new TrustedKeys(db.jdbc(), clock), db.transactions(), db.jdbc(), clock,
        new io.gantry.identity.RoleBindings(db.jdbc(), clock), new io.gantry.identity.Users(db.jdbc(), clock));
  }

  // --- plan and apply

  @Test
  void planning_the_examples_lists_every_object_as_created_and_changes_nothing() {
    Plan plan = config.plan(examples());

    assertThat(plan.applied()).isFalse();
    assertThat(plan.summary()).isEqualTo(new Plan.Summary(EXAMPLE_OBJECTS, 0, 0, 0));
    assertThat(plan.changes()).extracting(Change::action).containsOnly(Action.CREATE);
    assertThat(plan.changes()).extracting(Change::kind, Change::name).contains(
        tuple("Environment", "production"), tuple("Service", "reporting"), tuple("DeploymentModel", "hardware"),
        tuple("Component", "shop/web"), tuple("Component", "network-core/edge-router"),
        tuple("Target", "dc1-hall2-rack-b4"));
    assertThat(counts()).containsOnly(entriesOf(0L));
  }

  @Test
  void applying_the_examples_creates_everything_and_a_second_plan_finds_nothing_to_do() {
    Plan applied = config.apply(examples(), "first configuration", "alice");

    assertThat(applied.applied()).isTrue();
    assertThat(applied.summary()).isEqualTo(new Plan.Summary(EXAMPLE_OBJECTS, 0, 0, 0));
    assertThat(db.count("environments")).isEqualTo(4);
    assertThat(db.count("targets")).isEqualTo(8);
    assertThat(db.count("services")).isEqualTo(3);
    assertThat(db.count("components")).isEqualTo(6);
    assertThat(db.count("deployment_models")).isEqualTo(2);
    assertThat(db.count("model_versions")).isEqualTo(2);
    assertThat(db.count("config_applies")).isEqualTo(1);
    assertThat(models.version("in-house-software", 1)).extracting(ModelVersion::author, ModelVersion::reason)
        .containsExactly("alice", "first configuration");

    Plan again = config.plan(examples());

    assertThat(again.changes()).isEmpty();
    assertThat(again.summary()).isEqualTo(new Plan.Summary(0, 0, 0, EXAMPLE_OBJECTS));
  }

  @Test
  void applying_the_same_configuration_twice_changes_nothing_the_second_time() {
    config.apply(examples(), "first", "alice");
    Map<String, Long> before = counts();

    Plan again = config.apply(examples(), "again", "bob");

    assertThat(again.summary()).isEqualTo(new Plan.Summary(0, 0, 0, EXAMPLE_OBJECTS));
    assertThat(db.count("model_versions")).isEqualTo(before.get("model_versions"));
  }

  @Test
  void changing_a_model_records_a_new_version_with_author_reason_and_diff() {
    config.apply(examples(), "first configuration", "alice");
    clock.advance(Duration.ofHours(1));
    List<ConfigFile> files = edit(examples(), "in-house-software.yaml",
        t -> replaceOnce(t, "smoke-test.sh, timeout: 1m", "smoke-test.sh, timeout: 5m"));

    Plan plan = config.plan(files);
    assertThat(plan.changes()).singleElement().satisfies(c -> {
      assertThat(c.action()).isEqualTo(Action.UPDATE);
      assertThat(c.kind()).isEqualTo("DeploymentModel");
      assertThat(c.name()).isEqualTo("in-house-software");
      assertThat(c.details()).anySatisfy(d -> assertThat(d).contains("1m").contains("5m"));
    });
    assertThat(plan.summary().unchanged()).isEqualTo(EXAMPLE_OBJECTS - 1);
    assertThat(models.get("in-house-software").currentVersion()).isEqualTo(1);

    config.apply(files, "smoke tests got slower", "bob");

    assertThat(models.get("in-house-software").currentVersion()).isEqualTo(2);
    assertThat(models.versions("in-house-software")).extracting(ModelVersion::number, ModelVersion::author,
        ModelVersion::reason).containsExactly(tuple(2, "bob", "smoke tests got slower"),
            tuple(1, "alice", "first configuration"));
    ModelVersion v2 = models.version("in-house-software", 2);
    assertThat(v2.createdAt()).isEqualTo(clock.instant());
    assertThat(v2.diff()).containsPattern("(?m)^-.*timeout: 1m").containsPattern("(?m)^\\+.*timeout: 5m");
    assertThat(models.diff("in-house-software", 1, 2)).isEqualTo(v2.diff());
    assertThat(models.get("hardware").currentVersion()).isEqualTo(1);
    assertThat(config.plan(files).changes()).isEmpty();
  }

  @Test
  void a_target_removed_from_the_files_is_planned_for_deletion_and_deleted() {
    config.apply(examples(), "first", "alice");
    List<ConfigFile> files = edit(examples(), "targets.yaml",
        t -> t.substring(0, t.indexOf("---\n# A physical location")));

    Plan plan = config.plan(files);
    assertThat(plan.changes()).extracting(Change::action, Change::kind, Change::name)
        .containsExactly(tuple(Action.DELETE, "Target", "dc1-hall2-rack-b4"));
    assertThat(targets.find("dc1-hall2-rack-b4")).isPresent();

    config.apply(files, "the rack is decommissioned", "alice");

    assertThat(targets.find("dc1-hall2-rack-b4")).isEmpty();
    assertThat(db.count("targets")).isEqualTo(7);
    assertThat(config.plan(files).changes()).isEmpty();
  }

  @Test
  void a_model_removed_from_the_files_is_retired_and_keeps_its_history() {
    config.apply(examples(), "first", "alice");
    List<ConfigFile> files = edit(without(examples(), "hardware.yaml"), "components.yaml",
        t -> t.replace("  model: hardware\n", ""));

    Plan plan = config.plan(files);
    assertThat(plan.changes()).extracting(Change::action, Change::kind, Change::name).containsExactlyInAnyOrder(
        tuple(Action.DELETE, "DeploymentModel", "hardware"),
        tuple(Action.UPDATE, "Component", "network-core/edge-router"));

    config.apply(files, "hardware is bought as a service now", "carol");

    var hardware = models.get("hardware");
    assertThat(hardware.retired()).isTrue();
    assertThat(hardware.definition()).isNull();
    assertThat(models.versions("hardware")).extracting(ModelVersion::number, ModelVersion::author)
        .containsExactly(tuple(2, "carol"), tuple(1, "alice"));
    assertThat(models.version("hardware", 2).text()).isNull();
    assertThat(models.version("hardware", 2).reason()).isEqualTo("hardware is bought as a service now");
    assertThat(models.version("hardware", 1).text()).contains("deployment-practitioner");
    assertThat(config.plan(files).changes()).isEmpty();
  }

  @Test
  void a_component_with_a_version_in_the_library_cannot_be_deleted_and_nothing_changes() {
    config.apply(examples(), "first", "alice");
    Components components = new Components(db.jdbc(), clock);
    new Library(components, new ComponentVersions(db.jdbc()), new ArtifactStore(dataDir), db.transactions(), clock,
        1024).push(new Library.Push(new ComponentRef("reporting", "bi-licence"), "2026.1",
            Map.of("licenceKeyReference", "LIC-1", "seats", "25"), List.of(), List.of()), "alice");
    // the licence goes, and the shop gets a new owner in the same apply
    List<ConfigFile> files = edit(edit(examples(), "components.yaml",
        t -> t.substring(0, t.indexOf("---\napiVersion: gantry.io/v1\nkind: Component\nmetadata:\n"
            + "  name: bi-licence"))),
        "services.yaml", t -> t.replace("owner: team-shop", "owner: team-web"));
    Map<String, Long> before = counts();

    for (var attempt : List.<Runnable>of(() -> config.plan(files), () -> config.apply(files, "tidy up", "alice"))) {
      assertThatThrownBy(attempt::run).isInstanceOfSatisfying(InvalidInputException.class,
          e -> assertThat(e.findings()).singleElement().satisfies(f -> {
            assertThat(f.field()).contains("reporting/bi-licence");
            assertThat(f.message()).contains("1 version(s) in the library").contains("cannot be deleted");
          }));
    }

    assertThat(counts()).isEqualTo(before);
    assertThat(components.find(new ComponentRef("reporting", "bi-licence"))).isPresent();
    assertThat(new Services(db.jdbc(), clock).find("shop").orElseThrow().definition().owner())
        .isEqualTo("team-shop");
  }

  @Test
  void an_apply_without_a_reason_is_refused_and_changes_nothing() {
    for (String reason : new String[] {null, "", "   "}) {
      assertThatThrownBy(() -> config.apply(examples(), reason, "alice"))
          .isInstanceOfSatisfying(InvalidInputException.class,
              e -> assertThat(e.findings()).singleElement().extracting(Finding::field).isEqualTo("reason"));
    }
    assertThat(counts()).containsOnly(entriesOf(0L));
  }

  @Test
  void an_apply_based_on_a_stale_read_fails_and_leaves_the_concurrent_change_in_place() throws Exception {
    config.apply(examples(), "first", "alice");
    List<ConfigFile> files = edit(edit(examples(), "targets.yaml",
        t -> t.replace("os: linux, zone: a}", "os: linux, zone: z}")),
        "services.yaml", t -> t.replace("owner: team-shop", "owner: team-web"));
    Map<String, Long> before = counts();
    // someone else changes prod-web-1 (on another connection, committed) after this apply has read it
    afterTargetsRead = () -> CompletableFuture.runAsync(() -> {
      Targets other = new Targets(db.jdbc(), clock);
      Target current = other.find("prod-web-1").orElseThrow();
      TargetDefinition d = current.definition();
      other.update(new TargetDefinition(d.name(), "moved by hand", d.environment(), d.kind(), d.path(),
          d.location(), d.facts(), d.tags(), d.labels()), current.rowVersion());
    }).join();

    assertThatThrownBy(() -> config.apply(files, "move prod-web-1", "bob"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("prod-web-1");

    assertThat(counts()).isEqualTo(before);
    Target target = targets.find("prod-web-1").orElseThrow();
    assertThat(target.definition().description()).isEqualTo("moved by hand");
    assertThat(target.definition().facts()).containsEntry("zone", "a");
    assertThat(new Services(db.jdbc(), clock).find("shop").orElseThrow().definition().owner())
        .isEqualTo("team-shop");
  }

  @Test
  void a_retired_model_declared_again_becomes_active_with_a_new_version() {
    config.apply(examples(), "first", "alice");
    List<ConfigFile> withoutHardware = edit(without(examples(), "hardware.yaml"), "components.yaml",
        t -> t.replace("  model: hardware\n", ""));
    config.apply(withoutHardware, "retire", "alice");

    Plan plan = config.plan(examples());
    assertThat(plan.changes()).extracting(Change::action, Change::kind, Change::name).containsExactlyInAnyOrder(
        tuple(Action.UPDATE, "DeploymentModel", "hardware"),
        tuple(Action.UPDATE, "Component", "network-core/edge-router"));
    config.apply(examples(), "hardware is back", "dave");

    var hardware = models.get("hardware");
    assertThat(hardware.retired()).isFalse();
    assertThat(hardware.currentVersion()).isEqualTo(3);
    assertThat(models.version("hardware", 3).text()).isEqualTo(models.version("hardware", 1).text());
    assertThat(config.plan(examples()).changes()).isEmpty();
  }

  // --- bad input: refused with its location, and nothing changes

  @Test
  void malformed_yaml_is_refused_with_its_location() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "services.yaml",
        t -> text[0] = t.replace("owner: team-data", "owner: [team-data"));

    Finding f = refused(files);

    assertThat(f.field()).isEmpty();
    assertThat(f.message()).startsWith("malformed YAML:");
    assertThat(f.location()).isEqualTo(new SourceLocation(DIR + "services.yaml",
        lineOf(text[0], "[team-data") + 1, 1));
  }

  @Test
  void an_unknown_field_is_refused_with_its_location() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "environments.yaml",
        t -> text[0] = t.replace("  owner: qa-team\n", "  owner: qa-team\n  approver: alice\n"));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("spec.approver");
    assertThat(f.message()).contains("unknown field \"approver\"");
    assertThat(f.location()).isEqualTo(at(DIR + "environments.yaml", text[0], "approver:", "approver"));
  }

  @Test
  void a_wrong_type_is_refused_with_its_location() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "in-house-software.yaml",
        t -> text[0] = replaceOnce(t, "retries: 20,", "retries: twenty,"));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("spec.stages[0].acceptance[0].retries");
    assertThat(f.message()).contains("expected a whole number").contains("\"twenty\"");
    assertThat(f.location()).isEqualTo(at(DIR + "models/in-house-software.yaml", text[0], "retries: twenty",
        "retries"));
  }

  @Test
  void a_missing_required_field_is_refused_at_its_parent() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "targets.yaml",
        t -> text[0] = t.replace("  environment: test\n", ""));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("spec.environment");
    assertThat(f.message()).contains("missing required field \"environment\"");
    assertThat(f.location()).isEqualTo(new SourceLocation(DIR + "targets.yaml", lineOf(text[0], "test-web-1}") + 1,
        1));
  }

  @Test
  void a_target_in_an_undeclared_environment_is_refused() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "targets.yaml",
        t -> text[0] = replaceOnce(t, "environment: staging", "environment: stageing"));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("spec.environment");
    assertThat(f.message()).isEqualTo("environment \"stageing\" is not declared");
    assertThat(f.location()).isEqualTo(new SourceLocation(DIR + "targets.yaml", 26, 3));
    assertThat(f.location()).isEqualTo(at(DIR + "targets.yaml", text[0], "environment: stageing", "environment"));
  }

  @Test
  void a_requirement_on_an_undeclared_component_is_refused() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "components.yaml",
        t -> text[0] = t.replace("component: shop/web", "component: shop/webb"));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("spec.requires[0].component");
    assertThat(f.message()).isEqualTo("component \"shop/webb\" is not declared");
    assertThat(f.location()).isEqualTo(new SourceLocation(DIR + "components.yaml", 31, 7));
  }

  @Test
  void a_component_naming_an_undeclared_model_is_refused() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "components.yaml",
        t -> text[0] = t.replace("model: hardware", "model: hardwear"));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("spec.model");
    assertThat(f.message()).isEqualTo("deployment model \"hardwear\" is not declared");
    assertThat(f.location()).isEqualTo(at(DIR + "components.yaml", text[0], "model: hardwear", "model"));
  }

  @Test
  void a_name_declared_twice_is_refused_at_the_second_declaration() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "targets.yaml",
        t -> text[0] = t.replace("{name: staging-web-2}", "{name: staging-web-1}"));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("metadata.name");
    assertThat(f.message()).contains("duplicate Target \"staging-web-1\"")
        .contains("already declared at " + DIR + "targets.yaml:24:12");
    assertThat(f.location()).isEqualTo(new SourceLocation(DIR + "targets.yaml", 34, 12));
  }

  @Test
  void a_cycle_in_the_promotion_order_is_refused_at_the_edge_that_closes_it() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "environments.yaml",
        t -> text[0] = t.replace("  owner: service-operations\n",
            "  owner: service-operations\n  promotesTo: [dev]\n"));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("spec.promotesTo[0]");
    assertThat(f.message()).isEqualTo("the promotion order has a cycle: dev -> test -> staging -> production -> dev");
    assertThat(f.location()).isEqualTo(at(DIR + "environments.yaml", text[0], "promotesTo: [dev]", "dev"));
  }

  @Test
  void a_promotion_path_that_jumps_over_a_stage_of_a_model_is_refused_naming_the_stage_skipped() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "environments.yaml",
        t -> text[0] = t.replace("promotesTo: [test]", "promotesTo: [staging]"));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("spec.promotesTo[0]");
    assertThat(f.message()).isEqualTo("dev promotes to staging, skipping test, which deployment model "
        + "in-house-software deploys to between them; promote to test instead");
    assertThat(f.location()).isEqualTo(at(DIR + "environments.yaml", text[0], "promotesTo: [staging]", "staging"));
  }

  @Test
  void an_invalid_version_in_a_required_range_is_refused() {
    String[] text = new String[1];
    List<ConfigFile> files = edit(examples(), "components.yaml",
        t -> text[0] = t.replace("\">=1.0.0, <2.0.0\"", "\">=1.0.0, <2.x\""));

    Finding f = refused(files);

    assertThat(f.field()).isEqualTo("spec.requires[0].version");
    assertThat(f.message()).contains("2.x");
    assertThat(f.location()).isEqualTo(new SourceLocation(DIR + "components.yaml", 32, 7));
  }

  @Test
  void reference_problems_in_several_files_are_all_reported_together() {
    config.apply(examples(), "first", "alice");
    Map<String, Long> before = counts();
    List<ConfigFile> files = edit(edit(examples(), "targets.yaml",
        t -> replaceOnce(t, "environment: dev", "environment: devel")), "components.yaml",
        t -> t.replace("service: network-core", "service: network"));

    assertThatThrownBy(() -> config.apply(files, "a change", "bob")).isInstanceOfSatisfying(
        InvalidInputException.class, e -> assertThat(e.findings()).extracting(f -> f.location() + " " + f.field())
            .containsExactlyInAnyOrder(DIR + "targets.yaml:6:3 spec.environment",
                DIR + "components.yaml:50:3 spec.service"));
    assertThat(counts()).isEqualTo(before);
  }

  // --- trusted keys

  @Test
  void a_trusted_key_is_created_changed_and_removed_like_any_other_object() {
    SigningKey first = SigningKey.generate("Shop releases <releases@shop.example>");
    SigningKey second = SigningKey.generate("Shop releases 2027 <releases@shop.example>");
    config.apply(examples(), "first", "alice");

    List<ConfigFile> declared = with(examples(), trustedKey("shop-releases", "Signs shop releases", first.publicKey()));
    assertThat(config.plan(declared).changes()).extracting(Change::action, Change::kind, Change::name)
        .containsExactly(tuple(Action.CREATE, "TrustedKey", "shop-releases"));
    config.apply(declared, "shop releases are signed", "alice");

    TrustedKey created = trustedKeys.find("shop-releases").orElseThrow();
    assertThat(created.fingerprint()).isEqualTo(first.fingerprint());
    assertThat(created.definition().publicKey()).isEqualTo(first.publicKey());
    assertThat(created.definition().description()).isEqualTo("Signs shop releases");
    assertThat(config.plan(declared).changes()).isEmpty();

    List<ConfigFile> rotated = with(examples(), trustedKey("shop-releases", "Signs shop releases from 2027",
        second.publicKey()));
    Plan rotation = config.plan(rotated);
    assertThat(rotation.changes()).singleElement().satisfies(c -> {
      assertThat(c.action()).isEqualTo(Action.UPDATE);
      assertThat(c.kind()).isEqualTo("TrustedKey");
      assertThat(c.details()).contains("fingerprint: " + first.fingerprint() + " -> " + second.fingerprint(),
          "description: Signs shop releases -> Signs shop releases from 2027");
      assertThat(c.details()).noneMatch(d -> d.contains("BEGIN PGP"));
    });
    config.apply(rotated, "the 2026 key retires", "alice");

    TrustedKey changed = trustedKeys.find("shop-releases").orElseThrow();
    assertThat(changed.fingerprint()).isEqualTo(second.fingerprint());
    assertThat(changed.rowVersion()).isEqualTo(created.rowVersion() + 1);

    assertThat(config.plan(examples()).changes()).extracting(Change::action, Change::kind, Change::name)
        .containsExactly(tuple(Action.DELETE, "TrustedKey", "shop-releases"));
    config.apply(examples(), "the shop no longer signs", "alice");

    assertThat(trustedKeys.all()).isEmpty();
  }

  @Test
  void a_trusted_key_moved_to_another_name_in_one_apply_is_stored_under_the_new_name() {
    SigningKey key = SigningKey.generate("Shop releases <releases@shop.example>");
    config.apply(with(examples(), trustedKey("shop-releases", null, key.publicKey())), "first", "alice");

    config.apply(with(examples(), trustedKey("shop-signing", null, key.publicKey())), "renamed", "alice");

    assertThat(trustedKeys.all()).extracting(TrustedKey::name, TrustedKey::fingerprint)
        .containsExactly(tuple("shop-signing", key.fingerprint()));
  }

  @Test
  void a_public_key_that_is_not_an_openpgp_key_is_refused_with_its_place() {
    ConfigFile file = trustedKey("shop-releases", null, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI alice@laptop\n");

    Finding f = refused(with(examples(), file));

    assertThat(f.field()).isEqualTo("spec.publicKey");
    assertThat(f.message()).startsWith("not an OpenPGP public key: expected an ASCII-armored block starting with "
        + "-----BEGIN PGP PUBLIC KEY BLOCK-----");
    assertThat(f.location()).isEqualTo(at(file.name(), file.content(), "publicKey:", "publicKey"));
  }

  @Test
  void a_damaged_public_key_block_is_refused_with_its_place() {
    String key = SigningKey.generate("Shop releases <releases@shop.example>").publicKey();
    String damaged = key.substring(0, key.indexOf("\n\n") + 2) + "!!!!" + key.substring(key.indexOf("\n\n") + 6);
    ConfigFile file = trustedKey("shop-releases", null, damaged);

    Finding f = refused(with(examples(), file));

    assertThat(f.field()).isEqualTo("spec.publicKey");
    assertThat(f.message()).startsWith("not an OpenPGP public key: ");
    assertThat(f.location()).isEqualTo(at(file.name(), file.content(), "publicKey:", "publicKey"));
  }

  @Test
  void a_secret_key_is_refused_with_its_place_and_not_stored() {
    ConfigFile file = trustedKey("shop-releases", null,
        SigningKey.generate("Shop releases <releases@shop.example>").secretKey());

    Finding f = refused(with(examples(), file));

    assertThat(f.field()).isEqualTo("spec.publicKey");
    assertThat(f.message()).startsWith("not an OpenPGP public key: it holds a secret key")
        .contains("gpg --export --armor");
    assertThat(f.location()).isEqualTo(at(file.name(), file.content(), "publicKey:", "publicKey"));
    assertThat(db.count("trusted_keys")).isZero();
  }

  @Test
  void one_key_trusted_under_two_names_is_refused_at_the_second() {
    SigningKey key = SigningKey.generate("Shop releases <releases@shop.example>");
    ConfigFile second = trustedKey("shop-signing", null, key.publicKey());

    Finding f = refused(with(with(examples(), trustedKey("shop-releases", null, key.publicKey())), second));

    assertThat(f.field()).isEqualTo("spec.publicKey");
    assertThat(f.message()).startsWith("key " + key.fingerprint() + " is already trusted as TrustedKey "
        + "\"shop-releases\"");
    assertThat(f.location().file()).isEqualTo(second.name());
  }

  @Test
  void a_model_may_require_signatures() {
    List<ConfigFile> files = edit(examples(), "in-house-software.yaml",
        t -> t.replaceFirst("componentChecks:\n", "componentChecks:\n    requireSignature: true\n"));

    config.apply(files, "releases must be signed", "alice");

    assertThat(models.get("in-house-software").definition().spec().componentChecks().requireSignature()).isTrue();
  }

  // --- helpers

  /** A file holding one TrustedKey document, the key's armored text as a YAML block. */
  private static ConfigFile trustedKey(String name, String description, String publicKey) {
    String block = publicKey.strip().lines().map(l -> "    " + l).collect(java.util.stream.Collectors.joining("\n"));
    return new ConfigFile("keys/" + name + ".yaml", """
        apiVersion: gantry.io/v1
        kind: TrustedKey
        metadata:
          name: %s
        %s
        spec:
          publicKey: |
        %s
        """.formatted(name, description == null ? "" : "  description: " + description, block));
  }

  private static List<ConfigFile> with(List<ConfigFile> files, ConfigFile more) {
    List<ConfigFile> all = new ArrayList<>(files);
    all.add(more);
    return all;
  }

  /** Applies the examples, then applies {@code files}; expects exactly one finding and no change at all. */
  private Finding refused(List<ConfigFile> files) {
    config.apply(examples(), "first", "alice");
    Map<String, Long> before = counts();
    List<Finding> findings = new ArrayList<>();
    assertThatThrownBy(() -> config.plan(files)).isInstanceOf(InvalidInputException.class);
    try {
      config.apply(files, "a change", "bob");
    } catch (InvalidInputException e) {
      findings.addAll(e.findings());
    }
    assertThat(findings).as("findings").hasSize(1);
    assertThat(counts()).isEqualTo(before);
    return findings.getFirst();
  }

  private static List<ConfigFile> examples() {
    return ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> new ConfigFile(f.name().replace('\\', '/'), f.content())).toList();
  }

  private static List<ConfigFile> edit(List<ConfigFile> files, String fileName, UnaryOperator<String> change) {
    assertThat(files).extracting(ConfigFile::name).anyMatch(n -> n.endsWith("/" + fileName));
    return files.stream().map(f -> f.name().endsWith("/" + fileName) ? new ConfigFile(f.name(),
        changed(f.content(), change)) : f).toList();
  }

  private static String changed(String text, UnaryOperator<String> change) {
    String after = change.apply(text);
    assertThat(after).as("the edit changes the text").isNotEqualTo(text);
    return after;
  }

  private static List<ConfigFile> without(List<ConfigFile> files, String fileName) {
    return files.stream().filter(f -> !f.name().endsWith("/" + fileName)).toList();
  }

  private static String replaceOnce(String text, String from, String to) {
    int at = text.indexOf(from);
    assertThat(at).as("\"%s\" is in the text", from).isNotNegative();
    return text.substring(0, at) + to + text.substring(at + from.length());
  }

  private Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    TABLES.forEach(t -> counts.put(t, db.count(t)));
    return counts;
  }

  private static Map.Entry<String, Long>[] entriesOf(long value) {
    @SuppressWarnings("unchecked")
    Map.Entry<String, Long>[] entries = TABLES.stream().map(t -> Map.entry(t, value)).toArray(Map.Entry[]::new);
    return entries;
  }
}
