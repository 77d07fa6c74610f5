package io.gantry.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.environment.Target;
import io.gantry.environment.TargetDefinition;
import io.gantry.environment.TargetKind;
import io.gantry.model.TargetRequirement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** How an agent target is verified: against its declared facts, then what its agent last reported. */
class AgentHostTest {

  static final Target FAR = new Target(1, new TargetDefinition("far-1", null, "dev", TargetKind.AGENT, null, null,
      Map.of("rack", "r7"), List.of(), Map.of()), 0, Instant.EPOCH, Instant.EPOCH);

  /** What the agents' module would say: one fixed report. */
  record Reporting(AgentHosts.Reported reported) implements AgentHosts {
    @Override
    public Reported reported(String target) {
      return reported;
    }

    @Override
    public StepOutcome perform(String target, String work, Duration timeout, Consumer<String> log) {
      throw new AssertionError("verification queues no work");
    }
  }

  /** What the agents' module would do with work: keep it, as queued, and answer {@code outcome} for it. */
  record Queueing(List<String> queued, StepOutcome outcome) implements AgentHosts {
    @Override
    public Reported reported(String target) {
      return HEARD;
    }

    @Override
    public StepOutcome perform(String target, String work, Duration timeout, Consumer<String> log) {
      queued.add(work);
      return outcome;
    }
  }

  static AgentHost host(AgentHosts.Reported reported) {
    return new AgentHost(FAR, new Reporting(reported), new StepRunner(Clock.systemUTC()));
  }

  static final AgentHosts.Reported HEARD = new AgentHosts.Reported("far-host",
      Map.of("os.name", "Linux", "disk.free-mb", "500", "tools", "sh,tar,curl", "rack", "r9"), null);

  @Test
  void an_agent_target_meets_facts_free_disk_and_tools_its_agent_reports() {
    assertThat(host(HEARD).verify(List.of(new TargetRequirement.Fact("os.name", "Linux"),
        new TargetRequirement.FreeDisk(100), new TargetRequirement.Tool("tar")))).isNull();
  }

  @Test
  void a_declared_fact_wins_over_a_reported_one() {
    assertThat(host(HEARD).verify(List.of(new TargetRequirement.Fact("rack", "r7")))).isNull();
    assertThat(host(HEARD).verify(List.of(new TargetRequirement.Fact("rack", "r9"))))
        .isEqualTo("fact rack is r7, the model requires r9");
  }

  @Test
  void too_little_disk_or_a_missing_tool_is_named_with_the_agent() {
    assertThat(host(HEARD).verify(List.of(new TargetRequirement.FreeDisk(1000))))
        .isEqualTo("only 500 MB free on the host of agent far-host, the model requires 1000 MB");
    assertThat(host(HEARD).verify(List.of(new TargetRequirement.Tool("docker"))))
        .contains("tool docker is not on the PATH of agent far-host").contains("sh,tar,curl");
  }

  @Test
  void a_check_command_is_refused_on_an_agent_target() {
    assertThat(host(HEARD).verify(List.of(new TargetRequirement.Command("true"))))
        .contains("does not run check commands");
  }

  @Test
  void a_target_without_an_approved_agent_or_with_a_lost_one_fails_verification_saying_so() {
    assertThat(host(null).verify(List.of())).startsWith("no approved agent works for target far-1");
    assertThat(host(new AgentHosts.Reported("far-host", Map.of(), "agent far-host lost: last heard at "
        + "2026-12-05T07:00:00Z")).verify(List.of())).isEqualTo("agent far-host lost: last heard at 2026-12-05T07:00:00Z");
  }

  @Test
  void a_step_that_names_a_secret_is_queued_with_the_reference_never_the_value() {
    var step = new io.gantry.model.Step.Shell("deploy", null, true, null, "./run.sh", null,
        Map.of("PASSWORD", "${secret:db-password}", "MODE", "plain"), null);
    Queueing queue = new Queueing(new java.util.ArrayList<>(), new StepOutcome.Succeeded("done"));
    List<String> queued = queue.queued();
    AgentHost host = new AgentHost(FAR, queue, new StepRunner(Clock.systemUTC()).withSecrets(text -> {
      throw new AssertionError("a secret is not read when its work is queued");
    }));
    StepOutcome outcome = host.run(step, host.context(new io.gantry.catalog.ComponentVersion(1,
        new io.gantry.catalog.ComponentRef("shop", "web"), new io.gantry.catalog.Version("1.0.0"), null, null, Map.of(),
        List.of(), null, null, null, null, null, 0), null, Map.of(), a -> null, line -> {}));
    assertThat(outcome).isEqualTo(new StepOutcome.Succeeded("done"));
    assertThat(queued).singleElement().asString().contains("${secret:db-password}");
    assertThat(AgentWork.secretNames(queued.getFirst())).containsExactly("db-password");
  }

  @Test
  void the_agent_refuses_work_in_a_component_folder_that_is_a_link_before_the_step_touches_anything(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    var web = new io.gantry.catalog.ComponentRef("shop", "web");
    var version = new io.gantry.catalog.ComponentVersion(1, web, new io.gantry.catalog.Version("1.0.0"), null, null,
        Map.of(), List.of(), null, null, null, null, null, 0);
    var step = new io.gantry.model.Step.Shell("touch", null, true, null, "touch touched", null, Map.of(), null);
    Queueing queue = new Queueing(new java.util.ArrayList<>(), new StepOutcome.Succeeded("queued"));
    AgentHost host = new AgentHost(FAR, queue, new StepRunner(Clock.systemUTC()));
    assertThat(host.prepare(web, () -> {
      throw new AssertionError("the server does not ask the agent's host what worked there");
    })).isEqualTo(Preparation.READY);
    host.run(step, host.context(version, null, Map.of(), a -> null, line -> {}));
    String work = queue.queued().getFirst();

    java.nio.file.Path root = dir.resolve("targets");
    java.nio.file.Path elsewhere = java.nio.file.Files.createDirectories(dir.resolve("elsewhere"));
    java.nio.file.Files.createDirectories(root.resolve("far-1"));
    java.nio.file.Files.createSymbolicLink(root.resolve("far-1").resolve(ComponentFolder.of(web)), elsewhere);
    StepRunner runner = new StepRunner(Clock.systemUTC());
    StepOutcome refused = AgentWork.perform(work, root, runner, a -> null, line -> {});
    assertThat(refused).isInstanceOf(StepOutcome.Failed.class);
    assertThat(((StepOutcome.Failed) refused).reason()).contains("is a symbolic link, not a folder");
    assertThat(elsewhere).isEmptyDirectory();

    // once the link is gone the agent makes the folder and does the work in it
    java.nio.file.Files.delete(root.resolve("far-1").resolve(ComponentFolder.of(web)));
    assertThat(AgentWork.perform(work, root, runner, a -> null, line -> {})).isInstanceOf(StepOutcome.Succeeded.class);
    assertThat(root.resolve("far-1").resolve(ComponentFolder.of(web)).resolve("touched")).exists();
  }
}
