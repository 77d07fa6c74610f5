package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Servers of two versions run side by side on one database during a rolling upgrade (docs/operations.md): the
 * first new one migrates, the old ones go on with the new schema. So every migration from V060 on only expands
 * the schema (new tables, new nullable or defaulted columns, new indexes, relaxed constraints); what the old
 * version still reads or writes is taken away only by a migration named {@code __contract_...}, shipped a
 * version after the last one that uses it.
 */
class MigrationRulesTest {

  private static final int EXPAND_ONLY_FROM = 60;
  private static final Pattern VERSION = Pattern.compile("V(\\d+)__(.*)\\.sql");
  /** Statements an older server beside the new one could trip on. */
  private static final List<Pattern> CONTRACTING = List.of(
      Pattern.compile("\\bdrop\\s+table\\b"),
      Pattern.compile("\\bdrop\\s+column\\b"),
      Pattern.compile("\\brename\\b"),
      Pattern.compile("\\bset\\s+not\\s+null\\b"),
      Pattern.compile("\\balter\\s+column\\s+\\S+\\s+(set\\s+data\\s+)?type\\b"),
      Pattern.compile("\\badd\\s+(column\\s+)?[a-z_]+\\s+[^,;]*\\bnot\\s+null\\b(?![^,;]*\\bdefault\\b)"));

  @Test
  void migrations_from_v060_on_only_expand_the_schema_unless_named_as_a_contraction() throws IOException {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Path file : migrations()) {
      Matcher name = VERSION.matcher(file.getFileName().toString());
      assertThat(name.matches()).as("migration file name %s", file).isTrue();
      if (Integer.parseInt(name.group(1)) < EXPAND_ONLY_FROM || name.group(2).startsWith("contract_")) {
        continue;
      }
      checked++;
      String sql = Files.readString(file).toLowerCase(Locale.ROOT).replaceAll("--[^\n]*", "");
      for (String statement : sql.split(";")) {
        for (Pattern p : CONTRACTING) {
          if (p.matcher(statement).find()) {
            problems.add(file.getFileName() + ": " + statement.strip().replaceAll("\\s+", " "));
          }
        }
      }
    }
    assertThat(checked).as("migrations checked").isPositive();
    assertThat(problems).as("contracting statements outside a __contract_ migration").isEmpty();
  }

  @Test
  void the_rules_find_what_an_older_server_would_trip_on() {
    for (String contracting : List.of("drop table deployments", "alter table a drop column b",
        "alter table a rename to b", "alter table a alter column b set not null",
        "alter table a alter column b type bigint", "alter table a add column b int not null")) {
      assertThat(CONTRACTING).as(contracting).anyMatch(p -> p.matcher(contracting).find());
    }
    for (String expanding : List.of("create table a (id bigint not null)", "alter table a add column b int",
        "alter table a add column b int not null default 0", "create index a_b on a (b)",
        "alter table a alter column b drop not null")) {
      assertThat(CONTRACTING).as(expanding).noneMatch(p -> p.matcher(expanding).find());
    }
  }

  private static List<Path> migrations() throws IOException {
    List<Path> all = new ArrayList<>();
    for (String dir : List.of("src/main/resources/db/migration", "src/main/resources/db/vendor/postgresql")) {
      try (Stream<Path> files = Files.list(Path.of(dir))) {
        files.filter(f -> f.toString().endsWith(".sql")).forEach(all::add);
      }
    }
    return all;
  }
}
