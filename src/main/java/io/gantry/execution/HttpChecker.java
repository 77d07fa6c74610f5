package io.gantry.execution;

import io.gantry.model.Step;
import io.gantry.model.TimeSpan;
import io.gantry.shared.BlockingHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asks a URL until it answers with the expected status (and body text), trying {@code 1 + retries}
 * times with {@code interval} between tries, and never starting a try or a wait past the deadline.
 * Of each answer's body only the first {@value #BODY_LIMIT} bytes are read: the rest is not waited for.
 * Each try is one blocking request on the step's own thread ({@link BlockingHttp}): redirects are not followed,
 * and no thread or connection pool is kept for the checks between deployments.
 */
final class HttpChecker {

  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);
  /** The most of a response body that is read; {@code expectBody} is looked for in this much. */
  static final int BODY_LIMIT = 64 * 1024;
  private static final int EXCERPT = 200;

  /** The longest a try waits for its connection, within its own timeout. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  private final Sleeper sleeper;
  private final Clock clock;

  HttpChecker(Sleeper sleeper, Clock clock) {
    this.sleeper = sleeper;
    this.clock = clock;
  }

  StepOutcome check(Step.HttpCheck step, StepContext ctx, Duration requestTimeout) throws InterruptedException {
    URI uri = uri(step.url());
    int expectStatus = step.expectStatus() == null ? 200 : step.expectStatus();
    int retries = step.retries() == null ? 0 : step.retries();
    if (retries < 0) {
      throw new StepFailure("retries must not be negative, not " + retries);
    }
    Duration interval = step.interval() == null ? DEFAULT_INTERVAL : step.interval().toDuration();
    Instant deadline = step.deadline() == null ? null : clock.instant().plus(step.deadline().toDuration());
    int tries = retries + 1;

    String last = "no try was made";
    for (int attempt = 1; attempt <= tries; attempt++) {
      Duration timeout = requestTimeout;
      if (deadline != null) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.isNegative() || left.isZero()) {
          return deadlinePassed(step.deadline(), attempt - 1, last);
        }
        timeout = left.compareTo(timeout) < 0 ? left : timeout;
      }
      last = tryOnce(uri, timeout, expectStatus, step.expectBody());
      if (last == null) {
        String summary = "GET " + uri + " answered " + expectStatus
            + (step.expectBody() == null ? "" : " containing \"" + step.expectBody() + "\"")
            + (attempt == 1 ? "" : " on try " + attempt + " of " + tries);
        ctx.log().accept(summary);
        return new StepOutcome.Succeeded(summary);
      }
      ctx.log().accept("try " + attempt + " of " + tries + ": " + last);
      if (attempt < tries) {
        if (deadline != null && clock.instant().plus(interval).isAfter(deadline)) {
          return deadlinePassed(step.deadline(), attempt, last);
        }
        sleeper.sleep(interval);
      }
    }
    return new StepOutcome.Failed("GET " + uri + " did not answer as expected after " + tries
        + (tries == 1 ? " try" : " tries") + "; last: " + last);
  }

  private static StepOutcome deadlinePassed(TimeSpan deadline, int tries, String last) {
    return new StepOutcome.Failed("the deadline of " + deadline.text() + " passed after " + tries
        + (tries == 1 ? " try" : " tries") + "; last: " + last);
  }

  /** Null when the answer is as expected, else what was wrong with it. */
  private String tryOnce(URI uri, Duration timeout, int expectStatus, String expectBody) throws InterruptedException {
    Duration connect = timeout.compareTo(CONNECT_TIMEOUT) < 0 ? timeout : CONNECT_TIMEOUT;
    String last = ask(uri, timeout, connect, expectStatus, expectBody);
    if (Cancellation.asked()) {
      throw new InterruptedException("the check of " + uri + " was asked to stop");
    }
    return last;
  }

  private String ask(URI uri, Duration timeout, Duration connect, int expectStatus, String expectBody) {
    // an interrupt does not reach a socket's read: a stop closes the connection instead; one that comes while
    // the connection is being made (nothing to close yet) is seen right after it is made
    AtomicBoolean stopped = new AtomicBoolean();
    AtomicReference<HttpURLConnection> open = new AtomicReference<>();
    try (AutoCloseable stop = Cancellation.onStop(() -> {
      stopped.set(true);
      HttpURLConnection c = open.get();
      if (c != null) {
        c.disconnect();
      }
    })) {
      HttpURLConnection connection = BlockingHttp.connection(uri, "GET", Map.of(), connect, timeout, null);
      open.set(connection);
      if (!stopped.get()) {
        connection.connect();
      }
      if (stopped.get()) {
        connection.disconnect();
        return "stopped";
      }
      int status = connection.getResponseCode();
      boolean cut;
      String body;
      InputStream stream = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      try (InputStream in = stream == null ? InputStream.nullInputStream() : stream) {
        byte[] read = in.readNBytes(BODY_LIMIT + 1);
        cut = read.length > BODY_LIMIT;
        body = new String(read, 0, Math.min(read.length, BODY_LIMIT), StandardCharsets.UTF_8);
      }
      if (status != expectStatus) {
        return "status " + status + " (expected " + expectStatus + "), body \"" + excerpt(body) + "\"";
      }
      if (expectBody != null && !body.contains(expectBody)) {
        return "status " + status + " but the body" + (cut ? "'s first " + BODY_LIMIT / 1024
            + " KiB (the most that is read)" : "") + " does not contain \"" + expectBody + "\": \"" + excerpt(body)
            + "\"";
      }
      return null;
    } catch (SocketTimeoutException e) {
      return BlockingHttp.notReached(e) ? "could not connect within " + connect.toMillis() + "ms"
          : "no answer within " + timeout.toMillis() + "ms";
    } catch (Exception e) {
      return "could not connect: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }
  }

  private static URI uri(String url) {
    if (url == null || url.isBlank()) {
      throw new StepFailure("an http-check step needs a url");
    }
    try {
      URI uri = URI.create(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new StepFailure("\"" + url + "\" is not an absolute http(s) URL");
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new StepFailure("\"" + url + "\" is not a URL: " + e.getMessage());
    }
  }

  private static String excerpt(String body) {
    String flat = body.strip().replaceAll("\\s+", " ");
    return flat.length() <= EXCERPT ? flat : flat.substring(0, EXCERPT) + "...";
  }
}
