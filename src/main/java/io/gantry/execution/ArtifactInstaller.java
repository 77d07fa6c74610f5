package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.CheckedFile;
import io.gantry.catalog.CheckedStream;
import io.gantry.catalog.Digest;
import io.gantry.catalog.Version;
import io.gantry.model.Step;
import io.gantry.shared.HaltPoint;
import io.gantry.shared.IntegrityViolationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Installs a version into {@code <folder>/<destination>/<version>/} and points {@code <folder>/current}
 * at it, where {@code <folder>} is the component's own folder on the target ({@link ComponentFolder}).
 * Files are written to a staging folder first and hashed as they are written, so a release folder never
 * holds bytes that were not checked on the target itself.
 */
final class ArtifactInstaller {

  static final String CURRENT = "current";
  static final String DEFAULT_DESTINATION = "releases";
  static final int DEFAULT_KEEP_RELEASES = 3;

  private static final Set<PosixFilePermission> READABLE_FOLDER = PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> READABLE_FILE = PosixFilePermissions.fromString("rw-r--r--");

  private final Clock clock;

  ArtifactInstaller(Clock clock) {
    this.clock = clock;
  }

  StepOutcome install(Step.ArtifactInstall step, StepContext ctx) throws IOException {
    return install(step, ctx, StepUser.SERVER);
  }

  /**
   * As {@link #install(Step.ArtifactInstall, StepContext)}; when commands run as another user than the
   * server's, the release stays the server's and is made readable by all (folders 755, files 644, or 755 when
   * executable), whatever the server's umask, so that user's commands can read and run it but not change it.
   */
  StepOutcome install(Step.ArtifactInstall step, StepContext ctx, StepUser user) throws IOException {
    boolean readable = !user.isServer();
    String destination = step.destination() == null ? DEFAULT_DESTINATION : step.destination();
    int keep = step.keepReleases() == null ? DEFAULT_KEEP_RELEASES : step.keepReleases();
    if (keep < 1) {
      throw new StepFailure("keepReleases must be at least 1, not " + keep);
    }
    Path releases = releasesFolder(ctx.targetRoot(), destination);
    String versionName = ctx.versionName();
    List<Artifact> artifacts = chosenArtifacts(step, ctx);
    Deadline deadline = Deadline.of(step, clock);
    String untouched = "nothing was switched: current points where it did before";

    createReadable(releases, readable);
    Path staging = releases.resolve(".staging-" + versionName + "-" + UUID.randomUUID());
    Path release = releases.resolve(versionName);
    long bytes = 0;
    Set<Path> linked = new HashSet<>();
    try {
      Files.createDirectory(staging);
      if (readable) {
        Files.setPosixFilePermissions(staging, READABLE_FOLDER);
      }
      for (Artifact artifact : artifacts) {
        Path file = TargetPaths.artifactPath(staging, artifact.path());
        createReadable(file.getParent(), readable);
        bytes += copyVerified(artifact, file, ctx, deadline, untouched, linked);
        if (readable) {
          Files.setPosixFilePermissions(file, Files.isExecutable(file) ? READABLE_FOLDER : READABLE_FILE);
        }
      }
      deadline.check("about to publish the release", untouched);
      publish(staging, release, artifacts, readable);
    } finally {
      deleteTree(staging);
    }
    // The release's time says when it was last installed: pruning keeps the most recently installed.
    Files.setLastModifiedTime(release, FileTime.from(clock.instant()));
    ctx.log().accept("installed and verified " + artifacts.size() + " file(s), " + bytes + " bytes, in " + release
        + (linked.isEmpty() ? "" : " (" + linked.size() + " linked to the checked download" + (linked.size() == 1 ? ""
        : "s") + " on this host, not copied)"));

    Optional<Path> previous = currentRelease(ctx.targetRoot());
    deadline.check("about to switch current", "the release is in " + ctx.targetRoot().relativize(release)
        + " but current points where it did before");
    pointCurrent(ctx.targetRoot(), release);
    ctx.log().accept("current -> " + ctx.targetRoot().relativize(release)
        + previous.map(p -> " (was " + ctx.targetRoot().relativize(p) + ")").orElse(""));

    Set<Path> protectedReleases = new HashSet<>();
    protectedReleases.add(release);
    previous.ifPresent(protectedReleases::add);
    for (Path pruned : prune(releases, keep, protectedReleases)) {
      ctx.log().accept("removed old release " + ctx.targetRoot().relativize(pruned));
    }
    return new StepOutcome.Succeeded("installed " + ctx.version().component() + "@" + versionName + " ("
        + artifacts.size() + " file(s)) in " + ctx.targetRoot().relativize(release) + "; current points to it");
  }

