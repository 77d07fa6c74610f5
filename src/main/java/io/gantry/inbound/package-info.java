/**
 * Inbound integrations: signed webhooks from GitHub and GitLab that register component versions (with
 * their commit, commit time and build link) and so start the models' {@code version-registered}
 * triggers, and CloudEvents-wrapped CDEvents that register versions or record their signatures. Which
 * repository registers versions of which component, verified with which secret, is declared as
 * configuration ({@code kind: InboundHook}, {@link io.gantry.inbound.InboundHookDefinition}).
 */
package io.gantry.inbound;
