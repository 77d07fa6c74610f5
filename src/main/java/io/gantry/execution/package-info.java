/**
 * Running one step of a deployment on one local target (a folder on the Gantry host): install a
 * version's artifacts and switch {@code current}, render templates, run commands, check URLs, wait,
 * or hand the step to a person. Each step ends in a {@link io.gantry.execution.StepOutcome}; the
 * engine decides what happens next.
 */
package io.gantry.execution;
