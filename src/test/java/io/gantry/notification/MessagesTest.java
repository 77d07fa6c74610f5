package io.gantry.notification;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A message says what happened, where, the outcome and the link; texts from the event (a version, a step name, an
 * outcome) are shown as text in every format, never as markup, links, mentions or extra mail headers.
 */
class MessagesTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** A version a hostile pipeline pushed: Slack mention and link, Markdown link, HTML, a line break and a header. */
  static final String HOSTILE = "1.0 <!channel> <https://evil.example|click> [here](https://evil.example) "
      + "<img src=x onerror=alert(1)> *bold* &amp;\r\nBcc: victim@example.com";

  private static Notice failed(String version) {
    return new Notice(Moment.FAILED, "e-1", 12L, "prod", "shop", "web", version, "production", "software",
        "https://gantry.example/deployments/12", "failure", "step restart failed on web1", null, null, null, null,
        null);
  }

  private static Notice waiting() {
    return new Notice(Moment.WAITING, "e-2", 13L, "prod", "shop", "web", "1.3.0", "production", "software",
        "https://gantry.example/deployments/13", null, null, "approval", "go-live", "web1",
        List.of("deployment-manager"), "approve going live");
  }

  @Test
  void a_failed_deployment_says_what_where_the_outcome_and_the_link() {
    Notice n = failed("1.2.0");

    assertThat(n.subject()).isEqualTo("[Gantry] Deploying shop/web 1.2.0 to prod failed (#12)");
    assertThat(n.text(false)).contains("Environment: prod", "Component: shop/web", "Version: 1.2.0",
        "Outcome: failed: step restart failed on web1", "https://gantry.example/deployments/12");
  }

  @Test
  void a_wait_tells_the_people_waited_for_that_it_is_their_turn_with_the_command_and_the_console_link() {
    String text = waiting().text(true);

    assertThat(text).contains("It is your turn")
        .contains("gantry approve 13 --target web1 --step go-live --reason TEXT")
        .contains("In the console: https://gantry.example/deployments/13");
    assertThat(waiting().text(false)).doesNotContain("It is your turn");
  }

  @Test
  void a_subject_made_from_a_version_with_line_breaks_stays_one_line() {
    String subject = failed(HOSTILE).subject();

    assertThat(subject).doesNotContain("\r").doesNotContain("\n");
    assertThat(failed(HOSTILE).text(false)).as("a fact cannot start a line of its own")
        .doesNotContain("\nBcc:");
  }

  @Test
  void html_mail_shows_markup_in_a_version_as_text() {
    String html = Messages.html(failed(HOSTILE), false);

    assertThat(html).doesNotContain("<img").doesNotContain("<!channel>").contains("&lt;img src=x");
  }

  @Test
  void slack_text_escapes_its_control_characters_so_no_mention_or_link_is_made() throws Exception {
    JsonNode message = JSON.readTree(Messages.slack(failed(HOSTILE)));

    String all = message.toString();
    assertThat(all).doesNotContain("<!channel>").doesNotContain("<https://evil.example|click>")
        .contains("&lt;!channel&gt;").contains("&amp;amp;");
    assertThat(message.path("blocks").get(0).path("type").asString()).isEqualTo("section");
    assertThat(message.path("blocks").get(0).path("text").path("type").asString()).isEqualTo("mrkdwn");
  }

  @Test
  void teams_card_text_escapes_markdown_so_no_link_is_made() throws Exception {
    JsonNode message = JSON.readTree(Messages.teams(failed(HOSTILE)));

    JsonNode card = message.path("attachments").get(0).path("content");
    String version = "";
    for (JsonNode fact : card.path("body").get(1).path("facts")) {
      if (fact.path("title").asString().equals("Version")) {
        version = fact.path("value").asString();
      }
    }
    assertThat(version).contains("\\[here\\]\\(https://evil\\.example\\)").doesNotContain("<img")
        .contains("&lt;img");
  }

  @Test
  void only_a_web_address_becomes_a_link() {
    Notice n = new Notice(Moment.FAILED, "e-3", 1L, "prod", "shop", "web", "1", null, null, "javascript:alert(1)",
        "failure", null, null, null, null, null, null);

    assertThat(n.url()).isNull();
    assertThat(Messages.html(n, false)).doesNotContain("javascript:");
  }
}