  /** Removes {@code current} and the releases folder; a target that has neither is already as asked. */
  StepOutcome remove(Step.ArtifactRemove step, StepContext ctx) throws IOException {
    Path root = ctx.targetRoot();
    if (!Files.isDirectory(root)) {
      return new StepOutcome.Succeeded("nothing to remove: the target folder " + root + " does not exist");
    }
    Path releases = releasesFolder(root, step.destination() == null ? DEFAULT_DESTINATION : step.destination());
    Path current = root.resolve(CURRENT);
    if (Files.exists(current, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(current)) {
      throw new StepFailure(current + " is not a symbolic link made by Gantry; it was left alone");
    }
    Deadline deadline = Deadline.of(step, clock);
    ctx.log().accept("removing current and " + root.relativize(releases) + "/");
    deadline.check("about to remove current", "nothing was removed");
    boolean hadCurrent = Files.deleteIfExists(current);
    boolean hadReleases = Files.exists(releases, LinkOption.NOFOLLOW_LINKS);
    deleteTree(releases, () -> deadline.check("removing " + root.relativize(releases) + "/",
        "current is gone and the releases folder is partly removed; running the step again finishes it"));
    String summary = (hadCurrent || hadReleases)
        ? "removed " + (hadCurrent ? "current" : "") + (hadCurrent && hadReleases ? " and " : "")
            + (hadReleases ? root.relativize(releases) + "/" : "")
        : "nothing to remove: no current and no " + root.relativize(releases) + "/";
    ctx.log().accept(summary);
    return new StepOutcome.Succeeded(summary);
  }

  StepOutcome switchCurrent(Path targetRoot, String destination, String version) throws IOException {
    if (!Version.isValid(version)) {
      throw new StepFailure(Version.describe(version));
    }
    Path releases = releasesFolder(targetRoot, destination == null ? DEFAULT_DESTINATION : destination);
    Path release = releases.resolve(version);
    if (!Files.isDirectory(release, LinkOption.NOFOLLOW_LINKS)) {
      throw new StepFailure("there is no release " + version + " at " + release + " to switch to");
    }
    Optional<Path> previous = currentRelease(targetRoot);
    pointCurrent(targetRoot, release);
    return new StepOutcome.Succeeded("current points to " + targetRoot.relativize(release)
        + previous.map(p -> " (was " + targetRoot.relativize(p) + ")").orElse(""));
  }

  /** The release folder {@code current} points to, if there is one. */
  static Optional<Path> currentRelease(Path targetRoot) throws IOException {
    Path current = targetRoot.resolve(CURRENT);
    if (!Files.isSymbolicLink(current)) {
      return Optional.empty();
    }
    return Optional.of(current.resolveSibling(Files.readSymbolicLink(current)).normalize());
  }

  private static Path releasesFolder(Path targetRoot, String destination) {
    Path releases = TargetPaths.inside(targetRoot, destination, "destination");
    if (releases.equals(targetRoot) || releases.startsWith(targetRoot.resolve(CURRENT))) {
      throw new StepFailure("destination \"" + destination + "\" must be a folder of its own under the target "
          + "(e.g. releases), not the target folder itself or current");
    }
    return releases;
  }

  private static List<Artifact> chosenArtifacts(Step.ArtifactInstall step, StepContext ctx) {
    List<Artifact> all = ctx.version().artifacts() == null ? List.of() : ctx.version().artifacts();
    if (step.artifact() == null) {
      if (all.isEmpty()) {
        throw new StepFailure("version " + ctx.version().component() + "@" + ctx.versionName()
            + " has no artifacts to install");
      }
      return all;
    }
    return all.stream().filter(a -> a.path().equals(step.artifact())).findFirst().map(List::of)
        .orElseThrow(() -> new StepFailure("version " + ctx.version().component() + "@" + ctx.versionName()
            + " has no artifact \"" + step.artifact() + "\""));
  }

  /**
   * Writes one artifact, hashing what is written; returns its size. Bytes that come as a {@link CheckedStream} of
   * the artifact's digest are hashed once, by that stream as they are read, which throws at their end before
   * anything is switched should they differ. A {@link CheckedFile} of the artifact's digest, already checked on this
   * host, is linked rather than copied, unless it cannot be (another file system) or was linked into this release
   * already (two paths of one content stay two files); {@code linked} holds the files linked so far.
   */
  private static long copyVerified(Artifact artifact, Path file, StepContext ctx, Deadline deadline,
      String untouched, Set<Path> linked) throws IOException {
    Files.createDirectories(file.getParent());
    MessageDigest sha = sha256();
    long size;
    boolean hashedByStream;
    try (InputStream in = ctx.artifacts().apply(artifact)) {
      if (in instanceof CheckedFile checked && checked.expected().equals(artifact.digest())
          && !linked.contains(checked.file()) && link(checked.file(), file)) {
        linked.add(checked.file());
        return executable(artifact, file, Files.size(file));
      }
      hashedByStream = in instanceof CheckedStream checked && checked.expected().equals(artifact.digest());
      try (OutputStream out = hashedByStream ? Files.newOutputStream(file)
          : new DigestOutputStream(Files.newOutputStream(file), sha)) {
        size = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
          out.write(buffer, 0, n);
          size += n;
          deadline.check("copying " + artifact.path(), untouched);
        }
      }
      if (hashedByStream && !((CheckedStream) in).checked()) {
        throw new StepFailure("artifact " + artifact.path() + " was not read to its end; nothing was switched");
      }
    } catch (IntegrityViolationException e) {
      throw new StepFailure("artifact " + artifact.path() + " failed its integrity check: " + e.getMessage());
    } catch (UncheckedIOException e) {
      throw new StepFailure("could not read artifact " + artifact.path() + ": " + e.getMessage());
    } catch (StepFailure e) {
      throw e;
    } catch (RuntimeException e) {
      // the library refuses e.g. external artifacts; whatever it says is the reason
      throw new StepFailure("could not open artifact " + artifact.path() + ": " + e.getMessage());
    }
    if (!hashedByStream) {
      Digest written = Digest.ofSha256(sha.digest());
      if (!written.equals(artifact.digest())) {
        throw new StepFailure("artifact " + artifact.path() + " arrived on the target as " + written
            + " but the version records " + artifact.digest() + "; nothing was switched");
      }
    }
    return executable(artifact, file, size);
  }

