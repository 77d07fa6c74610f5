/**
 * Change enablement (practice guide 3.2.2): changes with their type, risk, plans, scope and planned
 * time; approval rules (N of M approvers holding a role, separation of duties, expiry); changes that
 * stand for a change in an external ITSM tool; and the change gate that holds a deployment back until
 * an authorized change covers it, then closes the change when its deployments end.
 */
package io.gantry.change;
