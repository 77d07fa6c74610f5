package io.gantry.console;

import java.util.List;

/**
 * The dashboard: which version of each component runs in each environment, how the last deployment there
 * ended, and what is under way there. Public for the compiled templates only.
 *
 * @param service the service filter (null: every service the reader sees)
 * @param environment the environment filter (null: every environment the reader sees)
 * @param services the services the reader may filter by
 * @param choices the environments the reader may filter by
 * @param columns the environments shown, in the order versions are promoted through them
 * @param groups the components shown, by service
 * @param empty why there is nothing to show (null when there is)
 * @param query the filters as a query string ({@code ?service=...}), for the polled fragment's address
 * @param readAt when the matrix was read (HH:mm:ss UTC)
 */
public record DashboardPage(String service, String environment, List<String> services, List<String> choices,
    List<String> columns, List<Group> groups, String empty, String query, String readAt) {

  /** A service's components, one row each. */
  public record Group(String service, List<Row> rows) {}

  /** A component, with its cell in each column. */
  public record Row(String component, List<Cell> cells) {}

  /**
   * A component in an environment.
   *
   * @param environment the column
   * @param seen whether the reader's roles reach this service in this environment (else the cell is blank)
   * @param version the version running there now (null: none, or removed)
   * @param status the last deployment's state as a word for the reader ("Succeeded", "Failed", "Waiting"...);
   *     null when there was none
   * @param tone the class that colours the cell after that state: succeeded, failed, rolled-back, cancelled,
   *     under-way, or none
   * @param lastVersion the version the last deployment moved, when it is not the one running there
   * @param lastId the last deployment's number (its page is linked), null when there was none
   * @param when how long ago the last deployment ended, or was requested if it has not ended ("5m ago")
   * @param markers the deployments under way there
   */
  public record Cell(String environment, boolean seen, String version, String status, String tone,
      String lastVersion, Long lastId, String when, List<Marker> markers) {}

  /**
   * Deployments under way in a cell of one kind: running, waiting or queued.
   *
   * @param kind running, waiting or queued
   * @param text what to read ("Running #12 1.4", "Waiting for approval #13", "Queued: 2")
   * @param id the deployment to link to, when the marker is about one
   */
  public record Marker(String kind, String text, Long id) {}
}
