package io.gantry.deployment;

/**
 * What is kept of one step run's output.
 *
 * @param tail the last bytes of the output (at most the configured tail, cut to whole UTF-8 characters), kept in
 *     the record
 * @param file where the full output is, relative to the data folder; null when it could not be written
 * @param size how many bytes the step printed in all
 * @param sha256 the SHA-256 of the full output, in hex; null when the file could not be written
 */
record StepOutput(String tail, String file, long size, String sha256) {}
