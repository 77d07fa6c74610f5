package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.ConsoleBrowser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real browser: a real deployment's version and outcome in its cell, a second deployment
 * showing up in the matrix without a reload, a reader bound to one service seeing that service's rows only,
 * and no serious accessibility finding, at desktop and phone widths.
 */
class DashboardBrowserTest extends ConsoleBrowserTest {

  /** A service with two components, deployed through two environments of local targets. */
  private record Shop(String service, String dev, String prod) {}

  private Shop shop() throws Exception {
    String service = unique("shop");
    String dev = unique("dev");
    String prod = unique("prod");
    apply("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: %2$s}
        spec: {purpose: development, owner: dev-team, promotesTo: [%3$s]}
        ---
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: %3$s}
        spec: {purpose: production, owner: ops}
        ---
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: %1$s}
        spec: {owner: shop-team}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: web}
        spec: {service: %1$s, type: software}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: api}
        spec: {service: %1$s, type: software}
        ---
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: %1$s}
        spec:
          appliesTo: {services: [%1$s]}
          stages:
            - name: dev
              environment: %2$s
              strategy: {type: all-at-once}
              steps:
                - {name: install, type: artifact.install, destination: releases, idempotent: true}
            - name: prod
              environment: %3$s
              strategy: {type: all-at-once}
              steps:
                - {name: install, type: artifact.install, destination: releases, idempotent: true}
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: %2$s-1}
        spec: {environment: %2$s, kind: local, path: %2$s-1}
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: %3$s-1}
        spec: {environment: %3$s, kind: local, path: %3$s-1}
        """.formatted(service, dev, prod));
    return new Shop(service, dev, prod);
  }

  private void push(String service, String component, String version) throws Exception {
    String boundary = "b" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n{\"version\":\"" + version + "\"}\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"version.txt\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + version + "\n\r\n--" + boundary + "--\r\n";
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/services/" + service
            + "/components/" + component + "/versions")).header("Authorization", "Bearer " + admin())
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }

  private long deploy(String component, String version, String environment, Instant at) throws Exception {
    var body = new java.util.HashMap<String, Object>(Map.of("component", component, "version", version,
        "environment", environment, "reason", "dashboard test"));
    if (at != null) {
      body.put("at", at.toString());
    }
    Response r = call("POST", "/api/v1/deployments", admin(), body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asLong();
  }

  private String state(long id) {
    try {
      return call("GET", "/api/v1/deployments/" + id, admin(), null).json().path("state").asString();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static By cell(String component, String environment) {
    return By.cssSelector("tr[data-component='" + component + "'] td[data-environment='" + environment + "']");
  }

  @Test
  void a_deployment_shows_in_its_cell_and_the_next_one_appears_without_reloading() throws Exception {
    Shop shop = shop();
    push(shop.service(), "web", "1.0.0");
    long first = deploy(shop.service() + "/web", "1.0.0", shop.dev(), null);

    try (ConsoleBrowser browser = signedIn(admin())) {
      browser.waitUntil(d -> state(first).equals("SUCCEEDED"), Duration.ofSeconds(30));
      browser.go("/console/dashboard?service=" + shop.service());
      assertThat(browser.findAll(By.cssSelector(".matrix thead th"))).extracting(WebElement::getText)
          .as("environments in the order of promotion").containsSubsequence(shop.dev(), shop.prod());
      // read in one script: the page's polling may replace the matrix between two reads of its elements
      browser.find(cell(shop.service() + "/web", shop.dev()));
      @SuppressWarnings("unchecked")
      Map<String, String> webDev = (Map<String, String>) ((JavascriptExecutor) browser.driver()).executeScript("""
          const td = document.querySelector(arguments[0]);
          return {version: td.querySelector('.version').innerText.trim(),
                  status: td.querySelector('.status').innerText.trim(), tone: td.className,
                  last: td.querySelector('a.last').href};""",
          "tr[data-component='" + shop.service() + "/web'] td[data-environment='" + shop.dev() + "']");
      assertThat(webDev.get("version")).isEqualTo("1.0.0");
      assertThat(webDev.get("status")).isEqualTo("Succeeded");
      assertThat(webDev.get("tone")).contains("tone-succeeded");
      assertThat(webDev.get("last")).endsWith("/console/deployments/" + first);
      assertThat(browser.find(cell(shop.service() + "/api", shop.dev())).getText()).isEqualTo("never deployed");
      browser.assertAccessible("dashboard");

      // a second deployment, planned for tomorrow: the matrix shows it planned, replaced by the page's polling
      ((JavascriptExecutor) browser.driver()).executeScript("window.dashboardMatrix = document.getElementById('matrix');");
      long second = deploy(shop.service() + "/web", "1.0.0", shop.prod(), Instant.now().plus(Duration.ofDays(1)));
      browser.waitUntil(d -> d.findElement(cell(shop.service() + "/web", shop.prod())).getText()
          .contains("#" + second), Duration.ofSeconds(20));
      assertThat((Boolean) ((JavascriptExecutor) browser.driver())
          .executeScript("return document.contains(window.dashboardMatrix);"))
          .as("the matrix was replaced in the page, not the page reloaded").isFalse();
      assertThat((Object) ((JavascriptExecutor) browser.driver()).executeScript("return window.dashboardMatrix ? 1 : 0;"))
          .as("the same page: its script variable survives").isEqualTo(1L);
      WebElement webProd = browser.find(cell(shop.service() + "/web", shop.prod()));
      assertThat(webProd.getText()).contains("none running", "Planned", "Planned #" + second);
      assertThat(browser.find(By.cssSelector("#matrix")).getAttribute("hx-get"))
          .as("the filter is kept in the polled address").contains("service=" + shop.service());

      browser.assertAccessible("dashboard-live");
      browser.screenshot("dashboard");

      browser.width(390);
      browser.assertAccessible("dashboard-phone");
      browser.screenshot("dashboard-phone");
      browser.width(1280);
    }
  }

  @Test
  void a_reader_bound_to_one_service_sees_only_its_rows_and_one_bound_nowhere_is_told_why_it_sees_nothing()
      throws Exception {
    Shop mine = shop();
    Shop other = shop();
    Person reader = person();
    bind(reader.name(), "service-owner", Map.of("service", mine.service()));

    try (ConsoleBrowser browser = signedIn(reader.token())) {
      browser.go("/console/dashboard");
      assertThat(browser.findAll(By.cssSelector(".matrix tbody[data-service]")))
          .extracting(e -> e.getAttribute("data-service")).containsExactly(mine.service());
      assertThat(browser.findAll(By.cssSelector("#filter-service option"))).extracting(WebElement::getText)
          .doesNotContain(other.service());
      assertThat(browser.driver().getPageSource()).doesNotContain(other.service());
      browser.screenshot("dashboard-scoped");

      // a filter naming a service it does not see, or hostile text, finds nothing and runs nothing
      browser.go("/console/dashboard?service=" + java.net.URLEncoder.encode("<script>alert(1)</script>"
          + other.service(), StandardCharsets.UTF_8));
      assertThat(browser.text(By.id("dashboard-empty"))).contains("Nothing matches these filters");
      assertThat(browser.find(By.id("matrix")).getAttribute("hx-get")).contains("%3Cscript%3E");
    }

    Person nobody = person();
    try (ConsoleBrowser browser = signedIn(nobody.token())) {
      browser.go("/console/dashboard");
      assertThat(browser.text(By.id("dashboard-empty"))).contains("None of your roles reaches");
      browser.assertAccessible("dashboard-empty");
    }
  }
}
