package io.gantry.observability;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.InputStream;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The log pattern's correlation part, as application.properties sets it, with and without engine work's ids. */
class LogCorrelationTest {

  @AfterEach
  void clear() {
    MDC.clear();
  }

  private static String line(String message) throws Exception {
    Properties properties = new Properties();
    try (InputStream in = LogCorrelationTest.class.getResourceAsStream("/application.properties")) {
      properties.load(in);
    }
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    layout.setPattern(properties.getProperty("logging.pattern.correlation") + "%m");
    layout.start();
    LoggingEvent event = new LoggingEvent(LogCorrelationTest.class.getName(),
        context.getLogger(LogCorrelationTest.class), Level.INFO, message, null, null);
    return layout.doLayout(event);
  }

  @Test
  void a_line_written_during_engine_work_carries_its_trace_and_span_ids_and_any_other_line_nothing() throws Exception {
    assertThat(line("idle")).isEqualTo("idle");

    MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
    MDC.put("span_id", "00f067aa0ba902b7");

    assertThat(line("step install")).isEqualTo("[4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7] step install");
  }
}
