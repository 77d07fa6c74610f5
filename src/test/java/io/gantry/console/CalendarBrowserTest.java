package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.ConsoleBrowser;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;

/**
 * The change pages and the calendar in a real browser: a change approved by a second deployment manager
 * while its requester is shown no approve button, and a freeze declared on the calendar that a planned
 * deployment conflicts with, in the month and the week view.
 */
class CalendarBrowserTest extends ConsoleBrowserTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** A service, an environment, and a model of one automatic stage with no approvers named (the default rule). */
  private record Place(String service, String environment) {}

  private Place place() throws Exception {
    String service = unique("cal-shop");
    String environment = unique("cal-env");
    String model = unique("cal-model");
    apply("""
        apiVersion: gantry.io/v1
        kind: Environment
        metadata: {name: %2$s}
        spec: {purpose: production, owner: ops}
        """.formatted(service, environment), """
        apiVersion: gantry.io/v1
        kind: Service
        metadata: {name: %1$s}
        spec: {owner: team-shop}
        """.formatted(service, environment), """
        apiVersion: gantry.io/v1
        kind: DeploymentModel
        metadata: {name: %3$s}
        spec:
          appliesTo: {services: [%1$s]}
          stages:
            - name: live
              environment: %2$s
              authorization: automatic
              steps:
                - {name: run, type: shell, command: "echo ok", timeout: 30s}
        """.formatted(service, environment, model), """
        apiVersion: gantry.io/v1
        kind: Component
        metadata: {name: app}
        spec: {service: %1$s, type: software, model: %3$s}
        """.formatted(service, environment, model));
    return new Place(service, environment);
  }

  @Test
  void approve_a_change_as_a_second_user_while_the_requesters_approve_button_is_absent() throws Exception {
    Place where = place();
    Person requester = person("deployment-manager");
    Person approver = person("deployment-manager");
    Instant start = Instant.now().plus(Duration.ofDays(3)).truncatedTo(ChronoUnit.HOURS);
    Response created = call("POST", "/api/v1/changes", requester.token(), Map.of("title", "Move the shop's database",
        "type", "normal", "risk", "medium", "impact", "low", "plannedStart", start.toString(), "plannedEnd",
        start.plus(Duration.ofHours(2)).toString(), "services", List.of(where.service()), "environments",
        List.of(where.environment()), "backoutPlan", "restore <the> snapshot"));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String key = created.json().path("key").asString();
    Response submitted = call("POST", "/api/v1/changes/" + key + "/submit", requester.token(), null);
    assertThat(submitted.status()).as(submitted.text()).isEqualTo(200);

    try (ConsoleBrowser browser = signedIn(requester.token())) {
      browser.go("/console/changes?state=assessed");
      assertThat(browser.find(By.linkText(key)).getAttribute("href")).endsWith("/console/changes/" + key);
      browser.assertAccessible("changes");
      browser.screenshot("calendar-changes");

      browser.find(By.linkText(key)).click();
      browser.waitUntil(d -> d.getCurrentUrl().endsWith("/console/changes/" + key), WAIT);
      assertThat(browser.text(By.id("change-state"))).isEqualTo("assessed");
      assertThat(browser.text(By.id("requested-by"))).startsWith(requester.name());
      assertThat(browser.findAll(By.id("approve"))).as("the requester has no approve button").isEmpty();
      assertThat(browser.text(By.id("why-not-decide"))).contains("separation of duties");
      assertThat(browser.text(By.tagName("main"))).contains("restore <the> snapshot");
      browser.assertAccessible("change-as-requester");
    }

    try (ConsoleBrowser browser = signedIn(approver.token())) {
      browser.go("/console/changes/" + key);
      // a rejection needs a reason: refused on the page, nothing changes
      browser.find(By.id("reject")).click();
      browser.waitUntil(d -> !d.findElements(By.cssSelector(".refusal")).isEmpty(), WAIT);
      assertThat(browser.text(By.cssSelector(".refusal"))).contains("reason");
      assertThat(browser.text(By.id("change-state"))).isEqualTo("assessed");

      browser.find(By.id("reason")).sendKeys("backout plan checked");
      browser.find(By.id("approve")).click();
      browser.waitUntil(d -> d.findElement(By.id("change-state")).getText().equals("authorized"), WAIT);
      assertThat(browser.text(By.cssSelector(".notice"))).contains("You approved " + key);
      assertThat(browser.text(By.id("decisions"))).contains(approver.name()).contains("approved")
          .contains("backout plan checked");
      assertThat(browser.text(By.id("history"))).contains("authorized");
      assertThat(browser.findAll(By.id("approve"))).isEmpty();
      browser.assertAccessible("change-approved");
      browser.screenshot("calendar-change");

      browser.width(390);
      browser.assertAccessible("change-approved-phone");
      browser.screenshot("calendar-change-phone");
      browser.width(1280);

      browser.go("/console/changes/CHG-99999999");
      assertThat(browser.text(By.cssSelector(".refusal"))).contains("does not exist");
    }

    // someone whose roles reach nowhere sees neither the change in the list nor its page
    Person outsider = person();
    try (ConsoleBrowser browser = signedIn(outsider.token())) {
      browser.go("/console/changes");
      assertThat(browser.findAll(By.linkText(key))).isEmpty();
      browser.go("/console/changes/" + key);
      assertThat(browser.text(By.cssSelector(".refusal"))).contains("none of your roles reaches");
      assertThat(browser.text(By.tagName("main"))).doesNotContain("Move the shop's database");
    }
  }

  @Test
  void see_the_calendar_show_a_freeze_and_a_conflict_in_the_month_and_the_week() throws Exception {
    Place where = place();
    String version = "1.0." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
    push(where.service(), version);
    LocalDate day = LocalDate.now(ZoneOffset.UTC).plusDays(2);
    Instant at = day.atTime(10, 0).toInstant(ZoneOffset.UTC);
    Response deployed = call("POST", "/api/v1/deployments", admin(), Map.of("component", where.service() + "/app",
        "version", version, "environment", where.environment(), "at", at.toString(), "plannedEnd",
        at.plus(Duration.ofMinutes(30)).toString()));
    assertThat(deployed.status()).as(deployed.text()).isEqualTo(201);
    long id = deployed.json().path("id").asLong();
    String freeze = unique("board-meeting");

    try (ConsoleBrowser browser = signedIn(admin())) {
      browser.go("/console/calendar?view=week&date=" + day);
      assertThat(browser.text(By.id("period"))).startsWith("Week of");
      assertThat(browser.find(By.id("day-" + day)).getText()).contains("#" + id);

      // a freeze without a reason, ending before it starts, is refused naming both
      browser.find(By.id("freeze-name")).sendKeys(freeze);
      local(browser, "freeze-from", day.atTime(9, 0));
      local(browser, "freeze-to", day.atTime(8, 0));
      browser.find(By.id("declare")).click();
      browser.waitUntil(d -> !d.findElements(By.cssSelector(".refusal")).isEmpty(), WAIT);
      assertThat(browser.text(By.cssSelector(".refusal"))).contains("not declared").contains("reason");
      assertThat(browser.find(By.id("freeze-name")).getAttribute("value")).isEqualTo(freeze);

      browser.find(By.id("freeze-reason")).sendKeys("board meeting: no changes");
      local(browser, "freeze-from", day.atTime(9, 0));
      local(browser, "freeze-to", day.atTime(11, 0));
      browser.find(By.id("freeze-service")).sendKeys(where.service());
      browser.find(By.id("declare")).click();
      browser.waitUntil(d -> !d.findElements(By.cssSelector(".notice")).isEmpty(), WAIT);
      assertThat(browser.text(By.cssSelector(".notice"))).contains(freeze).contains("service " + where.service());

      String cell = browser.find(By.id("day-" + day)).getText();
      assertThat(cell).contains("Freeze " + freeze).contains("09:00–11:00").contains("#" + id)
          .contains("Conflict: FREEZE");
      assertThat(browser.text(By.id("conflicts"))).contains("#" + id).contains("is planned inside freeze");
      assertThat(browser.find(By.linkText("#" + id)).getAttribute("href")).endsWith("/console/deployments/" + id);
      browser.assertAccessible("calendar-week");
      browser.screenshot("calendar-week");

      browser.find(By.id("other-view")).click();
      browser.waitUntil(d -> d.getCurrentUrl().contains("view=month"), WAIT);
      assertThat(browser.find(By.id("day-" + day)).getText()).contains("Freeze " + freeze).contains("Conflict: FREEZE");
      assertThat(browser.findAll(By.cssSelector("table.month tbody tr")).size()).isBetween(4, 6);
      browser.assertAccessible("calendar-month");
      browser.screenshot("calendar-month");

      browser.find(By.id("next")).click();
      browser.waitUntil(d -> d.getCurrentUrl().contains("date=" + day.plusMonths(1).withDayOfMonth(1)), WAIT);
      browser.find(By.id("today")).click();
      browser.waitUntil(d -> d.getCurrentUrl().contains("date=" + LocalDate.now(ZoneOffset.UTC)), WAIT);
      assertThat(browser.findAll(By.cssSelector("[aria-current=date]"))).hasSize(1);

      browser.width(390);
      browser.go("/console/calendar?view=week&date=" + day);
      browser.assertAccessible("calendar-week-phone");
      browser.screenshot("calendar-week-phone");
      browser.go("/console/calendar?view=month&date=" + day);
      browser.assertAccessible("calendar-month-phone");
      browser.width(1280);

      // lifting it needs a reason, then the conflict is no longer a freeze in force
      String row = browser.findAll(By.cssSelector("#freezes tbody tr")).stream()
          .filter(r -> r.getText().contains(freeze)).findFirst().orElseThrow().findElement(By.tagName("button"))
          .getText();
      long freezeId = Long.parseLong(row.substring(row.indexOf('#') + 1));
      browser.find(By.id("lift-reason-" + freezeId)).sendKeys("meeting moved");
      browser.find(By.xpath("//button[text()='Lift freeze #" + freezeId + "']")).click();
      browser.waitUntil(d -> !d.findElements(By.cssSelector(".notice")).isEmpty(), WAIT);
      assertThat(browser.text(By.cssSelector(".notice"))).contains("lifted");
      assertThat(browser.find(By.id("day-" + day)).getText()).doesNotContain("Freeze " + freeze);
    }

    // someone who is not a deployment manager sees no freeze form
    Person auditor = person("auditor");
    try (ConsoleBrowser browser = signedIn(auditor.token())) {
      browser.go("/console/calendar");
      assertThat(browser.findAll(By.id("declare-freeze"))).isEmpty();
      // a freeze declared anyway, with the auditor's own session and CSRF token, is refused and not declared
      String forgedName = "forged-" + UUID.randomUUID().toString().substring(0, 8);
      String csrf = browser.find(By.cssSelector("meta[name=csrf-token]")).getAttribute("content");
      HttpResponse<String> forged = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/console/calendar/freezes"))
          .header("Cookie", browser.cookieHeader()).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + csrf + "&name=" + forgedName + "&reason=forged"
              + "&from=2030-01-01T10:00&to=2030-01-01T12:00")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(forged.statusCode()).isEqualTo(302);
      browser.driver().get(forged.headers().firstValue("Location").map(l -> l.startsWith("/") ? base() + l : l)
          .orElseThrow());
      assertThat(browser.text(By.cssSelector(".refusal"))).contains("declaring a freeze needs the role "
          + "deployment-manager");
      assertThat(call("GET", "/api/v1/freezes?all=true", admin(), null).text()).doesNotContain(forgedName);
      browser.go("/console/calendar?view=month&date=yesterday");
      assertThat(browser.text(By.cssSelector(".refusal"))).contains("is not a date");
    }
  }

  /** Sets a datetime-local field (typing into one depends on the browser's locale). */
  private static void local(ConsoleBrowser browser, String id, LocalDateTime value) {
    ((JavascriptExecutor) browser.driver()).executeScript("arguments[0].value = arguments[1]",
        browser.find(By.id(id)), value.toString());
  }

  /** Registers a version of {@code service/app}. */
  private void push(String service, String version) throws Exception {
    String boundary = "gantry" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n" + JSON.writeValueAsString(Map.of("version", version)) + "\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"app.sh\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\necho hi\r\n--" + boundary + "--\r\n";
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/services/" + service
            + "/components/app/versions")).header("Authorization", "Bearer " + admin())
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
  }
}
