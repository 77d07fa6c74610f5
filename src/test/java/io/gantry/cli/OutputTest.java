package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class OutputTest {

  final StringWriter text = new StringWriter();
  final PrintWriter out = new PrintWriter(text, true);

  @Test
  void aPlanListsCreatesUpdatesWithTheirDetailsAndDeletesThenTheCounts() {
    ConfigCommands.printPlan(out, json("""
        {"changes": [{"action": "create", "kind": "Environment", "name": "dev", "details": []},
                     {"action": "update", "kind": "Component", "name": "shop/web",
                      "details": ["spec.model: (none) -> in-house-software", "spec.type: software -> data"]},
                     {"action": "delete", "kind": "Target", "name": "x", "details": []}],
         "summary": {"create": 1, "update": 1, "delete": 1, "unchanged": 12}}"""), "Plan");

    assertThat(text.toString()).isEqualTo("""
        + create Environment dev
        ~ update Component shop/web
            spec.model: (none) -> in-house-software
            spec.type: software -> data
        - delete Target x

        Plan: 1 to create, 1 to change, 1 to delete, 12 unchanged.
        """);
  }

  @Test
  void aPlanWithoutChangesSaysSo() {
    ConfigCommands.printPlan(out, json("""
        {"changes": [], "summary": {"create": 0, "update": 0, "delete": 0, "unchanged": 5}}"""), "Plan");

    assertThat(text.toString()).isEqualTo("""
        No changes: the server already matches the configuration.
        Plan: 0 to create, 0 to change, 0 to delete, 5 unchanged.
        """);
  }

  @Test
  void aTableAlignsItsColumnsAndShowsMissingValuesAsADash() {
    new Output(out, GantryCommand.Format.table).list(List.of(
        json("{\"name\": \"shop\", \"owner\": \"team-shop\", \"labels\": {\"tier\": \"1\"}}"),
        json("{\"name\": \"payments\", \"owner\": null, \"labels\": {}}")), List.of(
        Output.Column.of("NAME", "name"), Output.Column.of("OWNER", "owner"), Output.Column.of("LABELS", "labels")));

    assertThat(text.toString()).isEqualTo("""
        NAME      OWNER      LABELS
        shop      team-shop  tier=1
        payments  -          -
        """);
  }

  @Test
  void longCellsAreCutAndKeptOnOneLine() {
    new Output(out, GantryCommand.Format.table).list(List.of(json("{\"d\": \"line one\\nline two " + "x".repeat(80) + "\"}")),
        List.of(Output.Column.of("DESCRIPTION", "d")));

    String row = text.toString().lines().toList().get(1);
    assertThat(row).startsWith("line one line two").endsWith("...").hasSize(Output.MAX_CELL);
  }

  @Test
  void oneItemIsShownAsKeysAndValuesWithNestedObjectsIndented() {
    new Output(out, GantryCommand.Format.table).one(json("""
        {"name": "m", "currentVersion": 2, "spec": {"stages": [{"name": "test"}]}}"""));

    assertThat(text.toString()).startsWith("""
        name:            m
        currentVersion:  2
        spec:
          {
        """);
  }

  @Test
  void anErrorLineLeavesOutWhatTheServerDidNotSay() {
    assertThat(ApiClient.describeError(json("""
        {"field": "spec.owner", "message": "is required", "file": "a.yaml", "line": 2, "column": 3}""")))
        .isEqualTo("a.yaml:2:3: spec.owner: is required");
    assertThat(ApiClient.describeError(json("{\"field\": \"\", \"message\": \"bad\", \"file\": \"a.yaml\"}")))
        .isEqualTo("a.yaml: bad");
    assertThat(ApiClient.describeError(json("{\"field\": \"size\", \"message\": \"too big\"}")))
        .isEqualTo("size: too big");
  }

  @Test
  void aLargeUploadReportsItsProgressAboutOnceASecond() {
    AtomicLong clock = new AtomicLong();
    long total = 10L * 1024 * 1024;
    UploadProgress progress = new UploadProgress(out, "shop/web@1.0", total, clock::get);

    progress.sent(1024 * 1024);
    clock.addAndGet(1_000_000_000L);
    progress.sent(4L * 1024 * 1024);
    clock.addAndGet(500_000_000L);
    progress.sent(1024 * 1024);
    progress.sent(4L * 1024 * 1024);
    progress.done();

    assertThat(text.toString()).isEqualTo("""
        uploading shop/web@1.0: 5.0 MiB of 10.0 MiB (50%)
        uploaded shop/web@1.0: 10.0 MiB
        """);
  }

  @Test
  void aSmallUploadIsSilent() {
    AtomicLong clock = new AtomicLong();
    UploadProgress progress = new UploadProgress(out, "shop/web@1.0", 1000, clock::get);

    clock.addAndGet(5_000_000_000L);
    progress.sent(1000);
    progress.done();

    assertThat(text.toString()).isEmpty();
  }

  private static JsonNode json(String text) {
    return ApiClient.JSON.readTree(text);
  }
}
