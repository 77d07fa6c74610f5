package io.gantry.deployment;

/**
 * A deployment that ended failed or rolled back, with the first step run that failed in it: what failure analysis
 * groups. {@code target}, {@code phase}, {@code step}, {@code output} and {@code outcome} are null when no step
 * failed (it failed before any step ran, e.g. in verification, or another tool did it); the deployment's own
 * outcome then tells why.
 *
 * @param output the last bytes of what the failing step printed
 * @param outcome the failing step's outcome as the engine recorded it (exit code, error)
 */
public record FailedDeployment(Deployment deployment, String target, String phase, String step, String output,
    String outcome) {}
