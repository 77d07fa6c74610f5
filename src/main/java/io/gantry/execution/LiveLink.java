package io.gantry.execution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * The {@code live} link in a component's folder on the Gantry host, naming the blue-green slot that
 * serves: replaced in one rename, so it always names one slot or the other, never none.
 */
final class LiveLink {

  private LiveLink() {}

  /** Points {@code <folder>/live} at the slot's folder; answers what it pointed to before, or null. */
  static String point(Path folder, String slot) throws IOException {
    String notFolder = LocalLayout.notAFolder(folder);
    if (notFolder != null) {
      throw new StepFailure(notFolder);
    }
    Path slotFolder = folder.resolve(slot);
    if (!Files.isDirectory(slotFolder, LinkOption.NOFOLLOW_LINKS)) {
      throw new StepFailure("there is no slot folder " + slotFolder + " to make live (or it is not a real folder): "
          + "nothing was switched");
    }
    Path live = folder.resolve(Slot.LIVE);
    if (Files.exists(live, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(live)) {
      throw new StepFailure(live + " exists and is not a symbolic link: nothing was switched; move it away");
    }
    String was = Files.isSymbolicLink(live) ? Files.readSymbolicLink(live).toString() : null;
    replace(folder, slot);
    return was;
  }

  /** Puts {@code <folder>/live} back to what it was ({@code was}; null: no link). */
  static void restore(Path folder, String was) throws IOException {
    if (was == null || was.isEmpty()) {
      Files.deleteIfExists(folder.resolve(Slot.LIVE));
    } else {
      replace(folder, was);
    }
  }

  private static void replace(Path folder, String to) throws IOException {
    // a server that died between making its link and renaming it over live left that link behind
    ArtifactInstaller.removeLinks(folder, ".live-*");
    Path link = folder.resolve(".live-" + UUID.randomUUID());
    Files.createSymbolicLink(link, Path.of(to));
    try {
      Files.move(link, folder.resolve(Slot.LIVE), StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(link);
    }
  }
}
