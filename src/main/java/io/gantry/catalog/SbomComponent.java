package io.gantry.catalog;

/**
 * One component an SBOM lists: its name (with its group or namespace, when the SBOM gives one, as
 * {@code group/name}), version, package URL and licence (an SPDX licence expression, or a licence's
 * name); each null when the SBOM does not say.
 */
public record SbomComponent(String name, String version, String purl, String licence) {}
