package io.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.deque.html.axecore.results.Results;
import com.deque.html.axecore.results.Rule;
import com.deque.html.axecore.selenium.AxeBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's chromium, headless, driven by Debian's chromedriver (never a downloaded browser), for the
 * console's browser tests: a fresh profile each time, sign-in with an API token, screenshots saved under
 * {@code target/console-screenshots/}, and an axe-core check run in the page.
 */
public final class ConsoleBrowser implements AutoCloseable {

  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  public static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  private final String base;
  private final Path profile;
  private final WebDriver driver;

  private ConsoleBrowser(String base) {
    this.base = base;
    try {
      this.profile = Files.createTempDirectory("gantry-chromium");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900");
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    this.driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
  }

  /** A new browser for the Gantry server at {@code base} (http://127.0.0.1:port). */
  public static ConsoleBrowser open(String base) {
    return new ConsoleBrowser(base);
  }

  public WebDriver driver() {
    return driver;
  }

  public ConsoleBrowser go(String path) {
    driver.get(base + path);
    return this;
  }

  /** Signs in on the sign-in page with an API token; lands on the console's home page. */
  public ConsoleBrowser signIn(String token) {
    go("/sign-in");
    driver.findElement(By.id("token")).sendKeys(token);
    driver.findElement(By.cssSelector("form[action='/sign-in'] button[type=submit]")).click();
    waitUntil(d -> !d.getCurrentUrl().contains("/sign-in"), Duration.ofSeconds(10));
    return this;
  }

  public WebElement find(By by) {
    return driver.findElement(by);
  }

  public List<WebElement> findAll(By by) {
    return driver.findElements(by);
  }

  public String text(By by) {
    return driver.findElement(by).getText();
  }

  public <T> T waitUntil(Function<WebDriver, T> condition, Duration timeout) {
    // htmx replaces polled parts of the page: an element found a moment ago may be gone, so look again
    return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition::apply);
  }

  /** The browser's cookies for this server as a {@code Cookie} header: a request sent beside the browser, as it. */
  public String cookieHeader() {
    return driver.manage().getCookies().stream().map(c -> c.getName() + "=" + c.getValue())
        .reduce((a, b) -> a + "; " + b).orElse("");
  }

  /** Saves a PNG of the page as it is now as {@code target/console-screenshots/<name>.png}. */
  public Path screenshot(String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
      Path file = SCREENSHOTS.resolve(name + ".png");
      Path taken = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
      Files.copy(taken, file, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Narrows the window to a phone's width (390 px) or widens it back to 1280 px. */
  public ConsoleBrowser width(int pixels) {
    driver.manage().window().setSize(new Dimension(pixels, 900));
    return this;
  }

  /** Runs axe-core in the page; fails on any violation of impact serious or critical, naming each. */
  public void assertAccessible(String page) {
    Results results = new AxeBuilder().withTags(List.of("wcag2a", "wcag2aa", "wcag21a", "wcag21aa"))
        .analyze(driver);
    List<Rule> serious = results.getViolations().stream()
        .filter(v -> "serious".equals(v.getImpact()) || "critical".equals(v.getImpact())).toList();
    assertThat(serious).as(() -> page + ": " + serious.stream()
        .map(v -> v.getId() + " (" + v.getImpact() + "): " + v.getHelp() + " at "
            + v.getNodes().stream().map(n -> String.valueOf(n.getTarget())).collect(Collectors.joining(", ")))
        .collect(Collectors.joining("; "))).isEmpty();
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a profile left in /tmp is harmless
      }
    }
  }
}
