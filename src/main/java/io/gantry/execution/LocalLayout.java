package io.gantry.execution;

import io.gantry.catalog.ComponentRef;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The layout of a local target folder: each component in a folder of its own
 * ({@link ComponentFolder}). A target that still has the shared layout of an earlier Gantry
 * ({@code current} and the releases folder at its top) is moved into the folder of the one component
 * the record says worked there, before any step runs; when the record names no component or several,
 * nothing is moved and the steps are refused, naming the target and what a person must do.
 *
 * <p>The move is one rename per entry, {@code current} last: a server that stops half-way leaves
 * {@code current} at the top, and the next deployment to the target moves the rest.
 */
final class LocalLayout {

  static final String OLD_CURRENT = ArtifactInstaller.CURRENT;

  private LocalLayout() {}

  /**
   * Makes {@code <root>/<component folder>} ready: moves an earlier shared layout first, then makes sure
   * the component's folder is a real folder (never a symbolic link, which could lead anywhere).
   *
   * @param workedHere the components whose steps ever changed files on this target, as recorded;
   *     asked only when an earlier layout is found
   */
  static Preparation prepare(String targetName, Path root, ComponentRef component,
      Supplier<List<ComponentRef>> workedHere) throws IOException {
    String name;
    try {
      name = ComponentFolder.of(component);
    } catch (StepFailure e) {
      return Preparation.refused(e.getMessage());
    }
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      return Preparation.READY; // nothing there yet: the steps make or require what they need
    }
    String note = null;
    if (Files.isSymbolicLink(root.resolve(OLD_CURRENT))) {
      List<ComponentRef> worked = workedHere.get();
      String refused = oldLayoutOwner(targetName, root.toString(), worked);
      if (refused != null) {
        return Preparation.refused(refused);
      }
      ComponentRef owner = worked.getFirst();
      Path ownerFolder = root.resolve(ComponentFolder.of(owner));
      String notFolder = notAFolder(ownerFolder);
      if (notFolder != null) {
        return Preparation.refused(notFolder);
      }
      Files.createDirectories(ownerFolder);
      List<Path> toMove = new ArrayList<>();
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
        for (Path entry : entries) {
          String entryName = entry.getFileName().toString();
          // before the move no step of this Gantry has run here, so every other entry is the earlier layout's
          if (!entryName.equals(OLD_CURRENT) && !entry.equals(ownerFolder)) {
            toMove.add(entry);
          }
        }
      }
      List<String> moved = new ArrayList<>();
      for (Path entry : toMove) {
        Path to = ownerFolder.resolve(entry.getFileName().toString());
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
          return Preparation.refused(bothExist(targetName, entry, to));
        }
        Files.move(entry, to, StandardCopyOption.ATOMIC_MOVE);
        moved.add(entry.getFileName().toString());
      }
      Path current = ownerFolder.resolve(OLD_CURRENT);
      if (Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
        return Preparation.refused(bothExist(targetName, root.resolve(OLD_CURRENT), current));
      }
      // the link is relative (e.g. releases/1.4.0) and its releases folder moved with it, so it still holds
      Files.move(root.resolve(OLD_CURRENT), current, StandardCopyOption.ATOMIC_MOVE);
      note = movedNote(targetName, owner, ownerFolder.toString(), moved);
    }
    Path folder = root.resolve(name);
    String notFolder = notAFolder(folder);
    if (notFolder != null) {
      return Preparation.refused(notFolder);
    }
    if (!Files.exists(folder, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectory(folder);
    }
    return new Preparation(null, note);
  }

  /** Null when the folder is a real folder or absent; else why Gantry will not work in it. */
  static String notAFolder(Path folder) {
    if (Files.isSymbolicLink(folder)) {
      return folder + " is a symbolic link, not a folder: Gantry works only in a real folder of each component's "
          + "own, so nothing was changed; remove the link";
    }
    if (Files.exists(folder, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return folder + " is a file, not a folder: Gantry keeps a component's files there, so nothing was changed; "
          + "move the file away";
    }
    return null;
  }

  /** Null when exactly one component worked on the target (it owns the old layout); else why not. */
  static String oldLayoutOwner(String targetName, String root, List<ComponentRef> worked) {
    String how = "move " + root + "/current, the releases folder and the other files at the top of " + root
        + " into " + root + "/<service>.<component>/ of the component they belong to (or remove them), then deploy "
        + "again";
    if (worked.isEmpty()) {
      return "target " + targetName + " has current at the top of " + root + " (the shared layout of an earlier "
          + "Gantry), but no deployment recorded on " + targetName + " says which component it belongs to, so "
          + "nothing was moved: " + how;
    }
    if (worked.size() > 1) {
      return "target " + targetName + " has current at the top of " + root + " (the shared layout of an earlier "
          + "Gantry), and the record shows " + worked.size() + " components changing files there ("
          + String.join(", ", worked.stream().map(ComponentRef::toString).sorted().toList())
          + "), so which files are whose cannot be known and nothing was moved: " + how;
    }
    return null;
  }

  static String movedNote(String targetName, ComponentRef owner, String ownerFolder, List<String> moved) {
    return "target " + targetName + " had the shared layout of an earlier Gantry: moved current"
        + (moved.isEmpty() ? "" : " and " + String.join(", ", moved.stream().sorted().toList())) + " into "
        + ownerFolder + ", since " + owner + " is the only component the record shows changing files there";
  }

  private static String bothExist(String targetName, Path from, Path to) {
    return "target " + targetName + ": moving the shared layout of an earlier Gantry found both " + from + " and "
        + to + "; nothing more was moved: keep the one that belongs, remove the other, then deploy again";
  }
}
