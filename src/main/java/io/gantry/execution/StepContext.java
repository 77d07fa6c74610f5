package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.ComponentVersion;
import io.gantry.environment.Target;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Everything a step needs about where and what it runs.
 *
 * @param targetRoot the target's folder, on the Gantry host or, for an SSH target, on its host; nothing a
 *     step writes leaves it
 * @param targetName the target's name, given to commands as {@code GANTRY_TARGET}
 * @param version the version being deployed, with its artifacts
 * @param variables values for {@code ${name}} placeholders in templates (environment, target, version, port...);
 *     a template step's own variables win over these
 * @param artifacts opens an artifact's bytes, e.g. {@code library::open}; the stream may throw
 *     {@link io.gantry.shared.IntegrityViolationException} at its end if the stored bytes changed
 * @param defaultTimeout the limit for steps that name no timeout of their own
 * @param log receives progress and command output, one line at a time
 * @param ssh how to reach the target's host; null for a folder on the Gantry host
 * @param slot the blue-green slot the step works in (its folder is {@code targetRoot}); null outside one
 */
public record StepContext(Path targetRoot, String targetName, ComponentVersion version, Map<String, String> variables,
    Function<Artifact, InputStream> artifacts, Duration defaultTimeout, Consumer<String> log, SshEndpoint ssh,
    Slot slot) {

  /** A context outside any blue-green slot. */
  public StepContext(Path targetRoot, String targetName, ComponentVersion version, Map<String, String> variables,
      Function<Artifact, InputStream> artifacts, Duration defaultTimeout, Consumer<String> log, SshEndpoint ssh) {
    this(targetRoot, targetName, version, variables, artifacts, defaultTimeout, log, ssh, null);
  }

  /** A context for a folder on the Gantry host. */
  public StepContext(Path targetRoot, String targetName, ComponentVersion version, Map<String, String> variables,
      Function<Artifact, InputStream> artifacts, Duration defaultTimeout, Consumer<String> log) {
    this(targetRoot, targetName, version, variables, artifacts, defaultTimeout, log, null);
  }

  public StepContext {
    Objects.requireNonNull(targetRoot, "targetRoot");
    Objects.requireNonNull(targetName, "targetName");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(artifacts, "artifacts");
    targetRoot = ssh == null ? targetRoot.toAbsolutePath().normalize() : targetRoot.normalize();
    variables = variables == null ? Map.of() : Map.copyOf(variables);
    defaultTimeout = defaultTimeout == null ? Duration.ofMinutes(5) : defaultTimeout;
    if (defaultTimeout.isNegative() || defaultTimeout.isZero()) {
      throw new IllegalArgumentException("defaultTimeout must be positive, not " + defaultTimeout);
    }
    log = log == null ? line -> {} : log;
  }

  /**
   * The context of a step on {@code target}: its facts are variables too, below the ones given; in a
   * slot, {@code slot} and {@code port} are the slot's, above all others.
   */
  static StepContext on(Target target, Path root, SshEndpoint ssh, ComponentVersion version, Slot slot,
      Map<String, String> variables, Function<Artifact, InputStream> artifacts, Consumer<String> log) {
    Map<String, String> all = new HashMap<>(target.definition().facts());
    all.putAll(variables);
    if (slot != null) {
      all.put("slot", slot.name());
      all.put("port", String.valueOf(slot.port()));
    }
    return new StepContext(root, target.name(), version, all, artifacts, Duration.ofMinutes(5), log, ssh, slot);
  }

  /** The same context in {@code folder} (e.g. the component's folder above the slot's). */
  StepContext in(Path folder) {
    return new StepContext(folder, targetName, version, variables, artifacts, defaultTimeout, log, ssh, slot);
  }

  /**
   * The variables Gantry gives every command: {@code GANTRY_TARGET}, {@code GANTRY_VERSION},
   * {@code GANTRY_TARGET_DIR}, {@code GANTRY_COMPONENT}, and in a slot {@code GANTRY_SLOT} and
   * {@code GANTRY_PORT}.
   */
  Map<String, String> gantryEnvironment(String targetDir) {
    Map<String, String> env = new HashMap<>();
    env.put("GANTRY_TARGET", targetName);
    env.put("GANTRY_VERSION", versionName());
    env.put("GANTRY_TARGET_DIR", targetDir);
    env.put("GANTRY_COMPONENT", version.component().toString());
    if (slot != null) {
      env.put("GANTRY_SLOT", slot.name());
      env.put("GANTRY_PORT", String.valueOf(slot.port()));
    }
    return env;
  }

  /** The version's number as written, e.g. {@code 1.4.0}; also the name of its release folder. */
  public String versionName() {
    return version.version().value();
  }
}
