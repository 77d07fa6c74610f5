/**
 * Measurement of the practice (practice guide Table 2.4 and section 3.2.3) and the DORA measures,
 * all computed in the database from Gantry's own records: incidents linked to the deployments that
 * caused and remediated them, requesters' ratings, the practice KPIs over a period, the DORA measures
 * with their 2024 performance levels, the value stream map (process and waiting time of every
 * activity), and Prometheus meters. Other modules contribute audit findings through
 * {@link io.gantry.metrics.AuditFindingSource}.
 */
package io.gantry.metrics;
