package io.gantry.shared;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Folders on this host. */
public final class Folders {

  private Folders() {}

  /** Deletes a folder and what is in it, removing links rather than following them; nothing when it is absent. */
  public static void deleteTree(Path root) throws IOException {
    deleteTree(root, () -> {});
  }

  /** As {@link #deleteTree(Path)}, running {@code beforeEach} (which may stop it by throwing) before each file goes. */
  public static void deleteTree(Path root, Runnable beforeEach) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        beforeEach.run();
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
