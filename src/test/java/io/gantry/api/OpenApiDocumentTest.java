package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenApiDocumentTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }

  @LocalServerPort int port;

  @Test
  void dump() throws Exception {
    String doc = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/openapi")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Files.createDirectories(Path.of("target/openapi"));
    Files.writeString(Path.of("target/openapi/served.json"), doc);
    assertThat(doc).isNotEmpty();
  }
}
