package io.gantry.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BlockingHttpTest {

  /**
   * A server on loopback that answers the first POST on a connection kept alive, and cuts the connection after
   * reading the second without answering (as a server restarting at that moment would); it counts every POST.
   */
  private static final class CuttingServer implements AutoCloseable {
    final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    final AtomicInteger posts = new AtomicInteger();
    final Thread thread = Thread.ofPlatform().daemon().start(this::serve);

    CuttingServer() throws IOException {}

    private void serve() {
      while (!socket.isClosed()) {
        try (Socket connection = socket.accept()) {
          var in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
          OutputStream out = connection.getOutputStream();
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            int length = 0;
            for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
              if (header.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(header.substring(15).trim());
              }
            }
            in.skip(length);
            if (line.startsWith("POST") && posts.incrementAndGet() == 2) {
              break; // read in full, never answered: the connection is cut
            }
            out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
                .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
          }
        } catch (IOException e) {
          // closed
        }
      }
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/report");
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void a_post_whose_connection_is_cut_before_its_answer_fails_and_is_not_sent_again() throws Exception {
    try (var server = new CuttingServer()) {
      var first = BlockingHttp.exchange(server.uri(), "POST", Map.of("Content-Type", "application/json"), "{}",
          Duration.ofSeconds(5), Duration.ofSeconds(5), null);
      assertThat(first).isEqualTo(new BlockingHttp.Answer(200, "ok"));

      assertThatThrownBy(() -> BlockingHttp.exchange(server.uri(), "POST", Map.of("Content-Type", "application/json"),
          "{\"outcome\": \"succeeded\"}", Duration.ofSeconds(5), Duration.ofSeconds(5), null))
          .isInstanceOf(IOException.class);

      assertThat(server.posts).as("the cut POST reached the server once, and was not sent again").hasValue(2);
    }
  }

  @Test
  void an_error_answer_is_read_whole_with_its_status() throws Exception {
    try (var server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread.ofPlatform().daemon().start(() -> {
        try (Socket connection = server.accept()) {
          var in = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.ISO_8859_1));
          for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
            // the request's head; a GET has no body
          }
          String body = "{\"detail\": \"no such deployment\"}";
          connection.getOutputStream().write(("HTTP/1.1 404 Not Found\r\nContent-Type: application/problem+json\r\n"
              + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
          // the test fails on the answer
        }
      });
      var answer = BlockingHttp.exchange(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/deployments/9"),
          "GET", Map.of(), null, Duration.ofSeconds(5), Duration.ofSeconds(5), null);

      assertThat(answer).isEqualTo(new BlockingHttp.Answer(404, "{\"detail\": \"no such deployment\"}"));
    }
  }
}
