package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.api.TestSupport;
import io.gantry.testing.AdminToken;
import io.gantry.testing.ConsoleBrowser;
import io.gantry.testing.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The console's frame in a real browser: sign-in, navigation by keyboard, sign-out, no serious axe finding. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleFrameBrowserTest {

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }

  @Test
  void a_person_signs_in_with_a_token_reaches_every_part_by_keyboard_and_signs_out() {
    try (ConsoleBrowser browser = ConsoleBrowser.open("http://127.0.0.1:" + port)) {
      browser.go("/");
      assertThat(browser.driver().getCurrentUrl()).endsWith("/sign-in");
      browser.assertAccessible("sign-in");
      browser.screenshot("sign-in");

      browser.signIn(AdminToken.of(dataDir));
      assertThat(browser.text(By.id("user"))).isEqualTo("admin");
      assertThat(browser.findAll(By.cssSelector("header nav a"))).extracting(e -> e.getText())
          .startsWith("Dashboard", "My work", "Changes", "Calendar");
      browser.assertAccessible("home");

      // the first Tab reaches the skip link, which moves the focus to the page's content
      browser.find(By.tagName("body")).sendKeys(Keys.TAB);
      assertThat(browser.driver().switchTo().activeElement().getText()).isEqualTo("Skip to content");

      browser.width(390);
      browser.screenshot("home-phone");
      browser.width(1280);

      browser.find(By.cssSelector("header form.sign-out button")).click();
      browser.waitUntil(d -> d.getCurrentUrl().contains("/sign-in"), Duration.ofSeconds(10));
      browser.go("/");
      assertThat(browser.driver().getCurrentUrl()).endsWith("/sign-in");
    }
  }
}
