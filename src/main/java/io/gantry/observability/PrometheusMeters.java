package io.gantry.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the Prometheus endpoint shows beside Gantry's own meters (io.gantry.metrics): the HTTP requests
 * served, the JVM, the process, the connection pool and the log events. Meters whose names break
 * Prometheus' naming rules ({@code promtool check metrics}: units in the name, a gauge ending in
 * {@code _count}) or that carry no help text, and meters of thread pools and sessions that Gantry does
 * not rely on, are dropped. Spring Security's observations are switched off in application.properties.
 */
@Configuration(proxyBeanMethods = false)
class PrometheusMeters {

  /** Names (or name prefixes, ending in a dot) of the meters that are not shown. */
  static final List<String> DROPPED = List.of(
      "jvm.compilation.time", // counted in ms: jvm_compilation_time_ms_total
      "process.cpu.time", // counted in ns: process_cpu_time_ns_total
      "system.cpu.count", // a gauge named like a histogram's count
      "http.server.requests.active", // requests under way, without help text
      "tomcat.sessions.", // console sessions, without help text
      "executor.", // Spring's own task pools; the engine's workers are not among them
      "jdbc.connections."); // the same pool as hikaricp_connections

  static final String REQUESTS = "http.server.requests";

  @Bean
  MeterFilter shownMeters() {
    return new MeterFilter() {
      @Override
      public MeterFilterReply accept(Meter.Id id) {
        return dropped(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
      }

      @Override
      public Meter.Id map(Meter.Id id) {
        if (id.getName().equals(REQUESTS) && id.getDescription() == null) {
          return new Meter.Id(id.getName(), io.micrometer.core.instrument.Tags.of(id.getTags()), id.getBaseUnit(),
              "HTTP requests served, by method, URI pattern, status and outcome", id.getType());
        }
        return id;
      }
    };
  }

  static boolean dropped(String name) {
    return DROPPED.stream().anyMatch(d -> d.endsWith(".") ? name.startsWith(d) : name.equals(d));
  }
}
