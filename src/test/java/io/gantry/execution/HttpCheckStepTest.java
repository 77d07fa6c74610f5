package io.gantry.execution;

import static io.gantry.execution.Fixtures.context;
import static io.gantry.execution.Fixtures.httpCheck;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gantry.execution.Fixtures.Log;
import io.gantry.execution.Fixtures.RecordingSleeper;
import io.gantry.execution.Fixtures.Release;
import io.gantry.testing.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpCheckStepTest {

  @TempDir
  Path target;

  private final MutableClock clock = MutableClock.at("2026-11-26T10:00:00Z");
  private final RecordingSleeper sleeper = new RecordingSleeper(clock);
  private final StepRunner runner = new StepRunner(clock, sleeper);
  private final Log log = new Log();
  private final Release release = Release.of("1.0.0", Map.of("a.txt", "a"));

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  /** The server answers 503 to this many requests, then 200 with "UP version=1.0.0". */
  private volatile int failuresBeforeUp;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/health", exchange -> {
      int n = requests.incrementAndGet();
      boolean up = n > failuresBeforeUp;
      byte[] body = (up ? "UP version=1.0.0" : "starting, try again (request " + n + ")")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(up ? 200 : 503, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
  }

  /** What the /endless handler managed to send before the checker stopped reading, once it gave up. */
  private final java.util.concurrent.CompletableFuture<Long> endlessSent = new java.util.concurrent.CompletableFuture<>();

  /** Answers "UP" and then 512 MiB of padding (far more than any socket buffers), counting what it could send. */
  private void serveEndlessBody() {
    server.createContext("/endless", exchange -> {
      exchange.sendResponseHeaders(200, 0);
      byte[] chunk = "padding ".repeat(8192).getBytes(StandardCharsets.UTF_8);
      long sent = 0;
      try (OutputStream out = exchange.getResponseBody()) {
        out.write("UP ".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < (512 << 20) / chunk.length; i++) {
          out.write(chunk);
          sent += chunk.length;
        }
      } catch (IOException stoppedReading) {
        // the checker closed the connection: what was sent so far is the answer
      } finally {
        endlessSent.complete(sent);
      }
    });
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/health";
  }

  @Test
  void a_url_answering_as_expected_at_once_succeeds_without_waiting() {
    StepOutcome outcome = runner.run(httpCheck(url(), "UP", 3, null, null), context(target, release, log));

    assertThat(outcome).isEqualTo(new StepOutcome.Succeeded("GET " + url() + " answered 200 containing \"UP\""));
    assertThat(sleeper.sleeps).isEmpty();
  }

  @Test
  void a_url_answering_an_endless_body_is_checked_on_its_first_64_kib_and_the_rest_is_not_read() throws Exception {
    serveEndlessBody();
    String endless = "http://127.0.0.1:" + server.getAddress().getPort() + "/endless";

    StepOutcome found = runner.run(httpCheck(endless, "UP", 0, null, null), context(target, release, log));
    StepOutcome notInTheFirst64KiB = runner.run(httpCheck(endless, "the end", 0, null, null),
        context(target, release, log));

    assertThat(found).isEqualTo(new StepOutcome.Succeeded("GET " + endless + " answered 200 containing \"UP\""));
    assertThat(notInTheFirst64KiB).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) notInTheFirst64KiB).reason())
        .contains("the body's first 64 KiB (the most that is read) does not contain \"the end\"");
    assertThat(endlessSent.get(1, java.util.concurrent.TimeUnit.MINUTES))
        .as("the server could not send its whole body: the checker stopped reading").isLessThan(512L << 20);
  }

  @Test
  void a_url_that_comes_up_later_succeeds_after_retries_waiting_the_interval_between_tries() {
    failuresBeforeUp = 2;

    StepOutcome outcome = runner.run(httpCheck(url(), "UP", 5, "2s", null), context(target, release, log));

    assertThat(outcome).isEqualTo(new StepOutcome.Succeeded(
        "GET " + url() + " answered 200 containing \"UP\" on try 3 of 6"));
    assertThat(requests).hasValue(3);
    assertThat(sleeper.sleeps).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
    assertThat(log.lines).anyMatch(line -> line.startsWith("try 1 of 6: status 503"));
  }

  @Test
  void a_url_that_never_comes_up_fails_after_its_retries_with_the_last_status_and_body() {
    failuresBeforeUp = Integer.MAX_VALUE;

    StepOutcome outcome = runner.run(httpCheck(url(), null, 2, null, null), context(target, release, log));

    assertThat(outcome).isEqualTo(new StepOutcome.Failed("GET " + url() + " did not answer as expected after 3 tries; "
        + "last: status 503 (expected 200), body \"starting, try again (request 3)\""));
    assertThat(requests).hasValue(3);
    assertThat(sleeper.sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1));
  }

  @Test
  void the_deadline_stops_the_tries_before_the_retries_run_out() {
    failuresBeforeUp = Integer.MAX_VALUE;

    StepOutcome outcome = runner.run(httpCheck(url(), null, 100, "1s", "2500ms"), context(target, release, log));

    assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) outcome).reason())
        .startsWith("the deadline of 2500ms passed after 3 tries; last: status 503");
    assertThat(requests).hasValue(3);
    assertThat(sleeper.sleeps).hasSize(2);
  }

  @Test
  void a_body_without_the_expected_text_fails_the_check() {
    StepOutcome outcome = runner.run(httpCheck(url(), "version=2.0.0", 0, null, null), context(target, release, log));

    assertThat(((StepOutcome.Failed) outcome).reason())
        .endsWith("last: status 200 but the body does not contain \"version=2.0.0\": \"UP version=1.0.0\"");
  }

  @Test
  void nothing_listening_fails_with_the_connection_error() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }

    StepOutcome outcome = runner.run(httpCheck("http://127.0.0.1:" + port + "/health", null, 1, null, null),
        context(target, release, log));

    assertThat(((StepOutcome.Failed) outcome).reason()).contains("after 2 tries; last: could not connect");
  }

  @Test
  void with_a_real_sleeper_retries_wait_for_real() {
    failuresBeforeUp = 2;
    StepRunner real = new StepRunner(java.time.Clock.systemUTC(), Sleeper.real());
    long begin = System.nanoTime();

    StepOutcome outcome = real.run(httpCheck(url(), "UP", 5, "50ms", "10s"), context(target, release, log));

    assertThat(outcome).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(Duration.ofNanos(System.nanoTime() - begin)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
  }

  @Test
  void a_check_waiting_on_a_url_that_never_answers_ends_as_soon_as_the_step_is_asked_to_stop() throws Exception {
    java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch over = new java.util.concurrent.CountDownLatch(1);
    server.createContext("/hangs", exchange -> {
      asked.countDown();
      try {
        over.await(60, java.util.concurrent.TimeUnit.SECONDS); // holds the request: no answer comes in the test
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    StepRunner real = new StepRunner(java.time.Clock.systemUTC(), Sleeper.real());
    java.util.concurrent.atomic.AtomicReference<StepOutcome> outcome = new java.util.concurrent.atomic.AtomicReference<>();
    Thread step = Thread.ofPlatform().start(() -> outcome.set(real.run(httpCheck(
        "http://127.0.0.1:" + server.getAddress().getPort() + "/hangs", null, 3, "10ms", null),
        context(target, release, log))));
    try {
      assertThat(asked.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      long begin = System.nanoTime();
      Cancellation.stop(step);
      step.join(Duration.ofSeconds(20));

      assertThat(step.isAlive()).as("the check still waits for its answer").isFalse();
      assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(10));
      assertThat(((StepOutcome.Failed) outcome.get()).reason()).contains("interrupted");
      assertThat(requests.get()).isZero(); // no further try after the stop
    } finally {
      Cancellation.clear(step);
      over.countDown();
    }
  }

  @Test
  void a_url_that_is_not_http_is_refused() {
    assertThat(runner.run(httpCheck("file:///etc/passwd", null, null, null, null), context(target, release, log)))
        .isEqualTo(new StepOutcome.Failed("\"file:///etc/passwd\" is not an absolute http(s) URL"));
  }
}
