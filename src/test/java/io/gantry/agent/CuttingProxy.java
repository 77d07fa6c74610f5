package io.gantry.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay to a real server that cuts the first connection whose request names {@code marker} once
 * {@code after} bytes of the answer went through, as a link that drops in the middle of a transfer; every
 * other connection is relayed whole, but for one answer to a request naming {@code marker} in which one byte is
 * flipped after {@link #corruptNext}.
 */
final class CuttingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final String host;
  private final int targetPort;
  private final String marker;
  private final long after;
  private final AtomicBoolean cutOnce = new AtomicBoolean();
  private final AtomicInteger cuts = new AtomicInteger();
  private final AtomicBoolean corrupt = new AtomicBoolean();
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final java.io.ByteArrayOutputStream requests = new java.io.ByteArrayOutputStream();
  private final java.io.ByteArrayOutputStream answers = new java.io.ByteArrayOutputStream();

  CuttingProxy(String host, int targetPort, String marker, long after) throws IOException {
    this.host = host;
    this.targetPort = targetPort;
    this.marker = marker;
    this.after = after;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
    Thread.ofVirtual().start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  int cuts() {
    return cuts.get();
  }

  /** Flips one byte, well past the headers, of the next answer to a request that names the marker. */
  void corruptNext() {
    corrupt.set(true);
  }

  /** Every byte the relay carried towards the server so far, as text. */
  String requests() {
    synchronized (requests) {
      return requests.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** Every byte the relay carried back from the server so far, as text. */
  String answers() {
    synchronized (answers) {
      return answers.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(host, targetPort);
        open.add(client);
        open.add(upstream);
        AtomicBoolean marked = new AtomicBoolean();
        AtomicBoolean spoilt = new AtomicBoolean();
        Thread.ofVirtual().start(() -> relay(client, upstream, marked, spoilt, true));
        Thread.ofVirtual().start(() -> relay(upstream, client, marked, spoilt, false));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void relay(Socket from, Socket to, AtomicBoolean marked, AtomicBoolean spoilt, boolean request) {
    long sent = 0;
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      byte[] buffer = new byte[16 * 1024];
      for (int n; (n = in.read(buffer)) > 0; ) {
        if (request && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains(marker)
            && !cutOnce.get()) {
          marked.set(true);
        }
        if (request && new String(buffer, 0, n, StandardCharsets.ISO_8859_1).contains(marker)
            && corrupt.compareAndSet(true, false)) {
          spoilt.set(true);
        }
        if (!request && spoilt.get()) {
          sent += n;
          if (sent > 64 * 1024 && spoilt.compareAndSet(true, false)) {
            buffer[n - 1] ^= 1;
          }
        }
        if (!request && marked.get() && !cutOnce.get()) {
          sent += n;
          if (sent > after && cutOnce.compareAndSet(false, true)) {
            cuts.incrementAndGet();
            from.close();
            to.close();
            return;
          }
        }
        var seen = request ? requests : answers;
        synchronized (seen) {
          seen.write(buffer, 0, n);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the other side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException e) {
        // closed
      }
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closed
    }
    open.forEach(s -> {
      try {
        s.close();
      } catch (IOException e) {
        // closed
      }
    });
  }
}
