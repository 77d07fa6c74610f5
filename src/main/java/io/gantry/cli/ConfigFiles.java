package io.gantry.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The configuration files named on the command line: a single file, or every {@code *.yaml} and
 * {@code *.yml} under a directory. Each is named as the user would write it (the given path plus the
 * path inside the directory, with '/'), so the server's errors point at files the user can open.
 */
final class ConfigFiles {

  record ConfigFile(String name, String content) {}

  private ConfigFiles() {}

  static List<ConfigFile> read(Path cwd, String given) {
    Path root = cwd.resolve(given);
    String prefix = displayName(given);
    if (Files.isRegularFile(root)) {
      return List.of(new ConfigFile(prefix, content(root)));
    }
    if (!Files.isDirectory(root)) {
      throw new CliException(ExitCode.INVALID_INPUT, given + ": no such file or directory");
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.filter(Files::isRegularFile).filter(ConfigFiles::isYaml)
          .sorted(Comparator.comparing(p -> root.relativize(p).toString())).toList();
    } catch (IOException | UncheckedIOException e) {
      throw new CliException(ExitCode.INVALID_INPUT, "cannot read " + given + ": " + e.getMessage());
    }
    if (paths.isEmpty()) {
      throw new CliException(ExitCode.INVALID_INPUT, "there are no *.yaml or *.yml files under " + given);
    }
    List<ConfigFile> files = new ArrayList<>();
    for (Path path : paths) {
      String relative = root.relativize(path).toString().replace('\\', '/');
      files.add(new ConfigFile(prefix.isEmpty() || prefix.equals(".") ? relative : prefix + "/" + relative,
          content(path)));
    }
    return files;
  }

  private static boolean isYaml(Path path) {
    String name = path.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  private static String displayName(String given) {
    String name = Path.of(given).normalize().toString().replace('\\', '/');
    return name.isEmpty() ? "." : name;
  }

  private static String content(Path file) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
          .toString();
    } catch (CharacterCodingException e) {
      throw new CliException(ExitCode.INVALID_INPUT, file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new CliException(ExitCode.INVALID_INPUT, "cannot read " + file + ": " + e.getMessage());
    }
  }
}
