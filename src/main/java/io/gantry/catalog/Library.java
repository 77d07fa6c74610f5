package io.gantry.catalog;

import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.IntegrityViolationException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The definitive media library: registers new component versions (files stored by digest, external
 * files pinned by digest, or identifying attributes for items without a file), moves them through
 * their statuses, and hands out their bytes only after checking them.
 */
@Service
public class Library {

  private static final Pattern ATTRIBUTE_KEY = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,62}");

  private final Components components;
  private final ComponentVersions versions;
  private final ArtifactStore store;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final long maxArtifactBytes;
  private final long maxSbomBytes;
  private final List<LibraryReferences> references;

  /** How old a staged upload must be before a prune removes it: none still being received is that old. */
  public static final Duration STAGED_MAX_AGE = Duration.ofDays(1);

  /** The largest SBOM read by default (16 MiB): far above real ones, small enough to parse in memory. */
  public static final long DEFAULT_MAX_SBOM_BYTES = 16L * 1024 * 1024;

  /** With the default limit on the size of an SBOM. */
  public Library(Components components, ComponentVersions versions, ArtifactStore store, TransactionTemplate tx,
      Clock clock, long maxArtifactBytes) {
    this(components, versions, store, tx, clock, maxArtifactBytes, DEFAULT_MAX_SBOM_BYTES);
  }

  /** With no other module's files in the library. */
  public Library(Components components, ComponentVersions versions, ArtifactStore store, TransactionTemplate tx,
      Clock clock, long maxArtifactBytes, long maxSbomBytes) {
    this(components, versions, store, tx, clock, maxArtifactBytes, maxSbomBytes, List.of());
  }

  @Autowired
  public Library(Components components, ComponentVersions versions, ArtifactStore store, TransactionTemplate tx,
      Clock clock, @Value("${gantry.dml.max-artifact-bytes:#{512L * 1024 * 1024}}") long maxArtifactBytes,
      @Value("${gantry.dml.max-sbom-bytes:#{16L * 1024 * 1024}}") long maxSbomBytes,
      List<LibraryReferences> references) {
    this.references = List.copyOf(references);
    this.components = components;
    this.versions = versions;
    this.store = store;
    this.tx = tx;
    this.clock = clock;
    this.maxArtifactBytes = maxArtifactBytes;
    this.maxSbomBytes = maxSbomBytes;
  }

  /** A file to store: its path inside the version and a way to read it once. */
  public record Upload(String path, InputStreamSource source) {}

  /** Opens the bytes of an upload. */
  @FunctionalInterface
  public interface InputStreamSource {
    InputStream open() throws IOException;
  }

  /** A file held elsewhere, pinned by its digest. */
  public record External(String path, String url, String digest) {}

  /** What to register. */
  public record Push(ComponentRef component, String version, Map<String, String> attributes, List<Upload> uploads,
      List<External> external) {
    public Push {
      attributes = attributes == null ? Map.of() : attributes;
      uploads = uploads == null ? List.of() : uploads;
      external = external == null ? List.of() : external;
    }
  }

  /** The version, and whether this push created it (false: the identical version was there already). */
  public record Pushed(ComponentVersion version, boolean created) {}

  public Pushed push(Push push, String actor) {
    return push(push, actor, null);
  }

  /**
   * As {@link #push(Push, String)}, counting the new version's files against {@code quotaBytes} (when
   * not null) together with the files of every version {@code actor} pushed before: a supplier's quota.
   * The count is taken under the library's lock, so two pushes at once (on two servers) cannot both
   * fit in what is left for one.
   */
  public Pushed push(Push push, String actor, Long quotaBytes) {
    Component component = components.find(push.component())
        .orElseThrow(() -> new NotFoundException("component", push.component().toString()));
    List<Finding> findings = new ArrayList<>();
    if (!Version.isValid(push.version())) {
      findings.add(Finding.of("version", Version.describe(push.version())));
    }
    push.attributes().forEach((key, value) -> {
      if (!ATTRIBUTE_KEY.matcher(key).matches()) {
        findings.add(Finding.of("attributes." + key, "\"" + key + "\" is not a valid attribute name"));
      } else if (value == null || value.isBlank()) {
        findings.add(Finding.of("attributes." + key, "attribute \"" + key + "\" has no value"));
      }
    });
    for (String required : component.definition().requiredAttributes()) {
      if (!push.attributes().containsKey(required)) {
        findings.add(Finding.of("attributes." + required, "component " + push.component()
            + " requires the attribute \"" + required + "\" on every version"));
      }
    }
    Set<String> paths = new HashSet<>();
    List<String> allPaths = new ArrayList<>();
    push.uploads().forEach(u -> allPaths.add(u.path()));
    push.external().forEach(e -> allPaths.add(e.path()));
    for (String path : allPaths) {
      String problem = ArtifactPaths.problem(path);
      if (problem != null) {
        findings.add(Finding.of("artifact", problem));
      } else if (!paths.add(path)) {
        findings.add(Finding.of("artifact", "artifact path \"" + path + "\" is given twice"));
      }
    }
    for (int i = 0; i < push.external().size(); i++) {
      External e = push.external().get(i);
      try {
        Digest.parse(e.digest());
      } catch (IllegalArgumentException ex) {
        findings.add(Finding.of("external[" + i + "].digest", ex.getMessage()));
      }
      if (!isAbsoluteUrl(e.url())) {
        findings.add(Finding.of("external[" + i + "].url", "\"" + e.url() + "\" is not an absolute http(s) URL"));
      }
    }
    if (allPaths.isEmpty() && push.attributes().isEmpty()) {
      findings.add(Finding.of("artifact", "a version needs at least one artifact, an external reference, "
          + "or identifying attributes (serial number, model, document reference)"));
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("version " + push.component() + "@" + push.version() + " is refused", findings);
    }

    List<ArtifactStore.Staged> staged = new ArrayList<>();
    try {
      for (Upload upload : push.uploads()) {
        try (InputStream in = upload.source().open()) {
          staged.add(store.stage(in, maxArtifactBytes, upload.path()));
        } catch (IOException e) {
          throw new UncheckedIOException("could not read upload " + upload.path(), e);
        }
      }
      return record(push, component, staged, findings, actor, quotaBytes);
    } finally {
      staged.forEach(ArtifactStore.Staged::close);
    }
  }

  /** Checks what was received and records the version, moving its files into the library as it does. */
  private Pushed record(Push push, Component component, List<ArtifactStore.Staged> staged, List<Finding> findings,
      String actor, Long quotaBytes) {
    List<Artifact> artifacts = new ArrayList<>();
    Map<Digest, ArtifactStore.Staged> received = new java.util.HashMap<>();
    for (int i = 0; i < staged.size(); i++) {
      ArtifactStore.Staged file = staged.get(i);
      artifacts.add(new Artifact(push.uploads().get(i).path(), file.digest(), file.size(), null));
      received.put(file.digest(), file);
    }
    for (External e : push.external()) {
      artifacts.add(new Artifact(e.path(), Digest.parse(e.digest()), null, e.url()));
    }
    artifacts.sort(Comparator.comparing(Artifact::path));
    List<Sbom> sboms = new ArrayList<>();
    for (Artifact artifact : artifacts) {
      if (artifact.external()) {
        if (SbomFormat.byName(artifact.path()) != null) {
          findings.add(Finding.of("artifact", "SBOM " + artifact.path() + " is referenced by URL; an SBOM is "
              + "validated when it is pushed, so push it as a file"));
        }
        continue;
      }
      try {
        Sbom sbom = readSbom(artifact, digest -> store.open(received.get(digest)));
        if (sbom != null) {
          sboms.add(sbom);
        }
      } catch (SbomReader.Invalid e) {
        findings.add(Finding.of("artifact", "SBOM " + artifact.path() + " is not valid: " + e.getMessage()));
      }
    }
    if (!findings.isEmpty()) {
      throw new InvalidInputException("version " + push.component() + "@" + push.version() + " is refused", findings);
    }
    Map<String, String> attributes = new TreeMap<>(push.attributes());
    Digest content = contentDigest(artifacts, attributes);
    Version version = new Version(push.version());

    return keep(staged, () -> {
      var existing = versions.find(push.component(), version.value());
      if (existing.isPresent()) {
        if (existing.get().contentDigest().equals(content)) {
          return new Pushed(existing.get(), false);
        }
        throw new ConflictException("version " + push.component() + "@" + version + " already exists with other "
            + "content (" + existing.get().contentDigest() + ", this push is " + content
            + "); versions are immutable: push it as a new version");
      }
      if (quotaBytes != null) {
        long used = versions.bytesPushedBy(actor);
        long adding = artifacts.stream().filter(a -> a.size() != null).mapToLong(Artifact::size).sum();
        if (used + adding > quotaBytes) {
          throw InvalidInputException.of("artifact", "over the library quota of " + actor + ": its versions hold "
              + used + " bytes, this one would add " + adding + ", and a supplier may push " + quotaBytes
              + " bytes in all (gantry.library.supplier-quota-bytes)");
        }
      }
      ComponentVersion inserted = versions.insert(component.id(), push.component(), version, content, attributes,
          artifacts, actor, clock.instant());
      versions.insertSboms(inserted.id(), sboms);
      return new Pushed(inserted, true);
    });
  }

  /**
   * Records what references received files and moves those files into the library, in one
   * transaction holding the library's lock (across servers): the records first, the files last, so a
   * refusal while recording (a version that exists with other content, say) leaves no file behind, and
   * a prune never runs between a file's arrival and its record's commit. Should the commit itself fail,
   * the files this moved in that nothing references are removed again. The staged files are removed
   * in every case.
   */
  public <T> T keep(List<ArtifactStore.Staged> files, Supplier<T> records) {
    List<Digest> placed = new ArrayList<>();
    try {
      return tx.execute(status -> {
        versions.lockLibrary();
        T result = records.get();
        for (ArtifactStore.Staged file : files) {
          if (store.place(file)) {
            placed.add(file.digest());
          }
        }
        return result;
      });
    } catch (RuntimeException e) {
      if (!placed.isEmpty()) {
        try {
          tx.executeWithoutResult(status -> {
            versions.lockLibrary();
            Set<Digest> referenced = referenced();
            placed.stream().filter(d -> !referenced.contains(d)).forEach(store::remove);
          });
        } catch (RuntimeException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw e;
    } finally {
      files.forEach(ArtifactStore.Staged::close);
    }
  }

  /** A library file a prune removes (or would remove): unreferenced, or a staged upload left behind. */
  public record PrunedFile(String path, String digest, long size) {}

  /** What a prune removed, or with {@code dryRun} would remove. */
  public record Pruned(boolean dryRun, List<PrunedFile> files, long bytes) {}

  /**
   * Removes the library files that no version and no other module references, and staged uploads
   * older than {@link #STAGED_MAX_AGE}; with {@code dryRun}, only says which. Holds the library's lock,
   * so no push is between moving a file in and recording it.
   */
  public Pruned prune(boolean dryRun) {
    return tx.execute(status -> {
      versions.lockLibrary();
      Set<Digest> referenced = referenced();
      List<PrunedFile> files = new ArrayList<>();
      for (ArtifactStore.Blob blob : store.blobs()) {
        if (!referenced.contains(blob.digest())) {
          files.add(new PrunedFile(store.root().relativize(store.pathOf(blob.digest())).toString(),
              blob.digest().value(), blob.size()));
          if (!dryRun) {
            store.remove(blob.digest());
          }
        }
      }
      for (java.nio.file.Path left : store.stagedBefore(clock.instant().minus(STAGED_MAX_AGE))) {
        try {
          files.add(new PrunedFile(store.root().relativize(left).toString(), null, java.nio.file.Files.size(left)));
          if (!dryRun) {
            java.nio.file.Files.deleteIfExists(left);
          }
        } catch (IOException e) {
          throw new UncheckedIOException("could not remove the staged upload " + left, e);
        }
      }
      return new Pruned(dryRun, files, files.stream().mapToLong(PrunedFile::size).sum());
    });
  }

  private Set<Digest> referenced() {
    Set<Digest> referenced = new HashSet<>(versions.artifactDigests());
    references.forEach(r -> referenced.addAll(r.digests()));
    return referenced;
  }

  /** The SBOMs read from the version's artifacts when it was pushed, each with the components it lists. */
  public List<Sbom> sboms(ComponentVersion version) {
    return versions.sboms(version.id());
  }

  /**
   * Why the version does not carry a valid SBOM of the format required ({@code cyclonedx}, {@code spdx}
   * or {@code any}), or null when it does. Every SBOM among its artifacts is read again from the library
   * (which checks its digest) and validated again with its format's library, so a version pushed
   * before SBOMs were read, or bytes changed since, cannot pass unchecked; one invalid SBOM is a
   * problem even beside a valid one.
   */
  public String sbomProblem(ComponentVersion version, String required) {
    SbomFormat wanted = switch (required) {
      case "cyclonedx" -> SbomFormat.CYCLONEDX;
      case "spdx" -> SbomFormat.SPDX;
      case "any" -> null;
      default -> throw new IllegalArgumentException("unknown SBOM requirement " + required);
    };
    List<Sbom> found = new ArrayList<>();
    for (Artifact artifact : version.artifacts()) {
      if (artifact.external()) {
        if (SbomFormat.byName(artifact.path()) != null) {
          return "SBOM " + artifact.path() + " is held outside the library (" + artifact.url() + "), so it cannot "
              + "be validated";
        }
        continue;
      }
      try {
        Sbom sbom = readSbom(artifact);
        if (sbom != null) {
          found.add(sbom);
        }
      } catch (SbomReader.Invalid e) {
        return "SBOM " + artifact.path() + " is not valid: " + e.getMessage();
      } catch (IntegrityViolationException | UncheckedIOException e) {
        return "SBOM " + artifact.path() + ": " + e.getMessage();
      }
    }
    if (found.stream().anyMatch(s -> wanted == null || s.format() == wanted)) {
      return null;
    }
    String what = wanted == null ? "a CycloneDX or SPDX SBOM" : wanted == SbomFormat.SPDX ? "an SPDX SBOM"
        : "a CycloneDX SBOM";
    return "the model requires " + what + " in JSON, which " + version.component() + "@" + version.version()
        + " lacks" + (found.isEmpty() ? "" : " (it has " + found.stream().map(s -> s.format().title() + " " + s.path())
            .collect(java.util.stream.Collectors.joining(", ")) + ")")
        + "; push it with a new version as " + switch (wanted == null ? "any" : wanted.id()) {
          case "cyclonedx" -> "bom.json or NAME.cdx.json";
          case "spdx" -> "NAME.spdx.json";
          default -> "bom.json, NAME.cdx.json (CycloneDX) or NAME.spdx.json (SPDX)";
        };
  }

  /**
   * The SBOM a stored artifact holds, read and validated, or null when it is not one. An artifact is an
   * SBOM when its name says so ({@link SbomFormat#byName}) or, for another {@code .json} file no larger
   * than an SBOM may be, when its top-level fields say so.
   */
  private Sbom readSbom(Artifact artifact) throws SbomReader.Invalid {
    return readSbom(artifact, store::open);
  }

  private Sbom readSbom(Artifact artifact, java.util.function.Function<Digest, InputStream> open)
      throws SbomReader.Invalid {
    SbomFormat format = SbomFormat.byName(artifact.path());
    long size = artifact.size() == null ? Long.MAX_VALUE : artifact.size();
    if (format == null) {
      if (!artifact.path().toLowerCase(java.util.Locale.ROOT).endsWith(".json") || size > maxSbomBytes) {
        return null;
      }
      try (InputStream in = open.apply(artifact.digest())) {
        format = SbomReader.sniff(in);
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + artifact.path() + " from the library", e);
      }
      if (format == null) {
        return null;
      }
    }
    if (size > maxSbomBytes) {
      throw new SbomReader.Invalid("it is " + size + " bytes; an SBOM may be at most " + maxSbomBytes
          + " bytes (gantry.dml.max-sbom-bytes)");
    }
    byte[] bytes;
    try (InputStream in = open.apply(artifact.digest())) {
      bytes = SbomReader.readBounded(in, maxSbomBytes).orElseThrow(() -> new SbomReader.Invalid(
          "it is larger than an SBOM may be (" + maxSbomBytes + " bytes, gantry.dml.max-sbom-bytes)"));
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + artifact.path() + " from the library", e);
    }
    return SbomReader.read(artifact.path(), format, bytes);
  }

  /** Moves a version to another status, as the status table allows. */
  public ComponentVersion changeStatus(ComponentRef ref, String version, VersionStatus next, String reason,
      long expectedRowVersion, String actor) {
    if (reason == null || reason.isBlank()) {
      throw InvalidInputException.of("reason", "a reason is required to change the status of a version");
    }
    return tx.execute(status -> {
      ComponentVersion current = get(ref, version);
      if (current.status() == next) {
        throw new ConflictException("version " + ref + "@" + version + " is already " + next.id());
      }
      if (!current.status().canBecome(next)) {
        throw new ConflictException("version " + ref + "@" + version + " is " + current.status().id()
            + " and cannot become " + next.id());
      }
      return versions.changeStatus(current, next, actor, reason, expectedRowVersion, clock.instant());
    });
  }

  public ComponentVersion get(ComponentRef ref, String version) {
    return versions.find(ref, version)
        .orElseThrow(() -> new NotFoundException("version", ref + "@" + version));
  }

  /** Versions registered after {@code since}, oldest first (for those who act on new versions). */
  public List<ComponentVersion> registeredSince(java.time.Instant since) {
    return versions.registeredSince(since);
  }

  /** Versions approved after {@code since} that are approved still, oldest approval first. */
  public List<ComponentVersion> approvedSince(java.time.Instant since) {
    return versions.approvedSince(since);
  }

  /** The version of a component registered last that is not withdrawn, if any. */
  public java.util.Optional<ComponentVersion> newest(ComponentRef ref) {
    return versions.newest(ref);
  }

  /** Opens a stored artifact; the stream fails at its end if the bytes no longer match the digest. */
  public InputStream open(Artifact artifact) {
    if (artifact.external()) {
      throw new ConflictException("artifact " + artifact.path() + " is held outside the library at " + artifact.url());
    }
    return store.open(artifact.digest());
  }

  /**
   * The file of a stored artifact, for a receiver that checks its bytes against the digest before anything uses
   * them (an agent's download): see {@link ArtifactStore#fileForCheckingReceiver}.
   */
  public java.nio.file.Path fileForCheckingReceiver(Artifact artifact) {
    if (artifact.external()) {
      throw new ConflictException("artifact " + artifact.path() + " is held outside the library at " + artifact.url());
    }
    return store.fileForCheckingReceiver(artifact.digest());
  }

  /** Checks every stored artifact of a version against its digest. */
  public void verify(ComponentVersion version) {
    version.artifacts().forEach(this::verify);
  }

  /** Checks one stored artifact against its digest; external artifacts are checked where they are fetched. */
  public void verify(Artifact artifact) {
    if (!artifact.external()) {
      store.verify(artifact.digest());
    }
  }

  static Digest contentDigest(List<Artifact> artifacts, Map<String, String> attributes) {
    var sha = ArtifactStore.sha256();
    for (Artifact a : artifacts) {
      sha.update(("artifact\t" + a.path() + "\t" + a.digest() + "\t" + (a.url() == null ? "" : a.url()) + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    attributes.forEach((k, v) -> sha.update(("attribute\t" + k + "\t" + v + "\n").getBytes(StandardCharsets.UTF_8)));
    return Digest.ofSha256(sha.digest());
  }

  private static boolean isAbsoluteUrl(String url) {
    try {
      URI uri = new URI(url);
      return uri.getScheme() != null && (uri.getScheme().equals("https") || uri.getScheme().equals("http"))
          && uri.getHost() != null;
    } catch (Exception e) {
      return false;
    }
  }
}
