package io.gantry.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValuesTest {

  @ParameterizedTest
  @ValueSource(strings = {"1", "1.4.0", "2026.03.1", "1.2.3.4", "2.0.0-rc.1+b45", "1.0.0+20261126"})
  void valid_versions_are_accepted(String value) {
    assertThat(Version.isValid(value)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "v1.0", "1..0", "1.2.3.4.5", "1.0-", "latest", "1.0.0-rc..1", " 1.0"})
  void invalid_versions_are_refused_with_a_reason(String value) {
    assertThatThrownBy(() -> new Version(value)).hasMessageContaining("not a valid version");
  }

  @Test
  void versions_order_by_number_with_prereleases_before_their_release_and_missing_parts_as_zero() {
    List<String> sorted = List.of("1.10.0", "1.2.0", "1.2.0-rc.1", "1.2.0-beta", "1.2", "2", "1.2.0-rc.10")
        .stream().map(Version::new).sorted().map(Version::value).toList();
    assertThat(sorted).containsExactly("1.2.0-beta", "1.2.0-rc.1", "1.2.0-rc.10", "1.2.0", "1.2", "1.10.0", "2");
  }

  @Test
  void a_range_allows_only_versions_within_all_its_constraints() {
    VersionRange range = VersionRange.parse(">=1.4.0, <2.0.0");
    assertThat(range.allows(new Version("1.4.0"))).isTrue();
    assertThat(range.allows(new Version("1.9.9"))).isTrue();
    assertThat(range.allows(new Version("2.0.0"))).isFalse();
    assertThat(range.allows(new Version("1.3.9"))).isFalse();
    assertThat(VersionRange.parse("1.2.3").allows(new Version("1.2.3"))).isTrue();
  }

  @Test
  void a_range_with_an_invalid_version_names_it() {
    assertThatThrownBy(() -> VersionRange.parse(">=1.x")).hasMessageContaining("\"1.x\" is not a valid version");
    assertThatThrownBy(() -> VersionRange.parse("")).hasMessageContaining("empty");
  }

  @Test
  void a_digest_must_be_sha256_with_64_hex_digits_and_is_normalized_to_lower_case() {
    assertThat(Digest.parse("SHA256:" + "AB".repeat(32)).value()).isEqualTo("sha256:" + "ab".repeat(32));
    assertThatThrownBy(() -> Digest.parse("sha256:abc")).hasMessageContaining("64 hex digits");
    assertThatThrownBy(() -> Digest.parse("md5:" + "ab".repeat(16))).hasMessageContaining("64 hex digits");
  }

  @Test
  void the_status_table_allows_exactly_these_changes() {
    for (VersionStatus from : VersionStatus.values()) {
      for (VersionStatus to : VersionStatus.values()) {
        boolean expected = (from == VersionStatus.REGISTERED && to != VersionStatus.REGISTERED)
            || (from == VersionStatus.APPROVED && to == VersionStatus.WITHDRAWN);
        assertThat(from.canBecome(to)).as(from + " -> " + to).isEqualTo(expected);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"../x", "a/../../b", "/etc/passwd", "a\\b", "a//b", "./a", "C:/x", "a/b c"})
  void artifact_paths_that_leave_their_folder_or_are_odd_are_refused(String path) {
    assertThat(ArtifactPaths.problem(path)).isNotNull();
  }

  @Test
  void ordinary_artifact_paths_are_accepted() {
    Arrays.asList("app.jar", "bin/run.sh", "docs/release-notes.md", "lib/a-1.0+b.jar")
        .forEach(p -> assertThat(ArtifactPaths.problem(p)).as(p).isNull());
  }
}
