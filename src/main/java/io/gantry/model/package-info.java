/**
 * Deployment models (practice guide 2.4.1, Table 2.3): which components a model applies to, its
 * stages along the environments with authorization, approvers, windows, strategy, steps, criteria,
 * failure policy and notifications, and its triggers. Every change is a new model version with its
 * author, reason, time and diff.
 */
package io.gantry.model;
