package io.gantry.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class SbomReaderTest {

  static byte[] resource(String name) {
    try (InputStream in = SbomReaderTest.class.getResourceAsStream("/sbom/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void a_cyclonedx_bom_is_read_with_every_component_its_version_purl_and_licence() throws Exception {
    Sbom sbom = SbomReader.read("bom/shop-web.cdx.json", SbomFormat.CYCLONEDX, resource("shop-web.cdx.json"));

    assertThat(sbom.format()).isEqualTo(SbomFormat.CYCLONEDX);
    assertThat(sbom.specVersion()).isEqualTo("1.6");
    assertThat(sbom.components()).containsExactly(
        new SbomComponent("org.slf4j/slf4j-api", "2.0.16", "pkg:maven/org.slf4j/slf4j-api@2.0.16", "MIT"),
        new SbomComponent("com.fasterxml.jackson.core/jackson-databind", "2.21.4",
            "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.21.4", "Apache-2.0"),
        new SbomComponent("com.fasterxml.jackson.core/jackson-core", "2.21.4",
            "pkg:maven/com.fasterxml.jackson.core/jackson-core@2.21.4", "Apache-2.0"),
        new SbomComponent("left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", "WTFPL"));
  }

  @Test
  void an_spdx_document_is_read_with_every_package_its_version_purl_and_licence_in_name_order() throws Exception {
    Sbom sbom = SbomReader.read("shop-web.spdx.json", SbomFormat.SPDX, resource("shop-web.spdx.json"));

    assertThat(sbom.format()).isEqualTo(SbomFormat.SPDX);
    assertThat(sbom.specVersion()).isEqualTo("2.3");
    assertThat(sbom.components()).as("in name order").containsExactly(
        new SbomComponent("flask", "3.1.0", "pkg:pypi/flask@3.1.0", "BSD-3-Clause"),
        new SbomComponent("shop-web", "1.0.0", null, "Apache-2.0"),
        new SbomComponent("werkzeug", "3.1.3", "pkg:pypi/werkzeug@3.1.3", "BSD-3-Clause"));
  }

  @Test
  void reading_sboms_asks_the_network_for_nothing() throws Exception {
    SbomReader.read("shop-web.spdx.json", SbomFormat.SPDX, resource("shop-web.spdx.json"));
    List<URI> asked = new CopyOnWriteArrayList<>();
    ProxySelector before = ProxySelector.getDefault();
    ProxySelector.setDefault(new ProxySelector() {
      @Override
      public List<Proxy> select(URI uri) {
        asked.add(uri);
        return List.of(Proxy.NO_PROXY);
      }

      @Override
      public void connectFailed(URI uri, SocketAddress address, IOException e) {}
    });
    try {
      org.spdx.library.ListedLicenses.resetListedLicenses(); // its licence list is loaded again, as at start
      SbomReader.read("shop-web.spdx.json", SbomFormat.SPDX, resource("shop-web.spdx.json"));
      SbomReader.CYCLONEDX_SCHEMA_CACHE.clear(); // CycloneDX's schema and those it refers to are loaded again
      SbomReader.read("bom.json", SbomFormat.CYCLONEDX, resource("shop-web.cdx.json"));
    } finally {
      ProxySelector.setDefault(before);
    }

    assertThat(asked).as("addresses the libraries tried to reach").isEmpty();
  }

  @Test
  void a_cyclonedx_bom_that_breaks_its_schema_is_refused_naming_the_place() {
    assertThatThrownBy(() -> SbomReader.read("bom.json", SbomFormat.CYCLONEDX, resource("nameless-component.cdx.json")))
        .isInstanceOf(SbomReader.Invalid.class)
        .hasMessageContaining("CycloneDX 1.6 schema").hasMessageContaining("components").hasMessageContaining("2")
        .hasMessageContaining("name");
  }

  @Test
  void malformed_json_is_refused_with_the_line_and_column() {
    assertThatThrownBy(() -> SbomReader.read("bom.json", SbomFormat.CYCLONEDX, resource("broken.cdx.json")))
        .isInstanceOf(SbomReader.Invalid.class).hasMessageStartingWith("line 5, column ")
        .hasMessageContaining("not valid JSON");
  }

  @Test
  void an_spdx_package_without_its_download_location_is_refused_by_the_spdx_library() {
    assertThatThrownBy(() -> SbomReader.read("x.spdx.json", SbomFormat.SPDX, resource("no-download-location.spdx.json")))
        .isInstanceOf(SbomReader.Invalid.class).hasMessageContaining("flask").hasMessageContainingAll("ownload");
  }

  @Test
  void a_document_nested_deeper_than_the_limit_is_refused_before_any_library_reads_it() {
    String deep = "{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.6\",\"x\":" + "[".repeat(100_000)
        + "]".repeat(100_000) + "}";

    assertThatThrownBy(() -> SbomReader.read("bom.json", SbomFormat.CYCLONEDX, deep.getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SbomReader.Invalid.class).hasMessageContaining("nested deeper than 100 levels");
  }

  @Test
  void a_json_file_is_recognised_as_an_sbom_by_its_top_level_fields_only() {
    assertThat(SbomReader.sniff(new ByteArrayInputStream(resource("shop-web.cdx.json")))).isEqualTo(SbomFormat.CYCLONEDX);
    assertThat(SbomReader.sniff(new ByteArrayInputStream(resource("shop-web.spdx.json")))).isEqualTo(SbomFormat.SPDX);
    assertThat(SbomReader.sniff(new ByteArrayInputStream(resource("broken.cdx.json")))).isEqualTo(SbomFormat.CYCLONEDX);
    assertThat(SbomReader.sniff(bytes("{\"config\": {\"bomFormat\": \"CycloneDX\"}, \"port\": 8080}"))).isNull();
    assertThat(SbomReader.sniff(bytes("[1, 2, 3]"))).isNull();
    assertThat(SbomReader.sniff(bytes("not json at all"))).isNull();
  }

  @Test
  void files_are_sboms_by_the_names_their_formats_recommend() {
    assertThat(SbomFormat.byName("bom.json")).isEqualTo(SbomFormat.CYCLONEDX);
    assertThat(SbomFormat.byName("sbom/app.cdx.json")).isEqualTo(SbomFormat.CYCLONEDX);
    assertThat(SbomFormat.byName("app.spdx.json")).isEqualTo(SbomFormat.SPDX);
    assertThat(SbomFormat.byName("app.json")).isNull();
    assertThat(SbomFormat.byName("bom.xml")).isNull();
  }

  private static InputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }
}
