package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.SourceLocation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading configuration files: YAML with positions, checked against the published schema. */
class ConfigLoaderTest {

  private static final String SERVICE = """
      apiVersion: gantry.io/v1
      kind: Service
      metadata:
        name: shop
      spec:
        owner: team-shop
      """;

  private static final String ENVIRONMENT = """
      # the staging environment
      apiVersion: gantry.io/v1
      kind: Environment
      metadata:
        name: staging
        description: Pre-production
      spec:
        purpose: staging
        controlled: true
        owner: platform-team
        promotesTo: [production]
      """;

  private static final String MODEL = """
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata:
        name: software
      spec:
        appliesTo:
          componentTypes: [software]
        stages:
          - name: dev
            environment: dev
            authorization: automatic
            strategy: {type: all-at-once}
            steps:
              - {name: install, type: artifact.install, destination: releases}
              - name: restart
                type: shell
                command: ./bin/restart.sh
                timeout: 1m
      """;

  private final ConfigLoader loader = new ConfigLoader();

  // --- what loads

  @Test
  void the_example_configuration_loads_cleanly() {
    List<ConfigDocument> docs = loader.load(ConfigFiles.read(Path.of("examples/config")));

    assertThat(docs).hasSize(23);
    assertThat(docs).filteredOn(d -> d.kind().equals("Environment")).extracting(ConfigDocument::name)
        .containsExactly("dev", "test", "staging", "production");
    assertThat(docs).filteredOn(d -> d.kind().equals("DeploymentModel")).extracting(ConfigDocument::name)
        .containsExactly("hardware", "in-house-software");
    assertThat(docs).extracting(ConfigDocument::kind).containsOnly("Environment", "Target", "Service", "Component",
        "DeploymentModel");
  }

  @Test
  void a_file_may_hold_several_documents_each_with_its_index_kind_and_name() {
    List<ConfigDocument> docs = loader.load(List.of(new ConfigFile("all.yaml", SERVICE + "---\n" + ENVIRONMENT)));

    assertThat(docs).extracting(ConfigDocument::file, ConfigDocument::index, ConfigDocument::kind,
        ConfigDocument::name).containsExactly(
            org.assertj.core.groups.Tuple.tuple("all.yaml", 0, "Service", "shop"),
            org.assertj.core.groups.Tuple.tuple("all.yaml", 1, "Environment", "staging"));
    assertThat(docs.get(1).body().path("spec").path("promotesTo").get(0).asString()).isEqualTo("production");
  }

  @Test
  void lines_and_columns_of_a_later_document_count_from_the_start_of_the_file() {
    String text = SERVICE + "---\n" + ENVIRONMENT;
    ConfigDocument env = loader.load(List.of(new ConfigFile("all.yaml", text))).get(1);

    assertThat(env.locate("spec.owner")).isEqualTo(at("all.yaml", text, "owner: platform-team", "owner"));
  }

  @Test
  void empty_documents_around_separators_are_ignored() {
    List<ConfigDocument> docs = loader.load(List.of(new ConfigFile("a.yaml", "---\n" + SERVICE + "---\n")));

    assertThat(docs).singleElement().extracting(ConfigDocument::name).isEqualTo("shop");
  }

  @Test
  void locate_finds_nested_fields_in_block_and_flow_style() {
    ConfigDocument doc = loader.load(List.of(new ConfigFile("m.yaml", MODEL))).getFirst();

    assertThat(doc.locate("spec.stages[0].environment")).isEqualTo(new SourceLocation("m.yaml", 10, 7));
    assertThat(doc.locate("spec.stages[0].strategy.type")).isEqualTo(at("m.yaml", MODEL, "{type: all", "type"));
    assertThat(doc.locate("spec.stages[0].steps[0].destination"))
        .isEqualTo(at("m.yaml", MODEL, "destination: releases", "destination"));
    assertThat(doc.locate("spec.stages[0].steps[1].timeout")).isEqualTo(new SourceLocation("m.yaml", 18, 11));
    assertThat(doc.locate("metadata.name")).isEqualTo(new SourceLocation("m.yaml", 4, 3));
  }

