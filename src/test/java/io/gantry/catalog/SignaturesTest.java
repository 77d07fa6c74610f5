package io.gantry.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.MutableClock;
import io.gantry.testing.SigningKey;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A version passes signature verification only when a trusted key signed exactly the bytes of each artifact. */
class SignaturesTest {

  private static final ComponentRef WEB = ComponentRef.parse("shop/web");
  private static final byte[] JAR = "the application, 1.0.0".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CONFIG = "port: 8080\n".getBytes(StandardCharsets.UTF_8);

  private static SigningKey releaseKey;
  private static SigningKey strangersKey;

  private final MutableClock clock = new MutableClock(Instant.now());
  private TrustedKeys trustedKeys;
  private Library library;
  private Signatures signatures;

  @TempDir
  Path dataDir;

  @BeforeAll
  static void makeKeys() {
    releaseKey = SigningKey.generate("Shop releases <releases@shop.example>");
    strangersKey = SigningKey.generate("Someone else <someone@elsewhere.example>");
  }

  @BeforeEach
  void setUp() {
    TestDatabase.Instance db = TestDatabase.H2.create();
    Components components = new Components(db.jdbc(), clock);
    library = new Library(components, new ComponentVersions(db.jdbc()), new ArtifactStore(dataDir),
        db.transactions(), clock, 1024 * 1024);
    trustedKeys = new TrustedKeys(db.jdbc(), clock);
    signatures = new Signatures(library, trustedKeys, clock);
    new Services(db.jdbc(), clock).create(new ServiceDefinition("shop", null, "team-shop", Map.of()));
    components.create(new ComponentDefinition("shop", "web", ComponentType.SOFTWARE, null, null, List.of(),
        List.of(), Map.of()));
    trustedKeys.create(new TrustedKeyDefinition("shop-releases", "signs shop releases", releaseKey.publicKey(),
        Map.of()));
  }

  @Test
  void a_version_whose_every_artifact_is_signed_by_a_trusted_key_passes() {
    ComponentVersion version = push("1.0.0", Map.of(
        "app.jar", JAR, "app.jar.asc", releaseKey.armoredSignature(JAR),
        "conf/app.yaml", CONFIG, "conf/app.yaml.sig", releaseKey.binarySignature(CONFIG)));

    assertThat(signatures.problem(version)).isNull();
  }

  @Test
  void an_unsigned_artifact_is_named() {
    ComponentVersion version = push("1.0.0", Map.of(
        "app.jar", JAR, "app.jar.asc", releaseKey.armoredSignature(JAR), "conf/app.yaml", CONFIG));

    assertThat(signatures.problem(version)).isEqualTo("artifact conf/app.yaml is unsigned: push its detached "
        + "signature conf/app.yaml.asc or conf/app.yaml.sig with the version");
  }

  @Test
  void an_artifact_other_than_the_one_signed_does_not_match_its_signature() {
    byte[] tampered = "the application, with something added".getBytes(StandardCharsets.UTF_8);
    ComponentVersion version = push("1.0.0", Map.of("app.jar", tampered, "app.jar.asc", releaseKey.armoredSignature(JAR)));

    assertThat(signatures.problem(version)).startsWith("signature app.jar.asc does not match the bytes of artifact "
        + "app.jar").contains("key " + releaseKey.signingKeyFingerprint() + " (a subkey of "
        + releaseKey.fingerprint() + ") of trusted key shop-releases");
  }

  @Test
  void a_signature_by_a_key_that_is_not_trusted_is_refused_naming_the_key() {
    ComponentVersion version = push("1.0.0", Map.of("app.jar", JAR, "app.jar.asc", strangersKey.armoredSignature(JAR)));

    assertThat(signatures.problem(version)).isEqualTo("artifact app.jar is signed (app.jar.asc) by key "
        + strangersKey.signingKeyFingerprint() + ", which is not a trusted key (declare it as a TrustedKey if it should be)");
  }

  @Test
  void a_good_signature_replaced_by_one_from_an_unknown_key_is_refused() {
    ComponentVersion good = push("1.0.0", Map.of("app.jar", JAR, "app.jar.asc", releaseKey.armoredSignature(JAR)));
    ComponentVersion resigned = push("1.0.1", Map.of("app.jar", JAR, "app.jar.asc",
        strangersKey.armoredSignature(JAR)));

    assertThat(signatures.problem(good)).isNull();
    assertThat(signatures.problem(resigned)).contains("by key " + strangersKey.signingKeyFingerprint())
        .contains("which is not a trusted key");
  }

