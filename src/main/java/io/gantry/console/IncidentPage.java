package io.gantry.console;

import io.gantry.metrics.Incident;

/**
 * One incident's page: what, when, which deployment caused it and which remediated it, and the actions
 * the user may take. Public for the compiled templates only.
 *
 * @param mayHandle whether the user holds a reporting role in the incident's service and environment
 * @param done what the last action did, or null
 * @param problem why the last action was refused, or null
 */
public record IncidentPage(Incident incident, boolean mayHandle, String done, String problem, String resolvedAt,
    String remediation) {}
