package io.gantry.console;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.AbstractDelta;
import java.util.ArrayList;
import java.util.List;

/**
 * Two texts line by line in two columns, the way a reviewer reads a change: equal lines side by side, a
 * changed stretch paired line by line, and lines only one side has left blank on the other.
 */
final class SideBySide {

  private SideBySide() {}

  static List<ModelPage.DiffRow> of(String from, String to) {
    List<String> a = from == null ? List.of() : from.lines().toList();
    List<String> b = to == null ? List.of() : to.lines().toList();
    List<ModelPage.DiffRow> rows = new ArrayList<>();
    int i = 0;
    int j = 0;
    for (AbstractDelta<String> delta : DiffUtils.diff(a, b).getDeltas()) {
      int sourceAt = delta.getSource().getPosition();
      while (i < sourceAt) {
        rows.add(new ModelPage.DiffRow("same", i + 1, a.get(i), j + 1, b.get(j)));
        i++;
        j++;
      }
      List<String> gone = delta.getSource().getLines();
      List<String> come = delta.getTarget().getLines();
      for (int k = 0; k < Math.max(gone.size(), come.size()); k++) {
        boolean left = k < gone.size();
        boolean right = k < come.size();
        String change = left && right ? "changed" : left ? "removed" : "added";
        rows.add(new ModelPage.DiffRow(change, left ? i + 1 : null, left ? gone.get(k) : null,
            right ? j + 1 : null, right ? come.get(k) : null));
        if (left) {
          i++;
        }
        if (right) {
          j++;
        }
      }
    }
    while (i < a.size() && j < b.size()) {
      rows.add(new ModelPage.DiffRow("same", i + 1, a.get(i), j + 1, b.get(j)));
      i++;
      j++;
    }
    return rows;
  }
}