  @Test
  void a_signature_by_an_unknown_key_beside_a_good_one_is_refused() {
    ComponentVersion version = push("1.0.0", Map.of("app.jar", JAR, "app.jar.asc", releaseKey.armoredSignature(JAR),
        "app.jar.sig", strangersKey.binarySignature(JAR)));

    assertThat(signatures.problem(version)).isEqualTo("artifact app.jar is signed (app.jar.sig) by key "
        + strangersKey.signingKeyFingerprint() + ", which is not a trusted key (declare it as a TrustedKey if it should be)");
  }

  @Test
  void a_signature_file_that_holds_no_signature_is_unreadable() {
    ComponentVersion version = push("1.0.0", Map.of("app.jar", JAR,
        "app.jar.asc", "signed by me, honest".getBytes(StandardCharsets.UTF_8)));

    assertThat(signatures.problem(version)).startsWith("signature app.jar.asc of artifact app.jar is unreadable: ");
  }

  @Test
  void a_signature_by_a_key_revoked_since_is_refused() {
    ComponentVersion version = push("1.0.0", Map.of("app.jar", JAR, "app.jar.asc", releaseKey.armoredSignature(JAR)));
    TrustedKey stored = trustedKeys.find("shop-releases").orElseThrow();
    trustedKeys.update(new TrustedKeyDefinition("shop-releases", null, releaseKey.revoked().publicKey(), Map.of()),
        stored.rowVersion());

    assertThat(signatures.problem(version)).isEqualTo("artifact app.jar is signed (app.jar.asc) by key "
        + releaseKey.signingKeyFingerprint() + " (a subkey of " + releaseKey.fingerprint() + ") of trusted key "
        + "shop-releases, which is revoked");
  }

  @Test
  void a_signature_by_a_key_that_has_expired_since_is_refused() {
    TrustedKey stored = trustedKeys.find("shop-releases").orElseThrow();
    trustedKeys.update(new TrustedKeyDefinition("shop-releases", null,
        releaseKey.expiring(Duration.ofDays(365)).publicKey(), Map.of()), stored.rowVersion());
    ComponentVersion version = push("1.0.0", Map.of("app.jar", JAR, "app.jar.asc", releaseKey.armoredSignature(JAR)));
    assertThat(signatures.problem(version)).as("before it expires").isNull();

    clock.advance(Duration.ofDays(366));

    assertThat(signatures.problem(version)).contains("of trusted key shop-releases, which expired at ")
        .endsWith("extend the key's expiry and apply the TrustedKey again");
  }

  @Test
  void a_signature_made_with_a_weak_hash_is_refused() {
    ComponentVersion version = push("1.0.0", Map.of("app.jar", JAR, "app.jar.sig", releaseKey.sha1Signature(JAR)));

    assertThat(signatures.problem(version)).isEqualTo("signature app.jar.sig of artifact app.jar uses a hash "
        + "algorithm too weak to rely on (SHA1); sign it again with SHA-256 or stronger");
  }

  @Test
  void a_file_named_like_a_signature_of_nothing_is_an_artifact_that_needs_its_own_signature() {
    byte[] notes = "release notes".getBytes(StandardCharsets.UTF_8);
    ComponentVersion version = push("1.0.0", Map.of("app.jar", JAR, "app.jar.asc", releaseKey.armoredSignature(JAR),
        "notes.asc", notes));

    assertThat(signatures.problem(version)).startsWith("artifact notes.asc is unsigned");
  }

  @Test
  void a_version_with_nothing_to_sign_is_refused() {
    ComponentVersion version = library.push(new Library.Push(WEB, "1.0.0", Map.of("ticket", "CHG-1"), List.of(),
        List.of()), "alice").version();

    assertThat(signatures.problem(version)).isEqualTo("shop/web@1.0.0 has no artifact that a signature could "
        + "vouch for");
  }

  private ComponentVersion push(String version, Map<String, byte[]> files) {
    Map<String, byte[]> ordered = new LinkedHashMap<>(files);
    List<Library.Upload> uploads = ordered.entrySet().stream()
        .map(e -> new Library.Upload(e.getKey(), () -> new ByteArrayInputStream(e.getValue()))).toList();
    return library.push(new Library.Push(WEB, version, Map.of(), uploads, List.of()), "alice").version();
  }
}
