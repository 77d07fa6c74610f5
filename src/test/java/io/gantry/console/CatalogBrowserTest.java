package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.ConsoleBrowser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The catalog, the deployment models and the environments in a real browser, set up through the API: a
 * service owner approves a version through the form (recorded as through the API), sees a model's two versions
 * side by side, an environment's targets and what runs there; those outside the service's scopes see none of it.
 */
class CatalogBrowserTest extends ConsoleBrowserTest {

  /** A minimal CycloneDX SBOM, as a build would push it beside its artifact. */
  static final String BOM = """
      {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
       "components": [{"type": "library", "name": "left-pad", "version": "1.3.0"}]}""";

  /** The names one test sets up: its service, environment, target and model. */
  record Shop(String service, String environment, String target, String model) {
    String component() {
      return service + "/web";
    }
  }

  Shop shop(String step) throws Exception {
    Shop s = new Shop(unique("shop"), unique("dev"), unique("web"), unique("model"));
    apply("""
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: %1$s, description: The shop customers buy from}
        spec: {owner: team-shop}
        ---
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: web, description: The shop's web application}
        spec: {service: %1$s, type: software, model: %4$s}
        ---
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: %2$s, description: Development of the shop}
        spec: {purpose: development, controlled: false, owner: platform-team}
        ---
        apiVersion: gantry.io/v1
        kind: Target
        metadata: {name: %3$s}
        spec: {environment: %2$s, kind: local, path: %3$s, facts: {port: "18099", os: linux}, tags: [web]}
        """.formatted(s.service(), s.environment(), s.target(), s.model()), model(s, step));
    return s;
  }

  static String model(Shop s, String step) {
    return """
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: %1$s, description: Deploys the shop's web application}
        spec:
          appliesTo: {services: [%2$s]}
          stages:
            - name: dev
              environment: %3$s
              authorization: automatic
              strategy: {type: all-at-once}
              steps:
                - {name: install, type: shell, command: "%4$s", timeout: 30s}
        """.formatted(s.model(), s.service(), s.environment(), step);
  }

