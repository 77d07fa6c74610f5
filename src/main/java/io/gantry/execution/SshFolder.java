package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.environment.Target;
import io.gantry.model.Step;
import io.gantry.model.TargetRequirement;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A folder on another host, reached over SSH: its facts are checked here, as declared; everything
 * else needs a look at the host. {@code ssh} is null when the target declares no way to reach it.
 */
record SshFolder(Target target, SshEndpoint ssh, StepRunner runner) implements TargetAccess {

  /** How to reach the target's host; null when it declares none. */
  static SshEndpoint endpoint(Target target, Path dataDir) {
    var ssh = target.definition().ssh();
    if (ssh == null) {
      return null;
    }
    Path identity = null;
    if (ssh.identityFile() != null) {
      String file = ssh.identityFile().startsWith("~/")
          ? System.getProperty("user.home") + ssh.identityFile().substring(1) : ssh.identityFile();
      identity = (Path.of(file).isAbsolute() ? Path.of(file) : dataDir.resolve(file)).normalize();
    }
    return new SshEndpoint(ssh.host(), ssh.portOrDefault(), ssh.user(), identity, ssh.identity(), ssh.passphrase(),
        ssh.hostKey(), target.name());
  }

  @Override
  public boolean runs(Step step) {
    return !(step instanceof Step.KubernetesApply);
  }

  @Override
  public String verify(List<TargetRequirement> requirements) {
    String facts = Requirements.facts(target, requirements);
    return facts != null ? facts : runner.checkRemote(ssh, target.definition().path(), requirements);
  }

  @Override
  public String verify(List<TargetRequirement> requirements, ComponentRef component) {
    String facts = Requirements.facts(target, requirements);
    return facts != null ? facts : runner.checkRemote(ssh, target.definition().path(), requirements, component);
  }

  @Override
  public Preparation prepare(ComponentRef component, Supplier<List<ComponentRef>> workedHere) {
    return runner.prepareRemote(ssh, target.name(), target.definition().path(), component, workedHere);
  }

  @Override
  public StepContext context(ComponentVersion version, Slot slot, Map<String, String> variables,
      Function<Artifact, InputStream> artifacts, Consumer<String> log) {
    Path folder = Path.of(target.definition().path()).resolve(ComponentFolder.of(version.component()));
    return StepContext.on(target, slot == null ? folder : folder.resolve(slot.name()), ssh, version, slot, variables,
        artifacts, log);
  }

  @Override
  public StepOutcome switchTo(StepContext context, Step.Shell command) {
    return runner.switchTo(context, command);
  }

  @Override
  public StepOutcome run(Step step, StepContext context) {
    return runner.run(step, context);
  }
}
