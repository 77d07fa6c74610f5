package io.gantry.notification;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.events.StoredEvent;
import io.gantry.model.ModelNotices;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ModelNoticeMailTest {

  private static final Instant AT = Instant.parse("2026-12-05T10:00:00Z");

  private static StoredEvent event(String url, Integer replaced, String note) {
    String data = """
        {"subject": {"id": "docs@3", "content": {"name": "docs", "version": 3, "replaced": %s, "note": %s}},
         "customData": {"model": {"name": "docs", "version": 3}, "url": "%s"}}
        """.formatted(replaced, note == null ? "null" : "\"" + note + "\"", url);
    return new StoredEvent(1, "e1", ModelNoticeFanout.TYPE + "0.1.0", "/gantry", "docs@3", AT, null, null, null, data);
  }

  private static ModelNotices.Notice notice(String diff) {
    return new ModelNotices.Notice(9, "sue", "docs", 3, "stakeholder of model docs", AT, null, "olivia",
        "tighter checks", diff, List.of(new ModelNotices.Decision("max", "agree", "fine", AT)));
  }

  @Test
  void a_long_diff_is_cut_in_the_mail_saying_how_many_lines_are_left_and_where_to_read_them() {
    String diff = IntStream.range(0, 250).mapToObj(i -> "+line " + i).collect(Collectors.joining("\n"));
    ModelNoticeMail mail = ModelNoticeMail.of(notice(diff), event("https://gantry.example/console/models/docs", 2,
        "in force: agreed by max"));
    assertThat(mail.text()).contains("+line 199").doesNotContain("+line 200")
        .contains("... 50 more lines: gantry notices read 9")
        .contains("In force: agreed by max").contains("in place of version 2")
        .contains("In the console: https://gantry.example/console/models/docs");
  }

  @Test
  void a_first_version_says_so_and_a_link_that_is_no_web_address_is_left_out() {
    ModelNoticeMail mail = ModelNoticeMail.of(notice(null), event("javascript:alert(1)", null,
        "in force on apply: the first version of the model"));
    assertThat(mail.headline()).isEqualTo("Model docs version 3 is in force (its first version)");
    assertThat(mail.text()).contains("In force: on apply: the first version of the model")
        .doesNotContain("What changed").doesNotContain("javascript");
    assertThat(mail.html()).doesNotContain("javascript").doesNotContain("Open the model");
    mail = ModelNoticeMail.of(notice(null), event("/console/models/docs", null, null));
    assertThat(mail.text()).as("a link relative to a server whose public URL is not set").doesNotContain("console");
  }
}
