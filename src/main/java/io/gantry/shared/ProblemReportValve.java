package io.gantry.shared;

import java.io.IOException;
import java.io.Writer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Requests the web server refuses itself, before any filter sees them (a request line or headers over
 * its limit, a path with an encoded slash or a NUL), are answered with a problem document naming the
 * request as what is wrong, not with the server's HTML page.
 */
public class ProblemReportValve extends ErrorReportValve {

  @Configuration(proxyBeanMethods = false)
  static class Installation {
    @Bean
    TomcatContextCustomizer problemReports() {
      return context -> {
        if (context.getParent() instanceof StandardHost host) {
          host.setErrorReportValveClass(ProblemReportValve.class.getName());
        }
      };
    }
  }

  @Override
  protected void report(Request request, Response response, Throwable throwable) {
    int status = response.getStatus();
    if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
      return;
    }
    String message = response.getMessage() == null || response.getMessage().isBlank()
        ? "the request was refused by the web server" : response.getMessage();
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", ProblemResponses.TYPE_BASE + (status >= 500 ? "internal" : "malformed-request"));
    problem.put("title", status >= 500 ? "Internal error" : "Malformed request");
    problem.put("status", status);
    problem.put("detail", status >= 500 ? "an unexpected error occurred; the server log has the details" : message);
    if (status < 500) {
      problem.put("errors", List.of(Map.of("field", "request", "message", message)));
    }
    try {
      // the web server refused the request as it read it: the connection is not fit for another one
      response.setHeader("Connection", "close");
      response.setContentType("application/problem+json");
      response.setCharacterEncoding("UTF-8");
      Writer writer = response.getReporter();
      if (writer != null) {
        writer.write(Json.write(problem));
        response.finishResponse();
      }
    } catch (IOException | IllegalStateException e) {
      // the client has gone or the answer has begun: nothing more can be said
    }
  }
}
