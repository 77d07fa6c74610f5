package io.gantry.catalog;

import java.util.List;

/**
 * An SBOM pushed with a version, as its format's own library read it: the artifact it came from, its
 * format and the version of that format's specification, and the components it lists.
 */
public record Sbom(String path, SbomFormat format, String specVersion, List<SbomComponent> components) {
  public Sbom {
    components = List.copyOf(components);
  }
}
