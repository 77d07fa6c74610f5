package io.gantry.catalog;

import io.gantry.shared.ConflictException;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
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

  public Library(Components components, ComponentVersions versions, ArtifactStore store, TransactionTemplate tx,
      Clock clock, @Value("${gantry.dml.max-artifact-bytes:#{512L * 1024 * 1024}}") long maxArtifactBytes) {
    this.components = components;
    this.versions = versions;
    this.store = store;
    this.tx = tx;
    this.clock = clock;
    this.maxArtifactBytes = maxArtifactBytes;
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

    List<Artifact> artifacts = new ArrayList<>();
    for (Upload upload : push.uploads()) {
      try (InputStream in = upload.source().open()) {
        ArtifactStore.Stored stored = store.store(in, maxArtifactBytes, upload.path());
        artifacts.add(new Artifact(upload.path(), stored.digest(), stored.size(), null));
      } catch (IOException e) {
        throw new UncheckedIOException("could not read upload " + upload.path(), e);
      }
    }
    for (External e : push.external()) {
      artifacts.add(new Artifact(e.path(), Digest.parse(e.digest()), null, e.url()));
    }
    artifacts.sort(Comparator.comparing(Artifact::path));
    Map<String, String> attributes = new TreeMap<>(push.attributes());
    Digest content = contentDigest(artifacts, attributes);
    Version version = new Version(push.version());

    return tx.execute(status -> {
      var existing = versions.find(push.component(), version.value());
      if (existing.isPresent()) {
        if (existing.get().contentDigest().equals(content)) {
          return new Pushed(existing.get(), false);
        }
        throw new ConflictException("version " + push.component() + "@" + version + " already exists with other "
            + "content (" + existing.get().contentDigest() + ", this push is " + content
            + "); versions are immutable: push it as a new version");
      }
      return new Pushed(versions.insert(component.id(), push.component(), version, content, attributes, artifacts,
          actor, clock.instant()), true);
    });
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
