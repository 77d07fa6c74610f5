package io.gantry.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Reads the YAML files of a directory (recursively, in name order) or a single file. */
public final class ConfigFiles {

  private ConfigFiles() {}

  public static List<ConfigFile> read(Path path) {
    if (!Files.exists(path)) {
      throw new IllegalArgumentException("configuration path " + path + " does not exist");
    }
    try (Stream<Path> walk = Files.isDirectory(path) ? Files.walk(path) : Stream.of(path)) {
      return walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .map(p -> {
            try {
              return new ConfigFile(p.toString(), Files.readString(p, StandardCharsets.UTF_8));
            } catch (IOException e) {
              throw new UncheckedIOException("cannot read " + p, e);
            }
          }).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path, e);
    }
  }
}