  @Test
  void locate_of_an_absent_field_gives_its_nearest_present_parent() {
    ConfigDocument doc = loader.load(List.of(new ConfigFile("m.yaml", MODEL))).getFirst();

    assertThat(doc.locate("spec.stages[0].windows[0].timeZone")).isEqualTo(doc.locate("spec.stages[0]"));
    assertThat(doc.locate("spec.stages[0]")).isEqualTo(new SourceLocation("m.yaml", 9, 7));
    assertThat(doc.locate("spec.triggers[0].stage")).isEqualTo(new SourceLocation("m.yaml", 5, 1));
    assertThat(doc.locate("metadata.labels.team")).isEqualTo(new SourceLocation("m.yaml", 3, 1));
    assertThat(doc.locate("nothing.here")).isEqualTo(new SourceLocation("m.yaml", 1, 1));
  }

  // --- what is refused, one finding per problem, each with file, line, column and field

  @Test
  void malformed_yaml_is_reported_where_the_parser_stopped() {
    String text = ENVIRONMENT.replace("promotesTo: [production]", "promotesTo: [production\n");

    Finding f = single(new ConfigFile("env.yaml", text));

    assertThat(f.field()).isEmpty();
    assertThat(f.location().file()).isEqualTo("env.yaml");
    assertThat(f.message()).startsWith("malformed YAML:").contains("expected ',' or ']'")
        .contains("flow sequence");
    // the list opened on line 11 is never closed: the parser notices at the end of the text (line 13)
    assertThat(f.location()).isEqualTo(new SourceLocation("env.yaml", lineOf(text, "promotesTo") + 2, 1));
  }

  @Test
  void a_duplicate_key_is_reported_at_its_second_occurrence_naming_the_first() {
    String text = SERVICE + "  owner: team-web\n";

    Finding f = single(new ConfigFile("svc.yaml", text));

    assertThat(f.field()).isEqualTo("spec.owner");
    assertThat(f.location()).isEqualTo(new SourceLocation("svc.yaml", 7, 3));
    assertThat(f.message()).contains("duplicate key \"owner\"").contains("first at svc.yaml:6:3");
  }

  @Test
  void an_unknown_field_at_the_top_level_is_reported() {
    String text = SERVICE.replace("spec:", "owner: team-shop\nspec:");

    Finding f = single(new ConfigFile("svc.yaml", text));

    assertThat(f.field()).isEqualTo("owner");
    assertThat(f.location()).isEqualTo(new SourceLocation("svc.yaml", 5, 1));
    assertThat(f.message()).contains("unknown field \"owner\"");
  }

  @Test
  void an_unknown_field_in_spec_is_reported() {
    String text = ENVIRONMENT.replace("  owner: platform-team", "  owner: platform-team\n  colour: blue");

    Finding f = single(new ConfigFile("env.yaml", text));

    assertThat(f.field()).isEqualTo("spec.colour");
    assertThat(f.location()).isEqualTo(at("env.yaml", text, "colour: blue", "colour"));
    assertThat(f.message()).contains("unknown field \"colour\"");
  }

  @Test
  void an_unknown_field_inside_a_step_is_reported() {
    String text = MODEL.replace("timeout: 1m", "timeout: 1m\n          retry: 3");

    Finding f = single(new ConfigFile("m.yaml", text));

    assertThat(f.field()).isEqualTo("spec.stages[0].steps[1].retry");
    assertThat(f.location()).isEqualTo(new SourceLocation("m.yaml", 19, 11));
    assertThat(f.message()).contains("unknown field \"retry\"");
  }

  @Test
  void text_where_true_or_false_is_expected_is_a_wrong_type() {
    String text = ENVIRONMENT.replace("controlled: true", "controlled: sometimes");

    Finding f = single(new ConfigFile("env.yaml", text));

    assertThat(f.field()).isEqualTo("spec.controlled");
    assertThat(f.location()).isEqualTo(at("env.yaml", text, "controlled: sometimes", "controlled"));
    assertThat(f.message()).contains("expected true or false").contains("\"sometimes\"");
  }

