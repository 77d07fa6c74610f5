package io.gantry.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How many of a stage's targets are the canary: the share rounded up, at least one, never all of two or more. */
class CanarySizeTest {

  @ParameterizedTest(name = "{1} of {0} targets is {2}")
  @CsvSource(textBlock = """
      4,  25%, 1
      5,  25%, 2
      3,  50%, 2
      2,  99%, 1
      10, 1%,  1
      1,  25%, 1
      1,  3,   1
      4,  2,   2
      4,  9,   3
      """)
  void the_canary_is_the_share_rounded_up_at_least_one_and_leaves_a_rest(int targets, String share, int canary) {
    assertThat(Canary.size(targets, share)).isEqualTo(canary);
  }

  @ParameterizedTest(name = "{0} reads {1}")
  @CsvSource(textBlock = """
      0.95,   0.95
      1.0,    1.00
      0.955,  0.955
      0.66666, 0.6667
      0.5,    0.50
      """)
  void ratios_show_two_decimals_or_as_many_as_they_need_up_to_four(double ratio, String text) {
    assertThat(Canary.ratio(ratio)).isEqualTo(text);
  }
}
