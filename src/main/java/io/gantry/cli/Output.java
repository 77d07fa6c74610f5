package io.gantry.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/** Prints answers as aligned tables or key/value blocks, or as the server's JSON, pretty. */
final class Output {

  static final int MAX_CELL = 60;

  private final PrintWriter out;
  private final GantryCommand.Format format;

  Output(PrintWriter out, GantryCommand.Format format) {
    this.out = out;
    this.format = format;
  }

  boolean json() {
    return format == GantryCommand.Format.json;
  }

  /** A column: its heading and how a cell is taken from one item. */
  record Column(String heading, Function<JsonNode, String> cell) {
    static Column of(String heading, String field) {
      return new Column(heading, item -> text(item.path(field)));
    }
  }

  void list(List<JsonNode> items, List<Column> columns) {
    if (json()) {
      printJson(ApiClient.JSON.valueToTree(items));
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode item : items) {
      rows.add(columns.stream().map(c -> cell(c.cell().apply(item))).toList());
    }
    table(columns.stream().map(Column::heading).toList(), rows);
  }

  void one(JsonNode item) {
    if (json()) {
      printJson(item);
      return;
    }
    int width = 0;
    for (Map.Entry<String, JsonNode> field : item.properties()) {
      width = Math.max(width, field.getKey().length());
    }
    for (Map.Entry<String, JsonNode> field : item.properties()) {
      JsonNode value = field.getValue();
      if (flat(value)) {
        out.println(pad(field.getKey() + ":", width + 3) + text(value));
      } else {
        out.println(field.getKey() + ":");
        ApiClient.PRETTY.writeValueAsString(value).lines().forEach(line -> out.println("  " + line));
      }
    }
  }

  /** Whether a value fits on one line: a scalar, or a list or map of scalars. */
  private static boolean flat(JsonNode value) {
    return value.isValueNode() || value.isNull() || value.valueStream().allMatch(JsonNode::isValueNode);
  }

  void printJson(JsonNode node) {
    out.println(ApiClient.PRETTY.writeValueAsString(node));
  }

  void table(List<String> headings, List<List<String>> rows) {
    int[] widths = new int[headings.size()];
    for (int i = 0; i < widths.length; i++) {
      widths[i] = headings.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(headings, widths);
    rows.forEach(row -> printRow(row, widths));
  }

  private void printRow(List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      line.append(i == cells.size() - 1 ? cells.get(i) : pad(cells.get(i), widths[i] + 2));
    }
    out.println(line.toString().stripTrailing());
  }

  /** A value as one line of text: lists joined by commas, maps as key=value, nothing as "-". */
  static String text(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return "-";
    }
    if (value.isArray()) {
      if (value.isEmpty()) {
        return "-";
      }
      List<String> parts = new ArrayList<>();
      value.forEach(v -> parts.add(v.isValueNode() ? v.asString() : ApiClient.JSON.writeValueAsString(v)));
      return String.join(",", parts);
    }
    if (value.isObject()) {
      if (value.isEmpty()) {
        return "-";
      }
      return value.properties().stream()
          .map(e -> e.getKey() + "=" + (e.getValue().isValueNode() ? e.getValue().asString()
              : ApiClient.JSON.writeValueAsString(e.getValue())))
          .collect(Collectors.joining(","));
    }
    String text = value.asString();
    return text.isEmpty() ? "-" : text;
  }

  private static String cell(String value) {
    String oneLine = value == null ? "-" : value.replaceAll("\\s*\\R\\s*", " ");
    return oneLine.length() > MAX_CELL ? oneLine.substring(0, MAX_CELL - 3) + "..." : oneLine;
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }
}
