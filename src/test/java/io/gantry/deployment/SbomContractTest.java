package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Components;
import io.gantry.catalog.Digest;
import io.gantry.catalog.Library;
import io.gantry.catalog.Sbom;
import io.gantry.catalog.SbomComponent;
import io.gantry.catalog.SbomFormat;
import io.gantry.catalog.Version;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SBOMs pushed with a version are read and validated with their format's own library when the version
 * is pushed (a malformed one refuses the push) and again at verification of components, where a model
 * that requires one fails a version without a valid one before any target changes. What each SBOM
 * lists is kept with the version.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class SbomContractTest {

  private static final ComponentRef WEB = new ComponentRef("shop", "web");

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private TestDatabase.Instance db;
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  SbomContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    fixture = new EngineFixture(db, clock, home);
    engine = fixture.engine();
    model("{requireSbom: cyclonedx}");
  }

  /** The whole configuration, with the model's component checks as given. */
  private void model(String componentChecks) {
    fixture.apply("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: qa}
        spec: {purpose: test, owner: qa-team}
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: t1}
        spec: {environment: qa, kind: local, path: t1}
        ---
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: shop}
        spec: {owner: team-shop}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: web}
        spec: {service: shop, type: software}
        ---
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: software}
        spec:
          appliesTo: {componentTypes: [software]}
          componentChecks: CHECKS
          stages:
            - name: qa
              environment: qa
              steps:
                - {name: install, type: artifact.install, destination: releases}
        """.replace("CHECKS", componentChecks));
  }

  static byte[] sbom(String name) {
    try (InputStream in = SbomContractTest.class.getResourceAsStream("/sbom/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Pushes app.txt and the given files (path to bytes) as a version. */
  private ComponentVersion push(String version, Map<String, byte[]> files) {
    Map<String, byte[]> all = new LinkedHashMap<>();
    all.put("app.txt", ("app " + version + "\n").getBytes(StandardCharsets.UTF_8));
    all.putAll(files);
    List<Library.Upload> uploads = new ArrayList<>();
    all.forEach((path, bytes) -> uploads.add(new Library.Upload(path, () -> new ByteArrayInputStream(bytes))));
    return fixture.library.push(new Library.Push(WEB, version, Map.of(), uploads, List.of()), "alice").version();
  }

  private Deployment deploy(String version) {
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null),
        "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  private boolean targetTouched() {
    return Files.exists(home.resolve("targets/t1/shop.web/releases"));
  }

  @Test
  void a_version_with_a_valid_cyclonedx_sbom_keeps_its_component_list_and_is_deployed() {
    ComponentVersion pushed = push("1.0.0", Map.of("sbom/shop-web.cdx.json", sbom("shop-web.cdx.json")));

    List<Sbom> sboms = fixture.library.sboms(pushed);
    assertThat(sboms).singleElement().satisfies(s -> {
      assertThat(s.path()).isEqualTo("sbom/shop-web.cdx.json");
      assertThat(s.format()).isEqualTo(SbomFormat.CYCLONEDX);
      assertThat(s.specVersion()).isEqualTo("1.6");
      assertThat(s.components()).hasSize(4).first().isEqualTo(
          new SbomComponent("org.slf4j/slf4j-api", "2.0.16", "pkg:maven/org.slf4j/slf4j-api@2.0.16", "MIT"));
    });

    Deployment d = deploy("1.0.0");
    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .contains("SBOM valid (CycloneDX)"));
  }

  @Test
  void a_version_with_a_valid_spdx_sbom_is_deployed_where_any_sbom_is_required() {
    model("{requireSbom: any}");
    ComponentVersion pushed = push("1.0.0", Map.of("shop-web.spdx.json", sbom("shop-web.spdx.json")));

    assertThat(fixture.library.sboms(pushed)).singleElement().satisfies(s -> {
      assertThat(s.format()).isEqualTo(SbomFormat.SPDX);
      assertThat(s.specVersion()).isEqualTo("2.3");
      assertThat(s.components()).contains(
          new SbomComponent("flask", "3.1.0", "pkg:pypi/flask@3.1.0", "BSD-3-Clause"));
    });
    Deployment d = deploy("1.0.0");
    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_json_file_that_is_an_sbom_by_its_content_is_read_like_one_named_as_one() {
    ComponentVersion pushed = push("1.0.0", Map.of("sbom.json", sbom("shop-web.cdx.json")));

    assertThat(fixture.library.sboms(pushed)).singleElement()
        .satisfies(s -> assertThat(s.format()).isEqualTo(SbomFormat.CYCLONEDX));
    assertThat(deploy("1.0.0").state()).isEqualTo(DeploymentState.SUCCEEDED);
  }

  @Test
  void a_malformed_sbom_is_refused_at_push_with_the_parser_s_message_and_where_and_nothing_is_recorded() {
    assertThatThrownBy(() -> push("1.0.0", Map.of("bom.json", sbom("broken.cdx.json"))))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).singleElement()
            .satisfies(f -> assertThat(f.message()).isEqualTo("SBOM bom.json is not valid: line 5, column 37: not "
                + "valid JSON: Unexpected character ('\"' (code 34)): was expecting comma to separate Object entries")));
    assertThatThrownBy(() -> push("1.0.1", Map.of("bom.json", sbom("nameless-component.cdx.json"))))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings().get(0).message())
            .contains("CycloneDX 1.6 schema").contains("/components/2").contains("name"));
    assertThatThrownBy(() -> push("1.0.2", Map.of("app.spdx.json", sbom("no-download-location.spdx.json"))))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings().get(0).message())
            .contains("SBOM app.spdx.json is not valid").contains("download location for package flask"));

    for (String version : List.of("1.0.0", "1.0.1", "1.0.2")) {
      assertThatThrownBy(() -> fixture.library.get(WEB, version)).isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void a_file_named_as_one_format_that_holds_the_other_is_refused() {
    assertThatThrownBy(() -> push("1.0.0", Map.of("bom.json", sbom("shop-web.spdx.json"))))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings().get(0).message())
            .contains("is not a CycloneDX BOM"));
  }

  @Test
  void a_version_without_the_required_sbom_fails_component_verification_and_no_target_changes() {
    push("1.0.0", Map.of());
    push("1.0.1", Map.of("shop-web.spdx.json", sbom("shop-web.spdx.json")));

    Deployment none = deploy("1.0.0");
    assertThat(none.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(none.outcome()).isEqualTo("component verification: the model requires a CycloneDX SBOM in JSON, "
        + "which shop/web@1.0.0 lacks; push it with a new version as bom.json or NAME.cdx.json");
    assertThat(targetTouched()).isFalse();

    Deployment other = deploy("1.0.1");
    assertThat(other.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(other.outcome()).contains("lacks (it has SPDX shop-web.spdx.json)");
    assertThat(targetTouched()).isFalse();
  }

  @Test
  void an_invalid_sbom_that_reached_the_library_unread_fails_component_verification_and_no_target_changes()
      throws IOException {
    // as a version pushed before SBOMs were read would be: stored and registered without reading it
    byte[] broken = sbom("nameless-component.cdx.json");
    var stored = fixture.store.stage(new ByteArrayInputStream(broken), 1 << 20, "bom.json");
    var components = new Components(db.jdbc(), clock);
    fixture.library.keep(List.of(stored), () -> new ComponentVersions(db.jdbc()).insert(
        components.find(WEB).orElseThrow().id(), WEB, new Version("1.0.0"), Digest.ofSha256(new byte[32]), Map.of(),
        List.of(new Artifact("bom.json", stored.digest(), stored.size(), null)), "alice", clock.instant()));

    Deployment d = deploy("1.0.0");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).startsWith("component verification: SBOM bom.json is not valid: it does not follow the "
        + "CycloneDX 1.6 schema");
    assertThat(targetTouched()).isFalse();
  }

  @Test
  void a_version_without_a_required_artifact_fails_component_verification_and_no_target_changes() {
    model("{requiredArtifacts: [docs/release-notes.md]}");
    push("1.0.0", Map.of());

    Deployment d = deploy("1.0.0");

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).isEqualTo("component verification: the model requires the artifact "
        + "docs/release-notes.md, which the version lacks");
    assertThat(targetTouched()).isFalse();
  }

  @Test
  void an_sbom_larger_than_the_limit_is_refused_without_being_parsed() {
    var small = new Library(new Components(db.jdbc(), clock), new ComponentVersions(db.jdbc()), fixture.store,
        db.transactions(), clock, 1 << 20, 1024);
    byte[] bom = sbom("shop-web.cdx.json");

    assertThatThrownBy(() -> small.push(new Library.Push(WEB, "1.0.0", Map.of(), List.of(
        new Library.Upload("bom.json", () -> new ByteArrayInputStream(bom))), List.of()), "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings().get(0).message())
            .isEqualTo("SBOM bom.json is not valid: it is " + bom.length + " bytes; an SBOM may be at most 1024 "
                + "bytes (gantry.dml.max-sbom-bytes)"));
  }
}
