package io.gantry.shared;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Hides credentials in text that Gantry keeps or shows, such as what a step printed: an API token
 * ({@code gty_} and 40 letters or digits) a script read from wherever it could becomes
 * {@code gty_****}, and the value of every secret in the store becomes {@code ****}, so a record
 * readable by many never hands one on.
 *
 * <p>A value of several lines (a PEM private key, a config file) is masked whole, and each of its lines
 * also on its own wherever it appears: step output is masked line by line, so the whole value never
 * stands in one piece of text there. A line counts when it has at least {@link #MIN_LINE} characters once
 * the white space around it is trimmed, and is masked trimmed; shorter and blank lines ({@code }},
 * {@code ---}, an empty line) are left alone, as masking them would hide text that merely happens to be the
 * same. Longer values are masked first, so a value that holds another is masked whole.
 */
public final class Masking {

  /** The fewest characters a line of a multi-line value has (trimmed) to be masked on its own. */
  public static final int MIN_LINE = 4;

  private static final Pattern API_TOKEN = Pattern.compile("gty_[A-Za-z0-9]{40}(?![A-Za-z0-9])");
  private static final Pattern LINE_BREAK = Pattern.compile("\\r\\n|\\r|\\n");

  private static final List<Supplier<Collection<String>>> SOURCES = new CopyOnWriteArrayList<>();

  /**
   * What to look for, per source, worked out from the collection the source last answered: a source answers
   * the same collection until its values change (the secret store, every few seconds at most), so a line of
   * output costs a lookup here, not a split of every value.
   */
  private static final Map<Supplier<Collection<String>>, Needles> NEEDLES = new ConcurrentHashMap<>();

  private record Needles(Collection<String> from, List<String> texts) {}

  private Masking() {}

  /**
   * Adds values to mask wherever they appear (a secret store's values), asked for at each masking. The
   * supplier answers another collection when the values change, never the same one changed: what is looked
   * for is worked out again only when the collection answered is another.
   */
  public static void addSource(Supplier<Collection<String>> values) {
    SOURCES.add(values);
  }

  /** Stops asking {@code values}, added before, e.g. when the store it reads is closed. */
  public static void removeSource(Supplier<Collection<String>> values) {
    SOURCES.remove(values);
    NEEDLES.remove(values);
  }

  /** {@code text} with every credential it holds masked; null stays null. */
  public static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (var source : SOURCES) {
      List<String> needles;
      try {
        needles = needles(source);
      } catch (RuntimeException e) {
        continue;
      }
      for (String needle : needles) {
        if (out.contains(needle)) {
          out = out.replace(needle, "****");
        }
      }
    }
    return out.contains("gty_") ? API_TOKEN.matcher(out).replaceAll("gty_****") : out;
  }

  private static List<String> needles(Supplier<Collection<String>> source) {
    Collection<String> values = source.get();
    Needles known = NEEDLES.get(source);
    if (known != null && known.from() == values) {
      return known.texts();
    }
    List<String> texts = needles(values);
    if (SOURCES.contains(source)) {
      NEEDLES.put(source, new Needles(values, texts));
    }
    return texts;
  }

  /**
   * The texts masking looks for to hide {@code values}: each value, and each line of a multi-line value with
   * at least {@link #MIN_LINE} characters once trimmed (trimmed); longest first.
   */
  static List<String> needles(Collection<String> values) {
    Set<String> texts = new LinkedHashSet<>();
    for (String value : values) {
      if (value == null || value.isEmpty()) {
        continue;
      }
      texts.add(value);
      if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
        for (String line : LINE_BREAK.split(value)) {
          String trimmed = line.strip();
          if (trimmed.length() >= MIN_LINE) {
            texts.add(trimmed);
          }
        }
      }
    }
    List<String> sorted = new ArrayList<>(texts);
    sorted.sort(Comparator.comparingInt(String::length).reversed());
    return List.copyOf(sorted);
  }
}
