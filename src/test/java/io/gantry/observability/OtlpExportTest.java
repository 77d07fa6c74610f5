package io.gantry.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.gantry.catalog.ComponentRef;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.EngineObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.context.ConfigurationPropertiesAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Spans sent over OTLP/HTTP to a receiver on loopback, decoded with the OpenTelemetry protocol's own
 * classes; and when tracing is switched on at all.
 */
class OtlpExportTest {

  record Received(String method, String path, String contentType, byte[] body) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer receiver;

  @BeforeEach
  void startReceiver() throws Exception {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/", exchange -> {
      received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("Content-Type"), exchange.getRequestBody().readAllBytes()));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  private String endpoint() {
    return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/traces";
  }

  static Deployment deployment(DeploymentState state, Instant finishedAt) {
    Instant requested = Instant.parse("2026-06-01T10:00:00Z");
    return new Deployment(42, new ComponentRef("shop", "web"), "2.1.0", "production", "software", 1, "live", state,
        "bob", requested, "release", requested.plusSeconds(5), finishedAt, finishedAt == null ? null : "all targets "
        + "succeeded", Deployment.Kind.DEPLOY, null, null, 0, 1);
  }

  private static Map<String, String> attributes(List<KeyValue> values) {
    return values.stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().hasIntValue()
        ? String.valueOf(kv.getValue().getIntValue()) : kv.getValue().getStringValue()));
  }

  @Test
  void the_spans_of_a_deployment_are_posted_as_otlp_protobuf_to_the_configured_endpoint() throws Exception {
    DeploymentTraces traces = new TracingConfiguration().deploymentTraces(endpoint());
    Deployment executing = deployment(DeploymentState.EXECUTING, null);
    try (EngineObserver.Work activity = traces.activity(executing)) {
      try (EngineObserver.Work target = traces.target(executing, "web-1", "execute")) {
        try (EngineObserver.Work step = traces.step(executing, "web-1", "execute", "install", "artifact.install", 1)) {
          step.failed("disk full");
        }
        target.failed("step install failed: disk full");
      }
    }
    traces.finished(deployment(DeploymentState.FAILED, Instant.parse("2026-06-01T10:07:00Z")), Instant.now());
    traces.close(); // sends what is buffered

    assertThat(received).isNotEmpty().allSatisfy(r -> {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.path()).isEqualTo("/v1/traces");
      assertThat(r.contentType()).isEqualTo("application/x-protobuf");
    });
    List<Span> spans = new java.util.ArrayList<>();
    for (Received r : received) {
      ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(r.body());
      request.getResourceSpansList().forEach(rs -> {
        assertThat(attributes(rs.getResource().getAttributesList())).containsEntry("service.name", "gantry");
        rs.getScopeSpansList().forEach(ss -> {
          assertThat(ss.getScope().getName()).isEqualTo("io.gantry.engine");
          spans.addAll(ss.getSpansList());
        });
      });
    }
    assertThat(spans).extracting(Span::getName).containsExactlyInAnyOrder("deployment", "execution", "target web-1",
        "step install");
    Map<String, Span> byName = spans.stream().collect(Collectors.toMap(Span::getName, s -> s));
    Span root = byName.get("deployment");
    assertThat(root.getParentSpanId().isEmpty()).isTrue();
    assertThat(byName.get("execution").getParentSpanId()).isEqualTo(root.getSpanId());
    assertThat(byName.get("target web-1").getParentSpanId()).isEqualTo(byName.get("execution").getSpanId());
    assertThat(byName.get("step install").getParentSpanId()).isEqualTo(byName.get("target web-1").getSpanId());
    assertThat(spans).extracting(s -> HexFormat.of().formatHex(s.getTraceId().toByteArray()))
        .containsOnly(DeploymentTraces.traceId(executing));
    assertThat(root.getStartTimeUnixNano()).isEqualTo(Instant.parse("2026-06-01T10:00:00Z").toEpochMilli() * 1_000_000);
    assertThat(root.getEndTimeUnixNano()).isEqualTo(Instant.parse("2026-06-01T10:07:00Z").toEpochMilli() * 1_000_000);
    assertThat(root.getStatus().getCode()).isEqualTo(io.opentelemetry.proto.trace.v1.Status.StatusCode.STATUS_CODE_ERROR);
    assertThat(attributes(root.getAttributesList())).containsEntry("gantry.deployment.outcome", "failed");
    assertThat(spans).allSatisfy(s -> assertThat(attributes(s.getAttributesList()))
        .containsEntry("service.name", "shop").containsEntry("service.version", "2.1.0")
        .containsEntry("deployment.environment.name", "production").containsEntry("gantry.deployment.id", "42")
        .containsEntry("gantry.component", "web"));
    Map<String, String> step = attributes(byName.get("step install").getAttributesList());
    assertThat(step).containsEntry("gantry.target", "web-1").containsEntry("gantry.phase", "execute")
        .containsEntry("gantry.step", "install").containsEntry("gantry.step.type", "artifact.install")
        .containsEntry("gantry.step.attempt", "1");
    assertThat(byName.get("step install").getStatus().getMessage()).isEqualTo("disk full");
    assertThat(attributes(byName.get("execution").getAttributesList())).containsEntry("gantry.activity", "execution")
        .containsEntry("gantry.deployment.state", "EXECUTING");
  }

  @Test
  void the_trace_of_a_deployment_is_named_by_its_number_and_request_time_alone() {
    Deployment d = deployment(DeploymentState.EXECUTING, null);
    Deployment later = new Deployment(42, d.component(), d.version(), d.environment(), d.model(), d.modelVersion(),
        d.stage(), DeploymentState.SUCCEEDED, d.requestedBy(), d.requestedAt(), d.reason(), d.startedAt(),
        Instant.now(), "done", d.kind(), null, null, 0, 7);
    Deployment elsewhere = new Deployment(42, d.component(), d.version(), d.environment(), d.model(),
        d.modelVersion(), d.stage(), d.state(), d.requestedBy(), d.requestedAt().plusSeconds(1), d.reason(),
        d.startedAt(), null, null, d.kind(), null, null, 0, 1);

    assertThat(DeploymentTraces.traceId(later)).isEqualTo(DeploymentTraces.traceId(d)).hasSize(32);
    assertThat(DeploymentTraces.rootSpanId(later)).isEqualTo(DeploymentTraces.rootSpanId(d)).hasSize(16);
    assertThat(DeploymentTraces.traceId(elsewhere)).isNotEqualTo(DeploymentTraces.traceId(d));
  }

  @Test
  void a_reason_is_sent_as_its_first_line_without_what_the_command_printed_and_cut_to_300_characters() {
    assertThat(DeploymentTraces.brief("command exited with 3 (expected 0); its last lines were:\ntoken=abc"))
        .isEqualTo("command exited with 3 (expected 0)");
    assertThat(DeploymentTraces.brief("x".repeat(1000))).hasSize(300).endsWith("...");
    assertThat(DeploymentTraces.brief("first\nsecond")).isEqualTo("first");
  }

  private final ApplicationContextRunner server = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ConfigurationPropertiesAutoConfiguration.class))
      .withUserConfiguration(TracingConfiguration.class);

  @Test
  void without_an_endpoint_there_is_no_tracer_and_a_bad_endpoint_stops_the_start_naming_the_setting() {
    server.run(context -> assertThat(context).doesNotHaveBean(DeploymentTraces.class));
    server.withPropertyValues("gantry.tracing.otlp.endpoint=  ")
        .run(context -> assertThat(context).doesNotHaveBean(DeploymentTraces.class));
    server.withPropertyValues("gantry.tracing.otlp.endpoint=" + endpoint())
        .run(context -> assertThat(context).hasSingleBean(DeploymentTraces.class));
    for (String bad : List.of("ftp://127.0.0.1/v1/traces", "127.0.0.1:4318", "http://user:secret@127.0.0.1:4318/v1/traces",
        "http://[nope/v1/traces")) {
      server.withPropertyValues("gantry.tracing.otlp.endpoint=" + bad).run(context -> {
        assertThat(context).hasFailed();
        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("gantry.tracing.otlp.endpoint");
      });
    }
    assertThatThrownBy(() -> TracingConfiguration.checked("mailto:ops@example.org"))
        .hasMessageContaining("http or https URL with a host");
  }
}