  @Test
  void a_document_without_metadata_is_missing_a_required_field_reported_at_the_document() {
    String text = SERVICE.replace("metadata:\n  name: shop\n", "");

    Finding f = single(new ConfigFile("svc.yaml", text));

    assertThat(f.field()).isEqualTo("metadata");
    assertThat(f.location()).isEqualTo(new SourceLocation("svc.yaml", 1, 1));
    assertThat(f.message()).contains("missing required field \"metadata\"");
  }

  @Test
  void an_environment_without_an_owner_is_reported_at_its_spec() {
    String text = ENVIRONMENT.replace("  owner: platform-team\n", "");

    Finding f = single(new ConfigFile("env.yaml", text));

    assertThat(f.field()).isEqualTo("spec.owner");
    assertThat(f.location()).isEqualTo(at("env.yaml", text, "spec:", "spec"));
    assertThat(f.message()).contains("missing required field \"owner\"");
  }

  @Test
  void a_shell_step_without_a_command_is_reported_at_the_step() {
    String text = MODEL.replace("          command: ./bin/restart.sh\n", "");

    Finding f = single(new ConfigFile("m.yaml", text));

    assertThat(f.field()).isEqualTo("spec.stages[0].steps[1].command");
    assertThat(f.location()).isEqualTo(at("m.yaml", text, "name: restart", "name"));
    assertThat(f.message()).contains("missing required field \"command\"");
  }

  @Test
  void a_purpose_outside_the_list_names_the_allowed_values() {
    String text = ENVIRONMENT.replace("purpose: staging", "purpose: rehearsal");

    Finding f = single(new ConfigFile("env.yaml", text));

    assertThat(f.field()).isEqualTo("spec.purpose");
    assertThat(f.location()).isEqualTo(at("env.yaml", text, "purpose: rehearsal", "purpose"));
    assertThat(f.message()).contains("\"rehearsal\" is not allowed here")
        .contains("development, integration, test, staging, production, other");
  }

  @Test
  void a_name_with_capitals_and_underscores_is_refused_with_the_naming_rule() {
    String text = SERVICE.replace("name: shop", "name: Web_1");

    Finding f = single(new ConfigFile("svc.yaml", text));

    assertThat(f.field()).isEqualTo("metadata.name");
    assertThat(f.location()).isEqualTo(new SourceLocation("svc.yaml", 4, 3));
    assertThat(f.message()).contains("\"Web_1\" is not a valid name").contains("lower-case");
  }

  @Test
  void a_duration_without_a_known_unit_is_refused() {
    String text = MODEL.replace("timeout: 1m", "timeout: 1min");

    Finding f = single(new ConfigFile("m.yaml", text));

    assertThat(f.field()).isEqualTo("spec.stages[0].steps[1].timeout");
    assertThat(f.location()).isEqualTo(at("m.yaml", text, "timeout: 1min", "timeout"));
    assertThat(f.message()).contains("\"1min\" is not a duration");
  }

  @Test
  void an_unknown_step_type_is_refused_with_the_known_types() {
    String text = MODEL.replace("type: shell", "type: ssh");

    Finding f = single(new ConfigFile("m.yaml", text));

    assertThat(f.field()).isEqualTo("spec.stages[0].steps[1].type");
    assertThat(f.location()).isEqualTo(at("m.yaml", text, "type: ssh", "type"));
    assertThat(f.message()).contains("\"ssh\" is not allowed here").contains("artifact.install").contains("shell");
  }

  @Test
  void another_api_version_is_refused() {
    String text = SERVICE.replace("gantry.io/v1", "gantry.io/v2");

    Finding f = single(new ConfigFile("svc.yaml", text));

    assertThat(f.field()).isEqualTo("apiVersion");
    assertThat(f.location()).isEqualTo(new SourceLocation("svc.yaml", 1, 1));
    assertThat(f.message()).contains("gantry.io/v1").contains("\"gantry.io/v2\"");
  }

