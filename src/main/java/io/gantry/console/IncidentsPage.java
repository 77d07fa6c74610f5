package io.gantry.console;

import io.gantry.metrics.Incident;
import java.util.List;

/**
 * The incidents list: the incidents the user sees under the filter, one page of them, and the form to
 * report a new one (with what was typed, when it was refused). Public for the compiled templates only.
 *
 * @param problem why the list or the report was refused, or null
 */
public record IncidentsPage(String service, String environment, String open, List<Incident> items, int page,
    long total, boolean hasNext, String problem, IncidentForm form) {

  /** The report form's values, as typed. */
  public record IncidentForm(String service, String environment, String severity, String title, String reference,
      String detectedAt, String resolvedAt, String deployment) {}

  public String query(int otherPage) {
    StringBuilder q = new StringBuilder("/console/incidents?page=" + otherPage);
    if (service != null) {
      q.append("&service=").append(java.net.URLEncoder.encode(service, java.nio.charset.StandardCharsets.UTF_8));
    }
    if (environment != null) {
      q.append("&environment=").append(java.net.URLEncoder.encode(environment,
          java.nio.charset.StandardCharsets.UTF_8));
    }
    if (open != null) {
      q.append("&open=").append(java.net.URLEncoder.encode(open, java.nio.charset.StandardCharsets.UTF_8));
    }
    return q.toString();
  }
}
