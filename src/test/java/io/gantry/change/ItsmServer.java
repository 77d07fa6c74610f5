package io.gantry.change;

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
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A local HTTP server on 127.0.0.1 answering like ServiceNow's Table API or Jira's issue API: the
 * test sets what the change's value is now, or that the server holds every request without answering.
 */
final class ItsmServer implements AutoCloseable {

  record Request(String method, URI uri, String authorization) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final CountDownLatch release = new CountDownLatch(1);
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile int status = 200;
  private volatile String body = "{}";
  private volatile boolean holding;

  ItsmServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** ServiceNow's answer for a change_request with this approval value. */
  void serviceNow(String number, String approval) {
    answer(200, """
        {"result":[{"number":"%s","state":"-4","approval":"%s"}]}""".formatted(number, approval));
  }

  /** Jira's answer for an issue with this status name. */
  void jira(String key, String status) {
    answer(200, """
        {"key":"%s","fields":{"status":{"name":"%s","statusCategory":{"key":"indeterminate"}}}}"""
        .formatted(key, status));
  }

  void answer(int status, String body) {
    this.holding = false;
    this.status = status;
    this.body = body;
  }

  /** From now on every request is held, unanswered, until the server closes. */
  void hold() {
    holding = true;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI(),
          exchange.getRequestHeaders().getFirst("Authorization")));
      if (holding) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    release.countDown();
    server.stop(0);
    threads.shutdownNow();
  }
}
