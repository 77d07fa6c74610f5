package io.gantry.execution;

import io.gantry.model.Step;
import io.gantry.model.TimeSpan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Runs one step on one target and says how it ended. A target is a folder on the Gantry host, or a
 * folder on another host reached over SSH (when the context names one), with the same layout.
 *
 * <p>Layout of a target folder: {@code <destination>/<version>/} holds each installed release
 * ({@code destination} defaults to {@code releases}); {@code current} is a relative symbolic link to
 * the release in use, replaced in one atomic rename on every install or rollback. Commands run in the
 * target folder unless the step names another folder inside it.
 *
 * <p>Nothing here throws for a step that goes wrong: the outcome says why. Only an interrupted thread
 * ends a step early, as {@link StepOutcome.Failed} with the interrupt flag set again.
 */
@Component
public class StepRunner {

  private final ArtifactInstaller installer;
  private final TemplateRenderer templates;
  private final ShellRunner shell = new ShellRunner();
  private final HttpChecker http;
  private final Sleeper sleeper;
  private final SshStepRunner ssh;
  private final SshConnections connections;
  private final KubernetesClusters kubernetes;

  private StepSecrets secrets = StepSecrets.NONE;
  private StepUser user = StepUser.SERVER;
  private AgentHosts agents = AgentHosts.NONE;

  @Autowired
  public StepRunner(Clock clock, SshConnections connections,
      org.springframework.beans.factory.ObjectProvider<StepSecrets> secrets, StepUser user,
      org.springframework.beans.factory.ObjectProvider<AgentHosts> agents) {
    this(clock, Sleeper.real(), connections);
    this.secrets = secrets.getIfAvailable(() -> StepSecrets.NONE);
    this.user = user;
    this.agents = agents.getIfAvailable(() -> AgentHosts.NONE);
  }

  public StepRunner(Clock clock, SshConnections connections) {
    this(clock, Sleeper.real(), connections);
  }

  /**
   * This runner, giving steps the secrets {@code secrets} holds, and taking from it the private keys and
   * passphrases SSH targets keep as secrets.
   */
  public StepRunner withSecrets(StepSecrets secrets) {
    this.secrets = secrets;
    this.connections.withSecrets(secrets);
    return this;
  }

  /** This runner, running commands on local targets as {@code user} ({@code gantry.targets.run-as}). */
  public StepRunner runningAs(StepUser user) {
    this.user = user;
    return this;
  }

  /** This runner, handing the steps on agent targets to the agents {@code agents} knows. */
  public StepRunner withAgents(AgentHosts agents) {
    this.agents = agents;
    return this;
  }

  /** The agents that work for targets of kind agent. */
  AgentHosts agents() {
    return agents;
  }

  /** The OS user commands on local targets run as. */
  StepUser user() {
    return user;
  }

  /** For local targets, and SSH targets checked against the user's known_hosts file. */
  public StepRunner(Clock clock) {
    this(clock, Sleeper.real(), new SshConnections(null));
  }

  /** With a sleeper and clock of the caller's choosing, so waiting and deadlines can be tested without sleeping. */
  public StepRunner(Clock clock, Sleeper sleeper) {
    this(clock, sleeper, new SshConnections(null));
  }

  public StepRunner(Clock clock, Sleeper sleeper, SshConnections connections) {
    this.sleeper = sleeper;
    this.connections = connections;
    this.ssh = new SshStepRunner(connections);
    this.installer = new ArtifactInstaller(clock);
    this.templates = new TemplateRenderer(clock);
    this.http = new HttpChecker(sleeper, clock);
    this.kubernetes = new KubernetesClusters(clock, sleeper);
  }

