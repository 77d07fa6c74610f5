package io.gantry.improvement;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A failure's error signature: the telling line of its output, with what varies between runs replaced. */
class SignaturesTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
      npm connection refused | `npm ERR! code ECONNREFUSED\\nnpm ERR! errno -111\\nnpm ERR! request to http://10.0.3.17:8080/health failed, reason: connect ECONNREFUSED 10.0.3.17:8080\\n` | exit code 1 | `npm ERR! request to http://<n>:<n>/health failed, reason: connect ECONNREFUSED <n>:<n>`
      kubectl pod name | `Error from server (NotFound): deployments.apps "web-7f9c8d6b5" not found` | exit code 1 | `Error from server (NotFound): deployments.apps "web-<hex>" not found`
      java log timestamp | `2026-03-02 10:15:42.123  INFO starting\\n2026-03-02 10:15:43.456 ERROR [main] Failed to start: Address already in use (port 8443)` | exit code 1 | `<time> ERROR [main] Failed to start: Address already in use (port <n>)`
      temp path | `cp: cannot stat '/tmp/gantry-step-8812/artifact.tar.gz': No such file or directory` | exit code 1 | `cp: cannot stat '<tmp>': No such file or directory`
      uuid | `Request 3f2b8c1e-9d4a-4b7e-8f3a-2c1d0e9b7a6f failed with status 503` | | `Request <uuid> failed with status <n>`
      hex address | `fatal error: segmentation violation at 0x7ffd5e8c` | signal 11 | `fatal error: segmentation violation at <hex>`
      git commit | `error: pathspec 'a1b2c3d4e5f6' did not match any file(s) known to git` | exit code 1 | `error: pathspec '<hex>' did not match any file(s) known to git`
      iso instant and date | `deploy window closed at 2026-03-02T18:00:00Z, reopens 2026-03-03: refused` | | `deploy window closed at <time>, reopens <date>: refused`
      no telling line uses the outcome | `applying migrations\\nmigrated 12 of 40` | exit code 2 | `exit code <n>`
      no outcome uses the last line | `applying migrations\\nmigrated 12 of 40\\n\\n` | | `migrated <n> of <n>`
      spaces folded | `   ERROR:   disk   full   ` | | `ERROR: disk full`
      nothing said | | | `(no output)`
      """)
  void the_signature_of_a_real_output_keeps_its_telling_line_with_placeholders(String name, String output,
      String outcome, String signature) {
    assertThat(Signatures.of(output == null ? null : output.replace("\\n", "\n"), outcome)).isEqualTo(signature);
  }

  @Test
  void two_runs_of_one_cause_have_one_signature_and_a_long_line_is_cut() {
    assertThat(Signatures.of("health check of 10.0.0.4 timed out after 30s (attempt 3)", null))
        .isEqualTo(Signatures.of("health check of 10.0.0.9 timed out after 45s (attempt 5)", null))
        .isEqualTo("health check of <n> timed out after <n>s (attempt <n>)");
    assertThat(Signatures.of("error: " + "x".repeat(500), null)).hasSize(Signatures.MAX).endsWith("…");
  }
}
