package io.gantry.observability;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.URI;
import java.net.URISyntaxException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Traces are made and sent only when an OTLP endpoint is set; without one there is no tracer, and the
 * engine's hooks do nothing.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

  static final String ENDPOINT = "gantry.tracing.otlp.endpoint";

  @Bean(destroyMethod = "close")
  @ConditionalOnExpression("!'${" + ENDPOINT + ":}'.isBlank()")
  DeploymentTraces deploymentTraces(@Value("${" + ENDPOINT + "}") String endpoint) {
    return new DeploymentTraces(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
        .setEndpoint(checked(endpoint.strip())).build()).build());
  }

  /** The endpoint as the exporter takes it: an http or https URL with a host, to which spans are posted. */
  static String checked(String endpoint) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(ENDPOINT + " is not a URL: " + e.getMessage());
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      throw new IllegalArgumentException(ENDPOINT + " must be an http or https URL with a host, such as "
          + "http://127.0.0.1:4318/v1/traces, not '" + endpoint + "'");
    }
    if (uri.getUserInfo() != null || uri.getFragment() != null) {
      throw new IllegalArgumentException(ENDPOINT + " may not carry a user name or a fragment: '" + endpoint + "'");
    }
    return endpoint;
  }
}
