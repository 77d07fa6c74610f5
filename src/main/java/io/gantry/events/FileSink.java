package io.gantry.events;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Appends every event, as a CloudEvent in structured mode on one line, to the file {@code gantry.events.file}
 * (JSON lines), when that is set. Only the server's own setting names the file: no API call can make Gantry write
 * a file. After a crash a line may be written twice (at least once); the event id tells duplicates.
 */
@Component
class FileSink implements Sink, Fanout {

  private final Path file;

  FileSink(@Value("${gantry.events.file:}") String file) {
    this.file = file == null || file.isBlank() ? null : Path.of(file).toAbsolutePath().normalize();
  }

  @Override
  public String channel() {
    return "file";
  }

  @Override
  public List<Destination> destinations(StoredEvent event) {
    return file == null ? List.of() : List.of(new Destination("file", null, file.toString(), null));
  }

  @Override
  public synchronized String send(StoredEvent event, Destination destination) throws IOException, DeliveryFailure {
    if (file == null || !file.toString().equals(destination.address())) {
      // planned when the setting was another: only the file set now is written
      throw new DeliveryFailure("gantry.events.file is no longer " + destination.address(), false);
    }
    Files.createDirectories(file.getParent());
    Files.writeString(file, event.structured() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.APPEND, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
    return "appended to " + file.getFileName();
  }
}