  @Test
  void an_unknown_kind_is_refused_with_the_known_kinds() {
    String text = SERVICE.replace("kind: Service", "kind: Widget");

    Finding f = single(new ConfigFile("svc.yaml", text));

    assertThat(f.field()).isEqualTo("kind");
    assertThat(f.location()).isEqualTo(new SourceLocation("svc.yaml", 2, 1));
    assertThat(f.message()).contains("\"Widget\" is not allowed here").contains("Environment, Target, Service");
  }

  @Test
  void problems_in_several_files_are_all_reported_together() {
    String env = ENVIRONMENT.replace("purpose: staging", "purpose: rehearsal");
    String svc = SERVICE.replace("name: shop", "name: Shop") + "---\n" + SERVICE.replace(" team-shop", "");
    String broken = "apiVersion: [gantry.io/v1\n";

    List<Finding> findings = findings(new ConfigFile("a/env.yaml", env), new ConfigFile("b/svc.yaml", svc),
        new ConfigFile("c/broken.yaml", broken));

    assertThat(findings).extracting(f -> f.location() + " " + f.field()).containsExactly(
        at("a/env.yaml", env, "purpose:", "purpose") + " spec.purpose",
        "b/svc.yaml:4:3 metadata.name",
        "b/svc.yaml:13:3 spec.owner",
        "c/broken.yaml:2:1 ");
  }

