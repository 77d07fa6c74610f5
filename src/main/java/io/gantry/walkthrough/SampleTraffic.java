package io.gantry.walkthrough;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Synthetic traffic to the sample app while a canary is judged by its metrics: each port's home page asked
 * twenty times a second, so that the app's request and error counters move, until closed. A refused
 * connection (an app not started yet, or restarting) is counted apart.
 */
final class SampleTraffic implements AutoCloseable {

  private static final Duration PACE = Duration.ofMillis(50);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong unanswered = new AtomicLong();
  private final Thread thread;
  private volatile boolean running = true;

  private SampleTraffic(List<Integer> ports) {
    List<URI> pages = ports.stream().map(p -> URI.create("http://127.0.0.1:" + p + "/")).toList();
    thread = Thread.ofVirtual().name("gantry-sample-traffic").start(() -> {
      while (running) {
        for (URI page : pages) {
          ask(page);
        }
        try {
          Thread.sleep(PACE);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
  }

  /** Starts asking the sample app on these ports (of 127.0.0.1) for its home page. */
  static SampleTraffic to(List<Integer> ports) {
    return new SampleTraffic(ports);
  }

  private void ask(URI page) {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(page).timeout(Duration.ofSeconds(1)).build(),
          HttpResponse.BodyHandlers.discarding());
      answered.incrementAndGet();
      if (r.statusCode() >= 500) {
        failed.incrementAndGet();
      }
    } catch (IOException e) {
      unanswered.incrementAndGet();
    } catch (InterruptedException e) {
      running = false;
      Thread.currentThread().interrupt();
    }
  }

  /** The requests answered so far, how many of them with a server error, and how many found no app listening. */
  String summary() {
    return answered.get() + " requests answered, " + failed.get() + " of them with a server error; "
        + unanswered.get() + " found no app listening (not started yet, or restarting)";
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