  /** Makes {@code file} executable by its owner when the artifact's path says it is a program; answers size. */
  private static long executable(Artifact artifact, Path file, long size) throws IOException {
    if (artifact.path().endsWith(".sh") || artifact.path().startsWith("bin/") || artifact.path().contains("/bin/")) {
      makeExecutable(file);
    }
    return size;
  }

  /** Whether {@code file} could be made a hard link to {@code checked}; false leaves {@code file} not there. */
  private static boolean link(Path checked, Path file) {
    try {
      Files.createLink(file, checked);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false; // another file system, or one without hard links: copied and hashed instead
    }
  }

  /** {@link Files#createDirectories}, each folder it makes readable by all when {@code readable}. */
  private static void createReadable(Path folder, boolean readable) throws IOException {
    List<Path> missing = new ArrayList<>();
    for (Path p = folder; readable && p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
      missing.add(p);
    }
    Files.createDirectories(folder);
    for (Path made : missing) {
      Files.setPosixFilePermissions(made, READABLE_FOLDER);
    }
  }

  /**
   * Moves the staged files into the release folder: the whole folder at once when it is new,
   * file by file (each replaced atomically) when the version was installed before.
   */
  private static void publish(Path staging, Path release, List<Artifact> artifacts, boolean readable)
      throws IOException {
    if (!Files.exists(release, LinkOption.NOFOLLOW_LINKS)) {
      Files.move(staging, release, StandardCopyOption.ATOMIC_MOVE);
      return;
    }
    if (!Files.isDirectory(release, LinkOption.NOFOLLOW_LINKS)) {
      throw new StepFailure(release + " exists and is not a release folder");
    }
    for (Artifact artifact : artifacts) {
      Path staged = TargetPaths.artifactPath(staging, artifact.path());
      Path target = TargetPaths.artifactPath(release, artifact.path());
      createReadable(target.getParent(), readable);
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Replaces {@code current} with a link to {@code release} in one rename, so it is never missing or half-made. */
  private static void pointCurrent(Path targetRoot, Path release) throws IOException {
    Path current = targetRoot.resolve(CURRENT);
    if (Files.exists(current, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(current)) {
      throw new StepFailure(current + " exists and is not a symbolic link; move it away so it can point to releases");
    }
    // a server that died between making its link and renaming it over current left that link behind
    removeLinks(targetRoot, ".current-*");
    Path link = targetRoot.resolve(".current-" + UUID.randomUUID());
    Files.createSymbolicLink(link, targetRoot.relativize(release));
    try {
      HaltPoint.reached(HaltPoint.CURRENT_SWITCH);
      Files.move(link, current, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(link);
    }
  }

  /** Removes the symbolic links in {@code folder} whose names match {@code glob}; nothing else. */
  static void removeLinks(Path folder, String glob) throws IOException {
    try (DirectoryStream<Path> links = Files.newDirectoryStream(folder, glob)) {
      for (Path link : links) {
        if (Files.isSymbolicLink(link)) {
          Files.deleteIfExists(link);
        }
      }
    }
  }

  /** Removes all but the {@code keep} most recently installed releases, never a protected one. */
  private static List<Path> prune(Path releases, int keep, Set<Path> protectedReleases) throws IOException {
    List<Path> candidates = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(releases)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (Version.isValid(name) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          candidates.add(entry);
        }
      }
    }
    candidates.sort(Comparator.comparing(ArtifactInstaller::installedAt).reversed()
        .thenComparing(p -> new Version(p.getFileName().toString()), Comparator.reverseOrder()));
    List<Path> removed = new ArrayList<>();
    for (int i = keep; i < candidates.size(); i++) {
      Path old = candidates.get(i);
      if (!protectedReleases.contains(old)) {
        deleteTree(old);
        removed.add(old);
      }
    }
    return removed;
  }

  private static FileTime installedAt(Path release) {
    try {
      return Files.getLastModifiedTime(release, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void makeExecutable(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view != null) {
      Set<PosixFilePermission> permissions = new HashSet<>(view.readAttributes().permissions());
      permissions.add(PosixFilePermission.OWNER_EXECUTE);
      if (permissions.contains(PosixFilePermission.GROUP_READ)) {
        permissions.add(PosixFilePermission.GROUP_EXECUTE);
      }
      if (permissions.contains(PosixFilePermission.OTHERS_READ)) {
        permissions.add(PosixFilePermission.OTHERS_EXECUTE);
      }
      view.setPermissions(permissions);
    }
  }

  /** Deletes a folder and what is in it, removing links rather than following them. */
  static void deleteTree(Path root) throws IOException {
    io.gantry.shared.Folders.deleteTree(root);
  }

  private static void deleteTree(Path root, Runnable beforeEach) throws IOException {
    io.gantry.shared.Folders.deleteTree(root, beforeEach);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
