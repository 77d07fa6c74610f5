/**
 * The main job of the embedded default ({@code gantry up}): deploys the sample application through
 * the example environments with the example model, including a version that fails its verification
 * and is rolled back and one whose canary in staging fails its metric analysis against a Prometheus the run
 * starts, and says where to look.
 */
package io.gantry.walkthrough;
