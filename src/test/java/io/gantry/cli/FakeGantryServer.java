package io.gantry.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A stand-in for the Gantry REST API on a random loopback port: answers what each test tells it to,
 * in the contract's shapes, and records every request it receives.
 */
final class FakeGantryServer implements AutoCloseable {

  record Request(String method, URI uri, Map<String, List<String>> headers, byte[] body) {
    String path() {
      return uri.getPath();
    }

    String query() {
      return uri.getQuery() == null ? "" : uri.getQuery();
    }

    String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().getFirst()).findFirst().orElse(null);
    }

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }
  }

  record Reply(int status, String contentType, String body) {}

  private final HttpServer server;
  private final Map<String, Function<Request, Reply>> routes = new LinkedHashMap<>();
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  FakeGantryServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answers {@code METHOD /api/v1/path} (any query) with this status and JSON body. */
  FakeGantryServer on(String method, String path, int status, String json) {
    return on(method, path, request -> json(status, json));
  }

  FakeGantryServer on(String method, String path, Function<Request, Reply> answer) {
    routes.put(method + " /api/v1" + path, answer);
    return this;
  }

  static Reply json(int status, String json) {
    return new Reply(status, "application/json", json);
  }

  static Reply problem(int status, String title, String detail, String errorsJson) {
    String errors = errorsJson == null ? "" : ", \"errors\": " + errorsJson;
    return new Reply(status, "application/problem+json", """
        {"type": "https://gantry.io/problems/x", "title": "%s", "status": %d, "detail": "%s"%s}"""
        .formatted(title, status, detail, errors));
  }

  Request only() {
    if (requests.size() != 1) {
      throw new AssertionError("expected one request, got " + requests.size() + ": " + requests);
    }
    return requests.getFirst();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI(),
          Map.copyOf(exchange.getRequestHeaders()), exchange.getRequestBody().readAllBytes());
      requests.add(request);
      Function<Request, Reply> route = routes.get(request.method() + " " + request.path());
      Reply reply = route == null ? problem(404, "Not found", "no route " + request.path(), null) : route.apply(request);
      if (reply.status() == 204) {
        exchange.sendResponseHeaders(204, -1);
        return;
      }
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      exchange.sendResponseHeaders(reply.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
