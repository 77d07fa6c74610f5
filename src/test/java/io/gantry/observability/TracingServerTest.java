package io.gantry.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gantry.api.TestSupport;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.config.ConfigFile;
import io.gantry.config.ConfigService;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentRequests;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Deployments;
import io.gantry.testing.TestDatabase;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A server started with {@code gantry.tracing.otlp.endpoint} set to a receiver on loopback: its engine
 * carries out a deployment on a local target, and the receiver gets the deployment's trace.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TracingServerTest {

  static final List<byte[]> RECEIVED = new CopyOnWriteArrayList<>();
  static HttpServer receiver;

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/v1/traces", exchange -> {
      RECEIVED.add(exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
    registry.add("gantry.tracing.otlp.endpoint",
        () -> "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces");
  }

  @AfterAll
  static void stop() {
    receiver.stop(0);
  }

  static final String CONFIG = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: qa}
      spec: {purpose: test, owner: qa-team}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: t1}
      spec: {environment: qa, kind: local, path: t1}
      ---
      apiVersion: gantry.io/v1
      kind: Service
      metadata: {name: shop}
      spec: {owner: team-shop}
      ---
      apiVersion: gantry.io/v1
      kind: Component
      metadata: {name: web}
      spec: {service: shop, type: software}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: qa
            environment: qa
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - {name: run, type: shell, command: "sh current/run.sh", timeout: 30s}
      """;

  @Autowired ConfigService config;
  @Autowired Library library;
  @Autowired DeploymentRequests requests;
  @Autowired Deployments deployments;

  private static String attribute(List<KeyValue> values, String key) {
    return values.stream().filter(kv -> kv.getKey().equals(key)).map(kv -> kv.getValue().hasIntValue()
        ? String.valueOf(kv.getValue().getIntValue()) : kv.getValue().getStringValue()).findFirst().orElse(null);
  }

  private static List<Span> spans() throws Exception {
    List<Span> spans = new java.util.ArrayList<>();
    for (byte[] body : RECEIVED) {
      ExportTraceServiceRequest.parseFrom(body).getResourceSpansList()
          .forEach(rs -> rs.getScopeSpansList().forEach(ss -> spans.addAll(ss.getSpansList())));
    }
    return spans;
  }

  @Test
  void the_servers_engine_sends_the_trace_of_a_deployment_it_carries_out() throws Exception {
    config.apply(List.of(new ConfigFile("test.yaml", CONFIG)), "test", "alice");
    library.push(new Library.Push(new ComponentRef("shop", "web"), "3.0.0", Map.of(), List.of(new Library.Upload(
        "run.sh", () -> new ByteArrayInputStream("echo ok > out.txt\n".getBytes(StandardCharsets.UTF_8)))), List.of()),
        "alice");

    Deployment d = requests.request(new DeploymentRequests.Request("shop/web", "3.0.0", "qa", null, null), "bob");

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60))
        .until(() -> deployments.get(d.id()).state().isFinal());
    assertThat(deployments.get(d.id()).state()).isEqualTo(DeploymentState.SUCCEEDED);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .untilAsserted(() -> assertThat(spans()).extracting(Span::getName).contains("deployment"));
    List<Span> spans = spans().stream()
        .filter(s -> String.valueOf(d.id()).equals(attribute(s.getAttributesList(), "gantry.deployment.id"))).toList();
    assertThat(spans).extracting(Span::getName).contains("deployment", "planning", "execution", "target t1",
        "step install", "step run");
    assertThat(spans).extracting(Span::getTraceId).containsOnly(spans.getFirst().getTraceId());
    assertThat(spans).allSatisfy(s -> {
      assertThat(attribute(s.getAttributesList(), "service.name")).isEqualTo("shop");
      assertThat(attribute(s.getAttributesList(), "service.version")).isEqualTo("3.0.0");
      assertThat(attribute(s.getAttributesList(), "deployment.environment.name")).isEqualTo("qa");
    });
  }
}