  /** Pushes a version through the API, as a build does (multipart: manifest and artifacts). */
  void push(Shop s, String version, Map<String, String> files) throws Exception {
    String boundary = "gantry" + UUID.randomUUID();
    StringBuilder body = new StringBuilder();
    body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"manifest\"\r\n")
        .append("Content-Type: application/json\r\n\r\n")
        .append(JSON.writeValueAsString(Map.of("version", version))).append("\r\n");
    files.forEach((name, content) -> body.append("--").append(boundary)
        .append("\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"").append(name).append("\"\r\n")
        .append("Content-Type: application/octet-stream\r\n\r\n").append(content).append("\r\n"));
    body.append("--").append(boundary).append("--\r\n");
    HttpResponse<String> pushed = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/services/"
            + s.service() + "/components/web/versions")).header("Authorization", "Bearer " + admin())
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
  }

  String versionPath(Shop s, String version) {
    return "/api/v1/services/" + s.service() + "/components/web/versions/" + version;
  }

  @Test
  void a_service_owner_approves_a_version_through_the_form_and_it_is_recorded_as_through_the_api() throws Exception {
    Shop s = shop("echo installed");
    push(s, "1.0.0", Map.of("app.txt", "hello shop", "bom.json", BOM));
    push(s, "1.1.0", Map.of("app.txt", "hello again"));
    Person owner = person();
    bind(owner.name(), "service-owner", Map.of("service", s.service()));
    Person practitioner = person();
    bind(practitioner.name(), "deployment-practitioner", Map.of("service", s.service()));
    Person outsider = person();

    try (ConsoleBrowser browser = signedIn(owner.token())) {
      browser.go("/console/catalog");
      // bound in one service only, the owner sees that one service and its component
      assertThat(browser.findAll(By.cssSelector("section.service h2"))).extracting(WebElement::getText)
          .containsExactly(s.service());
      assertThat(browser.text(By.cssSelector("table.components"))).contains("web").contains("1.1.0 registered");
      browser.assertAccessible("catalog");
      browser.screenshot("catalog-services");

      browser.find(By.linkText("web")).click();
      browser.waitUntil(d -> d.getCurrentUrl().endsWith("/console/catalog/" + s.service() + "/web"),
          Duration.ofSeconds(10));
      WebElement first = browser.find(By.id("v-1_0_0"));
      assertThat(first.getText()).contains("registered").contains("CycloneDX 1.5 (bom.json, 1 components)")
          .contains("not signed").contains("app.txt").contains("sha256:");
      // the artifact downloads through the console, its digest checked as the API checks it
      String href = first.findElement(By.linkText("app.txt")).getAttribute("href");
      Object downloaded = ((JavascriptExecutor) browser.driver()).executeAsyncScript(
          "const done = arguments[arguments.length - 1];"
              + "fetch(arguments[0]).then(r => r.text()).then(done, e => done('failed: ' + e));", href);
      assertThat(downloaded).isEqualTo("hello shop");
      browser.assertAccessible("component");
      browser.screenshot("catalog-component");

      // registered may become approved or withdrawn, as the version lifecycle allows
      Select status = new Select(browser.find(By.id("v-1_0_0-status")));
      assertThat(status.getOptions()).extracting(WebElement::getText).containsExactly("approved", "withdrawn");
      status.selectByValue("approved");
      browser.find(By.id("v-1_0_0-reason")).sendKeys("passed the shop's tests in dev");
      browser.find(By.cssSelector("#v-1_0_0 form.status-change button")).click();
      browser.waitUntil(d -> !d.findElements(By.id("changed")).isEmpty(), Duration.ofSeconds(10));
      assertThat(browser.text(By.cssSelector("#v-1_0_0 h2"))).isEqualTo("1.0.0 approved");
      assertThat(browser.text(By.id("v-1_0_0"))).contains("by " + owner.name() + ": passed the shop's tests in dev");
      Response recorded = call("GET", versionPath(s, "1.0.0"), admin(), null);
      assertThat(recorded.json().path("status").asString()).isEqualTo("approved");
      assertThat(recorded.json().path("statusChangedBy").asString()).isEqualTo(owner.name());
      assertThat(recorded.json().path("statusReason").asString()).isEqualTo("passed the shop's tests in dev");
      // an approved version may only be withdrawn now
      assertThat(new Select(browser.find(By.id("v-1_0_0-status"))).getOptions()).extracting(WebElement::getText)
          .containsExactly("withdrawn");

      // someone else withdraws 1.1.0 meanwhile: the page's form is stale and the change is refused, clearly
      Response withdrawn = call("PUT", versionPath(s, "1.1.0") + "/status", admin(), Map.of("status", "withdrawn",
          "reason", "a bad build", "rowVersion", call("GET", versionPath(s, "1.1.0"), admin(), null).json()
              .path("rowVersion").asLong()));
      assertThat(withdrawn.status()).as(withdrawn.text()).isEqualTo(200);
      new Select(browser.find(By.id("v-1_1_0-status"))).selectByValue("approved");
      browser.find(By.id("v-1_1_0-reason")).sendKeys("looks good");
      browser.find(By.cssSelector("#v-1_1_0 form.status-change button")).click();
      browser.waitUntil(d -> !d.findElements(By.id("refusal")).isEmpty(), Duration.ofSeconds(10));
      assertThat(browser.find(By.id("refusal")).getAttribute("role")).isEqualTo("alert");
      assertThat(browser.text(By.id("refusal"))).startsWith("Version 1.1.0 was not changed:");
      assertThat(browser.text(By.cssSelector("#v-1_1_0 h2"))).isEqualTo("1.1.0 withdrawn");
      assertThat(browser.findAll(By.cssSelector("#v-1_1_0 form"))).isEmpty();
      browser.assertAccessible("component-refused");
    }

    // one who pushes but does not approve sees the versions without the form
    try (ConsoleBrowser browser = signedIn(practitioner.token())) {
      browser.go("/console/catalog/" + s.service() + "/web");
      assertThat(browser.text(By.cssSelector("#v-1_0_0 h2"))).isEqualTo("1.0.0 approved");
      assertThat(browser.findAll(By.cssSelector("form.status-change"))).isEmpty();
    }
    // one whose roles do not reach the service sees neither it nor its component
    try (ConsoleBrowser browser = signedIn(outsider.token())) {
      browser.go("/console/catalog");
      assertThat(browser.find(By.tagName("main")).getText()).doesNotContain(s.service());
      browser.go("/console/catalog/" + s.service() + "/web");
      assertThat(browser.find(By.cssSelector("[role=alert]")).getText())
          .isEqualTo("service " + s.service() + " is outside the scopes of your roles");
      browser.assertAccessible("catalog-refused");
    }
  }

  @Test
  void a_stakeholder_reads_a_model_update_s_notice_in_my_work_and_marks_it_read_and_nobody_else_can_see_it()
      throws Exception {
    Person owner = person();
    Person stakeholder = person();
    Person other = person();
    Shop s = shop("echo v1");
    bind(owner.name(), "service-owner", Map.of("service", s.service()));
    bind(stakeholder.name(), "service-desk", Map.of("service", s.service()));
    bind(other.name(), "service-desk", Map.of("service", s.service()));
    String who = "spec:\n  owner: " + owner.name() + "\n  stakeholders: [\"user:" + stakeholder.name() + "\"]\n";
    // version 2 names the owner (in force on apply: version 1 had none), version 3 is proposed
    apply(model(s, "echo v1").replace("spec:\n", who));
    apply(model(s, "echo v2 <b>bold</b>").replace("spec:\n", who));

    try (ConsoleBrowser browser = signedIn(owner.token())) {
      browser.go("/console/work");
      assertThat(browser.text(By.id("proposals"))).contains(s.model() + " version 3").contains("proposed by");
    }
    Response agreed = call("POST", "/api/v1/models/" + s.model() + "/versions/3/agreement", owner.token(),
        Map.of("decision", "agree", "comment", "reads well"));
    assertThat(agreed.status()).as(agreed.text()).isEqualTo(200);

    long id;
    try (ConsoleBrowser browser = signedIn(stakeholder.token())) {
      browser.go("/console/work");
      assertThat(browser.findAll(By.cssSelector("#notices tbody tr"))).hasSize(2);
      assertThat(browser.text(By.id("notices"))).contains("stakeholder of model " + s.model()).contains("unread");
      browser.find(By.linkText("Model " + s.model() + " version 3 is in force")).click();
      browser.waitUntil(d -> !d.findElements(By.id("diff")).isEmpty(), Duration.ofSeconds(10));
      id = Long.parseLong(browser.driver().getCurrentUrl().replaceAll(".*/console/notices/", ""));
      assertThat(browser.text(By.id("diff"))).contains("echo v2 <b>bold</b>");
      assertThat(browser.findAll(By.cssSelector("#diff b"))).as("the diff is text").isEmpty();
      assertThat(browser.text(By.id("decisions"))).contains(owner.name() + " agreed").contains("reads well");
      assertThat(browser.text(By.id("read-at"))).isEqualTo("unread");
      browser.assertAccessible("notice");
      browser.find(By.id("mark-read")).click();
      browser.waitUntil(d -> !d.findElements(By.id("notice")).isEmpty(), Duration.ofSeconds(10));
      assertThat(browser.text(By.id("read-at"))).endsWith("UTC");
      assertThat(browser.findAll(By.id("mark-read"))).isEmpty();
    }
    Response readers = call("GET", "/api/v1/models/" + s.model() + "/versions/3/notices", owner.token(), null);
    assertThat(readers.json().toString()).contains(stakeholder.name()).contains("readAt");
    try (ConsoleBrowser browser = signedIn(other.token())) {
      browser.go("/console/notices/" + id);
      assertThat(browser.text(By.cssSelector("[role=alert]"))).contains("notice");
      assertThat(browser.findAll(By.id("diff"))).isEmpty();
    }
  }

  @Test
  void a_model_s_two_versions_are_compared_side_by_side() throws Exception {
    Shop s = shop("echo installing");
    apply(model(s, "echo installing the shop"));
    Person owner = person();
    bind(owner.name(), "service-owner", Map.of("service", s.service()));

    try (ConsoleBrowser browser = signedIn(owner.token())) {
      browser.go("/console/models");
      assertThat(browser.findAll(By.cssSelector("#models tbody tr"))).hasSize(1);
      assertThat(browser.text(By.id("models"))).contains(s.model()).contains("v2").contains(s.service());
      browser.assertAccessible("models");
      browser.screenshot("catalog-models");

      browser.find(By.linkText(s.model())).click();
      browser.waitUntil(d -> !d.findElements(By.id("side-by-side")).isEmpty(), Duration.ofSeconds(10));
      // choose the versions with the form: v1 on the left, v2 on the right
      new Select(browser.find(By.id("from"))).selectByValue("1");
      new Select(browser.find(By.id("to"))).selectByValue("2");
      browser.find(By.cssSelector("form.compare button")).click();
      browser.waitUntil(d -> d.getCurrentUrl().contains("from=1&to=2"), Duration.ofSeconds(10));
      List<WebElement> changed = browser.findAll(By.cssSelector("#side-by-side tr.changed"));
      assertThat(changed).hasSize(1);
      assertThat(changed.get(0).findElement(By.cssSelector("td.line.old")).getText()).endsWith("echo installing");
      assertThat(changed.get(0).findElement(By.cssSelector("td.line.new")).getText())
          .contains("echo installing the shop");
      // the change is marked by signs and words, not colour alone
      assertThat(changed.get(0).findElement(By.cssSelector("td.sign.old")).getText()).startsWith("−");
      assertThat(changed.get(0).findElement(By.cssSelector("td.sign.new")).getText()).startsWith("+");
      assertThat(changed.get(0).findElement(By.cssSelector("td.sign.old .sr-only")).getAttribute("textContent"))
          .isEqualTo(" changed");
      assertThat(browser.findAll(By.cssSelector("#side-by-side tr.same"))).isNotEmpty();
      browser.assertAccessible("model");
      ((JavascriptExecutor) browser.driver()).executeScript("arguments[0].scrollIntoView({block: 'center'})",
          changed.get(0));
      browser.screenshot("catalog-model-diff");

      browser.go("/console/models/" + s.model() + "?from=1&to=7");
      assertThat(browser.text(By.cssSelector("[role=alert]"))).isEqualTo("versions of model " + s.model()
          + " run from 1 to 2");
      browser.go("/console/models/%3Cb%3Eno-such-model");
      assertThat(browser.text(By.cssSelector("[role=alert]"))).contains("<b>no-such-model");
      assertThat(browser.findAll(By.cssSelector("main b"))).isEmpty();
    }
  }

  @Test
  void an_environment_shows_its_targets_and_what_runs_there_to_those_its_roles_reach() throws Exception {
    Shop s = shop("echo installed $GANTRY_VERSION");
    push(s, "1.0.0", Map.of("app.txt", "hello shop"));
    Response requested = call("POST", "/api/v1/deployments", admin(), Map.of("component", s.component(),
        "version", "1.0.0", "environment", s.environment(), "reason", "first deployment"));
    assertThat(requested.status()).as(requested.text()).isEqualTo(201);
    long id = requested.json().path("id").asLong();
    Person practitioner = person();
    bind(practitioner.name(), "deployment-practitioner", Map.of("service", s.service(), "environment",
        s.environment()));
    Person outsider = person();

    try (ConsoleBrowser browser = signedIn(practitioner.token())) {
      browser.waitUntil(d -> {
        try {
          return "SUCCEEDED".equals(call("GET", "/api/v1/deployments/" + id, admin(), null).json().path("state")
              .asString());
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }, Duration.ofSeconds(30));

      browser.go("/console/environments");
      assertThat(browser.findAll(By.cssSelector("#environments tbody td:first-child a")))
          .extracting(WebElement::getText).containsExactly(s.environment());
      assertThat(browser.text(By.id("environments"))).contains("development").contains("platform-team");
      browser.assertAccessible("environments");
      browser.screenshot("catalog-environments");

      browser.find(By.linkText(s.environment())).click();
      browser.waitUntil(d -> !d.findElements(By.id("targets")).isEmpty(), Duration.ofSeconds(10));
      assertThat(browser.text(By.id("targets"))).contains(s.target()).contains("local").contains("port = 18099")
          .contains("os = linux");
      WebElement placement = browser.find(By.cssSelector("#placements tbody tr"));
      assertThat(placement.getText()).contains(s.component()).contains(s.target()).contains("1.0.0");
      assertThat(placement.findElement(By.linkText("deployment " + id)).getAttribute("href"))
          .endsWith("/console/deployments/" + id);
      browser.assertAccessible("environment");
      browser.screenshot("catalog-environment");
      browser.width(390);
      browser.assertAccessible("environment-phone");
      browser.screenshot("catalog-environment-phone");
      browser.width(1280);

      browser.find(By.linkText(s.target())).click();
      browser.waitUntil(d -> !d.findElements(By.id("history")).isEmpty(), Duration.ofSeconds(10));
      assertThat(browser.text(By.id("facts"))).contains("port").contains("18099");
      assertThat(browser.text(By.id("history"))).contains(String.valueOf(id)).contains(s.component())
          .contains("1.0.0").contains("succeeded");
      browser.assertAccessible("target");
      browser.screenshot("catalog-target");
    }
    try (ConsoleBrowser browser = signedIn(outsider.token())) {
      browser.go("/console/environments");
      assertThat(browser.find(By.tagName("main")).getText()).doesNotContain(s.environment());
      browser.go("/console/environments/" + s.environment());
      assertThat(browser.text(By.cssSelector("[role=alert]")))
          .isEqualTo("environment " + s.environment() + " is outside the scopes of your roles");
      browser.go("/console/targets/" + s.target());
      assertThat(browser.text(By.cssSelector("[role=alert]")))
          .isEqualTo("environment " + s.environment() + " is outside the scopes of your roles");
    }
  }
}
