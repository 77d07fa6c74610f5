package io.gantry.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Two versions of a model's text, line by line in two columns. */
class SideBySideTest {

  static ModelPage.DiffRow row(String change, Integer oldNumber, String oldText, Integer newNumber, String newText) {
    return new ModelPage.DiffRow(change, oldNumber, oldText, newNumber, newText);
  }

  @Test
  void equal_lines_stand_side_by_side_and_a_changed_line_is_paired_with_its_replacement() {
    assertThat(SideBySide.of("a\nb\nc\n", "a\nB\nc\n")).containsExactly(
        row("same", 1, "a", 1, "a"),
        row("changed", 2, "b", 2, "B"),
        row("same", 3, "c", 3, "c"));
  }

  @Test
  void lines_only_one_side_has_leave_the_other_side_blank_and_the_numbers_follow_each_side() {
    assertThat(SideBySide.of("a\nb\nc", "a\nc\nd\ne")).containsExactly(
        row("same", 1, "a", 1, "a"),
        row("removed", 2, "b", null, null),
        row("same", 3, "c", 2, "c"),
        row("added", null, null, 3, "d"),
        row("added", null, null, 4, "e"));
  }

  @Test
  void a_longer_replacement_pairs_what_it_can_and_adds_the_rest() {
    List<ModelPage.DiffRow> rows = SideBySide.of("x\nold\ny", "x\nnew 1\nnew 2\ny");
    assertThat(rows).containsExactly(
        row("same", 1, "x", 1, "x"),
        row("changed", 2, "old", 2, "new 1"),
        row("added", null, null, 3, "new 2"),
        row("same", 3, "y", 4, "y"));
    assertThat(rows.get(1).oldSign()).isEqualTo("−");
    assertThat(rows.get(2).oldSign()).isEmpty();
    assertThat(rows.get(2).newSign()).isEqualTo("+");
    assertThat(rows.get(0).newSign()).isEmpty();
  }

  @Test
  void a_retired_version_has_no_text_so_every_line_of_the_other_is_removed() {
    assertThat(SideBySide.of("a\nb", null)).containsExactly(
        row("removed", 1, "a", null, null),
        row("removed", 2, "b", null, null));
  }

  @Test
  void sizes_read_as_people_read_them() {
    assertThat(CatalogPage.bytes(null)).isEmpty();
    assertThat(CatalogPage.bytes(10L)).isEqualTo("10 B");
    assertThat(CatalogPage.bytes(1536L)).isEqualTo("1.5 KiB");
    assertThat(CatalogPage.bytes(5L * 1024 * 1024 * 1024)).isEqualTo("5.0 GiB");
  }
}
