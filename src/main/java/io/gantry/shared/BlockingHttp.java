package io.gantry.shared;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP request on the calling thread, over the JDK's {@code HttpURLConnection}: what the command line and the
 * agent send. A process that makes a handful of small requests pays for the JDK's {@code HttpClient} in its start
 * (its selector thread, its TLS defaults even for plain HTTP: about 0.2 s of a command's time here) and in every
 * request (about three times the CPU of this path); connections are kept alive between requests all the same.
 * Redirects are not followed. {@code PATCH} is not among the methods this path knows. A body is streamed with
 * its length fixed, so a request whose connection fails before its answer is not sent again (for a buffered
 * {@code POST} the JDK would send it once more, on a new connection, which could do a report or a creation
 * twice): the caller hears the failure and decides. The price: an answer 401 (or 407) to a request with a body
 * comes with its status and without its body, which the JDK does not keep in that mode.
 */
public final class BlockingHttp {

  /** The status and the text of an answer (an error's body too). */
  public record Answer(int status, String body) {}

  private BlockingHttp() {}

  /**
   * Opens {@code uri}, sends {@code body} (none when null) and the headers, and answers the connection with its
   * status read and its body unread: the caller reads it ({@link #body}) or streams it, and closes it.
   *
   * @param sockets for https://, the sockets to use (a private authority's trust), or null for the system's
   * @param readTimeout the longest wait between two reads, or null for none
   */
  public static HttpURLConnection open(URI uri, String method, Map<String, String> headers, byte[] body,
      Duration connectTimeout, Duration readTimeout, SSLSocketFactory sockets) throws IOException {
    HttpURLConnection connection = connection(uri, method, headers, connectTimeout, readTimeout, sockets);
    if (body != null) {
      connection.setDoOutput(true);
      connection.setFixedLengthStreamingMode(body.length);
      try (OutputStream out = connection.getOutputStream()) {
        out.write(body);
      }
    }
    connection.getResponseCode();
    return connection;
  }

  /**
   * The connection of a request without a body, set up and not yet connected: the caller may hold on to it (to
   * {@link HttpURLConnection#disconnect} it from another thread) before it asks for the answer.
   */
  public static HttpURLConnection connection(URI uri, String method, Map<String, String> headers,
      Duration connectTimeout, Duration readTimeout, SSLSocketFactory sockets) throws IOException {
    var connection = (HttpURLConnection) uri.toURL().openConnection();
    if (connection instanceof HttpsURLConnection https && sockets != null) {
      https.setSSLSocketFactory(sockets);
    }
    connection.setRequestMethod(method);
    connection.setConnectTimeout((int) connectTimeout.toMillis());
    connection.setReadTimeout(readTimeout == null ? 0 : (int) readTimeout.toMillis());
    connection.setInstanceFollowRedirects(false);
    connection.setUseCaches(false);
    headers.forEach(connection::setRequestProperty);
    return connection;
  }

  /** Sends one request and reads its whole answer. */
  public static Answer exchange(URI uri, String method, Map<String, String> headers, String body,
      Duration connectTimeout, Duration readTimeout, SSLSocketFactory sockets) throws IOException {
    HttpURLConnection connection = open(uri, method, headers,
        body == null ? null : body.getBytes(StandardCharsets.UTF_8), connectTimeout, readTimeout, sockets);
    return new Answer(connection.getResponseCode(), new String(body(connection), StandardCharsets.UTF_8));
  }

  /** Whether {@code e} says the server was not reached (refused, or no connection within the connect timeout). */
  public static boolean notReached(IOException e) {
    return e instanceof java.net.ConnectException || e.getCause() instanceof java.net.ConnectException
        || e instanceof java.net.SocketTimeoutException && String.valueOf(e.getMessage()).startsWith("Connect");
  }

  /**
   * The whole body of an opened connection's answer, an error's too (empty when it has none), read to its end so
   * that the connection goes back to be kept alive.
   */
  public static byte[] body(HttpURLConnection connection) throws IOException {
    InputStream in = connection.getResponseCode() >= 400 ? connection.getErrorStream() : connection.getInputStream();
    if (in == null) {
      return new byte[0];
    }
    try (in) {
      return in.readAllBytes();
    }
  }
}
