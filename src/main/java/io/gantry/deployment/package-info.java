/**
 * Deployments (practice guide 3.1.2, Tables 3.3 and 3.4): one movement of a component version into
 * one environment through planning, verification of components, verification of the target
 * environment, execution and deployment verification, with every transition, wait, step and log
 * line kept in an append-only record.
 */
package io.gantry.deployment;
