/**
 * Capability self-assessments (practice guide Table 7.1, section 7.2): an assessment of a period gathers, for each
 * of the 14 criteria, the evidence of the one {@link io.gantry.capability.EvidenceSource} that judges it, keeps it as
 * judged at the time, lets an assessor add evidence and a judgement of their own, derives the capability level by
 * the 7.2 rule, compares assessments over time, and renders an assessment as a self-contained HTML or PDF report
 * with the sections other modules add through {@link io.gantry.capability.ReportSection}.
 */
package io.gantry.assessment;
