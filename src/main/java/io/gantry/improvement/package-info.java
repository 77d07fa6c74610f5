/**
 * Deployment model development and improvement (practice guide section 3.1.1, Tables 3.1 and 3.2): reviews of
 * deployments with their follow-up actions, the analysis of failed and rolled-back deployments by their causes, and
 * the register of improvement initiatives whose effect on the KPIs is measured before and after the model version
 * that implemented them came into force. It judges the capability criteria on reviewing and improving the approach
 * and the models, and adds the failure analysis and the initiatives to an assessment's report.
 */
package io.gantry.improvement;
