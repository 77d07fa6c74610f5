package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.model.Stage;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A stage's notifications are accepted when every one can be sent, and refused at plan and apply, with the file,
 * line and field of the entry at fault, when one could not: a moment or channel Gantry does not know, a recipient
 * that is no address, user or role (or could add a mail header), a webhook URL written in the model instead of kept
 * in a secret.
 */
class NotificationChecksTest {

  private static final String FILE = "models/software.yaml";
  private static final String TEXT = """
      apiVersion: gantry.io/v1
      kind: Environment
      metadata: {name: prod}
      spec: {purpose: production, owner: ops}
      ---
      apiVersion: gantry.io/v1
      kind: DeploymentModel
      metadata: {name: software}
      spec:
        appliesTo: {componentTypes: [software]}
        stages:
          - name: production
            environment: prod
            steps:
              - {name: restart, type: shell, command: "true"}
            notifications:
              - {on: [failed, rolled-back], channel: email, to: [ops@example.com, "user:alice", "role:service-owner"]}
              - {on: [waiting], channel: email}
              - {on: [started, succeeded, failed, cancelled], channel: slack, to: [ops-slack]}
              - {on: [failed], channel: teams, to: [ops-teams]}
              - {on: [succeeded], channel: webhook, to: [release-hook]}
      """;

  private final ConfigLoader loader = new ConfigLoader();

  @Test
  void notifications_on_every_channel_are_accepted_and_kept_with_the_stage() {
    DesiredState state = new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, TEXT))));

    List<Stage.Notification> kept = state.models().get("software").definition().spec().stages().getFirst()
        .notifications();
    assertThat(kept).hasSize(5);
    assertThat(kept.getFirst().to()).containsExactly("ops@example.com", "user:alice", "role:service-owner");
    assertThat(kept.get(1).to()).as("an e-mail on waiting alone goes to the people waited for").isNullOrEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a header in an address      | ops@example.com, "user:alice"                | ops@example.com, "a@example.com\\r\\nBcc: b@example.com" | spec.stages[0].notifications[0].to[1] | is not a recipient
      a display name              | ops@example.com, "user:alice"                | ops@example.com, "Ops <ops@example.com>"               | spec.stages[0].notifications[0].to[1] | no display name
      a role Gantry does not know | "role:service-owner"                         | "role:release-captain"                                 | spec.stages[0].notifications[0].to[2] | is not a role
      a user that is no name      | "user:alice"                                 | "user:Alice Smith"                                     | spec.stages[0].notifications[0].to[1] | does not name a user
      a webhook URL in the model  | to: [ops-slack]                              | to: ["https://hooks.slack.com/services/T0/B0/x"]       | spec.stages[0].notifications[2].to[0] | keep it in a secret
      a chat channel without to   | channel: teams, to: [ops-teams]              | channel: teams                                         | spec.stages[0].notifications[3].to    | name the secret
      an e-mail on failed to none | {on: [waiting], channel: email}              | {on: [waiting, failed], channel: email}                | spec.stages[0].notifications[1].to    | only a notification on waiting alone
      a recipient twice           | ops@example.com, "user:alice"                | ops@example.com, ops@example.com                       | spec.stages[0].notifications[0].to[1] | listed twice
      a moment twice              | on: [failed], channel: teams                 | on: [failed, failed], channel: teams                   | spec.stages[0].notifications[3].on[1] | listed twice
      a long webhook secret name  | to: [release-hook]                           | to: [a-webhook-secret-name-that-is-much-too-long-to-sign-with]   | spec.stages[0].notifications[4].to[0] | its signing secret
      """)
  void a_notification_that_could_not_be_sent_is_refused_with_its_place(String what, String find, String replace,
      String field, String reason) {
    String text = TEXT.replace(find, replace);
    assertThat(text).as("the case edits the model").isNotEqualTo(TEXT);

    List<Finding> findings = refused(text);

    assertThat(findings).as(findings.toString()).singleElement().satisfies(f -> {
      assertThat(f.field()).isEqualTo(field);
      assertThat(f.message()).contains(reason);
      assertThat(f.location().file()).isEqualTo(FILE);
      assertThat(f.location().line()).isEqualTo(lineOf(text, "- {on: [", nth(field)));
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a moment Gantry does not know | on: [failed], channel: teams | on: [failed, deployed], channel: teams | spec.stages[0].notifications[3].on[1]
      a channel Gantry does not know | channel: teams               | channel: pager                         | spec.stages[0].notifications[3].channel
      """)
  void an_unknown_moment_or_channel_is_refused_naming_the_ones_there_are(String what, String find, String replace,
      String field) {
    List<Finding> findings = refused(TEXT.replace(find, replace));

    assertThat(findings).filteredOn(f -> f.field().equals(field)).singleElement()
        .satisfies(f -> assertThat(f.message()).contains("is not allowed here; use one of"));
  }

  /** The 1-based line of the {@code n}th notification (from 0). */
  private static int lineOf(String text, String marker, int n) {
    int at = -1;
    for (int i = 0; i <= n; i++) {
      at = text.indexOf(marker, at + 1);
    }
    return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
  }

  /** The index of the notification a field is in. */
  private static int nth(String field) {
    int start = field.indexOf("notifications[") + "notifications[".length();
    return Integer.parseInt(field.substring(start, field.indexOf(']', start)));
  }

  private List<Finding> refused(String text) {
    try {
      new ConfigInterpreter().interpret(loader.load(List.of(new ConfigFile(FILE, text))));
    } catch (InvalidInputException e) {
      return e.findings();
    }
    throw new AssertionError("the configuration was accepted");
  }
}
