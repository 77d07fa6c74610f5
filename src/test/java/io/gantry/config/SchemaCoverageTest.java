package io.gantry.config;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestTemplate;
import org.junit.jupiter.params.ParameterizedTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every property the published schema accepts names the test that shows the engine acting on it.
 *
 * <p>Why this test exists: Gantry's rule is that nothing in the configuration language is accepted
 * that the engine does not act on. {@code schema/gantry-config.schema.json} lists exactly what is
 * accepted; a field that is not carried out is left out of it and refused at apply ({@link
 * NotCarriedOutTest}). A control that is written down and then silently skipped is the worst defect
 * Gantry can have: the people who wrote it believe they are protected, and nothing tells them
 * otherwise. This list keeps the schema honest. It walks the schema and fails when a property has no
 * test named for it, when a name here is stale, or when a named test does not exist.
 *
 * <p>How to add a field: add it to the schema only together with the engine behaviour behind it and
 * the test that shows that behaviour (not a test that merely parses it); then name the test here, as
 * {@code "ClassSimpleName#methodName"}, one line per key, in the order of the schema. Until the
 * engine acts on a field, leave it out of the schema so that apply refuses it. {@link #UNCOVERED}
 * holds the accepted properties that no test yet shows acted on, each with why: move an entry from
 * there to {@link #COVERED} when its test is written, and never add one there to quiet this test.
 *
 * <p>Keys: {@code Def.path}. The document root is {@code Document} and each {@code $defs} entry is
 * walked on its own (a {@code $ref} is not followed); nested properties are joined with {@code .},
 * array items are {@code []}, and the {@code allOf} if/then variants of a def are keyed by their
 * {@code type} const, e.g. {@code Step[shell].command}, {@code Stage.windows[].days}. The root's
 * if/then on {@code kind} only narrow {@code Document.spec} to a def, so they add no keys.
 */
class SchemaCoverageTest {

  private static final Path SCHEMA = Path.of("schema/gantry-config.schema.json");

  /**
   * A step's {@code name} and {@code idempotent} mean the same for every step type and are read in
   * one place for all of them ({@code Step.name()}, {@code Engine.idempotent}): their tests show it
   * once, on one type, for the types no other test shows.
   */
  private static final String STEP_NAME =
      "TargetsGoingAwayContractTest#a_local_target_whose_folder_is_removed_mid_step_fails_with_the_cause_and_the_failure_policy_runs";
  private static final String DECLARED_IDEMPOTENT =
      "StepIdempotencyTest#steps_that_change_a_target_run_again_only_when_declared_idempotent";
  private static final String STORED_AND_SHOWN =
      "EnvironmentsContractTest#an_environment_keeps_its_purpose_control_owner_and_promotion_path";

  /**
   * A step's {@code targets} mean the same for every step type and are read in one place for all of
   * them ({@code StepsOnTarget.missingTags}): one test shows it, on shell steps.
   */
  private static final String STEP_TARGETS =
      "StepControlsContractTest#a_step_with_targets_web_runs_only_on_targets_tagged_web_and_the_others_record_it_skipped";

  /** A stage's manual and check criteria: a person of the role confirms, a check's failure acts. */
  private static final String ENTRY_CONFIRMED =
      "CriteriaContractTest#a_manual_entry_criterion_waits_for_a_holder_of_its_role_before_any_target_changes_then_the_deployment_runs";
  private static final String ENTRY_CHECK_FAILS =
      "CriteriaContractTest#a_failing_entry_check_fails_the_deployment_with_the_step_output_and_no_target_is_touched";
  private static final String EXIT_CONFIRMED =
      "CriteriaContractTest#a_manual_exit_criterion_holds_success_after_verification_as_a_wait_of_its_own_kind_until_confirmed";
  private static final String EXIT_CHECK_FAILS =
      "CriteriaContractTest#a_failed_exit_check_runs_the_rollback_policy_and_every_target_returns_to_its_previous_version";

  /** A stage's notifications: a failed deployment mailed, and posted to Slack, Teams and a webhook. */
  private static final String NOTIFIED =
      "NotificationDeliveryTest#a_failed_deployment_is_mailed_to_the_stage_s_recipients_and_posted_to_slack_teams_and_the_webhook";

  /** Each schema key and the test that shows the engine acting on it. */
  static final Map<String, String> COVERED = Map.ofEntries(
      entry("Document.apiVersion", "ConfigLoaderTest#another_api_version_is_refused"),
      entry("Document.kind", "ConfigContractTest#applying_the_examples_creates_everything_and_a_second_plan_finds_nothing_to_do"),
      entry("Document.metadata", "ConfigContractTest#a_target_removed_from_the_files_is_planned_for_deletion_and_deleted"),
      entry("Document.metadata.name", "ConfigContractTest#a_target_removed_from_the_files_is_planned_for_deletion_and_deleted"),
      entry("Document.metadata.description", STORED_AND_SHOWN), // recorded and shown only
      entry("Document.metadata.labels", STORED_AND_SHOWN), // recorded and shown only
      entry("Document.spec", "ConfigContractTest#applying_the_examples_creates_everything_and_a_second_plan_finds_nothing_to_do"),
      entry("Step.type", "EngineContractTest#an_all_at_once_deployment_runs_every_step_on_every_target_and_succeeds"),
      entry("Step[artifact.install].name", STEP_NAME),
      entry("Step[artifact.install].idempotent", DECLARED_IDEMPOTENT),
      entry("Step[artifact.install].timeout", "FileStepTimeoutTest#a_local_install_that_exceeds_its_timeout_fails_and_current_still_points_at_the_previous_release"),
      entry("Step[artifact.install].targets", STEP_TARGETS),
      entry("Step[artifact.install].destination", "ArtifactInstallStepTest#a_destination_leaving_the_target_folder_is_refused"),
      entry("Step[artifact.install].artifact", "ArtifactInstallStepTest#one_named_artifact_can_be_installed_alone"),
      entry("Step[artifact.install].keepReleases", "ArtifactInstallStepTest#old_releases_are_pruned_to_keep_releases_newest_first"),
      entry("Step[artifact.install].type", "EngineContractTest#an_all_at_once_deployment_runs_every_step_on_every_target_and_succeeds"),
      entry("Step[artifact.remove].name", STEP_NAME),
      entry("Step[artifact.remove].idempotent", DECLARED_IDEMPOTENT),
      entry("Step[artifact.remove].timeout", "FileStepTimeoutTest#a_remove_that_exceeds_its_timeout_fails_before_removing_anything"),
      entry("Step[artifact.remove].targets", STEP_TARGETS),
      entry("Step[artifact.remove].destination", "UndeployContractTest#undeploy_runs_the_removal_steps_on_every_target_that_has_the_component_and_the_inventory_forgets_it"),
      entry("Step[artifact.remove].type", "UndeployContractTest#undeploy_runs_the_removal_steps_on_every_target_that_has_the_component_and_the_inventory_forgets_it"),
      entry("Step[template].name", STEP_NAME),
      entry("Step[template].idempotent", DECLARED_IDEMPOTENT),
      entry("Step[template].timeout", "FileStepTimeoutTest#a_template_that_exceeds_its_timeout_fails_and_leaves_the_file_it_would_replace"),
      entry("Step[template].targets", STEP_TARGETS),
      entry("Step[template].destination", "TemplateStepTest#inline_content_is_rendered_into_a_new_folder_and_replaces_the_old_file"),
      entry("Step[template].source", "TemplateStepTest#a_source_from_the_current_release_is_rendered_with_step_variables_winning_over_the_context"),
      entry("Step[template].content", "TemplateStepTest#inline_content_is_rendered_into_a_new_folder_and_replaces_the_old_file"),
      entry("Step[template].variables", "TemplateStepTest#a_source_from_the_current_release_is_rendered_with_step_variables_winning_over_the_context"),
      entry("Step[template].type", "TargetsGoingAwayContractTest#a_rolling_deployment_over_ssh_installs_configures_and_runs_on_each_host_then_rolls_back_a_bad_version"),
      entry("Step[shell].name", STEP_NAME),
      entry("Step[shell].timeout", "ShellStepTest#a_command_running_past_its_timeout_is_killed_with_everything_it_started"),
      entry("Step[shell].idempotent", DECLARED_IDEMPOTENT),
      entry("Step[shell].targets", STEP_TARGETS),
      entry("Step[shell].command", "ShellStepTest#a_command_that_exits_as_expected_succeeds_and_its_output_goes_to_the_log_line_by_line"),
      entry("Step[shell].workingDirectory", "ShellStepTest#the_command_runs_in_its_working_directory_with_its_environment_and_the_target_described"),
      entry("Step[shell].environment", "ShellStepTest#the_command_runs_in_its_working_directory_with_its_environment_and_the_target_described"),
      entry("Step[shell].expectExitCode", "ShellStepTest#the_expected_exit_code_may_be_other_than_zero"),
      entry("Step[shell].type", "EngineContractTest#an_all_at_once_deployment_runs_every_step_on_every_target_and_succeeds"),
      entry("Step[http-check].name", STEP_NAME),
      entry("Step[http-check].idempotent", "StepIdempotencyTest#checks_and_waits_run_again_unless_declared_otherwise"),
      entry("Step[http-check].targets", STEP_TARGETS),
      entry("Step[http-check].url", "HttpCheckStepTest#a_url_answering_as_expected_at_once_succeeds_without_waiting"),
      entry("Step[http-check].expectStatus", "SampleAppEndToEndTest#a_version_failing_its_health_check_is_rolled_back_to_the_previous_one"),
      entry("Step[http-check].expectBody", "HttpCheckStepTest#a_body_without_the_expected_text_fails_the_check"),
      entry("Step[http-check].retries", "HttpCheckStepTest#a_url_that_never_comes_up_fails_after_its_retries_with_the_last_status_and_body"),
      entry("Step[http-check].interval", "HttpCheckStepTest#a_url_that_comes_up_later_succeeds_after_retries_waiting_the_interval_between_tries"),
      entry("Step[http-check].deadline", "HttpCheckStepTest#the_deadline_stops_the_tries_before_the_retries_run_out"),
      entry("Step[http-check].type", "HttpCheckStepTest#a_url_answering_as_expected_at_once_succeeds_without_waiting"),
      entry("Step[wait].name", STEP_NAME),
      entry("Step[wait].idempotent", "StepIdempotencyTest#checks_and_waits_run_again_unless_declared_otherwise"),
      entry("Step[wait].timeout", "StepControlChecksTest#a_wait_bounded_by_less_than_its_duration_is_refused_with_its_place"),
      entry("Step[wait].targets", STEP_TARGETS),
      entry("Step[wait].duration", "WaitAndPeopleStepsTest#a_wait_step_waits_its_duration"),
      entry("Step[wait].type", "WaitAndPeopleStepsTest#a_wait_step_waits_its_duration"),
      entry("Step[manual].name", "PeopleStepsContractTest#a_manual_step_waits_until_signed_off_with_every_item_ticked_then_an_approval_lets_it_finish"),
      entry("Step[manual].idempotent", DECLARED_IDEMPOTENT),
      entry("Step[manual].timeout", "StepControlsContractTest#a_manual_step_nobody_signs_off_within_its_timeout_fails_and_the_stop_policy_ends_the_deployment"),
      entry("Step[manual].targets", STEP_TARGETS),
      entry("Step[manual].instructions", "WaitAndPeopleStepsTest#a_manual_step_needs_a_person_to_follow_its_instructions_and_tick_its_checklist"),
      entry("Step[manual].checklist", "PeopleStepsContractTest#a_manual_step_waits_until_signed_off_with_every_item_ticked_then_an_approval_lets_it_finish"),
      entry("Step[manual].evidenceRequired", "PeopleStepsContractTest#a_manual_step_that_requires_evidence_is_signed_off_only_once_a_file_is_attached_and_the_file_is_kept"),
      entry("Step[manual].role", "PeopleStepsContractTest#a_manual_step_waits_until_signed_off_with_every_item_ticked_then_an_approval_lets_it_finish"),
      entry("Step[manual].type", "PeopleStepsContractTest#a_manual_step_waits_until_signed_off_with_every_item_ticked_then_an_approval_lets_it_finish"),
      entry("Step[approval].name", "PeopleStepsContractTest#a_manual_step_waits_until_signed_off_with_every_item_ticked_then_an_approval_lets_it_finish"),
      entry("Step[approval].idempotent", DECLARED_IDEMPOTENT),
      entry("Step[approval].timeout", "StepControlsContractTest#an_approval_nobody_decides_within_its_timeout_fails_the_deployment_and_the_failure_policy_runs"),
      entry("Step[approval].targets", STEP_TARGETS),
      entry("Step[approval].role", "PeopleStepsContractTest#a_manual_step_waits_until_signed_off_with_every_item_ticked_then_an_approval_lets_it_finish"),
      entry("Step[approval].instructions", "WaitAndPeopleStepsTest#an_approval_step_needs_people_holding_its_role"),
      entry("Step[approval].type", "PeopleStepsContractTest#a_rejected_approval_fails_the_deployment_with_who_rejected_it_and_why"),
      entry("Step[kubernetes.apply].name", "KubernetesTargetContractTest#a_version_that_does_not_roll_out_is_rolled_back_by_applying_the_previous_versions_manifests_again"),
      entry("Step[kubernetes.apply].timeout", "KubernetesTargetContractTest#a_version_that_does_not_roll_out_is_rolled_back_by_applying_the_previous_versions_manifests_again"),
      entry("Step[kubernetes.apply].idempotent", "StepIdempotencyTest#a_kubernetes_apply_runs_again_unless_declared_otherwise_since_it_declares_the_same_objects_again"),
      entry("Step[kubernetes.apply].targets", STEP_TARGETS),
      entry("Step[kubernetes.apply].manifests", "KubernetesTargetTest#a_step_naming_its_manifests_applies_that_file_only"),
      entry("Step[kubernetes.apply].type", "KubernetesTargetContractTest#a_version_is_applied_to_the_namespace_and_succeeds_once_rolled_out"),
      entry("Criterion.type", "RequestChecksContractTest#a_version_that_skipped_test_and_is_not_approved_is_refused_with_every_unmet_requirement_and_its_command"),
      entry("Criterion[stage-succeeded].stage", "RequestChecksContractTest#a_version_that_skipped_test_and_is_not_approved_is_refused_with_every_unmet_requirement_and_its_command"),
      entry("Criterion[stage-succeeded].type", "RequestChecksContractTest#a_version_that_skipped_test_and_is_not_approved_is_refused_with_every_unmet_requirement_and_its_command"),
      entry("Criterion[version-status].status", "RequestChecksContractTest#a_version_that_skipped_test_and_is_not_approved_is_refused_with_every_unmet_requirement_and_its_command"),
      entry("Criterion[version-status].type", "RequestChecksContractTest#a_version_that_skipped_test_and_is_not_approved_is_refused_with_every_unmet_requirement_and_its_command"),
      entry("Criterion[manual].description", ENTRY_CONFIRMED),
      entry("Criterion[manual].role", ENTRY_CONFIRMED),
      entry("Criterion[manual].timeout", "CriteriaContractTest#a_manual_entry_criterion_nobody_confirms_within_its_timeout_fails_the_deployment_even_across_a_new_engine"),
      entry("Criterion[manual].type", ENTRY_CONFIRMED),
      entry("Criterion[check].step", ENTRY_CHECK_FAILS),
      entry("Criterion[check].type", ENTRY_CHECK_FAILS),
      entry("ExitCriterion.type", EXIT_CONFIRMED),
      entry("ExitCriterion[manual].description", EXIT_CONFIRMED),
      entry("ExitCriterion[manual].role", EXIT_CONFIRMED),
      entry("ExitCriterion[manual].timeout", "CriteriaContractTest#a_manual_exit_criterion_nobody_confirms_in_time_runs_the_failure_policy"),
      entry("ExitCriterion[manual].type", EXIT_CONFIRMED),
      entry("ExitCriterion[check].step", EXIT_CHECK_FAILS),
      entry("ExitCriterion[check].type", EXIT_CHECK_FAILS),
      entry("TargetRequirement.type", "EngineContractTest#a_target_that_misses_a_required_fact_fails_environment_verification_before_any_change"),
      entry("TargetRequirement[fact].fact", "EngineContractTest#a_target_that_misses_a_required_fact_fails_environment_verification_before_any_change"),
      entry("TargetRequirement[fact].equals", "EngineContractTest#a_target_that_misses_a_required_fact_fails_environment_verification_before_any_change"),
      entry("TargetRequirement[fact].type", "EngineContractTest#a_target_that_misses_a_required_fact_fails_environment_verification_before_any_change"),
      entry("TargetRequirement[free-disk].minimumMb", "SshStepsTest#the_host_is_checked_for_its_folder_free_disk_tools_and_a_custom_command"),
      entry("TargetRequirement[free-disk].type", "SshStepsTest#the_host_is_checked_for_its_folder_free_disk_tools_and_a_custom_command"),
      entry("TargetRequirement[tool].name", "SshStepsTest#the_host_is_checked_for_its_folder_free_disk_tools_and_a_custom_command"),
      entry("TargetRequirement[tool].type", "SshStepsTest#the_host_is_checked_for_its_folder_free_disk_tools_and_a_custom_command"),
      entry("TargetRequirement[command].command", "SshStepsTest#the_host_is_checked_for_its_folder_free_disk_tools_and_a_custom_command"),
      entry("TargetRequirement[command].type", "SshStepsTest#the_host_is_checked_for_its_folder_free_disk_tools_and_a_custom_command"),
      entry("Trigger.type", "TriggersContractTest#pushing_a_version_requests_it_in_the_triggered_stage_with_the_trigger_as_requester"),
      entry("Trigger[version-registered].stage", "TriggersContractTest#pushing_a_version_requests_it_in_the_triggered_stage_with_the_trigger_as_requester"),
      entry("Trigger[version-registered].type", "TriggersContractTest#pushing_a_version_requests_it_in_the_triggered_stage_with_the_trigger_as_requester"),
      entry("Trigger[version-approved].stage", "TriggersContractTest#approving_a_version_requests_it_where_the_version_approved_trigger_says"),
      entry("Trigger[version-approved].type", "TriggersContractTest#approving_a_version_requests_it_where_the_version_approved_trigger_says"),
      entry("Trigger[stage-succeeded].after", "TriggersContractTest#a_success_in_dev_requests_the_same_version_into_test"),
      entry("Trigger[stage-succeeded].stage", "TriggersContractTest#a_success_in_dev_requests_the_same_version_into_test"),
      entry("Trigger[stage-succeeded].type", "TriggersContractTest#a_success_in_dev_requests_the_same_version_into_test"),
      entry("Trigger[schedule].stage", "TriggersContractTest#schedule_firings_missed_while_no_server_ran_fire_once"),
      entry("Trigger[schedule].cron", "TriggersContractTest#a_schedule_requests_nothing_when_the_newest_version_already_runs_there"),
      entry("Trigger[schedule].type", "TriggersContractTest#schedule_firings_missed_while_no_server_ran_fire_once"),
      entry("Stage.name", "TriggersContractTest#a_success_in_dev_requests_the_same_version_into_test"),
      entry("Stage.environment", "EngineContractTest#an_all_at_once_deployment_runs_every_step_on_every_target_and_succeeds"),
      entry("Stage.authorization", "ChangesContractTest#a_stage_with_authorization_approval_gets_one_change_per_deployment_and_runs_once_it_is_approved"),
      entry("Stage.approvers", "ChangesContractTest#a_normal_change_to_production_under_a_2_of_3_rule_lets_the_waiting_deployment_run_after_two_other_approvals"),
      entry("Stage.approvers.roles", "ChangesContractTest#approvals_by_someone_without_the_role_by_the_requester_twice_or_on_a_change_not_awaiting_approval_are_refused"),
      entry("Stage.approvers.count", "ChangesContractTest#a_normal_change_to_production_under_a_2_of_3_rule_lets_the_waiting_deployment_run_after_two_other_approvals"),
      entry("Stage.approvers.separationOfDuties", "ChangesContractTest#a_normal_change_to_production_under_a_2_of_3_rule_lets_the_waiting_deployment_run_after_two_other_approvals"),
      entry("Stage.approvers.standardChanges", "ChangesContractTest#a_standard_change_is_authorized_at_once_where_the_stage_allows_it_and_refused_where_it_does_not"),
      entry("Stage.windows", "ScheduleContractTest#a_deployment_outside_its_stage_s_window_waits_for_the_next_opening_and_runs_once_it_opens"),
      entry("Stage.windows[].days", "WindowsTest#a_window_is_open_on_its_days_between_its_times_in_its_own_time_zone"),
      entry("Stage.windows[].start", "WindowsTest#a_window_is_open_on_its_days_between_its_times_in_its_own_time_zone"),
      entry("Stage.windows[].end", "WindowsTest#a_window_is_open_on_its_days_between_its_times_in_its_own_time_zone"),
      entry("Stage.windows[].timeZone", "WindowsTest#a_window_is_open_on_its_days_between_its_times_in_its_own_time_zone"),
      entry("Stage.strategy", "EngineContractTest#a_rolling_deployment_stops_at_the_first_failed_batch_and_rolls_back_the_targets_it_touched"),
      entry("Stage.strategy.type", "EngineContractTest#a_rolling_deployment_stops_at_the_first_failed_batch_and_rolls_back_the_targets_it_touched"),
      entry("Stage.strategy.pauseBetweenBatches", "RollingContractTest#the_pause_between_batches_is_a_recorded_wait_that_ends_when_its_time_has_passed"),
      entry("Stage.strategy.batchSize", "EngineContractTest#with_the_stop_policy_a_failed_batch_ends_the_deployment_failed_without_touching_later_batches"),
      entry("Stage.strategy.canary", "CanaryContractTest#a_failing_analysis_rolls_back_only_the_canary_and_the_other_targets_are_never_touched"),
      entry("Stage.strategy.canary.share", "CanaryContractTest#a_passing_analysis_after_the_pause_rolls_the_version_out_to_every_target"),
      entry("Stage.strategy.canary.pause", "CanaryContractTest#a_passing_analysis_after_the_pause_rolls_the_version_out_to_every_target"),
      entry("Stage.strategy.canary.analysis", "CanaryContractTest#a_failing_analysis_rolls_back_only_the_canary_and_the_other_targets_are_never_touched"),
      entry("Stage.strategy.canary.analysis.checks", "CanaryContractTest#a_passing_analysis_after_the_pause_rolls_the_version_out_to_every_target"),
      entry("Stage.strategy.canary.analysis.interval", "CanaryContractTest#a_passing_analysis_after_the_pause_rolls_the_version_out_to_every_target"),
      entry("Stage.strategy.canary.analysis.duration", "CanaryContractTest#a_passing_analysis_after_the_pause_rolls_the_version_out_to_every_target"),
      entry("Stage.strategy.canary.analysis.successRatio", "CanaryContractTest#the_analysis_counts_every_result_so_one_bad_round_in_four_still_passes_a_ratio_of_three_quarters"),
      entry("Stage.strategy.canary.analysis.metrics", "CanaryMetricsContractTest#a_canary_whose_error_ratio_exceeds_the_threshold_is_rolled_back_and_the_record_shows_each_measurement"),
      entry("Stage.strategy.canary.analysis.metrics[].name", "CanaryMetricsContractTest#a_canary_whose_error_ratio_stays_under_the_threshold_is_promoted_to_every_target"),
      entry("Stage.strategy.canary.analysis.metrics[].query", "CanaryMetricsContractTest#a_canary_whose_error_ratio_stays_under_the_threshold_is_promoted_to_every_target"),
      entry("Stage.strategy.canary.analysis.metrics[].max", "CanaryMetricsContractTest#a_canary_whose_error_ratio_exceeds_the_threshold_is_rolled_back_and_the_record_shows_each_measurement"),
      entry("Stage.strategy.canary.analysis.metrics[].min", "PrometheusQueriesTest#a_value_below_min_fails"),
      entry("Stage.strategy.canary.analysis.metrics[].baseline", "CanaryMetricsContractTest#a_canary_significantly_worse_than_the_baseline_is_rolled_back"),
      entry("Stage.strategy.canary.analysis.metrics[].baseline.alpha", "PrometheusQueriesTest#a_canary_whose_samples_are_higher_than_the_baselines_fails_at_the_declared_alpha"),
      entry("Stage.strategy.canary.analysis.metrics[].baseline.worse", "PrometheusQueriesTest#with_worse_lower_a_canary_whose_samples_are_lower_fails"),
      entry("Stage.strategy.canary.analysis.inconclusive", "CanaryMetricsContractTest#a_canary_with_no_data_is_promoted_when_the_analysis_counts_inconclusive_as_passed"),
      entry("Stage.strategy.blueGreen", "BlueGreenContractTest#a_first_version_goes_to_blue_and_the_next_is_checked_in_green_while_blue_serves_then_switched_to"),
      entry("Stage.strategy.blueGreen.slots", "BlueGreenContractTest#a_first_version_goes_to_blue_and_the_next_is_checked_in_green_while_blue_serves_then_switched_to"),
      entry("Stage.strategy.blueGreen.slots.blue", "BlueGreenContractTest#a_first_version_goes_to_blue_and_the_next_is_checked_in_green_while_blue_serves_then_switched_to"),
      entry("Stage.strategy.blueGreen.slots.green", "BlueGreenContractTest#a_first_version_goes_to_blue_and_the_next_is_checked_in_green_while_blue_serves_then_switched_to"),
      entry("Stage.strategy.blueGreen.switch", "BlueGreenContractTest#a_failure_after_the_switch_switches_back_to_the_kept_slot_without_installing_anything"),
      entry("Stage.strategy.blueGreen.analysis", "MetricAnalysisContractTest#an_idle_slot_whose_error_rate_is_too_high_is_never_switched_to_and_the_failure_policy_runs"),
      entry("Stage.strategy.blueGreen.analysis.checks", "MetricAnalysisContractTest#an_idle_slot_whose_pages_fail_the_analysis_checks_is_never_switched_to"),
      entry("Stage.strategy.blueGreen.analysis.interval", "MetricAnalysisContractTest#an_idle_slot_whose_error_rate_passes_its_analysis_is_switched_to_and_every_measurement_is_recorded"),
      entry("Stage.strategy.blueGreen.analysis.duration", "MetricAnalysisContractTest#an_idle_slot_whose_error_rate_passes_its_analysis_is_switched_to_and_every_measurement_is_recorded"),
      entry("Stage.strategy.blueGreen.analysis.successRatio", "MetricAnalysisContractTest#an_idle_slot_whose_error_rate_passes_its_analysis_is_switched_to_and_every_measurement_is_recorded"),
      entry("Stage.strategy.blueGreen.analysis.metrics", "MetricAnalysisContractTest#an_idle_slot_whose_error_rate_is_too_high_is_never_switched_to_and_the_failure_policy_runs"),
      entry("Stage.strategy.blueGreen.analysis.metrics[].name", "MetricAnalysisContractTest#an_idle_slot_whose_error_rate_passes_its_analysis_is_switched_to_and_every_measurement_is_recorded"),
      entry("Stage.strategy.blueGreen.analysis.metrics[].query", "MetricAnalysisContractTest#an_idle_slot_whose_error_rate_passes_its_analysis_is_switched_to_and_every_measurement_is_recorded"),
      entry("Stage.strategy.blueGreen.analysis.metrics[].max", "MetricAnalysisContractTest#an_idle_slot_whose_error_rate_is_too_high_is_never_switched_to_and_the_failure_policy_runs"),
      entry("Stage.strategy.blueGreen.analysis.metrics[].min", "PrometheusQueriesTest#a_value_below_min_fails"),
      entry("Stage.strategy.blueGreen.analysis.inconclusive", "MetricAnalysisContractTest#an_idle_slot_whose_pages_fail_the_analysis_checks_is_never_switched_to"),
      entry("Slot.port", "BlueGreenContractTest#a_first_version_goes_to_blue_and_the_next_is_checked_in_green_while_blue_serves_then_switched_to"),
      entry("Stage.entryCriteria", "RequestChecksContractTest#a_version_that_skipped_test_and_is_not_approved_is_refused_with_every_unmet_requirement_and_its_command"),
      entry("Stage.steps", "EngineContractTest#an_all_at_once_deployment_runs_every_step_on_every_target_and_succeeds"),
      entry("Stage.verification", "MetricAnalysisContractTest#a_failed_verification_analysis_rolls_every_target_back_to_its_previous_version"),
      entry("Stage.verification.interval", "MetricAnalysisContractTest#a_verification_passes_with_half_its_results_failed_when_its_success_ratio_allows_it"),
      entry("Stage.verification.duration", "MetricAnalysisContractTest#a_verification_passes_with_half_its_results_failed_when_its_success_ratio_allows_it"),
      entry("Stage.verification.successRatio", "MetricAnalysisContractTest#a_verification_passes_with_half_its_results_failed_when_its_success_ratio_allows_it"),
      entry("Stage.verification.metrics", "MetricAnalysisContractTest#a_failed_verification_analysis_rolls_every_target_back_to_its_previous_version"),
      entry("Stage.verification.metrics[].name", "MetricAnalysisContractTest#a_verification_passes_with_half_its_results_failed_when_its_success_ratio_allows_it"),
      entry("Stage.verification.metrics[].query", "MetricAnalysisContractTest#a_failed_verification_analysis_rolls_every_target_back_to_its_previous_version"),
      entry("Stage.verification.metrics[].max", "MetricAnalysisContractTest#a_failed_verification_analysis_rolls_every_target_back_to_its_previous_version"),
      entry("Stage.verification.metrics[].min", "PrometheusQueriesTest#a_value_below_min_fails"),
      entry("Stage.verification.inconclusive", "MetricAnalysisContractTest#a_verification_metric_without_data_is_inconclusive_failing_by_default_and_passing_when_declared_so"),
      entry("Stage.exitCriteria", "CriteriaContractTest#an_exit_check_then_a_manual_exit_criterion_the_check_and_acceptance_run_once_while_the_person_is_awaited"),
      entry("Stage.failurePolicy", "EngineContractTest#with_the_ask_policy_a_failed_target_waits_for_a_person_who_retries_skips_or_aborts"),
      entry("Stage.failurePolicy.action", "EngineContractTest#a_rolling_deployment_stops_at_the_first_failed_batch_and_rolls_back_the_targets_it_touched"),
      entry("Stage.failurePolicy.retries", "StepControlsContractTest#a_failed_step_is_retried_after_its_retry_delay_and_succeeds_on_the_second_attempt"),
      entry("Stage.failurePolicy.retryDelay", "StepControlsContractTest#a_failed_step_is_retried_after_its_retry_delay_and_succeeds_on_the_second_attempt"),
      entry("Stage.notifications", NOTIFIED),
      entry("Stage.notifications[].on", NOTIFIED),
      entry("Stage.notifications[].channel", NOTIFIED),
      entry("Stage.notifications[].to", NOTIFIED),
      entry("Stage.removeSteps", "UndeployContractTest#undeploy_runs_the_removal_steps_on_every_target_that_has_the_component_and_the_inventory_forgets_it"),
      entry("RoleBindingSpec.user", "ScopedRolesMatrixTest#a_role_binding_declared_in_configuration_acts_in_its_scope_until_configuration_drops_it"),
      entry("RoleBindingSpec.group", "ScopedRolesMatrixTest#a_role_binding_declared_in_configuration_acts_in_its_scope_until_configuration_drops_it"),
      entry("RoleBindingSpec.role", "ScopedRolesMatrixTest#a_role_binding_declared_in_configuration_acts_in_its_scope_until_configuration_drops_it"),
      entry("RoleBindingSpec.service", "ScopedRolesMatrixTest#a_role_binding_declared_in_configuration_acts_in_its_scope_until_configuration_drops_it"),
      entry("RoleBindingSpec.environment", "ScopedRolesMatrixTest#a_role_binding_declared_in_configuration_acts_in_its_scope_until_configuration_drops_it"),
      entry("InboundHookSpec.provider", "InboundHooksContract#gitlab_tag_push_pipeline_and_release_register_versions_when_the_token_is_the_secret"),
      entry("InboundHookSpec.repository", "InboundHooksContract#a_delivery_about_another_repository_is_refused_even_when_signed"),
      entry("InboundHookSpec.component", "InboundHooksContract#a_signed_tag_push_from_github_registers_the_version_with_its_commit_and_the_trigger_deploys_it"),
      entry("InboundHookSpec.secret", "InboundHooksContract#unsigned_or_badly_signed_deliveries_are_refused_with_401_and_change_nothing"),
      entry("InboundHookSpec.artifact", "InboundHooksContract#an_artifact_published_cdevent_in_structured_mode_registers_the_version_of_its_package_url"),
      entry("TrustedKeySpec.publicKey", "SignedVersionsContractTest#a_version_signed_by_a_trusted_key_is_deployed"),
      entry("DeploymentModelSpec.componentChecks", "SbomContractTest#a_version_without_the_required_sbom_fails_component_verification_and_no_target_changes"),
      entry("DeploymentModelSpec.componentChecks.requiredArtifacts", "SbomContractTest#a_version_without_a_required_artifact_fails_component_verification_and_no_target_changes"),
      entry("DeploymentModelSpec.componentChecks.requireSignature", "SignedVersionsContractTest#an_unsigned_version_fails_component_verification_and_no_target_changes"),
      entry("DeploymentModelSpec.componentChecks.requireSbom", "SbomContractTest#a_version_without_the_required_sbom_fails_component_verification_and_no_target_changes"),
      entry("EnvironmentSpec.purpose", "DoraReportsContractTest#the_four_keys_and_rework_of_march_with_their_levels"),
      entry("EnvironmentSpec.controlled", "EngineContractTest#a_controlled_environment_refuses_a_version_that_is_not_approved_when_it_is_requested"),
      entry("EnvironmentSpec.owner", STORED_AND_SHOWN), // recorded and shown only
      entry("EnvironmentSpec.promotesTo", "RequestChecksContractTest#the_promotion_path_names_the_step_that_is_missing"),
      entry("TargetSpec.environment", "EngineContractTest#with_the_stop_policy_a_failed_batch_ends_the_deployment_failed_without_touching_later_batches"),
      entry("TargetSpec.kind", "TargetsGoingAwayContractTest#a_rolling_deployment_over_ssh_installs_configures_and_runs_on_each_host_then_rolls_back_a_bad_version"),
      entry("TargetSpec.path", "EngineContractTest#an_all_at_once_deployment_runs_every_step_on_every_target_and_succeeds"),
      entry("TargetSpec.location", "EnvironmentsContractTest#a_local_target_and_a_site_keep_their_settings_facts_and_tags"), // recorded and shown only
      entry("TargetSpec.facts", "EngineContractTest#a_target_that_misses_a_required_fact_fails_environment_verification_before_any_change"),
      entry("TargetSpec.tags", "EnvironmentsContractTest#a_local_target_and_a_site_keep_their_settings_facts_and_tags"), // recorded and shown only
      entry("TargetSpec.ssh", "TargetsGoingAwayContractTest#a_rolling_deployment_over_ssh_installs_configures_and_runs_on_each_host_then_rolls_back_a_bad_version"),
      entry("TargetSpec.ssh.host", "TargetsGoingAwayContractTest#a_rolling_deployment_over_ssh_installs_configures_and_runs_on_each_host_then_rolls_back_a_bad_version"),
      entry("TargetSpec.ssh.port", "TargetsGoingAwayContractTest#an_ssh_target_that_cannot_be_reached_fails_environment_verification_before_anything_changes"),
      entry("TargetSpec.ssh.user", "TargetsGoingAwayContractTest#a_rolling_deployment_over_ssh_installs_configures_and_runs_on_each_host_then_rolls_back_a_bad_version"),
      entry("TargetSpec.ssh.identityFile", "SshStepsTest#a_key_the_host_does_not_accept_is_a_clear_failure"),
      entry("TargetSpec.ssh.identity", "SshKeysFromSecretsTest#a_deployment_over_ssh_with_a_key_from_a_secret_succeeds_and_the_key_is_never_written_shown_or_printed"),
      entry("TargetSpec.ssh.passphrase", "SshKeysFromSecretsTest#a_deployment_over_ssh_with_a_passphrase_protected_key_from_a_secret_succeeds"),
      entry("TargetSpec.ssh.hostKey", "SshStepsTest#a_host_offering_another_key_than_the_target_declares_is_not_talked_to"),
      entry("TargetSpec.kubernetes", "KubernetesTargetContractTest#a_version_is_applied_to_the_namespace_and_succeeds_once_rolled_out"),
      entry("TargetSpec.kubernetes.cluster", "KubernetesTargetContractTest#a_kubernetes_target_is_refused_with_a_cluster_in_clear_text_over_the_network_or_a_token_written_out"),
      entry("TargetSpec.kubernetes.namespace", "KubernetesTargetContractTest#a_target_whose_namespace_is_missing_fails_environment_verification_before_anything_is_applied"),
      entry("TargetSpec.kubernetes.credentials", "KubernetesTargetTest#the_token_goes_in_the_authorization_header_and_nowhere_else"),
      entry("ServiceSpec.owner", "KpiReportsContractTest#filters_narrow_every_measure_to_a_service_a_team_an_environment_or_a_model"),
      entry("ComponentSpec.service", "ChangesContractTest#a_deployment_waits_for_the_planned_start_of_its_authorized_change_and_a_service_wide_change_covers_each_component"),
      entry("ComponentSpec.type", "EngineContractTest#unknown_versions_environments_and_models_that_do_not_apply_are_refused_and_leave_nothing_behind"),
      entry("ComponentSpec.requires", "ScheduleContractTest#a_requirement_the_environment_does_not_meet_is_a_conflict_and_fails_the_deployment_at_its_start"),
      entry("ComponentSpec.requires[].component", "ReleasesContractTest#members_run_one_at_a_time_in_dependency_order_whatever_order_they_were_given_in"),
      entry("ComponentSpec.requires[].version", "ScheduleContractTest#a_requirement_the_environment_does_not_meet_is_a_conflict_and_fails_the_deployment_at_its_start"),
      entry("ComponentSpec.requiredAttributes", "LibraryContractTest#a_hardware_item_missing_a_required_attribute_is_refused"),
      entry("DeploymentModelSpec.appliesTo", "EngineContractTest#unknown_versions_environments_and_models_that_do_not_apply_are_refused_and_leave_nothing_behind"),
      entry("DeploymentModelSpec.appliesTo.componentTypes", "EngineContractTest#unknown_versions_environments_and_models_that_do_not_apply_are_refused_and_leave_nothing_behind"),
      entry("DeploymentModelSpec.appliesTo.services", "TwoEnginesContractTest#two_engines_on_one_database_never_run_the_same_step_twice"),
      entry("DeploymentModelSpec.targetRequirements", "EngineContractTest#a_target_that_misses_a_required_fact_fails_environment_verification_before_any_change"),
      entry("DeploymentModelSpec.stages", "EngineContractTest#an_all_at_once_deployment_runs_every_step_on_every_target_and_succeeds"),
      entry("DeploymentModelSpec.triggers", "TriggersContractTest#pushing_a_version_requests_it_in_the_triggered_stage_with_the_trigger_as_requester"),
      entry("DeploymentModelSpec.owner", "ModelOwnershipConfigTest#an_owned_model_changed_in_the_files_is_proposed_once_and_plan_says_it_awaits_agreement"),
      entry("DeploymentModelSpec.reviewers", "ModelAgreementContractTest#a_new_version_of_an_owned_model_is_only_proposed_until_the_owner_and_every_reviewer_have_agreed"),
      entry("DeploymentModelSpec.stakeholders", "ModelAgreementContractTest#a_version_in_force_is_told_to_its_stakeholders_and_the_owners_of_the_services_using_it_who_read_it"));

  /**
   * Schema keys the engine reads, but that no test yet shows acted on, with why. Each is a debt: write
   * its test and move it to {@link #COVERED}, or leave it out of the schema until there is one.
   */
  static final Map<String, String> UNCOVERED = new LinkedHashMap<>();

  static {
    UNCOVERED.put("Step[http-check].timeout",
        "no test gives an http-check a timeout: none shows a slow answer cut off by it (every test uses the default)");
    UNCOVERED.put("Step[approval].count",
        "only the text asking for \"2 people\" is tested; no deployment is shown waiting for a second approver");
    UNCOVERED.put("Trigger[schedule].timeZone",
        "the only firing test uses Europe/London in early March, when it equals UTC; no test shows the zone move a firing");
    UNCOVERED.put("Stage.strategy.maxParallel",
        "declared in tests (1 and 2) but no test observes it limiting how many targets run at once");
    UNCOVERED.put("Stage.acceptance",
        "acceptance steps appear only in deployments that pass; no test shows a failing check failing the deployment "
            + "or even that the checks ran (VERIFYING is recorded with or without them)");
    UNCOVERED.put("ComponentSpec.model",
        "only declared where one model applies anyway; no test shows a component's own model chosen over appliesTo");
    UNCOVERED.put("DeploymentModelSpec.appliesTo.components",
        "no test declares a model that applies to named components");
    UNCOVERED.put("DeploymentModelSpec.componentChecks.requiredAttributes",
        "no test shows a version without a model's required attribute failing component verification");
  }

  @Test
  void every_property_the_schema_accepts_names_the_test_that_shows_the_engine_acting_on_it() {
    Set<String> schema = schemaKeys();
    Set<String> named = new LinkedHashSet<>(COVERED.keySet());
    named.addAll(UNCOVERED.keySet());

    List<String> missing = schema.stream().filter(k -> !named.contains(k))
        .map(k -> "the schema accepts " + k + " but no test is named for it: add the test, or leave " + k
            + " out of the schema until the engine acts on it")
        .toList();
    List<String> stale = new TreeMap<>(COVERED).keySet().stream().filter(k -> !schema.contains(k))
        .map(k -> k + " is named in COVERED but the schema no longer accepts it: remove it from the list").toList();
    List<String> staleUncovered = UNCOVERED.keySet().stream().filter(k -> !schema.contains(k))
        .map(k -> k + " is named in UNCOVERED but the schema no longer accepts it: remove it from the list").toList();

    SoftAssertions.assertSoftly(softly -> {
      softly.assertThat(missing).as("schema properties with no test named for them").isEmpty();
      softly.assertThat(stale).as("COVERED names for properties the schema no longer accepts").isEmpty();
      softly.assertThat(staleUncovered).as("UNCOVERED names for properties the schema no longer accepts").isEmpty();
    });
  }

  @Test
  void no_property_is_both_covered_and_uncovered() {
    assertThat(COVERED.keySet()).as("keys in both COVERED and UNCOVERED").doesNotContainAnyElementsOf(
        UNCOVERED.keySet());
  }

  @Test
  void every_named_test_exists() {
    Map<String, List<Class<?>>> classes = testClasses();
    List<String> problems = new ArrayList<>();
    new TreeMap<>(COVERED).forEach((key, test) -> {
      String problem = problem(test, classes);
      if (problem != null) {
        problems.add(key + " -> " + test + ": " + problem);
      }
    });

    assertThat(problems).as("tests named in COVERED that are not tests in src/test/java").isEmpty();
  }

  @Test
  void the_properties_no_test_shows_acted_on_are_listed_with_why() {
    assertThat(UNCOVERED.values()).as("every UNCOVERED entry says why").allSatisfy(why -> assertThat(why).isNotBlank());
    if (!UNCOVERED.isEmpty()) {
      StringBuilder out = new StringBuilder(UNCOVERED.size() + " of " + schemaKeys().size()
          + " schema properties have no test showing the engine acting on them:\n");
      UNCOVERED.forEach((key, why) -> out.append("  ").append(key).append(": ").append(why).append('\n'));
      System.out.print(out);
    }
  }

  // --- the schema walk

  /** Every key of the published schema, in the order of the schema. */
  static Set<String> schemaKeys() {
    JsonNode root;
    try {
      root = JsonMapper.builder().build().readTree(Files.readString(SCHEMA));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Set<String> keys = new LinkedHashSet<>();
    walk(root, "Document", keys);
    root.path("$defs").properties().forEach(def -> walk(def.getValue(), def.getKey(), keys));
    return keys;
  }

  private static void walk(JsonNode node, String prefix, Set<String> keys) {
    if (!node.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> property : node.path("properties").properties()) {
      String key = prefix + "." + property.getKey();
      keys.add(key);
      walk(property.getValue(), key, keys);
    }
    if (node.path("items").isObject()) {
      walk(node.path("items"), prefix + "[]", keys);
    }
    for (JsonNode variant : node.path("allOf")) {
      JsonNode type = variant.path("if").path("properties").path("type").path("const");
      if (variant.path("then").isObject()) {
        walk(variant.path("then"), type.isString() ? prefix + "[" + type.asString() + "]" : prefix, keys);
      }
    }
  }

  // --- the named tests

  /** The classes compiled from src/test/java, by simple name. */
  private static Map<String, List<Class<?>>> testClasses() {
    Path root;
    try {
      root = Path.of(SchemaCoverageTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    Map<String, List<Class<?>>> bySimpleName = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root.resolve("io/gantry"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().contains("$"))
          .toList()) {
        String relative = root.relativize(file).toString().replace('\\', '/');
        String name = relative.substring(0, relative.length() - ".class".length()).replace('/', '.');
        Class<?> type = Class.forName(name, false, SchemaCoverageTest.class.getClassLoader());
        bySimpleName.computeIfAbsent(type.getSimpleName(), k -> new ArrayList<>()).add(type);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
    return bySimpleName;
  }

  /** What is wrong with {@code Class#method} as the name of a test, or null. */
  private static String problem(String test, Map<String, List<Class<?>>> classes) {
    String[] parts = test.split("#", -1);
    if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
      return "not ClassSimpleName#methodName";
    }
    List<Class<?>> found = classes.getOrDefault(parts[0], List.of());
    if (found.isEmpty()) {
      return "no test class " + parts[0] + " in io.gantry";
    }
    if (found.size() > 1) {
      return "the simple name " + parts[0] + " is ambiguous: " + found;
    }
    List<Method> methods = Arrays.stream(found.getFirst().getDeclaredMethods())
        .filter(m -> m.getName().equals(parts[1])).toList();
    if (methods.isEmpty()) {
      return found.getFirst().getName() + " declares no method " + parts[1];
    }
    boolean isTest = methods.stream().anyMatch(m -> m.isAnnotationPresent(Test.class)
        || m.isAnnotationPresent(ParameterizedTest.class) || m.isAnnotationPresent(TestFactory.class)
        || m.isAnnotationPresent(TestTemplate.class));
    return isTest ? null : parts[1] + " is not a test method";
  }
}
