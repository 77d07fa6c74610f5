package io.gantry.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.ConflictException;
import io.gantry.shared.IntegrityViolationException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The catalog and the definitive media library, against H2 and PostgreSQL alike. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class LibraryContractTest {

  private final TestDatabase database;
  private TestDatabase.Instance db;
  private Services services;
  private Components components;
  private ComponentVersions versions;
  private ArtifactStore store;
  private Library library;
  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");

  @TempDir
  Path dataDir;

  LibraryContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
    services = new Services(db.jdbc(), clock);
    components = new Components(db.jdbc(), clock);
    versions = new ComponentVersions(db.jdbc());
    store = new ArtifactStore(dataDir);
    library = new Library(components, versions, store, db.transactions(), clock, 1024 * 1024);
    services.create(new ServiceDefinition("shop", "Online shop", "team-shop", Map.of("tier", "1")));
    components.create(new ComponentDefinition("shop", "web", ComponentType.SOFTWARE, null, null, List.of(),
        List.of(), Map.of()));
    components.create(new ComponentDefinition("shop", "edge-router", ComponentType.HARDWARE, null, null, List.of(),
        List.of("serialNumber", "model"), Map.of()));
  }

  @Test
  void a_service_is_found_listed_by_page_and_updated_with_its_row_version() {
    services.create(new ServiceDefinition("billing", null, "team-billing", Map.of()));
    var page = services.page(new PageRequest(0, 1));
    assertThat(page.total()).isEqualTo(2);
    assertThat(page.items()).extracting(Service::name).containsExactly("billing");
    assertThat(page.hasNext()).isTrue();

    Service shop = services.find("shop").orElseThrow();
    Service updated = services.update(new ServiceDefinition("shop", "Shop", "team-web", Map.of()), shop.rowVersion());
    assertThat(updated.definition().owner()).isEqualTo("team-web");
    assertThat(updated.rowVersion()).isEqualTo(shop.rowVersion() + 1);
  }

  @Test
  void an_update_based_on_a_stale_row_version_is_refused_and_changes_nothing() {
    Service shop = services.find("shop").orElseThrow();
    services.update(new ServiceDefinition("shop", "first", "team-a", Map.of()), shop.rowVersion());

    assertThatThrownBy(() -> services.update(new ServiceDefinition("shop", "second", "team-b", Map.of()),
        shop.rowVersion())).isInstanceOf(StaleUpdateException.class).hasMessageContaining("shop");
    assertThat(services.find("shop").orElseThrow().definition().description()).isEqualTo("first");
  }

  @Test
  void a_component_keeps_its_requirements_and_required_attributes() {
    components.create(new ComponentDefinition("shop", "api", ComponentType.SOFTWARE, "API", "in-house",
        List.of(new ComponentDefinition.Requirement("shop/web", ">=1.0.0")), List.of("ticket"), Map.of("a", "b")));
    Component api = components.find(new ComponentRef("shop", "api")).orElseThrow();
    assertThat(api.definition().requires()).containsExactly(new ComponentDefinition.Requirement("shop/web", ">=1.0.0"));
    assertThat(api.definition().requiredAttributes()).containsExactly("ticket");
    assertThat(components.page("shop", PageRequest.all()).total()).isEqualTo(3);
  }

  @Test
  void pushing_a_version_stores_its_files_by_digest_and_records_them() throws Exception {
    var pushed = library.push(push("1.0.0", Map.of(), upload("bin/app.sh", "echo hi")), "alice");

    assertThat(pushed.created()).isTrue();
    ComponentVersion v = pushed.version();
    assertThat(v.status()).isEqualTo(VersionStatus.REGISTERED);
    assertThat(v.createdBy()).isEqualTo("alice");
    assertThat(v.artifacts()).singleElement().satisfies(a -> {
      assertThat(a.path()).isEqualTo("bin/app.sh");
      assertThat(a.size()).isEqualTo(7);
      assertThat(a.digest().value()).isEqualTo(
          "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
              .digest("echo hi".getBytes(StandardCharsets.UTF_8))));
    });
    try (InputStream in = library.open(v.artifacts().getFirst())) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("echo hi");
    }
  }

  @Test
  void pushing_the_same_version_with_the_same_content_again_changes_nothing() {
    var first = library.push(push("1.0.0", Map.of(), upload("app.sh", "echo hi")), "alice");
    var again = library.push(push("1.0.0", Map.of(), upload("app.sh", "echo hi")), "bob");

    assertThat(again.created()).isFalse();
    assertThat(again.version().id()).isEqualTo(first.version().id());
    assertThat(again.version().createdBy()).isEqualTo("alice");
  }

  @Test
  void pushing_an_existing_version_with_other_content_is_refused() {
    library.push(push("1.0.0", Map.of(), upload("app.sh", "echo hi")), "alice");

    assertThatThrownBy(() -> library.push(push("1.0.0", Map.of(), upload("app.sh", "echo bye")), "alice"))
        .isInstanceOf(ConflictException.class).hasMessageContaining("immutable");
    assertThat(db.count("component_versions")).isEqualTo(1);
    assertThat(db.count("artifacts")).isEqualTo(1);
  }

  @Test
  void a_hardware_item_without_a_file_is_registered_by_its_identifying_attributes() {
    var pushed = library.push(new Library.Push(new ComponentRef("shop", "edge-router"), "1",
        Map.of("serialNumber", "FTX1234", "model", "ASR-1001"), List.of(), List.of()), "alice");

    assertThat(pushed.version().artifacts()).isEmpty();
    assertThat(pushed.version().attributes()).containsEntry("serialNumber", "FTX1234");
  }

  @Test
  void a_hardware_item_missing_a_required_attribute_is_refused() {
    assertThatThrownBy(() -> library.push(new Library.Push(new ComponentRef("shop", "edge-router"), "1",
        Map.of("serialNumber", "FTX1234"), List.of(), List.of()), "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .anySatisfy(f -> assertThat(f.field()).isEqualTo("attributes.model")));
    assertThat(db.count("component_versions")).isZero();
  }

  @Test
  void an_external_artifact_is_registered_with_its_pinned_digest() {
    String digest = "sha256:" + "ab".repeat(32);
    var pushed = library.push(new Library.Push(new ComponentRef("shop", "web"), "2.0.0", Map.of(), List.of(),
        List.of(new Library.External("app.tar.gz", "https://downloads.example.com/app-2.0.0.tar.gz", digest))), "alice");

    assertThat(pushed.version().artifacts()).singleElement().satisfies(a -> {
      assertThat(a.external()).isTrue();
      assertThat(a.digest().value()).isEqualTo(digest);
    });
  }

  @Test
  void a_malformed_digest_is_refused_and_nothing_is_recorded() {
    assertThatThrownBy(() -> library.push(new Library.Push(new ComponentRef("shop", "web"), "2.0.0", Map.of(),
        List.of(), List.of(new Library.External("app.tar.gz", "https://example.com/a", "sha256:xyz"))), "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).singleElement()
            .satisfies(f -> {
              assertThat(f.field()).isEqualTo("external[0].digest");
              assertThat(f.message()).contains("64 hex digits");
            }));
    assertThat(db.count("component_versions")).isZero();
  }

  @Test
  void an_artifact_path_that_escapes_its_folder_is_refused_and_nothing_is_stored() throws Exception {
    assertThatThrownBy(() -> library.push(push("1.0.0", Map.of(), upload("../../etc/passwd", "x")), "alice"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("refused")
        .satisfies(e -> assertThat(((InvalidInputException) e).findings().getFirst().message())
            .contains("escapes its folder"));
    assertThat(db.count("component_versions")).isZero();
    assertThat(Files.exists(dataDir.resolve("dml/sha256"))).isFalse();
  }

  @Test
  void an_invalid_version_string_is_refused() {
    assertThatThrownBy(() -> library.push(push("v1..0", Map.of(), upload("a.sh", "x")), "alice"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).singleElement()
            .satisfies(f -> assertThat(f.field()).isEqualTo("version")));
  }

  @Test
  void an_artifact_larger_than_the_limit_is_refused() {
    String big = "x".repeat(1024 * 1024 + 1);
    assertThatThrownBy(() -> library.push(push("1.0.0", Map.of(), upload("big.bin", big)), "alice"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("larger than the limit");
    assertThat(db.count("component_versions")).isZero();
  }

  @Test
  void a_push_to_an_unknown_component_is_refused() {
    assertThatThrownBy(() -> library.push(new Library.Push(new ComponentRef("shop", "nope"), "1.0.0", Map.of(),
        List.of(upload("a", "b")), List.of()), "alice")).isInstanceOf(NotFoundException.class)
        .hasMessageContaining("shop/nope");
  }

  @Test
  void an_artifact_whose_bytes_changed_on_disk_is_detected_when_it_is_read() throws Exception {
    ComponentVersion v = library.push(push("1.0.0", Map.of(), upload("app.sh", "echo hi")), "alice").version();
    Artifact artifact = v.artifacts().getFirst();
    Files.writeString(store.pathOf(artifact.digest()), "echo pwned");

    assertThatThrownBy(() -> library.verify(v)).isInstanceOf(IntegrityViolationException.class)
        .hasMessageContaining("altered");
    assertThatThrownBy(() -> {
      try (InputStream in = library.open(artifact)) {
        in.readAllBytes();
      }
    }).isInstanceOf(IntegrityViolationException.class);
  }

  @Test
  void a_version_is_approved_then_withdrawn_and_never_comes_back() {
    ComponentVersion v = library.push(push("1.0.0", Map.of(), upload("app.sh", "x")), "alice").version();
    ComponentRef web = new ComponentRef("shop", "web");

    ComponentVersion approved = library.changeStatus(web, "1.0.0", VersionStatus.APPROVED, "tested", v.rowVersion(), "dm");
    assertThat(approved.status()).isEqualTo(VersionStatus.APPROVED);
    assertThat(approved.statusChangedBy()).isEqualTo("dm");
    assertThat(approved.statusReason()).isEqualTo("tested");

    ComponentVersion withdrawn = library.changeStatus(web, "1.0.0", VersionStatus.WITHDRAWN, "CVE", approved.rowVersion(), "dm");
    assertThatThrownBy(() -> library.changeStatus(web, "1.0.0", VersionStatus.APPROVED, "again",
        withdrawn.rowVersion(), "dm")).isInstanceOf(ConflictException.class).hasMessageContaining("cannot become");
  }

  @Test
  void a_status_change_based_on_a_stale_row_version_is_refused() {
    ComponentVersion v = library.push(push("1.0.0", Map.of(), upload("app.sh", "x")), "alice").version();
    ComponentRef web = new ComponentRef("shop", "web");
    library.changeStatus(web, "1.0.0", VersionStatus.APPROVED, "ok", v.rowVersion(), "dm");

    assertThatThrownBy(() -> library.changeStatus(web, "1.0.0", VersionStatus.WITHDRAWN, "late", v.rowVersion(), "sm"))
        .isInstanceOf(StaleUpdateException.class);
    assertThat(library.get(web, "1.0.0").status()).isEqualTo(VersionStatus.APPROVED);
  }

  @Test
  void versions_are_listed_newest_first_and_filtered_by_status() {
    library.push(push("1.0.0", Map.of(), upload("a", "1")), "alice");
    clock.advance(java.time.Duration.ofMinutes(1));
    ComponentVersion second = library.push(push("1.1.0", Map.of(), upload("a", "2")), "alice").version();
    library.changeStatus(second.component(), "1.1.0", VersionStatus.APPROVED, "ok", second.rowVersion(), "dm");

    assertThat(versions.page(new ComponentRef("shop", "web"), null, PageRequest.all()).items())
        .extracting(v -> v.version().value()).containsExactly("1.1.0", "1.0.0");
    assertThat(versions.page(new ComponentRef("shop", "web"), VersionStatus.APPROVED, PageRequest.all()).items())
        .extracting(v -> v.version().value()).containsExactly("1.1.0");
  }

  // --- uploads are staged until their version is recorded

  @Test
  void a_push_refused_because_the_version_exists_with_other_content_leaves_no_file_in_the_library() {
    library.push(push("1.0.0", Map.of(), upload("app.sh", "echo hi")), "alice");
    List<String> before = libraryFiles();

    assertThatThrownBy(() -> library.push(push("1.0.0", Map.of(), upload("app.sh", "echo bye"), upload("b.sh", "b")),
        "alice")).isInstanceOf(ConflictException.class);

    assertThat(libraryFiles()).isEqualTo(before).hasSize(1);
  }

  @Test
  void a_push_refused_for_an_invalid_sbom_or_an_oversized_file_leaves_no_file_in_the_library() {
    assertThatThrownBy(() -> library.push(push("1.0.0", Map.of(), upload("app.sh", "x"),
        upload("bom.json", "{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", \"version\": \"one\"}")), "alice"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("refused");
    assertThatThrownBy(() -> library.push(push("1.0.1", Map.of(), upload("app.sh", "y"),
        upload("big.bin", "x".repeat(1024 * 1024 + 1))), "alice")).isInstanceOf(InvalidInputException.class);

    assertThat(libraryFiles()).isEmpty();
    assertThat(db.count("component_versions")).isZero();
  }

  @Test
  void an_upload_that_breaks_off_midway_leaves_no_file_in_the_library() {
    Library.Upload broken = new Library.Upload("b.bin", () -> new java.io.SequenceInputStream(
        new ByteArrayInputStream(new byte[4096]), new InputStream() {
          @Override
          public int read() throws java.io.IOException {
            throw new java.io.IOException("connection reset");
          }
        }));

    assertThatThrownBy(() -> library.push(push("1.0.0", Map.of(), upload("app.sh", "x"), broken), "alice"))
        .hasMessageContaining("b.bin");

    assertThat(libraryFiles()).isEmpty();
  }

  @Test
  void two_servers_pushing_the_same_version_with_other_content_at_once_record_one_and_keep_only_its_files()
      throws Exception {
    Library other = new Library(new Components(db.jdbc(), clock), new ComponentVersions(db.jdbc()),
        new ArtifactStore(dataDir), db.transactions(), clock, 1024 * 1024);
    for (int round = 0; round < 5; round++) {
      String version = "1.0." + round;
      var start = new java.util.concurrent.CyclicBarrier(2);
      try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
        var first = pool.submit(() -> {
          start.await();
          return library.push(push(version, Map.of(), upload("app.sh", "first " + version)), "alice");
        });
        var second = pool.submit(() -> {
          start.await();
          return other.push(push(version, Map.of(), upload("app.sh", "second " + version)), "bob");
        });
        List<Object> outcomes = new java.util.ArrayList<>();
        for (var f : List.of(first, second)) {
          try {
            outcomes.add(f.get());
          } catch (java.util.concurrent.ExecutionException e) {
            outcomes.add(e.getCause());
          }
        }
        assertThat(outcomes).filteredOn(o -> o instanceof Library.Pushed).hasSize(1);
        assertThat(outcomes).filteredOn(o -> o instanceof ConflictException).hasSize(1);
      }
    }

    Set<String> referenced = new java.util.HashSet<>();
    for (var v : versions.page(new ComponentRef("shop", "web"), null, PageRequest.all()).items()) {
      v.artifacts().forEach(a -> referenced.add(a.digest().hex()));
      library.verify(v);
    }
    assertThat(referenced).hasSize(5);
    assertThat(libraryFiles()).containsExactlyInAnyOrderElementsOf(referenced);
  }

  @Test
  void a_prune_removes_only_files_nothing_references_and_a_dry_run_removes_nothing() throws Exception {
    ComponentVersion kept = library.push(push("1.0.0", Map.of(), upload("app.sh", "kept")), "alice").version();
    Digest orphan = orphan("left behind");
    Digest evidence = orphan("a photo of the rack");
    Path staged = Files.writeString(dataDir.resolve("dml/tmp/upload-old.part"), "half an upload");
    Files.setLastModifiedTime(staged, java.nio.file.attribute.FileTime.from(clock.instant().minusSeconds(2 * 86400)));
    Path receiving = Files.writeString(dataDir.resolve("dml/tmp/upload-now.part"), "being received");
    Files.setLastModifiedTime(receiving, java.nio.file.attribute.FileTime.from(clock.instant()));
    Library withEvidence = new Library(components, versions, store, db.transactions(), clock, 1024 * 1024,
        Library.DEFAULT_MAX_SBOM_BYTES, List.of(() -> Set.of(evidence)));

    Library.Pruned dryRun = withEvidence.prune(true);

    assertThat(dryRun.dryRun()).isTrue();
    assertThat(dryRun.files()).extracting(Library.PrunedFile::path)
        .containsExactly("sha256/" + orphan.hex().substring(0, 2) + "/" + orphan.hex(), "tmp/upload-old.part");
    assertThat(dryRun.bytes()).isEqualTo("left behind".length() + "half an upload".length());
    assertThat(libraryFiles()).hasSize(3);
    assertThat(staged).exists();

    Library.Pruned pruned = withEvidence.prune(false);

    assertThat(pruned.files()).isEqualTo(dryRun.files());
    assertThat(libraryFiles()).containsExactlyInAnyOrder(kept.artifacts().get(0).digest().hex(), evidence.hex());
    assertThat(staged).doesNotExist();
    assertThat(receiving).exists();
    library.verify(kept);
    assertThat(withEvidence.prune(false).files()).isEmpty();
  }

  /** A file put in the library as an earlier server would have left it, referenced by nothing. */
  private Digest orphan(String content) throws Exception {
    try (var staged = store.stage(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), 1024, "x")) {
      Path target = dataDir.resolve("dml/sha256").resolve(staged.digest().hex().substring(0, 2))
          .resolve(staged.digest().hex());
      Files.createDirectories(target.getParent());
      Files.copy(staged.file(), target);
      return staged.digest();
    }
  }

  /** The names (hex digests) of the files in the library. */
  private List<String> libraryFiles() {
    Path root = dataDir.resolve("dml/sha256");
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (var files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).sorted().toList();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Library.Push push(String version, Map<String, String> attributes, Library.Upload... uploads) {
    return new Library.Push(new ComponentRef("shop", "web"), version, attributes, List.of(uploads), List.of());
  }

  private static Library.Upload upload(String path, String content) {
    return new Library.Upload(path, () -> new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
  }
}
