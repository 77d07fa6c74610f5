/**
 * The change schedule (practice guide 3.2.2) and the conflicts among deployments (4.1.1): the allowed
 * windows of each stage, freeze periods for the organisation, an environment or a service, a gate
 * that holds deployments back outside their windows and inside freezes, conflict detection when a
 * deployment is requested and when it starts (overlaps, freezes, requirements on other components),
 * the forward schedule of change (JSON and iCalendar) and the deployment backlog in lock order.
 */
package io.gantry.schedule;
