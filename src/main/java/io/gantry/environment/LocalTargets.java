package io.gantry.environment;

import io.gantry.shared.StartupProblem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Where the folders of local targets are, and where they may not be. A relative {@code spec.path}
 * resolves under {@code gantry.targets.local-root} (by default the folder {@code targets} beside the
 * data directory, {@code <data-dir>/../targets}); an absolute one is taken as it is. No folder of a local
 * target may be the data directory ({@code gantry.data-dir}: the database, the secrets key, the first
 * administrator's token, the artifact library, step output), lie inside it or hold it, and neither may
 * the local root: steps on a local target run as the server's OS user (unless {@code gantry.targets.run-as}
 * names another), and a script there must not find Gantry's own files next door. What exists of a path is
 * looked at through its symbolic links, so a link into the data directory is refused too.
 */
@Component
public final class LocalTargets {

  private final Path dataDir;
  private final Path root;

  /**
   * @param dataDir the data directory
   * @param localRoot the folder relative target paths resolve under; null or blank means the folder
   *     {@code targets} beside the data directory
   * @throws StartupProblem when the local root is the data directory, inside it or holds it
   */
  @Autowired
  public LocalTargets(@Value("${gantry.data-dir:./data}") Path dataDir,
      @Value("${gantry.targets.local-root:}") String localRoot) {
    this.dataDir = dataDir.toAbsolutePath().normalize();
    Path chosen;
    try {
      chosen = localRoot == null || localRoot.isBlank() ? this.dataDir.resolveSibling("targets")
          : Path.of(localRoot.strip());
    } catch (InvalidPathException e) {
      throw new StartupProblem("gantry.targets.local-root \"" + localRoot + "\" is not a valid path: " + e.getReason());
    }
    this.root = chosen.toAbsolutePath().normalize();
    String overlap = overlap(root);
    if (overlap != null) {
      throw new StartupProblem("gantry.targets.local-root " + root + " " + overlap
          + "; local targets must live outside it: set gantry.targets.local-root to a folder outside "
          + this.dataDir);
    }
  }

  /** With the default local root, the folder {@code targets} beside {@code dataDir}. */
  public static LocalTargets beside(Path dataDir) {
    return new LocalTargets(dataDir, null);
  }

  /** The data directory, absolute. */
  public Path dataDir() {
    return dataDir;
  }

  /** The folder relative target paths resolve under, absolute. */
  public Path root() {
    return root;
  }

  /** The folder of a local target declared with {@code path}: absolute, normalized. */
  public Path resolve(String path) {
    Path p = Path.of(path);
    return (p.isAbsolute() ? p : root.resolve(p)).toAbsolutePath().normalize();
  }

  /**
   * What is wrong with a local target declared with {@code path}, or null when nothing is: a path that
   * is no path, or one whose folder is the data directory, lies inside it or holds it.
   */
  public String problem(String path) {
    if (path == null || path.isBlank()) {
      return "a local target needs a folder (spec.path)";
    }
    Path folder;
    try {
      folder = resolve(path);
    } catch (InvalidPathException e) {
      return "\"" + path + "\" is not a valid path: " + e.getReason();
    }
    String overlap = overlap(folder);
    return overlap == null ? null : "the folder \"" + path + "\" resolves to " + folder + ", which " + overlap
        + "; a script on the target could read Gantry's database and keys there. Put local targets outside "
        + "it: a relative path resolves under " + root;
  }

  /**
   * Moves the folders an earlier Gantry kept local targets in, inside the data directory, to where they
   * are now, and answers one line per move. For each of {@code declared}'s local targets with a relative
   * path {@code P}, the earlier folder is {@code <data-dir>/P} when {@code P} starts with {@code targets/}
   * (a declaration left as it was), else {@code <data-dir>/targets/P} (one that dropped the
   * {@code targets/} the examples had); a real folder there (not a link) is moved to {@link #resolve}
   * {@code (P)} when nothing is there yet. Every move is checked before any is made; nothing outside
   * {@code <data-dir>/targets} is ever moved.
   *
   * @throws StartupProblem when something is already where a folder would go, when two targets claim one
   *     earlier folder (nothing is moved then), or when a move fails
   */
  public java.util.List<String> moveOutOfDataDirectory(java.util.List<Target> declared) {
    return OldTargetFolders.moveAll(declared, this);
  }

  /** How {@code folder} meets the data directory (lexically or through links), or null when it does not. */
  private String overlap(Path folder) {
    String lexical = overlap(folder, dataDir);
    if (lexical != null) {
      return lexical;
    }
    Path real = real(folder);
    String linked = overlap(real, real(dataDir));
    return linked == null ? null : linked + " (through a symbolic link: it is " + real + ")";
  }

  private String overlap(Path folder, Path data) {
    if (folder.equals(data)) {
      return "is the data directory";
    }
    if (folder.startsWith(data)) {
      return "is inside the data directory " + data;
    }
    if (data.startsWith(folder)) {
      return "holds the data directory " + data;
    }
    return null;
  }

  /**
   * The path as the file system sees it: the longest part that exists with its links resolved, then the
   * rest; a link to something that does not exist (yet) is followed too.
   */
  static Path real(Path path) {
    return real(path.toAbsolutePath().normalize(), 40);
  }

  private static Path real(Path absolute, int links) {
    for (Path existing = absolute; existing != null; existing = existing.getParent()) {
      Path rest = existing.relativize(absolute);
      try {
        return existing.toRealPath().resolve(rest).normalize();
      } catch (IOException e) {
        // not there, or a link to what is not there: follow the link, else try the parent
      }
      if (links > 0 && existing.getParent() != null && Files.isSymbolicLink(existing)) {
        try {
          Path to = existing.getParent().resolve(Files.readSymbolicLink(existing));
          return real(to.resolve(rest).toAbsolutePath().normalize(), links - 1);
        } catch (IOException e) {
          // unreadable link: take the path as it is written
        }
      }
    }
    return absolute;
  }
}
