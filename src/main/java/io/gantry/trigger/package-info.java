/**
 * Deployment triggers (continuous delivery): a model's {@code spec.triggers} request deployments
 * without a person asking, when a version is registered or approved, when a version succeeded in an
 * earlier stage, or on a cron schedule. Each firing goes through the same request as a person's and
 * is recorded once per cause, whichever server fires it.
 */
package io.gantry.trigger;
