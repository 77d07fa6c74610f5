package io.gantry.cli;

import java.io.PrintWriter;
import java.net.http.HttpRequest.BodyPublisher;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.Flow;
import java.util.function.LongSupplier;

/**
 * Counts the bytes of a request body as the HTTP client takes them and, for uploads larger than
 * {@link #THRESHOLD}, prints how far it got about once a second.
 */
final class UploadProgress {

  static final long THRESHOLD = 4L * 1024 * 1024;
  private static final long INTERVAL_NANOS = 1_000_000_000L;

  private final PrintWriter err;
  private final String what;
  private final long total;
  private final LongSupplier nanoTime;
  private long sent;
  private long lastReport;

  UploadProgress(PrintWriter err, String what, long total, LongSupplier nanoTime) {
    this.err = err;
    this.what = what;
    this.total = total;
    this.nanoTime = nanoTime;
    this.lastReport = nanoTime.getAsLong();
  }

  synchronized void sent(long bytes) {
    sent += bytes;
    long now = nanoTime.getAsLong();
    if (total > THRESHOLD && now - lastReport >= INTERVAL_NANOS && sent < total) {
      lastReport = now;
      err.println("uploading " + what + ": " + size(sent) + " of " + size(total) + " ("
          + (total > 0 ? sent * 100 / total : 0) + "%)");
      err.flush();
    }
  }

  synchronized void done() {
    if (total > THRESHOLD) {
      err.println("uploaded " + what + ": " + size(sent));
      err.flush();
    }
  }

  /** The same body, reporting to this progress as it is read. */
  BodyPublisher around(BodyPublisher body) {
    return new BodyPublisher() {
      @Override
      public long contentLength() {
        return body.contentLength();
      }

      @Override
      public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        body.subscribe(new Flow.Subscriber<ByteBuffer>() {
          @Override
          public void onSubscribe(Flow.Subscription subscription) {
            subscriber.onSubscribe(subscription);
          }

          @Override
          public void onNext(ByteBuffer item) {
            sent(item.remaining());
            subscriber.onNext(item);
          }

          @Override
          public void onError(Throwable throwable) {
            subscriber.onError(throwable);
          }

          @Override
          public void onComplete() {
            done();
            subscriber.onComplete();
          }
        });
      }
    };
  }

  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
    if (bytes < 1024L * 1024 * 1024) {
      return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
    return String.format(Locale.ROOT, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  }
}
