package io.gantry.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The templating of an analysis metric's Prometheus query. The query text is the model's and trusted;
 * the values put into it (a version, target names) are not: a {@code ${name}} placeholder may stand only
 * inside a double- or single-quoted string literal of the query, and its value is escaped for such a
 * literal, so no value can end the literal and change the query around it. {@code $${name}} stays as
 * the literal text {@code ${name}}.
 */
public final class PromQl {

  /** The values a canary's query may use: the canary targets as a regular expression, and the deployment's facts. */
  public static final Set<String> VARIABLES = Set.of("canaryTargets", "version", "environment", "component",
      "service", "deployment");

  /**
   * The values the query of a blue-green target's idle-slot analysis may use: the target as a regular expression,
   * the idle slot's name and port, and the deployment's facts.
   */
  public static final Set<String> IDLE_SLOT_VARIABLES = Set.of("targets", "slot", "port", "version", "environment",
      "component", "service", "deployment");

  /** The values a verification's query may use: the deployment's targets as a regular expression, and its facts. */
  public static final Set<String> VERIFICATION_VARIABLES = Set.of("targets", "version", "environment", "component",
      "service", "deployment");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$?\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)}");

  private PromQl() {}

  /** What is wrong with a canary query's placeholders: each one outside a quoted string, unknown, or in a raw one. */
  public static List<String> problems(String query) {
    return problems(query, VARIABLES);
  }

  /** What is wrong with a query's placeholders, {@code variables} being the names it may use. */
  public static List<String> problems(String query, Set<String> variables) {
    List<String> problems = new ArrayList<>();
    List<Literal> literals = new ArrayList<>();
    String unterminated = literals(query, literals);
    if (unterminated != null) {
      problems.add(unterminated);
    }
    Matcher m = PLACEHOLDER.matcher(query);
    while (m.find()) {
      if (m.group().startsWith("$$")) {
        continue;
      }
      String name = m.group(1);
      Literal in = literals.stream().filter(l -> l.start < m.start() && m.end() <= l.end).findFirst().orElse(null);
      if (in == null) {
        problems.add("${" + name + "} stands outside a quoted string: a value may only be put inside \"...\" or "
            + "'...', where it is escaped, e.g. {target=~\"${canaryTargets}\"}");
      } else if (in.quote == '`') {
        problems.add("${" + name + "} stands in a raw `...` string, where no value can be escaped: use \"...\"");
      }
      if (!variables.contains(name)) {
        problems.add("${" + name + "} is not a value a query can use here; use one of " + String.join(", ",
            variables.stream().sorted().toList()));
      }
    }
    return problems;
  }

  /**
   * The query with its placeholders filled, each value escaped for the string literal it stands in.
   *
   * @throws IllegalArgumentException when the query's placeholders are not all inside quoted strings or a
   *     value is missing
   */
  public static String render(String query, Map<String, String> values) {
    List<String> problems = problems(query, values.keySet());
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
    Matcher m = PLACEHOLDER.matcher(query);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String replacement;
      if (m.group().startsWith("$$")) {
        replacement = "${" + name + "}";
      } else if (values.containsKey(name)) {
        replacement = escape(values.get(name));
      } else {
        throw new IllegalArgumentException("no value for ${" + name + "}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * A value escaped for a double- or single-quoted PromQL string: letters, digits and {@code _ . - : / @ + , = |}
   * and spaces as they are, a backslash doubled, every other character as a {@code \\u} escape.
   */
  public static String escape(String value) {
    StringBuilder out = new StringBuilder();
    value.codePoints().forEach(c -> {
      if (c < 128 && (Character.isLetterOrDigit(c) || "_.-:/@+,=| ".indexOf(c) >= 0)) {
        out.appendCodePoint(c);
      } else if (c == '\\') {
        out.append("\\\\");
      } else if (c <= 0xFFFF) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.append(String.format("\\U%08x", c));
      }
    });
    return out.toString();
  }

  /** Names as a regular expression that matches exactly them ({@code t1|t2}), each name's metacharacters quoted. */
  public static String anyOf(List<String> names) {
    List<String> quoted = new ArrayList<>();
    for (String name : names) {
      StringBuilder q = new StringBuilder();
      name.chars().forEach(c -> {
        if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
          q.append('\\');
        }
        q.append((char) c);
      });
      quoted.add(q.toString());
    }
    return String.join("|", quoted);
  }

  private record Literal(int start, int end, char quote) {}

  /** Finds the query's string literals; answers a problem when one is not closed. Skips {@code #} comments. */
  private static String literals(String query, List<Literal> out) {
    int i = 0;
    while (i < query.length()) {
      char c = query.charAt(i);
      if (c == '#') {
        while (i < query.length() && query.charAt(i) != '\n') {
          i++;
        }
        continue;
      }
      if (c == '"' || c == '\'' || c == '`') {
        int start = i;
        i++;
        while (i < query.length() && query.charAt(i) != c) {
          i += c != '`' && query.charAt(i) == '\\' ? 2 : 1;
        }
        if (i >= query.length()) {
          return "a string opened with " + c + " at character " + (start + 1) + " is not closed";
        }
        out.add(new Literal(start, i, c));
      }
      i++;
    }
    return null;
  }
}
