package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.ConsoleBrowser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import tools.jackson.databind.JsonNode;

/**
 * The measures and incidents pages in a real browser, over deployments made through the API into an
 * environment and a service of this test's own (so the period and scope hold only them): the page shows
 * the figures the metrics API gives for the same period and scope, draws its charts, and the incidents
 * pages list, show and act on incidents as the API does.
 */
class MeasuresBrowserTest extends ConsoleBrowserTest {

  @TempDir static Path targets;

  private record Setup(String environment, String service) {}

  /** Set up once for the class: configuration is applied as a whole, and a pushed component must stay in it. */
  private static Setup setup;

  private synchronized Setup setUp() throws Exception {
    if (setup == null) {
      setup = configure();
    }
    return setup;
  }

  /** A production environment with one local target, a service whose component fails version 1.0.3 only. */
  private Setup configure() throws Exception {
    String environment = unique("live");
    String service = unique("meter");
    String model = unique("metered");
    Path target = java.nio.file.Files.createDirectories(targets.resolve("t1"));
    apply("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: ENV}
        spec: {purpose: production, controlled: false, owner: team}
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: ENV-t1}
        spec: {environment: ENV, kind: local, path: "PATH"}
        ---
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: SVC}
        spec: {owner: team}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: web}
        spec: {service: SVC, type: software, model: MODEL}
        ---
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: MODEL}
        spec:
          appliesTo: {componentTypes: [software]}
          stages:
            - name: live
              environment: ENV
              authorization: automatic
              strategy: {type: all-at-once}
              steps:
                - {name: run, type: shell, command: "[ \\"$GANTRY_VERSION\\" != 1.0.3 ]", timeout: 30s}
              failurePolicy: {action: stop}
        """.replace("ENV", environment).replace("SVC", service).replace("MODEL", model)
        .replace("PATH", target.toAbsolutePath().toString()));
    return new Setup(environment, service);
  }

  private void push(Setup s, String version) throws Exception {
    String boundary = "gantry" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n" + JSON.writeValueAsString(Map.of("version", version)) + "\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"app.sh\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\necho " + version + "\r\n--" + boundary + "--\r\n";
    HttpResponse<String> pushed = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/services/"
            + s.service() + "/components/web/versions"))
        .header("Authorization", "Bearer " + admin())
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(pushed.statusCode()).as(pushed.body()).isIn(200, 201);
  }

  /** Deploys a version through the API and waits for it to end; its final state. */
  private long deploy(ConsoleBrowser browser, Setup s, String version, String expected) throws Exception {
    push(s, version);
    Response r = call("POST", "/api/v1/deployments", admin(), Map.of("component", s.service() + "/web", "version",
        version, "environment", s.environment(), "reason", "measured"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    long id = r.json().path("id").asLong();
    String state = browser.waitUntil(d -> {
      try {
        String now = call("GET", "/api/v1/deployments/" + id, admin(), null).json().path("state").asString();
        return List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED").contains(now) ? now : null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, Duration.ofSeconds(60));
    assertThat(state).as("deployment #" + id + " of " + version).isEqualTo(expected);
    return id;
  }

  @Test
  void the_measures_page_shows_the_apis_figures_for_its_period_and_scope_and_draws_its_charts() throws Exception {
    Setup s = setUp();
    try (ConsoleBrowser browser = signedIn(admin())) {
      long first = deploy(browser, s, "1.0.1", "SUCCEEDED");
      long cause = deploy(browser, s, "1.0.2", "SUCCEEDED");
      Response reported = call("POST", "/api/v1/incidents", admin(), Map.of("service", s.service(), "environment",
          s.environment(), "severity", "2", "title", "checkout <b>slow</b>", "detectedAt", Instant.now().toString()));
      assertThat(reported.status()).as(reported.text()).isEqualTo(201);
      long incident = reported.json().path("id").asLong();
      assertThat(reported.json().path("deployment").asLong()).as("linked by rule").isEqualTo(cause);
      long failed = deploy(browser, s, "1.0.3", "FAILED");
      long fix = deploy(browser, s, "1.0.4", "SUCCEEDED");

      // the incidents list, then its page: the cause's link, and resolving and marking the fix from the page
      browser.go("/console/incidents?service=" + s.service());
      assertThat(browser.text(By.id("incidents"))).contains("#" + incident).contains("checkout <b>slow</b>")
          .contains("#" + cause + " (rule)");
      browser.assertAccessible("incidents");
      browser.screenshot("measures-incidents");
      browser.find(By.linkText("#" + incident)).click();
      browser.waitUntil(d -> d.getCurrentUrl().endsWith("/console/incidents/" + incident), Duration.ofSeconds(10));
      assertThat(browser.find(By.cssSelector("#cause a")).getAttribute("href"))
          .endsWith("/console/deployments/" + cause);
      assertThat(browser.text(By.id("status"))).isEqualTo("open");
      browser.find(By.id("remediation")).sendKeys(String.valueOf(first));
      browser.find(By.id("remediate")).click();
      assertThat(browser.text(By.id("problem"))).as("the fix was requested before detection")
          .contains("before the incident was detected");
      browser.find(By.id("remediation")).clear();
      browser.find(By.id("remediation")).sendKeys(String.valueOf(fix));
      browser.find(By.id("remediate")).click();
      browser.waitUntil(d -> d.getCurrentUrl().endsWith("done=remediation"), Duration.ofSeconds(10));
      assertThat(browser.find(By.cssSelector("#remediations a")).getAttribute("href"))
          .endsWith("/console/deployments/" + fix);
      browser.find(By.id("resolve")).click();
      browser.waitUntil(d -> d.getCurrentUrl().endsWith("done=resolved"), Duration.ofSeconds(10));
      assertThat(browser.text(By.id("status"))).isEqualTo("resolved");
      assertThat(call("GET", "/api/v1/incidents/" + incident, admin(), null).json().path("remediations").get(0)
          .asLong()).isEqualTo(fix);
      browser.assertAccessible("incident");
      browser.screenshot("measures-incident");
      browser.go("/console/incidents/999999999");
      assertThat(browser.text(By.id("problem"))).contains("does not exist");

      // today, this service in this environment: only this test's deployments
      String today = LocalDate.now(ZoneOffset.UTC).toString();
      Map<String, String> query = new LinkedHashMap<>();
      query.put("from", today);
      query.put("to", today);
      query.put("service", s.service());
      query.put("environment", s.environment());
      String q = "?from=" + today + "&to=" + today + "&service=" + s.service() + "&environment=" + s.environment();
      browser.go("/console/measures" + q);
      // `gantry metrics --from D --to D --service S --environment E` (cli/MetricsCommands.Metrics) GETs these two
      // endpoints with the same query and prints their figures: the page must show the same
      JsonNode kpis = call("GET", "/api/v1/metrics/kpis" + q, admin(), null).json();
      JsonNode dora = call("GET", "/api/v1/metrics/dora" + q, admin(), null).json();
      assertThat(browser.text(By.id("cli"))).isEqualTo("gantry metrics --from " + today + " --to " + today
          + " --service " + s.service() + " --environment " + s.environment());
      assertThat(kpis.path("deployments").path("ended").asLong()).isEqualTo(4);
      assertThat(kpis.path("deployments").path("failed").asLong()).isEqualTo(1);
      assertThat(dora.path("changeFailRate").path("failed").asLong()).as("the failure and the incident's cause")
          .isEqualTo(2);
      Map<String, String> kpiFigures = Map.ofEntries(Map.entry("kpi-ended", "deployments.ended"),
          Map.entry("kpi-succeeded", "deployments.succeeded"), Map.entry("kpi-cancelled", "deployments.cancelled"),
          Map.entry("kpi-successPercent", "deployments.successPercent"),
          Map.entry("kpi-failures", "deployments.failures"), Map.entry("kpi-failed", "deployments.failed"),
          Map.entry("kpi-rolledBack", "deployments.rolledBack"),
          Map.entry("kpi-relatedToDeployments", "incidents.relatedToDeployments"),
          Map.entry("kpi-incidents", "incidents.total"), Map.entry("kpi-relatedPercent", "incidents.relatedPercent"),
          Map.entry("kpi-unresolved", "incidents.unresolved"), Map.entry("kpi-onTime", "scheduleAdherence.onTime"),
          Map.entry("kpi-planned", "scheduleAdherence.planned"),
          Map.entry("kpi-adherencePercent", "scheduleAdherence.percent"),
          Map.entry("kpi-requested", "backlog.requested"), Map.entry("kpi-completed", "backlog.completed"),
          Map.entry("kpi-requestedPerDay", "backlog.requestedPerDay"),
          Map.entry("kpi-completedPerDay", "backlog.completedPerDay"), Map.entry("kpi-queued", "backlog.queued"),
          Map.entry("kpi-leadMedian", "leadTime.requestToSuccessMedianSeconds"),
          Map.entry("kpi-leadMean", "leadTime.requestToSuccessMeanSeconds"),
          Map.entry("kpi-withCommitTime", "leadTime.withCommitTime"), Map.entry("kpi-ratings", "satisfaction.ratings"),
          Map.entry("kpi-throughAgreedModel", "adoption.throughAgreedModel"),
          Map.entry("kpi-adoptionPercent", "adoption.percent"));
      Map<String, String> doraFigures = Map.ofEntries(Map.entry("dora-deployments", "deployments"),
          Map.entry("dora-perDay", "deploymentFrequency.perDay"), Map.entry("dora-perWeek", "deploymentFrequency.perWeek"),
          Map.entry("dora-succeeded", "deploymentFrequency.succeeded"),
          Map.entry("dora-leadMedian", "changeLeadTime.medianSeconds"),
          Map.entry("dora-failPercent", "changeFailRate.percent"), Map.entry("dora-failedChanges", "changeFailRate.failed"),
          Map.entry("dora-recoveryMedian", "failedDeploymentRecoveryTime.medianSeconds"),
          Map.entry("dora-recovered", "failedDeploymentRecoveryTime.recovered"),
          Map.entry("dora-unrecovered", "failedDeploymentRecoveryTime.unrecovered"),
          Map.entry("dora-reworkPercent", "deploymentReworkRate.percent"),
          Map.entry("dora-rework", "deploymentReworkRate.rework"));
      assertSameFigures(browser, kpis, kpiFigures);
      assertSameFigures(browser, dora, doraFigures);
      assertThat(browser.text(By.id("dora-failLevel"))).isEqualTo(dora.path("changeFailRate").path("level")
          .asString().toLowerCase());
      assertThat(browser.text(By.id("dora-frequencyLevel"))).isEqualTo(dora.path("deploymentFrequency")
          .path("level").asString().toLowerCase());

      // every chart drawn, as SVG, each with its text alternative
      List<WebElement> charts = browser.findAll(By.cssSelector(".chart[data-chart]"));
      assertThat(charts).hasSize(5);
      browser.waitUntil(d -> d.findElements(By.cssSelector(".chart[data-chart] svg")).size() >= 5,
          Duration.ofSeconds(15));
      for (WebElement chart : charts) {
        assertThat(chart.findElements(By.tagName("svg"))).as(chart.getAttribute("id")).isNotEmpty();
        assertThat(chart.getAttribute("aria-labelledby")).isNotBlank();
      }
      assertThat(browser.findAll(By.cssSelector("#daily tbody tr"))).hasSize(1);
      assertThat(browser.find(By.cssSelector("#daily tbody tr")).getAttribute("textContent"))
          .contains(today).contains("3").contains("1");
      assertThat(browser.text(By.id("vsm"))).contains("execution");
      browser.assertAccessible("measures");
      browser.screenshot("measures");
      ((org.openqa.selenium.JavascriptExecutor) browser.driver())
          .executeScript("document.getElementById('trends-title').scrollIntoView()");
      browser.screenshot("measures-charts");
      browser.width(390);
      browser.assertAccessible("measures at phone width");
      browser.screenshot("measures-phone");
      var js = (org.openqa.selenium.JavascriptExecutor) browser.driver();
      browser.waitUntil(d -> (Boolean) js.executeScript(
          "return document.documentElement.scrollWidth <= window.innerWidth"), Duration.ofSeconds(10));
      js.executeScript("document.getElementById('trends-title').scrollIntoView()");
      browser.screenshot("measures-phone-charts");
      browser.width(1280);
    }
  }

  /** Each figure's exact value on the page ({@code <data value>}) is the API's, null as none. */
  private static void assertSameFigures(ConsoleBrowser browser, JsonNode report, Map<String, String> figures) {
    figures.forEach((id, path) -> {
      JsonNode value = report;
      for (String part : path.split("\\.")) {
        value = value.path(part);
      }
      String shown = browser.find(By.id(id)).getAttribute("value");
      if (value.isNull() || value.isMissingNode()) {
        assertThat(shown).as(id + " = " + path).isEmpty();
      } else {
        assertThat(Double.parseDouble(shown)).as(id + " = " + path).isEqualTo(value.asDouble());
      }
    });
  }

  @Test
  void a_scoped_user_sees_its_own_scope_chosen_and_is_told_why_a_wider_one_is_refused() throws Exception {
    Setup s = setUp();
    Person scoped = person();
    bind(scoped.name(), "deployment-practitioner", Map.of("service", s.service()));
    try (ConsoleBrowser browser = signedIn(scoped.token())) {
      browser.go("/console/measures");
      assertThat(browser.text(By.id("scope-notice"))).contains("service " + s.service());
      assertThat(browser.find(By.id("service")).getAttribute("value")).isEqualTo(s.service());
      assertThat(browser.text(By.id("cli"))).contains("--service " + s.service());
      // the DORA measures of a service are of its production environments: shown
      assertThat(browser.findAll(By.id("dora"))).hasSize(1);

      browser.go("/console/measures?service=" + unique("other"));
      assertThat(browser.find(By.id("refusal")).getAttribute("role")).isEqualTo("alert");
      assertThat(browser.text(By.id("refusal"))).contains("outside the scopes of your roles")
          .contains("service " + s.service());
      Response api = call("GET", "/api/v1/metrics/kpis?from=2026-01-01&to=2026-01-31", scoped.token(), null);
      assertThat(api.status()).as("the API refuses the same").isEqualTo(403);
      browser.assertAccessible("measures refused");
      browser.screenshot("measures-refused");

      browser.go("/console/incidents");
      browser.assertAccessible("incidents, scoped");
    }

    // an auditor reads incidents but may not resolve them: no action offered, and one sent anyway is refused
    Response reported = call("POST", "/api/v1/incidents", admin(), Map.of("service", s.service(), "environment",
        s.environment(), "severity", "low", "title", "yesterday's hiccup", "detectedAt",
        Instant.now().minus(Duration.ofDays(1)).toString()));
    assertThat(reported.status()).as(reported.text()).isEqualTo(201);
    long incident = reported.json().path("id").asLong();
    Person auditor = person("auditor");
    try (ConsoleBrowser browser = signedIn(auditor.token())) {
      browser.go("/console/incidents/" + incident);
      assertThat(browser.findAll(By.id("resolve"))).isEmpty();
      assertThat(browser.text(By.tagName("main"))).contains("needs a role that reports incidents");
      Object status = ((org.openqa.selenium.JavascriptExecutor) browser.driver()).executeAsyncScript("""
          const done = arguments[arguments.length - 1];
          const body = new URLSearchParams();
          const csrf = document.querySelector('header form.sign-out input[type=hidden]');
          body.append(csrf.name, csrf.value);
          fetch('/console/incidents/%d/resolve', {method: 'POST', body: body}).then(r => done(r.status));
          """.formatted(incident));
      assertThat(((Number) status).intValue()).isEqualTo(403);
      assertThat(call("GET", "/api/v1/incidents/" + incident, admin(), null).json().path("resolvedAt").isNull())
          .isTrue();
    }
  }
}
