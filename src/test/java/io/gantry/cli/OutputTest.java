package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneId;
import java.time.ZoneOffset;
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
    table(ZoneOffset.UTC).list(List.of(
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
    table(ZoneOffset.UTC).list(List.of(json("{\"d\": \"line one\\nline two " + "x".repeat(80) + "\"}")),
        List.of(Output.Column.of("DESCRIPTION", "d")));

    String row = text.toString().lines().toList().get(1);
    assertThat(row).startsWith("line one line two").endsWith("...").hasSize(Output.MAX_CELL);
  }

  @Test
  void oneItemIsShownAsKeysAndValuesWithNestedMapsAndListsIndentedAndNoJson() {
    table(ZoneOffset.UTC).one(json("""
        {"name": "m", "currentVersion": 2, "createdAt": "2026-12-03T18:41:19.123456Z",
         "spec": {"stages": [{"name": "test", "steps": ["a", "b"]}, {"name": "production", "count": 2}],
                  "owner": null}}"""));

    assertThat(text.toString()).isEqualTo("""
        name:           m
        currentVersion: 2
        createdAt:      2026-12-03 18:41:19 UTC
        spec:
          stages:
            - name:  test
              steps: a,b
            - name:  production
              count: 2
          owner: -
        """);
  }

  @Test
  void oneItemLeavesOutRowVersionsAtEveryLevel() {
    table(ZoneOffset.UTC).one(json("""
        {"name": "web", "rowVersion": 7, "change": {"key": "CHG-1", "rowVersion": 3}}"""));

    assertThat(text.toString()).isEqualTo("""
        name: web
        change:
          key: CHG-1
        """);
  }

  @Test
  void aCellIsNeverJsonNorARowVersion() {
    assertThat(Output.text(json("""
        {"os": "linux", "disks": [{"name": "sda", "size": 10}], "owner": null, "rowVersion": 4}""")))
        .isEqualTo("os=linux,disks=((name=sda,size=10)),owner=-");
  }

  @Test
  void everyTimeInATableHasTheSameFormWithDateAndTheUsersZone() {
    table(ZoneId.of("Europe/Paris")).table(List.of("AT", "WHAT"), List.of(
        List.of("2026-12-03T18:41:19Z", "UTC instant"),
        List.of("2026-07-01T08:00:00.5+02:00", "with an offset, in summer"),
        List.of("2026-12-03", "a date stays a date"),
        List.of("18:41", "a time of day stays as it is")));

    assertThat(text.toString()).isEqualTo("""
        AT                        WHAT
        2026-12-03 19:41:19 CET   UTC instant
        2026-07-01 08:00:00 CEST  with an offset, in summer
        2026-12-03                a date stays a date
        18:41                     a time of day stays as it is
        """);
    assertThat(table(ZoneId.of("Europe/Paris")).time("from 2026-12-04T19:35:31Z to 2026-12-05T08:00Z (weekly, 17:00)"))
        .isEqualTo("from 2026-12-04 20:35:31 CET to 2026-12-05 09:00:00 CET (weekly, 17:00)");
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

  private Output table(ZoneId zone) {
    return new Output(out, GantryCommand.Format.table, zone);
  }

  private static JsonNode json(String text) {
    return ApiClient.JSON.readTree(text);
  }
}
