package io.gantry.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reports as CSV (RFC 4180): a header line, then one line per value or row. */
final class Csv {

  static final JsonMapper JSON = JsonMapper.builder().build();

  private final StringBuilder text = new StringBuilder();

  Csv(String... header) {
    row((Object[]) header);
  }

  Csv row(Object... cells) {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        text.append(',');
      }
      text.append(escape(cells[i]));
    }
    text.append("\r\n");
    return this;
  }

  @Override
  public String toString() {
    return text.toString();
  }

  static String escape(Object value) {
    if (value == null) {
      return "";
    }
    String s = String.valueOf(value);
    if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }

  /**
   * A report's measures as {@code report,section,metric,value}: every scalar of every section, with
   * nested names joined by dots; lists (comments, findings) are left out: they are not measures.
   */
  static String measures(String report, Object value) {
    Csv csv = new Csv("report", "section", "metric", "value");
    JsonNode tree = JSON.valueToTree(value);
    for (Map.Entry<String, JsonNode> section : tree.properties()) {
      List<String[]> rows = new ArrayList<>();
      flatten("", section.getValue(), rows);
      for (String[] row : rows) {
        csv.row(report, section.getKey(), row[0], row[1]);
      }
    }
    return csv.toString();
  }

  private static void flatten(String prefix, JsonNode node, List<String[]> rows) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), rows);
      }
    } else if (node.isArray()) {
      if (node.valueStream().allMatch(JsonNode::isValueNode)) {
        List<String> values = new ArrayList<>();
        node.forEach(v -> values.add(v.asString()));
        rows.add(new String[] {prefix.isEmpty() ? "value" : prefix, String.join(" ", values)});
      }
    } else {
      rows.add(new String[] {prefix.isEmpty() ? "value" : prefix, node.isNull() ? "" : node.asString()});
    }
  }

  static String valueStream(ValueStreamMap.Totals totals, List<ValueStreamMap.ActivityRow> activities,
      List<ValueStreamMap.WaitRow> waits) {
    Csv csv = new Csv("report", "row", "name", "deployments", "process_seconds", "process_median_seconds",
        "wait_seconds", "wait_median_seconds", "flow_efficiency_percent", "share_percent");
    for (ValueStreamMap.ActivityRow a : activities) {
      csv.row("vsm", "activity", a.activity(), a.deployments(), a.processSeconds(), a.processMedianSeconds(),
          a.waitSeconds(), a.waitMedianSeconds(), a.flowEfficiencyPercent(), null);
    }
    for (ValueStreamMap.WaitRow w : waits) {
      csv.row("vsm", "wait", w.kind(), w.deployments(), null, null, w.seconds(), w.medianSeconds(), null,
          w.sharePercent());
    }
    csv.row("vsm", "total", "all", null, totals.processSeconds(), totals.processMedianSeconds(), totals.waitSeconds(),
        totals.waitMedianSeconds(), totals.flowEfficiencyPercent(), null);
    return csv.toString();
  }
}
