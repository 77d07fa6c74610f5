package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.testing.BadInputs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Mangled configuration files thrown at the loader and the interpreter, as {@code gantry plan} reads
 * them: every one is either read or refused with findings that each say where (file, or field), and
 * nothing else ever escapes.
 */
class ConfigFuzzTest {

  static final int RUNS = 600;

  private final ConfigLoader loader = new ConfigLoader();
  private final ConfigInterpreter interpreter = new ConfigInterpreter();
  private final List<ConfigFile> examples = ConfigFiles.read(Path.of("examples/config"));

  @Test
  void mangled_configuration_is_read_or_refused_naming_where_and_never_breaks_the_loader() {
    BadInputs bad = new BadInputs();
    int refused = 0;
    for (int run = 0; run < RUNS; run++) {
      List<ConfigFile> files = new ArrayList<>(examples);
      int which = bad.random().nextInt(files.size());
      ConfigFile victim = files.get(which);
      String mangled = mangle(victim.content(), bad);
      files.set(which, new ConfigFile(victim.name(), mangled));
      try {
        interpreter.interpret(loader.load(files));
      } catch (InvalidInputException e) {
        refused++;
        assertThat(e.findings()).as("run %d (%s)", run, bad.replay()).isNotEmpty();
        for (Finding f : e.findings()) {
          boolean placed = f.location() != null && !f.location().file().isBlank();
          assertThat(placed || f.field() != null && !f.field().isBlank())
              .as("run %d (%s): the finding \"%s\" names neither a file nor a field", run, bad.replay(), f).isTrue();
        }
      } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
        fail("run " + run + " (" + bad.replay() + "): " + victim.name() + " mangled to "
            + abbreviate(mangled) + " broke the loader", e);
      }
    }
    assertThat(refused).as("most mangled files are refused (%s)", bad.replay()).isGreaterThan(RUNS / 2);
  }

  /** One of the ways a file goes wrong: a character, a line, a value, the nesting or the aliases. */
  static String mangle(String text, BadInputs bad) {
    int at = text.isEmpty() ? 0 : bad.random().nextInt(text.length());
    return switch (bad.random().nextInt(10)) {
      case 0 -> text.substring(0, at) + bad.text() + text.substring(Math.min(text.length(), at + 1));
      case 1 -> text.substring(0, at);
      case 2 -> text.substring(0, at) + "\n" + " ".repeat(bad.between(0, 9)) + bad.text() + ": " + bad.text() + "\n"
          + text.substring(at);
      case 3 -> text.replaceFirst(": [^\\n]*", ": " + quote(bad.oneOf("[".repeat(bad.between(40, 5_000)),
          "{a: ".repeat(bad.between(40, 2_000)), "&a [*a]", "!!binary AAAA", "!!java.lang.Runtime {}",
          "!<tag:yaml.org,2002:js/function> x", "2001-13-45T99:99:99Z", "0x" + "F".repeat(200), "- - - -",
          "*undefined", bad.text())));
      case 4 -> billionLaughs(bad.between(2, 12)) + text;
      case 5 -> text.replace("\n", bad.oneOf("\r", "\r\n", "\n\t", "\u2028", "\n---\n", "\u0000\n"));
      case 6 -> text.replaceAll("(?m)^(\\s*)([a-zA-Z]+):", "$1" + bad.oneOf("$2", "$2$2", "\"$2\"", "? $2\n$1") + ":");
      case 7 -> bad.chars(bad.between(0, 2_000));
      case 8 -> text.replaceFirst("name: [a-z0-9-]+", "name: " + quote(bad.oneOf("\"\"", "UPPER", "-x-",
          "a".repeat(64), "[list]", "{map: 1}", "null", "~", "1.5", "'\u0000'", "\"\\uD800\"")));
      default -> text + "\n---\n" + bad.oneOf("apiVersion: gantry.io/v2\nkind: Target", "kind: Nothing",
          "[]", "42", "!!set {a, b}", "<<: *x", text.substring(0, at));
    };
  }

  private static String quote(String replacement) {
    return java.util.regex.Matcher.quoteReplacement(replacement);
  }

  static String billionLaughs(int levels) {
    StringBuilder sb = new StringBuilder("lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i <= levels; i++) {
      sb.append("lol").append(i).append(": &l").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        sb.append(j == 0 ? "" : ", ").append("*l").append(i - 1);
      }
      sb.append("]\n");
    }
    return sb.append("---\n").toString();
  }

  static String abbreviate(String s) {
    String printable = s.replaceAll("\\p{Cntrl}", "?");
    return printable.length() > 300 ? printable.substring(0, 300) + "... (" + s.length() + " characters)" : printable;
  }
}
