package io.gantry.cli;

import java.io.PrintWriter;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Prints answers as aligned tables or key/value blocks, or as the server's JSON, pretty. Every instant
 * the server sends (ISO-8601, in UTC or with an offset) is printed in one form, with date and zone, in
 * the user's time zone: {@code 2026-12-03 18:41:19 UTC}.
 */
final class Output {

  static final int MAX_CELL = 60;

  /** The one form of a time in table output. */
  static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss zzz", Locale.ENGLISH);

  private static final Pattern INSTANT = Pattern.compile("(?<![\\d-])"
      + "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})(?![\\d:])");

  private final PrintWriter out;
  private final GantryCommand.Format format;
  private final ZoneId zone;

  Output(PrintWriter out, GantryCommand.Format format, ZoneId zone) {
    this.out = out;
    this.format = format;
    // a bare offset would print as "Z"
    this.zone = zone.equals(ZoneOffset.UTC) ? ZoneId.of("UTC") : zone;
  }

  /**
   * A value with every instant the server sent in it (alone, or within a text such as a freeze's
   * schedule) in the one form of table output ({@link #TIME}, in the user's zone); dates and local
   * times as they are, and nothing as "-".
   */
  String time(String value) {
    if (value == null || value.isEmpty()) {
      return "-";
    }
    return INSTANT.matcher(value).replaceAll(instant -> {
      try {
        return Matcher.quoteReplacement(TIME.format(OffsetDateTime.parse(instant.group()).atZoneSameInstant(zone)));
      } catch (DateTimeParseException e) {
        return Matcher.quoteReplacement(instant.group());
      }
    });
  }

  String time(JsonNode value) {
    return value == null || value.isNull() || value.isMissingNode() ? "-" : time(value.asString());
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
      rows.add(columns.stream().map(c -> c.cell().apply(item)).toList());
    }
    table(columns.stream().map(Column::heading).toList(), rows);
  }

  /**
   * One item as "key: value" lines, nested maps and lists indented below their key (lists of maps
   * as "- " entries), times in the form of every table. Row versions, which only serve optimistic
   * locking, are left out; {@code -o json} shows them.
   */
  void one(JsonNode item) {
    if (json()) {
      printJson(item);
      return;
    }
    block(item, "").forEach(out::println);
  }

  private List<String> block(JsonNode object, String indent) {
    List<Map.Entry<String, JsonNode>> fields = object.properties().stream()
        .filter(field -> !field.getKey().equals("rowVersion")).toList();
    int width = fields.stream().filter(field -> oneLine(field.getValue())).mapToInt(field -> field.getKey().length())
        .max().orElse(0);
    List<String> lines = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : fields) {
      JsonNode value = field.getValue();
      if (oneLine(value)) {
        lines.add((indent + pad(field.getKey() + ":", width + 2) + time(text(value))).stripTrailing());
      } else {
        lines.add(indent + field.getKey() + ":");
        lines.addAll(value.isObject() ? block(value, indent + "  ") : entries(value, indent + "  "));
      }
    }
    return lines;
  }

  /** The elements of a list that does not fit on one line, each starting with "- ". */
  private List<String> entries(JsonNode list, String indent) {
    List<String> lines = new ArrayList<>();
    for (JsonNode element : list) {
      if (element.isObject() && !element.isEmpty()) {
        List<String> entry = new ArrayList<>(block(element, indent + "  "));
        if (entry.isEmpty()) {
          lines.add(indent + "-");
        } else {
          entry.set(0, indent + "- " + entry.getFirst().substring(indent.length() + 2));
          lines.addAll(entry);
        }
      } else if (element.isArray() && !oneLine(element)) {
        lines.add(indent + "-");
        lines.addAll(entries(element, indent + "  "));
      } else {
        lines.add(indent + "- " + time(text(element)));
      }
    }
    return lines;
  }

  /** Whether a value of one item is shown on its key's line: a scalar, a list of scalars, or nothing. */
  private static boolean oneLine(JsonNode value) {
    return value.isObject() ? value.isEmpty() : flat(value);
  }

  /** Whether a value fits on one line: a scalar, or a list or map of scalars. */
  private static boolean flat(JsonNode value) {
    return value.isValueNode() || value.isNull() || value.valueStream().allMatch(JsonNode::isValueNode);
  }

  void printJson(JsonNode node) {
    out.println(ApiClient.pretty().writeValueAsString(node));
  }

  void table(List<String> headings, List<List<String>> cells) {
    List<List<String>> rows = cells.stream().map(row -> row.stream().map(c -> cell(time(c))).toList()).toList();
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

  /**
   * A value as one line of text, never JSON: lists joined by commas, maps as key=value (nested ones in
   * parentheses), row versions left out, nothing as "-".
   */
  static String text(JsonNode value) {
    if (value == null || value.isMissingNode() || value.isNull()) {
      return "-";
    }
    if (value.isContainer()) {
      String inside = inline(value);
      return inside.isEmpty() ? "-" : inside;
    }
    String text = value.asString();
    return text.isEmpty() ? "-" : text;
  }

  private static String inline(JsonNode value) {
    if (value.isArray()) {
      return value.valueStream().map(v -> v.isObject() ? "(" + inline(v) + ")" : inline(v))
          .collect(Collectors.joining(","));
    }
    if (value.isObject()) {
      return value.properties().stream().filter(e -> !e.getKey().equals("rowVersion"))
          .map(e -> e.getKey() + "=" + (e.getValue().isContainer() ? "(" + inline(e.getValue()) + ")"
              : text(e.getValue())))
          .collect(Collectors.joining(","));
    }
    return value.isNull() ? "-" : value.asString();
  }

  private static String cell(String value) {
    String oneLine = value == null ? "-" : value.replaceAll("\\s*\\R\\s*", " ");
    return oneLine.length() > MAX_CELL ? oneLine.substring(0, MAX_CELL - 3) + "..." : oneLine;
  }

  private static String pad(String s, int width) {
    return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
  }
}