  @Test
  void no_files_at_all_is_refused() {
    assertThatThrownBy(() -> loader.load(List.of()))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings()).singleElement()
            .satisfies(f -> {
              assertThat(f.field()).isEqualTo("files");
              assertThat(f.message()).contains("no configuration files");
            }));
  }

  @Test
  void a_file_with_only_comments_holds_no_documents() {
    Finding f = single(new ConfigFile("empty.yaml", "# nothing yet\n# still nothing\n"));

    assertThat(f.message()).contains("holds no documents");
  }

  // --- helpers

  private List<Finding> findings(ConfigFile... files) {
    try {
      loader.load(List.of(files));
    } catch (InvalidInputException e) {
      return e.findings();
    }
    throw new AssertionError("the configuration was accepted");
  }

  private Finding single(ConfigFile... files) {
    List<Finding> findings = findings(files);
    assertThat(findings).as("findings").hasSize(1);
    return findings.getFirst();
  }

  /** The 1-based line of the first line holding {@code marker}. */
  static int lineOf(String text, String marker) {
    int at = text.indexOf(marker);
    if (at < 0) {
      throw new IllegalArgumentException("\"" + marker + "\" is not in the text");
    }
    return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
  }

  /** Where {@code word} is within the first line holding {@code marker}. */
  static SourceLocation at(String file, String text, String marker, String word) {
    int at = text.indexOf(marker);
    if (at < 0) {
      throw new IllegalArgumentException("\"" + marker + "\" is not in the text");
    }
    int lineStart = text.lastIndexOf('\n', at) + 1;
    int lineEnd = text.indexOf('\n', at);
    String line = text.substring(lineStart, lineEnd < 0 ? text.length() : lineEnd);
    int column = line.indexOf(word, at - lineStart) + 1;
    return new SourceLocation(file, lineOf(text, marker), column);
  }

  // --- limits on what one file may make the server do

  @Test
  void values_nested_deeper_than_the_limit_are_refused_naming_the_file_and_the_limit() {
    String deep = SERVICE + "  labels:\n    deep: " + "[".repeat(100_000) + "]".repeat(100_000) + "\n";

    assertThatThrownBy(() -> loader.load(List.of(new ConfigFile("deep.yaml", deep))))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          Finding finding = e.findings().get(0);
          assertThat(finding.location().file()).isEqualTo("deep.yaml");
          assertThat(finding.location().line()).isEqualTo(8);
          assertThat(finding.message()).contains("deeper than 50 levels").contains("gantry.config.yaml.max-depth");
        });
  }

  @Test
  void nesting_up_to_the_limit_is_read() {
    // the document, spec and labels are three levels; {a: [[b]]} adds two
    ConfigLoader shallow = new ConfigLoader(5, 1000, 1000, 0, 100);
    String nested = SERVICE + "  labels: {a: [[b]]}\n";
    assertThatThrownBy(() -> shallow.load(List.of(new ConfigFile("s.yaml", nested))))
        .hasMessageContaining("1 problem").isInstanceOfSatisfying(InvalidInputException.class, e ->
            assertThat(e.findings().get(0).message()).doesNotContain("deeper"));
    assertThatThrownBy(() -> shallow.load(List.of(new ConfigFile("s.yaml", SERVICE + "  labels: {a: [[[b]]]}\n"))))
        .isInstanceOfSatisfying(InvalidInputException.class, e ->
            assertThat(e.findings().get(0).message()).contains("deeper than 5 levels"));
  }

  @Test
  void a_billion_laughs_is_refused_for_its_aliases_before_any_value_is_expanded() {
    StringBuilder laughs = new StringBuilder(SERVICE).append("  labels:\n    a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'j'; c++) {
      char p = (char) (c - 1);
      laughs.append("    ").append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p)
          .append(", *").append(p).append(", *").append(p).append(", *").append(p).append(", *").append(p)
          .append(", *").append(p).append(", *").append(p).append(", *").append(p).append("]\n");
    }

    assertThatThrownBy(() -> loader.load(List.of(new ConfigFile("laughs.yaml", laughs.toString()))))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.findings()).hasSize(1);
          assertThat(e.findings().get(0).location().file()).isEqualTo("laughs.yaml");
          assertThat(e.findings().get(0).message()).contains("more than 50 aliases")
              .contains("gantry.config.yaml.max-aliases");
        });
  }

  @Test
  void an_alias_inside_its_own_anchor_is_refused_rather_than_followed_without_end() {
    String endless = SERVICE + "  labels: &a {x: *a}\n";

    assertThatThrownBy(() -> loader.load(List.of(new ConfigFile("endless.yaml", endless))))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.findings().get(0).location().file()).isEqualTo("endless.yaml");
          assertThat(e.findings().get(0).message()).contains("alias inside its own anchor");
        });
    assertThatThrownBy(() -> loader.load(List.of(new ConfigFile("endless.yaml", "apiVersion: &a [*a]\n"))))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void a_few_aliases_that_stand_for_too_many_values_are_refused() {
    ConfigLoader few = new ConfigLoader(50, 100_000, 100_000, 10, 1_000);
    String wide = SERVICE + "  labels:\n    a: &a [" + "x, ".repeat(99) + "x]\n    b: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n";

    assertThatThrownBy(() -> few.load(List.of(new ConfigFile("wide.yaml", wide))))
        .isInstanceOfSatisfying(InvalidInputException.class, e ->
            assertThat(e.findings().get(0).message()).contains("more than 1000 values")
                .contains("gantry.config.yaml.max-nodes"));
  }

  @Test
  void a_file_or_a_document_longer_than_the_limits_is_refused_naming_the_limit() {
    ConfigLoader small = new ConfigLoader(50, 2_000, 500, 50, 1_000);
    String twoDocuments = SERVICE + "  description: " + "x".repeat(400) + "\n---\n" + SERVICE;

    assertThatThrownBy(() -> small.load(List.of(new ConfigFile("long.yaml", twoDocuments))))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> {
          assertThat(e.findings().get(0).location().file()).isEqualTo("long.yaml");
          assertThat(e.findings().get(0).message()).contains("500 code points")
              .contains("gantry.config.yaml.max-document-code-points");
        });
    assertThatThrownBy(() -> small.load(List.of(new ConfigFile("big.yaml", SERVICE + "#" + "x".repeat(2_000)))))
        .isInstanceOfSatisfying(InvalidInputException.class, e ->
            assertThat(e.findings().get(0).message()).contains("more than the limit of 2000")
                .contains("gantry.config.yaml.max-file-chars"));
  }

  @Test
  void a_file_without_a_name_or_content_is_refused_naming_it() {
    assertThatThrownBy(() -> loader.load(List.of(new ConfigFile("a.yaml", SERVICE), new ConfigFile("b.yaml", null))))
        .isInstanceOfSatisfying(InvalidInputException.class, e ->
            assertThat(e.findings().get(0).field()).isEqualTo("files[1].content"));
  }
}
