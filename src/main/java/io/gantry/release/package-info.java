/**
 * Releases (practice guide 3.2.2 and 4.1.1): a named set of component versions deployed as one into
 * an environment. The members are ordinary deployments, run one after the other in dependency order
 * (a component after those it requires), under one change, and the failure policy of the stage where
 * a member fails governs the whole set: stop the rest, or roll back the members already deployed,
 * dependents first.
 */
package io.gantry.release;
