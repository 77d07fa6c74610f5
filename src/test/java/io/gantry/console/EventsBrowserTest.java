package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.gantry.testing.ConsoleBrowser;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * The events pages in a real browser on a real server: an environment applied writes its CDEvent, a receiver that
 * refuses it leaves a dead delivery, a deployment manager queues it again from the page and it is delivered; someone
 * without the role sees nothing of it.
 */
class EventsBrowserTest extends ConsoleBrowserTest {

  @Test
  void a_dead_delivery_is_seen_and_queued_again_from_the_events_page_and_then_delivered() throws Exception {
    ConcurrentLinkedQueue<Integer> answers = new ConcurrentLinkedQueue<>(List.of(410));
    AtomicInteger received = new AtomicInteger();
    HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    receiver.createContext("/", exchange -> {
      exchange.getRequestBody().readAllBytes();
      received.incrementAndGet();
      Integer status = answers.poll();
      exchange.sendResponseHeaders(status == null ? 204 : status, -1);
      exchange.close();
    });
    receiver.start();
    String subscription = unique("env-events");
    String environment = unique("events");
    try {
      assertThat(call("PUT", "/api/v1/secrets/" + subscription, admin(), Map.of("value", "browser-secret")).status())
          .isEqualTo(200);
      Response subscribed = call("POST", "/api/v1/subscriptions", admin(), Map.of("name", subscription, "sink",
          "http", "address", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook", "secret", subscription,
          "types", List.of("dev.cdevents.environment.created.*")));
      assertThat(subscribed.status()).as(subscribed.text()).isEqualTo(201);
      apply("apiVersion: gantry.io/v1\nkind: Environment\nmetadata: {name: " + environment
          + "}\nspec: {purpose: test, owner: qa}\n");

      try (ConsoleBrowser browser = signedIn(admin())) {
        browser.go("/console/events");
        browser.waitUntil(d -> {
          d.navigate().refresh();
          return d.findElements(By.cssSelector("#dead-deliveries tbody tr")).stream()
              .anyMatch(r -> r.getText().contains("HTTP 410"));
        }, Duration.ofSeconds(20));
        assertThat(browser.text(By.id("dead"))).isNotEqualTo("0");
        browser.assertAccessible("events");
        browser.screenshot("events");

        browser.findAll(By.cssSelector("#dead-deliveries tbody tr")).stream()
            .filter(r -> r.getText().contains("HTTP 410")).findFirst().orElseThrow()
            .findElement(By.cssSelector("button")).click();
        browser.waitUntil(d -> d.getCurrentUrl().contains("done=queued"), Duration.ofSeconds(10));
        assertThat(browser.text(By.id("done"))).contains("queued again");
        assertThat(browser.text(By.id("cdevent"))).contains("dev.cdevents.environment.created")
            .contains("\"" + environment + "\"");
        browser.waitUntil(d -> {
          d.navigate().refresh();
          return d.findElement(By.id("deliveries-title")).findElement(By.xpath("..")).getText()
              .contains(": delivered");
        }, Duration.ofSeconds(20));
        assertThat(received.get()).isEqualTo(2);
        browser.assertAccessible("event");
        browser.screenshot("event");
      }

      Person owner = person("service-owner");
      try (ConsoleBrowser browser = signedIn(owner.token())) {
        browser.go("/console/events");
        assertThat(browser.text(By.id("problem"))).contains("deployment-manager or auditor");
        assertThat(browser.findAll(By.id("events"))).isEmpty();
      }
    } finally {
      call("DELETE", "/api/v1/subscriptions/" + subscription, admin(), null);
      receiver.stop(0);
    }
  }
}
