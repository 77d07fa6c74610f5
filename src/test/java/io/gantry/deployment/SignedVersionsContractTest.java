package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.testing.MutableClock;
import io.gantry.testing.SigningKey;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A model that requires signatures deploys only versions whose every artifact is signed by a key
 * declared as a TrustedKey; any other version fails component verification before a target changes.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class SignedVersionsContractTest {

  private static final SigningKey RELEASES = SigningKey.generate("Shop releases <releases@shop.example>");
  private static final SigningKey STRANGER = SigningKey.generate("Someone <someone@elsewhere.example>");

  private final TestDatabase database;
  private final MutableClock clock = new MutableClock(Clock.systemUTC().instant());
  private EngineFixture fixture;
  private Engine engine;

  @TempDir
  Path home;

  SignedVersionsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    fixture = new EngineFixture(database.create(), clock, home);
    engine = fixture.engineCheckingSignatures();
    String key = RELEASES.publicKey().lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
    fixture.apply("""
        apiVersion: gantry.io/v1
        kind: TrustedKey
        metadata: {name: shop-releases}
        spec:
          publicKey: |
        KEY
        ---
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
          componentChecks: {requireSignature: true}
          stages:
            - name: qa
              environment: qa
              steps:
                - {name: install, type: artifact.install, destination: releases}
        """.replace("KEY", key));
  }

  private Deployment deploy(String version, SigningKey signer) {
    byte[] app = ("app " + version + "\n").getBytes(StandardCharsets.UTF_8);
    List<Library.Upload> uploads = new ArrayList<>();
    uploads.add(new Library.Upload("app.txt", () -> new ByteArrayInputStream(app)));
    if (signer != null) {
      byte[] signature = signer.armoredSignature(app);
      uploads.add(new Library.Upload("app.txt.asc", () -> new ByteArrayInputStream(signature)));
    }
    fixture.library.push(new Library.Push(new ComponentRef("shop", "web"), version, Map.of(), uploads, List.of()),
        "alice");
    Deployment d = fixture.requests.request(new DeploymentRequests.Request("shop/web", version, "qa", null, null),
        "bob");
    engine.runDue();
    return fixture.deployments.get(d.id());
  }

  @Test
  void a_version_signed_by_a_trusted_key_is_deployed() {
    Deployment d = deploy("1.0.0", RELEASES);

    assertThat(d.state()).as(d.outcome()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(fixture.deployments.events(d.id(), 0)).anySatisfy(e -> assertThat(e.message())
        .contains("every artifact signed by a trusted key"));
  }

  @Test
  void an_unsigned_version_fails_component_verification_and_no_target_changes() {
    Deployment d = deploy("1.0.0", null);

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).startsWith("component verification: ").contains("app.txt");
    assertThat(Files.exists(home.resolve("targets/t1/shop.web/releases"))).isFalse();
  }

  @Test
  void a_version_signed_by_a_key_that_is_not_trusted_fails_component_verification() {
    Deployment d = deploy("1.0.0", STRANGER);

    assertThat(d.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(d.outcome()).contains("not a trusted key");
    assertThat(Files.exists(home.resolve("targets/t1/shop.web/releases"))).isFalse();
  }
}
