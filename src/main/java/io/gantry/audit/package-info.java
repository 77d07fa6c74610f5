/**
 * Tamper evidence for the records: every history row (a deployment's events and decisions, a
 * change's history, approvals and review, release runs' history, model versions, configuration
 * applies, freezes, schedule conflicts, trigger firings) is sealed into one hash chain, and a
 * verification walks the chain and names the first entry that was edited, deleted or inserted out of
 * order. The module reads the other modules' tables by name and writes only its own: nothing else in
 * the application calls it, and a new history table joins the chain by one line in
 * {@link io.gantry.audit.HistoryTable#ALL}.
 */
package io.gantry.audit;
