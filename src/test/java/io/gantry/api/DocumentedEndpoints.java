package io.gantry.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The endpoints the documentation names: every {@code `METHOD /path`} in docs/api.md (paths in its
 * tables are under {@code /api/v1}), and every {@code `METHOD /api/v1/...`} in the other documents.
 */
final class DocumentedEndpoints {

  static final Path DOCS = Path.of("docs");

  record Endpoint(String method, String path, String where) {
    @Override
    public String toString() {
      return method + " " + path + " (" + where + ")";
    }
  }

  private static final Pattern MENTION = Pattern.compile("`(GET|POST|PUT|PATCH|DELETE) (/[^`\\s?]*)[^`]*`"
      + "(?: \\(or `(/[^`]+)`\\))?");

  private DocumentedEndpoints() {}

  static List<Endpoint> all() {
    Set<Endpoint> endpoints = new LinkedHashSet<>();
    try (Stream<Path> files = Files.list(DOCS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
        endpoints.addAll(in(file, file.getFileName().toString().equals("api.md")));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(endpoints);
  }

  /** The endpoints named in one document; relative paths count only where the base path is /api/v1. */
  static List<Endpoint> in(Path file, boolean relativeToApi) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Matcher mention = MENTION.matcher(lines.get(i));
      while (mention.find()) {
        String method = mention.group(1);
        String path = mention.group(2);
        boolean absolute = path.startsWith("/api/");
        if (!absolute && !relativeToApi) {
          continue;
        }
        String where = file.getFileName() + ":" + (i + 1);
        for (String one : alternatives(path)) {
          endpoints.add(new Endpoint(method, absolute ? one : "/api/v1" + one, where));
          if (mention.group(3) != null) {
            String other = one.substring(0, one.lastIndexOf('/')) + mention.group(3);
            endpoints.add(new Endpoint(method, absolute ? other : "/api/v1" + other, where));
          }
        }
      }
    }
    return endpoints;
  }

  /** {@code /config/plan|apply} stands for {@code /config/plan} and {@code /config/apply}. */
  private static List<String> alternatives(String path) {
    int bar = path.indexOf('|');
    if (bar < 0) {
      return List.of(path);
    }
    String prefix = path.substring(0, path.lastIndexOf('/', bar) + 1);
    return Stream.of(path.substring(prefix.length()).split("\\|")).map(last -> prefix + last).toList();
  }
}
