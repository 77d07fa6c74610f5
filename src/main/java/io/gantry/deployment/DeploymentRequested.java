package io.gantry.deployment;

/**
 * A deployment was requested (it is queued). Published synchronously inside the transaction that wrote it,
 * so listeners act in that transaction: what they write exists only if the deployment does.
 */
public record DeploymentRequested(Deployment deployment) {}
