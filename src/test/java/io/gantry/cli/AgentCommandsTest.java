package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gantry agent}'s refusals, made before it reaches any server. */
class AgentCommandsTest {

  @TempDir Path dir;

  @Test
  void an_agent_refuses_a_plain_http_server_unless_told_it_is_a_test_or_loopback() {
    CliRunner.Result r = new CliRunner(dir).run("agent", "--server", "http://10.0.0.1:8080", "--token", "gtr_x",
        "--name", "host-1");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("plain http://").contains("--insecure-http");
  }

  @Test
  void an_agent_needs_the_server_and_a_valid_name() {
    CliRunner.Result none = new CliRunner(dir).run("agent", "--token", "gtr_x", "--name", "host-1");
    assertThat(none.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(none.err()).contains("needs --server URL");
    CliRunner.Result badName = new CliRunner(dir).run("agent", "--server", "https://gantry.example", "--name",
        "Host One");
    assertThat(badName.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(badName.err()).contains("--name").contains("Host One");
  }

  @Test
  void an_unregistered_agent_without_a_registration_token_is_told_to_get_one() {
    CliRunner.Result r = new CliRunner(dir).run("agent", "--server", "https://gantry.example", "--name", "host-1",
        "--work-dir", "w");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("not registered yet").contains("--token");
  }

  @Test
  void a_ca_file_that_holds_no_certificate_is_refused() throws Exception {
    CliRunner cli = new CliRunner(dir);
    java.nio.file.Files.writeString(dir.resolve("work/ca.pem"), "not a certificate");
    CliRunner.Result r = cli.run("agent", "--server", "https://gantry.example", "--name", "host-1",
        "--ca", "ca.pem");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("--ca");
  }
}
