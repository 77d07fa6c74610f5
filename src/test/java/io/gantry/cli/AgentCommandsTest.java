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
    CliRunner.Result r = new CliRunner(dir).run("agent", "--server", "http://10.0.0.1:8080", "--name",
        "host-1");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("plain http://").contains("--insecure-http");
  }

  @Test
  void an_agent_needs_the_server_and_a_valid_name() {
    CliRunner.Result none = new CliRunner(dir).run("agent", "--name", "host-1");
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
    assertThat(r.err()).contains("not registered yet").contains("--token-file").contains("GANTRY_REGISTRATION_TOKEN");
  }

  static final String TOKEN = "gtr_" + "A1b2C3d4E5".repeat(4);

  @Test
  void an_agent_refuses_a_registration_token_on_its_command_line_where_every_user_of_the_host_reads_it() {
    CliRunner.Result r = new CliRunner(dir).run("agent", "--server", "https://gantry.example", "--token", TOKEN,
        "--name", "host-1");
    assertThat(r.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(r.err()).contains("takes no --token").contains("--token-file").doesNotContain(TOKEN);
  }

  @Test
  void a_token_file_others_may_read_is_refused_and_an_empty_or_malformed_token_is_named_without_echoing_it()
      throws Exception {
    CliRunner cli = new CliRunner(dir);
    java.nio.file.Path file = dir.resolve("work/token");
    java.nio.file.Files.writeString(file, TOKEN + "\n");
    java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString(
        "rw-r--r--"));
    CliRunner.Result open = cli.run("agent", "--server", "https://gantry.example", "--token-file", "token",
        "--name", "host-1", "--work-dir", "w");
    assertThat(open.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(open.err()).contains("may be read by others").contains("rw-r--r--").contains("chmod 600");

    java.nio.file.Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString(
        "rw-------"));
    java.nio.file.Files.writeString(file, "gtr_short-and-wrong");
    CliRunner.Result malformed = cli.run("agent", "--server", "https://gantry.example", "--token-file", "token",
        "--name", "host-1", "--work-dir", "w");
    assertThat(malformed.exitCode()).isEqualTo(ExitCode.USAGE);
    assertThat(malformed.err()).contains("not one Gantry makes").doesNotContain("short-and-wrong");

    java.nio.file.Files.writeString(file, "  \n");
    CliRunner.Result empty = cli.run("agent", "--server", "https://gantry.example", "--token-file", "token",
        "--name", "host-1", "--work-dir", "w");
    assertThat(empty.exitCode()).isEqualTo(ExitCode.INVALID_INPUT);
    assertThat(empty.err()).contains("is empty");
  }

  @Test
  void the_registration_token_is_taken_from_the_environment_and_an_unreachable_server_exits_with_code_7() {
    CliRunner cli = new CliRunner(dir);
    cli.env.put("GANTRY_REGISTRATION_TOKEN", "gtr_malformed");
    CliRunner.Result malformed = cli.run("agent", "--server", "https://127.0.0.1:9", "--name", "host-1",
        "--work-dir", "w");
    assertThat(malformed.err()).as("the token from the environment is read").contains("not one Gantry makes");
    cli.env.put("GANTRY_REGISTRATION_TOKEN", TOKEN);
    CliRunner.Result r = cli.run("agent", "--server", "https://127.0.0.1:9", "--name", "host-1", "--work-dir", "w");
    assertThat(r.exitCode()).isEqualTo(ExitCode.UNREACHABLE);
    assertThat(r.err()).contains("not reached").doesNotContain(TOKEN);
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
