package io.gantry.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "push", description = "Register a version of a component in the definitive media library, "
    + "uploading its files.", footer = ExitCode.FOOTER)
final class PushCommand extends ApiCommand {

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  @Parameters(index = "0", paramLabel = "SERVICE/COMPONENT@VERSION", description = "e.g. shop/web@1.4.0")
  String ref;

  @Parameters(index = "1..*", paramLabel = "PATH", arity = "0..*",
      description = "files (stored under their file name) and directories (their files, under their paths "
          + "inside the directory)")
  List<String> paths = new ArrayList<>();

  @Option(names = "--url", paramLabel = "URL", description = "an artifact kept elsewhere, not uploaded")
  String url;

  @Option(names = "--digest", paramLabel = "sha256:HEX", description = "the digest of the --url artifact")
  String digest;

  @Option(names = "--name", paramLabel = "PATH",
      description = "path of the --url artifact inside the version (default: the URL's last segment)")
  String name;

  @Option(names = "--attr", paramLabel = "KEY=VALUE", description = "an attribute of the version (repeatable)")
  Map<String, String> attributes = new LinkedHashMap<>();

  @Override
  void run() {
    ComponentRef version = ComponentRef.parse(ref, true);
    ObjectNode external = external();
    Map<String, Path> artifacts = artifacts();
    if (external != null && artifacts.containsKey(external.path("path").asString())) {
      throw new CliException(ExitCode.INVALID_INPUT, "\"" + external.path("path").asString()
          + "\" is both an uploaded file and the --url artifact");
    }

    ObjectNode manifest = ApiClient.JSON.createObjectNode();
    manifest.put("version", version.version());
    ObjectNode attrs = manifest.putObject("attributes");
    attributes.forEach(attrs::put);
    var externals = manifest.putArray("external");
    if (external != null) {
      externals.add(external);
    }

    Multipart body = new Multipart().text("manifest", "application/json", ApiClient.JSON.writeValueAsString(manifest));
    long bytes = 0;
    for (Map.Entry<String, Path> artifact : artifacts.entrySet()) {
      body.file("artifact", artifact.getKey(), artifact.getValue());
      bytes += size(artifact.getValue());
    }
    var publisher = body.body();
    UploadProgress progress = new UploadProgress(err(), version.toString(), publisher.contentLength(), System::nanoTime);
    ApiClient.Answer answer = api().exchange("POST", version.componentPath() + "/versions", body.contentType(),
        progress.around(publisher));

    Output output = output();
    if (output.json()) {
      output.printJson(answer.body());
      return;
    }
    JsonNode stored = answer.body();
    String summary = version + ": status " + stored.path("status").asString("?") + ", "
        + stored.path("artifacts").size() + " artifact(s), " + UploadProgress.size(bytes) + " uploaded, digest "
        + stored.path("contentDigest").asString("-");
    out().println(answer.status() == 201 ? "Pushed " + summary
        : "Already registered with identical content, nothing changed: " + summary);
  }

  private ObjectNode external() {
    if (url == null) {
      if (digest != null || name != null) {
        throw usage((digest != null ? "--digest" : "--name") + " describes an artifact kept elsewhere and needs --url");
      }
      return null;
    }
    if (digest == null) {
      throw usage("--url needs --digest sha256:HEX, the digest of the artifact at that URL");
    }
    String normalized = digest.toLowerCase(Locale.ROOT);
    if (!DIGEST.matcher(normalized).matches()) {
      throw usage("--digest \"" + digest + "\" is not sha256: followed by 64 hexadecimal digits");
    }
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw usage("--url \"" + url + "\" is not a URL");
    }
    if (uri.getScheme() == null) {
      throw usage("--url \"" + url + "\" is not a URL (it has no scheme such as https:)");
    }
    String path = name;
    if (path == null) {
      String uriPath = uri.getPath() == null ? "" : uri.getPath();
      path = uriPath.substring(uriPath.lastIndexOf('/') + 1);
      if (path.isEmpty()) {
        throw usage("--url " + url + " does not end in a file name: give --name PATH");
      }
    }
    ObjectNode external = ApiClient.JSON.createObjectNode();
    external.put("path", path).put("url", url).put("digest", normalized);
    return external;
  }

  /** The files to upload, by their path inside the version, in a stable order. */
  private Map<String, Path> artifacts() {
    Map<String, Path> artifacts = new TreeMap<>();
    Path cwd = root().cli.cwd;
    for (String given : paths) {
      Path path = cwd.resolve(given);
      if (Files.isRegularFile(path)) {
        add(artifacts, path.getFileName().toString(), path);
      } else if (Files.isDirectory(path)) {
        try (Stream<Path> walk = Files.walk(path)) {
          for (Path file : walk.filter(Files::isRegularFile).toList()) {
            add(artifacts, path.relativize(file).toString().replace('\\', '/'), file);
          }
        } catch (IOException | UncheckedIOException e) {
          throw new CliException(ExitCode.INVALID_INPUT, "cannot read " + given + ": " + e.getMessage());
        }
      } else {
        throw new CliException(ExitCode.INVALID_INPUT, given + ": no such file or directory");
      }
    }
    return artifacts;
  }

  private static void add(Map<String, Path> artifacts, String name, Path file) {
    Path earlier = artifacts.putIfAbsent(name, file);
    if (earlier != null) {
      throw new CliException(ExitCode.INVALID_INPUT, "two files would be stored as \"" + name + "\": " + earlier
          + " and " + file);
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new CliException(ExitCode.INVALID_INPUT, "cannot read " + file + ": " + e.getMessage());
    }
  }
}
