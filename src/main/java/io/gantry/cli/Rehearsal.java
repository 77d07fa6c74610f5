package io.gantry.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The launcher's training run of the client (see {@code gantry}): the class data archive that every later
 * command maps into memory holds the classes this run loaded and linked. One command line would train
 * the path of one command only, so this runs the kinds a user meets: the root's help (every command's
 * model), a failing and a succeeding API call answered in a table and as JSON, and a misused command line.
 * The answers come from a server on loopback that this run starts and stops; nothing is printed.
 */
public final class Rehearsal {

  /** A page of one deployment, in the shape of {@code GET /api/v1/deployments}. */
  private static final String DEPLOYMENTS = """
      {"items":[{"id":1,"kind":"DEPLOY","component":"shop/web","version":"1.0.0","environment":"staging",\
      "state":"SUCCEEDED","requestedBy":"rehearsal","requestedAt":"2026-01-01T00:00:00Z",\
      "finishedAt":"2026-01-01T00:00:01Z","targets":[]}],"total":1,"page":0,"size":20}""";

  private Rehearsal() {}

  /** Runs the command lines and answers how many API calls the loopback server answered. */
  public static int run() throws IOException {
    java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      byte[] body = DEPLOYMENTS.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
      answered.incrementAndGet();
    });
    server.start();
    Path home = Files.createTempDirectory("gantry-rehearsal");
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      String[][] lines = {
          {"--help"},
          {"--version"},
          {"--server", url, "--token", "rehearsal", "status"},
          {"--server", url, "--token", "rehearsal", "-o", "json", "status"},
          {"--server", "http://127.0.0.1:9", "--token", "rehearsal", "status"},
          {"status", "--no-such-option"},
          {"no-such-command"}};
      for (String[] line : lines) {
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        new Cli(Map.of(), home, home, nowhere, nowhere, args -> { }).execute(line);
      }
      return answered.get();
    } finally {
      server.stop(0);
      Files.deleteIfExists(home);
    }
  }
}
