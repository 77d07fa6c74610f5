/**
 * Running one step of a deployment on one target: install a version's artifacts and switch
 * {@code current}, render templates, run commands, check URLs, wait, or hand the step to a person.
 * A target is a folder on the Gantry host, a folder on another host over SSH, or a site where people
 * do the work; {@link io.gantry.execution.TargetAccess} is where those kinds differ. Each step ends in
 * a {@link io.gantry.execution.StepOutcome}; the engine decides what happens next.
 */
package io.gantry.execution;
