package io.gantry.cli;

import java.io.FileNotFoundException;
import java.net.URLEncoder;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A {@code multipart/form-data} body whose file parts are streamed from disk as they are sent, so a
 * large upload never sits in memory.
 */
final class Multipart {

  private final String boundary = "gantry-" + UUID.randomUUID();
  private final List<BodyPublisher> parts = new ArrayList<>();

  String contentType() {
    return "multipart/form-data; boundary=" + boundary;
  }

  Multipart text(String name, String contentType, String value) {
    bytes(head(name, null, contentType) + value + "\r\n");
    return this;
  }

  Multipart file(String name, String filename, Path file) {
    bytes(head(name, filename, "application/octet-stream"));
    try {
      parts.add(BodyPublishers.ofFile(file));
    } catch (FileNotFoundException e) {
      throw new CliException(ExitCode.INVALID_INPUT, file + ": no such file");
    }
    bytes("\r\n");
    return this;
  }

  BodyPublisher body() {
    List<BodyPublisher> all = new ArrayList<>(parts);
    all.add(BodyPublishers.ofString("--" + boundary + "--\r\n", StandardCharsets.UTF_8));
    return BodyPublishers.concat(all.toArray(BodyPublisher[]::new));
  }

  private void bytes(String text) {
    parts.add(BodyPublishers.ofString(text, StandardCharsets.UTF_8));
  }

  private String head(String name, String filename, String contentType) {
    StringBuilder head = new StringBuilder("--").append(boundary).append("\r\n")
        .append("Content-Disposition: form-data; name=\"").append(quoted(name)).append('"');
    if (filename != null) {
      head.append("; filename=\"").append(quoted(filename)).append('"');
      if (!StandardCharsets.US_ASCII.newEncoder().canEncode(filename)) {
        head.append("; filename*=UTF-8''")
            .append(URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20"));
      }
    }
    return head.append("\r\nContent-Type: ").append(contentType).append("\r\n\r\n").toString();
  }

  private static String quoted(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
