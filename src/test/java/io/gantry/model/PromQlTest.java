package io.gantry.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A metric query's placeholders: only inside quoted strings, only known names, and their values escaped. */
class PromQlTest {

  @Test
  void a_value_is_put_inside_its_string_as_it_is_when_it_is_plain() {
    assertThat(PromQl.render("rate(errors{version=\"${version}\"}[1m])", Map.of("version", "1.2.3-rc.1")))
        .isEqualTo("rate(errors{version=\"1.2.3-rc.1\"}[1m])");
  }

  @Test
  void a_hostile_value_cannot_end_its_string_literal() {
    String hostile = "1\"} or vector(1) or x{a=\"\\";

    String rendered = PromQl.render("errors{version=\"${version}\"}", Map.of("version", hostile));

    assertThat(rendered).isEqualTo("errors{version=\"1\\u0022\\u007d or vector\\u00281\\u0029 or "
        + "x\\u007ba=\\u0022\\\\\"}");
    assertThat(rendered.chars().filter(c -> c == '"').count()).as("only the query's own quotes").isEqualTo(2);
  }

  @Test
  void a_value_in_single_quotes_is_escaped_too() {
    assertThat(PromQl.render("errors{version='${version}'}", Map.of("version", "a'b")))
        .isEqualTo("errors{version='a\\u0027b'}");
  }

  @Test
  void target_names_become_a_regular_expression_matching_exactly_them() {
    assertThat(PromQl.anyOf(List.of("web-1", "db.2"))).isEqualTo("web-1|db\\.2");
    assertThat(PromQl.render("up{instance=~\"${canaryTargets}\"}", Map.of("canaryTargets",
        PromQl.anyOf(List.of("web-1", "db.2"))))).isEqualTo("up{instance=~\"web-1|db\\\\.2\"}");
  }

  @Test
  void a_placeholder_outside_a_quoted_string_is_refused() {
    assertThat(PromQl.problems("errors > ${version}")).singleElement().asString()
        .contains("${version} stands outside a quoted string");
    assertThatThrownBy(() -> PromQl.render("errors > ${version}", Map.of("version", "1")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside a quoted string");
  }

  @Test
  void a_placeholder_in_a_raw_string_is_refused_because_nothing_can_be_escaped_there() {
    assertThat(PromQl.problems("errors{version=`${version}`}")).singleElement().asString()
        .contains("raw `...` string");
  }

  @Test
  void an_unknown_placeholder_and_an_unclosed_string_are_refused() {
    assertThat(PromQl.problems("errors{version=\"${colour}\"}")).singleElement().asString()
        .contains("${colour} is not a value a query can use");
    assertThat(PromQl.problems("errors{version=\"${version}}")).anySatisfy(p -> assertThat(p).contains("not closed"));
  }

  @Test
  void a_doubled_dollar_stays_literal_text_and_needs_no_value() {
    assertThat(PromQl.problems("errors > $${x}")).isEmpty();
    assertThat(PromQl.render("label_replace(up, \"a\", \"$${x}\", \"\", \"\")", Map.of()))
        .isEqualTo("label_replace(up, \"a\", \"${x}\", \"\", \"\")");
  }
}
