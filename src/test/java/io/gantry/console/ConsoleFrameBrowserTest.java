package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.ConsoleBrowser;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;

/** The console's frame in a real browser: sign-in, navigation by keyboard, sign-out, no serious axe finding. */
class ConsoleFrameBrowserTest extends ConsoleBrowserTest {

  @Test
  void a_person_signs_in_with_a_token_reaches_every_part_by_keyboard_and_signs_out() {
    try (ConsoleBrowser browser = ConsoleBrowser.open(base())) {
      browser.go("/");
      assertThat(browser.driver().getCurrentUrl()).endsWith("/sign-in");
      browser.assertAccessible("sign-in");
      browser.screenshot("sign-in");

      browser.signIn(admin());
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
