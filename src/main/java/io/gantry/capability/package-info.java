/**
 * The capability criteria of the practice (practice guide Table 7.1) and how modules contribute to a capability
 * self-assessment (section 7.2): each criterion is judged by at most one {@link io.gantry.capability.EvidenceSource}
 * from the records its module holds, and modules add sections to the assessment's report through
 * {@link io.gantry.capability.ReportSection}. The assessments themselves, their level and their report live in the
 * assessment module.
 */
@org.springframework.modulith.ApplicationModule(type = org.springframework.modulith.ApplicationModule.Type.OPEN)
package io.gantry.capability;
