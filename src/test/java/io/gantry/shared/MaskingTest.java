package io.gantry.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MaskingTest {

  private static final String KEY = """
      -----BEGIN PRIVATE KEY-----
      MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj
        MsU2fPq0uW3Xk4d1vQ9ZbB0pE7nHcYtR5sLmAaGfWxJq2iN8oDkUeVzT3lIrCyHb
      Zm9v

      }
      -----END PRIVATE KEY-----""";

  private final List<String> values = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** A new collection whenever the values change, as {@link Masking#addSource} asks. */
  private final Supplier<Collection<String>> source = () -> List.copyOf(values);

  @AfterEach
  void removeSource() {
    Masking.removeSource(source);
  }

  @Test
  void every_line_of_a_multi_line_value_is_masked_wherever_it_appears_on_its_own() {
    values.add(KEY);
    Masking.addSource(source);

    assertThat(Masking.mask("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj")).isEqualTo("****");
    assertThat(Masking.mask("  MsU2fPq0uW3Xk4d1vQ9ZbB0pE7nHcYtR5sLmAaGfWxJq2iN8oDkUeVzT3lIrCyHb"))
        .as("a line indented in the value, or in the output, is masked without its white space").isEqualTo("  ****");
    assertThat(Masking.mask("Zm9v")).as("a last line of four characters").isEqualTo("****");
    assertThat(Masking.mask("-----BEGIN PRIVATE KEY-----")).isEqualTo("****");
    assertThat(Masking.mask("key: " + KEY + " (end)")).as("the whole value in one text is masked whole")
        .isEqualTo("key: **** (end)");
    assertThat(Masking.mask(KEY.replace("\n", "\r\n"))).doesNotContain("MIIEvQ", "MsU2fP", "Zm9v", "BEGIN");
  }

  @Test
  void short_and_blank_lines_of_a_multi_line_value_are_not_masked_on_their_own() {
    values.add(KEY);
    Masking.addSource(source);

    assertThat(Masking.mask("}")).isEqualTo("}");
    assertThat(Masking.mask("")).isEqualTo("");
    assertThat(Masking.mask("   ")).isEqualTo("   ");
    assertThat(Masking.mask("if (x) { y(); }")).isEqualTo("if (x) { y(); }");
    assertThat(Masking.mask("Zm9")).isEqualTo("Zm9");
  }

  @Test
  void a_value_that_holds_another_is_masked_whole_not_left_with_a_piece_of_itself() {
    values.add("s3cr3t-value");
    values.add("s3cr3t-value-and-more");
    Masking.addSource(source);

    assertThat(Masking.mask("x s3cr3t-value-and-more y")).isEqualTo("x **** y");
  }

  @Test
  void a_changed_value_is_masked_from_the_next_text_on() {
    values.add("first-value-1");
    Masking.addSource(source);
    assertThat(Masking.mask("first-value-1")).isEqualTo("****");

    values.set(0, "second-value\nline-two-of-it");
    assertThat(Masking.mask("line-two-of-it")).isEqualTo("****");
    assertThat(Masking.mask("first-value-1")).isEqualTo("first-value-1");
  }

  @Test
  void an_api_token_is_masked_and_text_without_credentials_stays_as_it_was() {
    String token = "gty_" + "Ab3".repeat(13) + "x";
    assertThat(Masking.mask("token " + token)).isEqualTo("token gty_****");
    assertThat(Masking.mask("nothing to hide")).isEqualTo("nothing to hide");
    assertThat(Masking.mask(null)).isNull();
  }
}