  /**
   * The step with the {@code ${secret:NAME}} references in a shell step's environment or a template
   * step's variables replaced by their values, now that it runs; a secret that cannot be given fails
   * the step before anything is done.
   */
  private Step withSecrets(Step step, StepContext ctx) {
    String usedBy = "step " + step.name() + " on " + ctx.targetName() + " (" + ctx.version().component() + "@"
        + ctx.version().version().value() + ")";
    try {
      return switch (step) {
        case Step.Shell s when s.environment() != null -> new Step.Shell(s.name(), s.timeout(), s.idempotent(),
            s.targets(), s.command(), s.workingDirectory(), resolved(s.environment(), usedBy), s.expectExitCode());
        case Step.Template t when t.variables() != null -> new Step.Template(t.name(), t.timeout(), t.idempotent(),
            t.targets(), t.destination(), t.source(), t.content(), resolved(t.variables(), usedBy));
        default -> step;
      };
    } catch (StepFailure e) {
      throw e;
    } catch (RuntimeException e) {
      throw new StepFailure(e.getMessage());
    }
  }

  private Map<String, String> resolved(Map<String, String> values, String usedBy) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    values.forEach((name, value) -> out.put(name, secrets.resolve(value, usedBy)));
    return out;
  }

  /** A check's URL may name the target's variables, e.g. {@code http://127.0.0.1:${port}/health}. */
  private static Step.HttpCheck withVariables(Step.HttpCheck c, StepContext ctx) {
    String url = TemplateRenderer.render(c.url(), ctx.variables());
    return new Step.HttpCheck(c.name(), c.timeout(), c.idempotent(), c.targets(), url, c.expectStatus(),
        c.expectBody(), c.retries(), c.interval(), c.deadline());
  }

  /** Runs the step on the context's target. */
  public StepOutcome run(Step step, StepContext ctx) {
    try {
      step = withSecrets(step, ctx);
      boolean changesFiles = step instanceof Step.ArtifactInstall || step instanceof Step.ArtifactRemove
          || step instanceof Step.Template || step instanceof Step.Shell;
      if (ctx.ssh() != null && changesFiles) {
        return ssh.run(step, ctx, timeout(step, ctx));
      }
      // a link in place of the component's folder would take every write somewhere else: refused at
      // every step, not only when the folder is prepared, since a step of the component may plant one
      String notAFolder = changesFiles ? LocalLayout.notAFolder(ctx.targetRoot()) : null;
      if (notAFolder != null) {
        throw new StepFailure(notAFolder);
      }
      return switch (step) {
        case Step.ArtifactInstall install -> {
          user.createDirectories(ctx.targetRoot());
          yield installer.install(install, ctx, user);
        }
        case Step.ArtifactRemove remove -> installer.remove(remove, ctx);
        case Step.Template template -> templates.render(template, requireTarget(ctx), user);
        case Step.Shell command -> shell.run(command, requireTarget(ctx), timeout(step, ctx), user);
        case Step.HttpCheck check -> http.check(withVariables(check, ctx), ctx, timeout(step, ctx));
        case Step.Wait wait -> waitFor(wait, ctx);
        case Step.Manual manual -> new StepOutcome.NeedsPerson(describe(manual));
        case Step.Approval approval -> new StepOutcome.NeedsPerson(describe(approval));
        case Step.KubernetesApply apply -> throw new StepFailure("step " + step.name() + ": a kubernetes.apply step "
            + "runs only on a kubernetes target, and " + ctx.targetName() + " is not one");
      };
    } catch (StepFailure e) {
      ctx.log().accept("failed: " + e.getMessage());
      return new StepOutcome.Failed(e.getMessage());
    } catch (SshConnections.SshFailure e) {
      String reason = "step " + step.name() + " on " + ctx.ssh() + ": " + e.getMessage();
      ctx.log().accept("failed: " + reason);
      return new StepOutcome.Failed(reason);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new StepOutcome.Failed("step " + step.name() + " was interrupted");
    } catch (IOException | UncheckedIOException e) {
      String reason = "step " + step.name() + " could not work on " + ctx.targetRoot() + ": " + e;
      ctx.log().accept("failed: " + reason);
      return new StepOutcome.Failed(reason);
    } catch (RuntimeException e) {
      // a step must end in an outcome the engine can record, whatever went wrong inside it
      String reason = "step " + step.name() + " failed unexpectedly: " + e;
      ctx.log().accept("failed: " + reason);
      return new StepOutcome.Failed(reason);
    }
  }

  /**
   * Points {@code <targetRoot>/current} at the release {@code <destination>/<version>} that is already
   * there, in one atomic rename; this is how a target rolls back to its previous version. Install keeps
   * the release {@code current} pointed to before it, so the previous version is always there.
   *
   * @param destination the releases folder the install step used; null means {@code releases}
   */
  public StepOutcome switchCurrent(Path targetRoot, String destination, String version) {
    Path root = targetRoot.toAbsolutePath().normalize();
    try {
      return installer.switchCurrent(root, destination, version);
    } catch (StepFailure e) {
      return new StepOutcome.Failed(e.getMessage());
    } catch (IOException | UncheckedIOException e) {
      return new StepOutcome.Failed("could not switch current on " + root + ": " + e);
    }
  }

  /**
   * {@link TargetAccess#switchTo}: the {@code live} link moved to the context's slot in one rename, then
   * the command in the component's folder; the link is put back when the command fails.
   */
  StepOutcome switchTo(StepContext ctx, Step.Shell command) {
    if (ctx.slot() == null) {
      return new StepOutcome.Failed("a switch needs a blue-green slot to make live");
    }
    StepContext folder = ctx.in(ctx.targetRoot().getParent());
    String slot = ctx.slot().name();
    Duration limit = command == null ? ctx.defaultTimeout() : timeout(command, ctx);
    String was;
    try {
      was = ctx.ssh() != null ? ssh.pointLive(folder, slot, limit)
          : LiveLink.point(folder.targetRoot(), slot);
    } catch (StepFailure e) {
      ctx.log().accept("failed: " + e.getMessage());
      return new StepOutcome.Failed(e.getMessage());
    } catch (SshConnections.SshFailure | IOException | UncheckedIOException e) {
      String reason = "could not switch " + folder.targetRoot() + "/" + Slot.LIVE + " to " + slot + ": " + e.getMessage();
      ctx.log().accept("failed: " + reason);
      return new StepOutcome.Failed(reason);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new StepOutcome.Failed("the switch to " + slot + " was interrupted");
    }
    String moved = Slot.LIVE + " -> " + slot + (was == null || was.isEmpty() ? "" : " (was " + was + ")");
    ctx.log().accept(moved);
    if (command == null) {
      return new StepOutcome.Succeeded(moved);
    }
    StepOutcome ran = run(command, folder);
    if (ran instanceof StepOutcome.Failed failed) {
      String back;
      try {
        if (ctx.ssh() != null) {
          ssh.restoreLive(folder, was, limit);
        } else {
          LiveLink.restore(folder.targetRoot(), was);
        }
        back = Slot.LIVE + " put back" + (was == null || was.isEmpty() ? " (removed)" : " to " + was);
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        back = Slot.LIVE + " could not be put back (" + e.getMessage() + "): it points to " + slot;
      }
      ctx.log().accept(back);
      return new StepOutcome.Failed("switch command " + command.name() + " failed: " + failed.reason() + "; " + back);
    }
    return new StepOutcome.Succeeded(moved + "; " + command.name() + ": "
        + ((StepOutcome.Succeeded) ran).summary());
  }

  /** The version {@code <targetRoot>/current} points to, if any: what a rollback would return to. */
  public Optional<String> currentVersion(Path targetRoot) {
    try {
      return ArtifactInstaller.currentRelease(targetRoot.toAbsolutePath().normalize())
          .map(release -> release.getFileName().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the target's host can be reached and its folder used, and whether it meets the
   * requirements that need a look at the host (free disk, a tool, a check command): null when all
   * is well, else what is wrong. Only for SSH targets; local ones are looked at in place ({@link LocalFolder}).
   */
  String checkRemote(SshEndpoint endpoint, String folder, List<io.gantry.model.TargetRequirement> requirements) {
    return checkRemote(endpoint, folder, requirements, null);
  }

  /** As {@link #checkRemote(SshEndpoint, String, List)}, looking at {@code component}'s folder too (null: none). */
  String checkRemote(SshEndpoint endpoint, String folder, List<io.gantry.model.TargetRequirement> requirements,
      io.gantry.catalog.ComponentRef component) {
    try {
      return ssh.check(endpoint, folder, requirements, component);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted while checking " + endpoint;
    } catch (StepFailure e) {
      return e.getMessage();
    }
  }

  /** {@link TargetAccess#run} of a kubernetes.apply step on a kubernetes target; never throws. */
  StepOutcome applyManifests(Step.KubernetesApply step, StepContext ctx, io.gantry.environment.Target target) {
    try {
      return kubernetes.apply(step, ctx, target, secrets);
    } catch (StepFailure e) {
      ctx.log().accept("failed: " + e.getMessage());
      return new StepOutcome.Failed(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new StepOutcome.Failed("step " + step.name() + " was interrupted");
    } catch (RuntimeException e) {
      String reason = "step " + step.name() + " failed unexpectedly: " + e;
      ctx.log().accept("failed: " + reason);
      return new StepOutcome.Failed(reason);
    }
  }

  /** {@link TargetAccess#verify} of a kubernetes target: the API answers and its namespace exists. */
  String checkNamespace(io.gantry.environment.Target target) {
    try {
      return kubernetes.check(target, secrets);
    } catch (RuntimeException e) {
      return "the cluster of " + target.name() + " could not be checked: " + e;
    }
  }

  /** {@link TargetAccess#prepare} for an SSH target: done on the host, in one session. */
  Preparation prepareRemote(SshEndpoint endpoint, String targetName, String folder,
      io.gantry.catalog.ComponentRef component, java.util.function.Supplier<List<io.gantry.catalog.ComponentRef>>
          workedHere) {
    try {
      return ssh.prepare(endpoint, targetName, folder, component, workedHere);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Preparation.refused("interrupted while preparing the folder of " + component + " on " + endpoint);
    } catch (StepFailure e) {
      return Preparation.refused(e.getMessage());
    } catch (SshConnections.SshFailure e) {
      return Preparation.refused("could not prepare the folder of " + component + " on " + endpoint + ": "
          + e.getMessage());
    }
  }

  private static StepContext requireTarget(StepContext ctx) {
    if (!Files.isDirectory(ctx.targetRoot())) {
      throw new StepFailure("the target folder " + ctx.targetRoot() + " does not exist");
    }
    return ctx;
  }

  private static Duration timeout(Step step, StepContext ctx) {
    TimeSpan timeout = step.timeout();
    return timeout == null ? ctx.defaultTimeout() : timeout.toDuration();
  }

  private StepOutcome waitFor(Step.Wait wait, StepContext ctx) throws InterruptedException {
    if (wait.duration() == null) {
      throw new StepFailure("a wait step needs a duration");
    }
    ctx.log().accept("waiting " + wait.duration().text());
    sleeper.sleep(wait.duration().toDuration());
    return new StepOutcome.Succeeded("waited " + wait.duration().text());
  }

  private static String describe(Step.Manual manual) {
    List<String> parts = new ArrayList<>();
    parts.add((manual.role() == null ? "" : "someone holding the role " + manual.role() + ": ")
        + (manual.instructions() == null ? manual.name() : manual.instructions()));
    if (manual.checklist() != null && !manual.checklist().isEmpty()) {
      parts.add("tick every item: " + String.join("; ", manual.checklist()));
    }
    if (Boolean.TRUE.equals(manual.evidenceRequired())) {
      parts.add("attach evidence");
    }
    return String.join("\n", parts);
  }

  private static String describe(Step.Approval approval) {
    int count = approval.count() == null ? 1 : approval.count();
    return "approval by " + count + (count == 1 ? " person" : " people") + " holding the role " + approval.role()
        + (approval.instructions() == null ? "" : ": " + approval.instructions());
  }
}
