package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentDownloadsTest {

  @Test
  void an_agent_keeps_the_downloads_it_used_last_and_removes_the_others_but_not_a_transfer_under_way(
      @TempDir Path downloads) throws Exception {
    Instant start = Instant.parse("2026-12-01T00:00:00Z");
    for (int i = 0; i < 10; i++) {
      Path file = Files.writeString(downloads.resolve("digest-" + i), "artifact " + i);
      Files.setLastModifiedTime(file, FileTime.from(start.plusSeconds(60L * i)));
    }
    // the oldest download was used again by a later deployment (a rollback to its version)
    Files.setLastModifiedTime(downloads.resolve("digest-0"), FileTime.from(start.plusSeconds(3600)));
    Path part = Files.writeString(downloads.resolve("digest-x.part"), "half");
    Files.setLastModifiedTime(part, FileTime.from(start));

    var removed = AgentProcess.prune(downloads, 8);

    assertThat(removed).containsExactlyInAnyOrder(downloads.resolve("digest-1"), downloads.resolve("digest-2"));
    try (var left = Files.list(downloads)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("digest-0", "digest-3",
          "digest-4", "digest-5", "digest-6", "digest-7", "digest-8", "digest-9", "digest-x.part");
    }
    assertThat(AgentProcess.prune(downloads, 8)).as("nothing more to remove").isEmpty();
  }
}
