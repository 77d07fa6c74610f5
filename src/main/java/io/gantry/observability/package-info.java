/**
 * What Gantry tells monitoring tools about itself: traces of the engine's work on each deployment,
 * exported over OTLP when {@code gantry.tracing.otlp.endpoint} is set ({@link io.gantry.observability.DeploymentTraces}),
 * and the shape of the Prometheus endpoint (which meters it shows and how they are named).
 * See docs/integrations/observability.md.
 */
package io.gantry.observability;
