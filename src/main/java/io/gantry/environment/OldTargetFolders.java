package io.gantry.environment;

import io.gantry.shared.StartupProblem;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The folders an earlier Gantry kept local targets in, inside the data directory, and their move to the
 * local root (see {@link LocalTargets#moveOutOfDataDirectory}).
 */
final class OldTargetFolders {

  private OldTargetFolders() {}

  /** One planned move: the old folder of a target and where it goes. */
  record Move(String target, Path from, Path to) {}

  /**
   * Moves the old folders of {@code declared}'s local targets to their new places and answers one line per
   * move; checks every move before making any.
   *
   * @throws StartupProblem when a new place exists already or two targets claim one old folder
   */
  static List<String> moveAll(List<Target> declared, LocalTargets places) {
    List<Move> moves = plan(declared, places);
    List<String> lines = new ArrayList<>();
    for (Move move : moves) {
      try {
        Files.createDirectories(move.to().getParent());
        move(move.from(), move.to());
      } catch (IOException e) {
        throw new StartupProblem("could not move the folder of local target " + move.target() + " from "
            + move.from() + " to " + move.to() + ": " + e + "; move it by hand, then start again");
      }
      lines.add("Moved the folder of local target " + move.target() + " out of the data directory: "
          + move.from() + " -> " + move.to());
    }
    return lines;
  }

  private static List<Move> plan(List<Target> declared, LocalTargets places) {
    Path oldRoot = places.dataDir().resolve("targets");
    Map<Path, Move> claimed = new LinkedHashMap<>();
    for (Target target : declared) {
      String path = target.definition().path();
      if (target.definition().kind() != TargetKind.LOCAL || path == null || places.problem(path) != null) {
        continue;
      }
      Path relative;
      try {
        relative = Path.of(path).normalize();
      } catch (InvalidPathException e) {
        continue;
      }
      if (relative.isAbsolute()) {
        continue;
      }
      Path from = (relative.startsWith("targets") ? places.dataDir().resolve(relative) : oldRoot.resolve(relative))
          .normalize();
      if (!from.startsWith(oldRoot) || from.equals(oldRoot)
          || !Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      Path to = places.resolve(path);
      Move earlier = claimed.get(from);
      if (earlier != null) {
        throw new StartupProblem("local targets " + earlier.target() + " and " + target.name() + " both had the "
            + "folder " + from + " in the data directory; nothing was moved: move it by hand to the place of the "
            + "one it belongs to (" + earlier.to() + " or " + to + "), then start again");
      }
      if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
        throw new StartupProblem("local target " + target.name() + " has a folder both where an earlier Gantry put "
            + "it, " + from + ", and where it is now, " + to + "; nothing was moved: keep the one you want, "
            + "remove or rename the other, then start again");
      }
      claimed.put(from, new Move(target.name(), from, to));
    }
    return List.copyOf(claimed.values());
  }

  /** Renames the folder; across file systems, copies it (links as links) and then deletes the old one. */
  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
      return;
    } catch (AtomicMoveNotSupportedException | DirectoryNotEmptyException e) {
      // another file system: copy, then delete
    }
    Files.walkFileTree(from, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
        Files.copy(dir, to.resolve(from.relativize(dir).toString()), LinkOption.NOFOLLOW_LINKS,
            StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.copy(file, to.resolve(from.relativize(file).toString()), LinkOption.NOFOLLOW_LINKS,
            StandardCopyOption.COPY_ATTRIBUTES);
        return FileVisitResult.CONTINUE;
      }
    });
    io.gantry.shared.Folders.deleteTree(from);
  }
}
