package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.ConsoleBrowser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * A deployment's page in a real browser on a real server: a deployment of the sample app to local targets followed
 * live until it succeeds, a manual step signed off with its checklist and an evidence file, and a person without
 * the step's role who is offered no sign-off and whose forged one is refused.
 */
class DeploymentBrowserTest extends ConsoleBrowserTest {

  @TempDir Path targets;

  /** An environment with {@code count} local targets (temporary folders), a service and a component in it. */
  private record Setup(String environment, String service, String component, List<String> targets) {}

  private Setup setUp(int count, String steps) throws Exception {
    String environment = unique("env");
    String service = unique("svc");
    String component = "web";
    String model = unique("model");
    StringBuilder docs = new StringBuilder("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: ENV}
        spec: {purpose: development, controlled: false, owner: team}
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
            - name: only
              environment: ENV
              authorization: automatic
              strategy: {type: all-at-once}
              steps:
        STEPS
        """.replace("STEPS", steps));
    List<String> names = new java.util.ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String name = environment + "-t" + i;
      names.add(name);
      Path folder = Files.createDirectories(targets.resolve(name));
      docs.append("---\napiVersion: gantry.io/v1\nkind: Target\nmetadata: {name: ").append(name)
          .append("}\nspec: {environment: ENV, kind: local, path: \"").append(folder.toAbsolutePath())
          .append("\"}\n");
    }
    apply(docs.toString().replace("ENV", environment).replace("SVC", service).replace("MODEL", model));
    return new Setup(environment, service, component, names);
  }

  /** Pushes the sample app (its script and its bin folder) as a version of the component. */
  private void pushSampleApp(Setup s, String version) throws Exception {
    Path app = Path.of("examples", "sample-app");
    Map<String, String> files = new java.util.LinkedHashMap<>();
    files.put("app.py", Files.readString(app.resolve("app.py")));
    for (String script : List.of("restart.sh", "start.sh", "stop.sh", "smoke-test.sh")) {
      files.put("bin/" + script, Files.readString(app.resolve("bin").resolve(script)));
    }
    String boundary = "gantry" + UUID.randomUUID();
    StringBuilder body = new StringBuilder();
    body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"manifest\"\r\n")
        .append("Content-Type: application/json\r\n\r\n").append(JSON.writeValueAsString(Map.of("version", version)))
        .append("\r\n");
    files.forEach((name, content) -> body.append("--").append(boundary)
        .append("\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"").append(name).append("\"\r\n")
        .append("Content-Type: application/octet-stream\r\n\r\n").append(content).append("\r\n"));
    body.append("--").append(boundary).append("--\r\n");
    HttpResponse<String> pushed = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/services/"
            + s.service() + "/components/" + s.component() + "/versions"))
        .header("Authorization", "Bearer " + admin())
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    assertThat(pushed.statusCode()).as(pushed.body()).isIn(200, 201);
  }

  private long deploy(Setup s, String version, String token) throws Exception {
    Response r = call("POST", "/api/v1/deployments", token, Map.of("component", s.service() + "/" + s.component(),
        "version", version, "environment", s.environment(), "reason", "browser test"));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asLong();
  }

  private String state(long id) throws Exception {
    return call("GET", "/api/v1/deployments/" + id, admin(), null).json().path("state").asString();
  }

  @Test
  void watch_a_real_deployment_of_the_sample_app_progress_live_on_its_page() throws Exception {
    Setup s = setUp(2, """
                - {name: install, type: artifact.install, destination: releases, idempotent: true}
                - {name: warm-up, type: shell, command: "for i in 1 2 3 4 5 6 7 8 9 10; do echo warming up $i; sleep 0.5; done", timeout: 1m}
        """);
    pushSampleApp(s, "1.0.0");

    try (ConsoleBrowser browser = signedIn(admin())) {
      long id = deploy(s, "1.0.0", admin());
      browser.go("/console/deployments/" + id);
      assertThat(browser.text(By.id("live-state"))).as("the page opens while the deployment runs")
          .isNotEqualTo("SUCCEEDED");
      assertThat(browser.text(By.tagName("h1"))).contains("#" + id).contains(s.service() + "/web 1.0.0");
      // the live part follows the deployment without a reload: a marker set on the page now survives
      ((JavascriptExecutor) browser.driver()).executeScript("document.body.dataset.loadedOnce = 'yes'");
      browser.waitUntil(d -> d.findElements(By.cssSelector("#progress td.cell .state-running, #progress td.cell "
          + ".state-succeeded")).size() > 0 ? true : null, Duration.ofSeconds(30));
      // what the running step prints shows while it runs, not only once it has ended
      browser.waitUntil(d -> {
        String live = d.findElement(By.id("live")).getText();
        return live.contains("warm-up on ") && live.contains("(RUNNING) · so far") && live.contains("warming up")
            ? true : null;
      }, Duration.ofSeconds(30));
      ((JavascriptExecutor) browser.driver()).executeScript("document.getElementById('live').scrollIntoView()");
      browser.screenshot("deployment-running");
      browser.waitUntil(d -> "SUCCEEDED".equals(d.findElement(By.id("live-state")).getText()) ? true : null,
          Duration.ofSeconds(40));
      assertThat(browser.find(By.tagName("body")).getAttribute("data-loaded-once")).isEqualTo("yes");
      assertThat(browser.findAll(By.cssSelector("#progress tbody tr"))).hasSize(2);
      assertThat(browser.findAll(By.cssSelector("#progress td.cell .state-succeeded")).size()).isEqualTo(4);
      browser.waitUntil(d -> d.findElement(By.id("live")).getText().contains("warming up 10") ? true : null,
          Duration.ofSeconds(10));
      assertThat(browser.text(By.id("state"))).as("the header's state follows too").isEqualTo("SUCCEEDED");
      assertThat(browser.text(By.id("moved-on"))).contains("reload the page");
      // once finished it no longer polls
      assertThat(browser.find(By.id("live")).getAttribute("hx-get")).isNull();

      browser.go("/console/deployments/" + id);
      assertThat(browser.text(By.id("activities"))).contains("Deployment planning")
          .contains("Verification of components").contains("Verification of the target environment")
          .contains("Deployment execution").contains("Deployment verification");
      browser.assertAccessible("deployment");
      browser.screenshot("deployment-succeeded");
      browser.width(390);
      assertThat(((JavascriptExecutor) browser.driver()).executeScript(
          "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"))
          .as("nothing but the tables' own scrolling is wider than a phone").isEqualTo(true);
      browser.assertAccessible("deployment-phone");
      browser.screenshot("deployment-phone");
      browser.width(1280);

      browser.go("/console/deployments/999999999");
      assertThat(browser.text(By.cssSelector(".refusal"))).contains("does not exist");
      browser.go("/console/deployments/not-a-number");
      assertThat(browser.text(By.cssSelector(".refusal"))).contains("does not exist");
    }
  }

  @Test
  void a_manual_step_is_signed_off_with_its_checklist_and_an_evidence_file_and_the_deployment_goes_on()
      throws Exception {
    Setup s = setUp(1, """
                - {name: install, type: artifact.install, destination: releases, idempotent: true}
                - name: check-rack
                  type: manual
                  instructions: Check the rack before the service starts
                  checklist: [Power <on>, "Cables & labels"]
                  evidenceRequired: true
                  role: deployment-practitioner
                - {name: done, type: shell, command: "echo after the sign-off", timeout: 1m}
        """);
    pushSampleApp(s, "2.0.0");
    Person practitioner = person();
    bind(practitioner.name(), "deployment-practitioner", Map.of("service", s.service()));
    long id = deploy(s, "2.0.0", admin());

    try (ConsoleBrowser browser = signedIn(practitioner.token())) {
      waitForManualStep(browser, id);
      browser.go("/console/work");
      browser.waitUntil(d -> d.findElements(By.cssSelector("#work a[href='/console/deployments/" + id + "']"))
          .size() > 0 ? true : null, Duration.ofSeconds(10));
      assertThat(browser.text(By.id("work"))).contains("Sign off").contains("check-rack");
      browser.assertAccessible("work");
      browser.screenshot("deployment-work");

      browser.find(By.cssSelector("#work a[href='/console/deployments/" + id + "']")).click();
      WebElement form = browser.find(By.cssSelector("form[data-kind=signoff]"));
      assertThat(form.getText()).contains("Power <on>").contains("Cables & labels")
          .contains("Check the rack before the service starts");
      browser.assertAccessible("deployment-signoff");
      browser.screenshot("deployment-signoff");
      for (WebElement box : form.findElements(By.cssSelector("input[type=checkbox]"))) {
        box.click();
      }
      Path photo = Files.writeString(targets.resolve("rack-photo.txt"), "a photo of the rack");
      form.findElement(By.cssSelector("input[type=file]")).sendKeys(photo.toAbsolutePath().toString());
      form.findElement(By.tagName("textarea")).sendKeys("rack checked with the facilities team");
      form.findElement(By.cssSelector("button[type=submit]")).click();

      browser.waitUntil(d -> d.findElements(By.id("notice")).size() > 0 ? true : null, Duration.ofSeconds(10));
      assertThat(browser.text(By.id("notice"))).contains("signed off").contains("rack-photo.txt");
      assertThat(browser.text(By.id("evidence"))).contains("rack-photo.txt").contains(practitioner.name());
      browser.waitUntil(d -> "SUCCEEDED".equals(d.findElement(By.id("live-state")).getText()) ? true : null,
          Duration.ofSeconds(30));
      assertThat(browser.text(By.id("log"))).contains("signed off by " + practitioner.name());
      assertThat(state(id)).isEqualTo("SUCCEEDED");

      // the evidence is downloaded through the console, with the page's visibility
      String href = browser.find(By.cssSelector("#evidence a")).getAttribute("href");
      HttpResponse<String> file = HTTP.send(HttpRequest.newBuilder(URI.create(href))
          .header("Cookie", browser.cookieHeader()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(file.statusCode()).isEqualTo(200);
      assertThat(file.body()).isEqualTo("a photo of the rack");
    }
  }

  @Test
  void a_person_without_the_steps_role_is_offered_no_sign_off_and_a_forged_one_is_refused() throws Exception {
    Setup s = setUp(1, """
                - name: check-rack
                  type: manual
                  instructions: Check the rack
                  checklist: [Power]
                  role: deployment-practitioner
        """);
    pushSampleApp(s, "3.0.0");
    Person owner = person();
    bind(owner.name(), "service-owner", Map.of("service", s.service()));
    Person stranger = person();
    long id = deploy(s, "3.0.0", admin());

    try (ConsoleBrowser browser = signedIn(owner.token())) {
      waitForManualStep(browser, id);
      browser.go("/console/deployments/" + id);
      assertThat(browser.text(By.id("waiting-now"))).contains("check-rack");
      assertThat(browser.findAll(By.cssSelector("form[data-kind=signoff]"))).isEmpty();
      browser.go("/console/work");
      assertThat(browser.findAll(By.cssSelector("#work a[href='/console/deployments/" + id + "']"))).isEmpty();

      // a sign-off forged with the owner's own session and CSRF token is refused by the service, and says why
      String token = browser.find(By.cssSelector("meta[name=csrf-token]")).getAttribute("content");
      HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/console/deployments/"
              + id + "/signoff"))
          .header("Cookie", browser.cookieHeader()).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token + "&target=" + s.targets().getFirst()
              + "&step=check-rack&checklist=Power&note=forged")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(forged.statusCode()).isEqualTo(302);
      browser.go("/console/deployments/" + id);
      assertThat(browser.text(By.id("refusal"))).contains("deployment-practitioner");
      assertThat(state(id)).isEqualTo("EXECUTING");
    }
    try (ConsoleBrowser browser = signedIn(stranger.token())) {
      browser.go("/console/deployments/" + id);
      assertThat(browser.text(By.cssSelector(".refusal"))).contains("none of your roles reaches");
      browser.assertAccessible("deployment-refused");
    }
  }

  /** Waits (through the browser's polling wait) until the deployment waits for its manual step. */
  private void waitForManualStep(ConsoleBrowser browser, long id) {
    browser.waitUntil(d -> {
      try {
        Response events = call("GET", "/api/v1/deployments/" + id + "/events", admin(), null);
        assertThat(state(id)).isNotIn("FAILED", "CANCELLED");
        return events.text().contains("\"waitingFor\":\"manual\"") ? true : null;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, Duration.ofSeconds(30));
  }

}
