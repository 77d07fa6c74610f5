package io.gantry.audit;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * {@code gantry.audit.seal-every}: how often new history rows are sealed (default {@code 5s}).
 * {@code gantry.audit.batch}: at most this many rows are sealed in one transaction (default 500).
 * {@code gantry.audit.late-commit-grace}: how long an id skipped over while sealing may still show up
 * as a row committed late (default {@code 10m}); a row that appears there later is reported as inserted
 * out of order. {@code gantry.audit.head-file}: a file the chain's head is written to after each seal
 * that appended to it, and checked against by every verification (default: none).
 */
@Component
class AuditSettings {

  final Duration sealEvery;
  final int batch;
  final Duration lateCommitGrace;
  /** Null when the head is not exported. */
  final Path headFile;

  AuditSettings(@Value("${gantry.audit.seal-every:5s}") Duration sealEvery,
      @Value("${gantry.audit.batch:500}") int batch,
      @Value("${gantry.audit.late-commit-grace:10m}") Duration lateCommitGrace,
      @Value("${gantry.audit.head-file:}") String headFile) {
    if (sealEvery.isNegative() || sealEvery.isZero()) {
      throw new IllegalArgumentException("gantry.audit.seal-every=" + sealEvery + ": must be longer than 0");
    }
    if (batch < 1 || batch > 10_000) {
      throw new IllegalArgumentException("gantry.audit.batch=" + batch + ": must be between 1 and 10000");
    }
    if (lateCommitGrace.isNegative() || lateCommitGrace.isZero()) {
      throw new IllegalArgumentException("gantry.audit.late-commit-grace=" + lateCommitGrace
          + ": must be longer than 0");
    }
    this.sealEvery = sealEvery;
    this.batch = batch;
    this.lateCommitGrace = lateCommitGrace;
    this.headFile = headFile == null || headFile.isBlank() ? null : Path.of(headFile.strip());
  }
}
