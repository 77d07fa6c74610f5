package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The server speaking HTTPS with the settings docs/security.md gives (a PKCS#12 key store made with the
 * JDK's keytool), and nothing but HTTPS on its port.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TlsTest {

  private static final String PASSWORD = "changeit-for-tests";
  private static Path keyStore;

  @LocalServerPort int port;

  @DynamicPropertySource
  static void tls(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
    keyStore = Files.createTempDirectory("gantry-tls").resolve("gantry.p12");
    Path keytool = Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("keytool");
    Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "gantry", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD)
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
    registry.add("server.ssl.enabled", () -> "true");
    registry.add("server.ssl.key-store", () -> keyStore.toString());
    registry.add("server.ssl.key-store-type", () -> "PKCS12");
    registry.add("server.ssl.key-store-password", () -> PASSWORD);
    registry.add("server.ssl.key-alias", () -> "gantry");
  }

  private static HttpClient trustingTheServersCertificate() throws Exception {
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      trusted.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @Test
  void the_api_answers_over_https_and_not_over_plain_http() throws Exception {
    HttpResponse<String> health = trustingTheServersCertificate().send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("UP");
    HttpResponse<String> plain;
    try {
      plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/health"))
              .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException refused) {
      return; // the TLS port does not speak plain HTTP at all
    }
    assertThat(plain.statusCode()).as("a plain request gets no answer from the API").isEqualTo(400);
    assertThat(plain.body()).doesNotContain("UP");
  }

  @Test
  void the_consoles_session_cookie_is_sent_only_over_tls_when_the_page_came_over_tls() throws Exception {
    HttpResponse<String> signIn = trustingTheServersCertificate().send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/sign-in")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(signIn.statusCode()).isEqualTo(200);
    assertThat(signIn.headers().allValues("Set-Cookie")).filteredOn(c -> c.startsWith("GANTRY_SESSION="))
        .singleElement().asString().contains("Secure").contains("HttpOnly").contains("SameSite=Lax");
  }

  @Test
  void a_client_that_does_not_trust_the_certificate_is_refused_before_any_request() {
    assertThatThrownBy(() -> HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/api/v1/health")).build(),
        HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
  }
}
