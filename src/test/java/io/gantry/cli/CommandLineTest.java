package io.gantry.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command line accepts and refuses before it talks to any server. */
class CommandLineTest {

  @TempDir Path dir;
  CliRunner gantry;

  @BeforeEach
  void setUp() {
    // nothing listens on port 9: a command that got as far as the network would exit with 7
    gantry = new CliRunner(dir).server("http://127.0.0.1:9");
  }

  @Test
  void helpListsEveryCommandAndTheExitCodes() {
    CliRunner.Result result = gantry.run("--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("server", "up", "plan", "apply", "push", "get", "model", "version", "token")
        .contains("Exit codes:").contains("7  server unreachable");
  }

  @Test
  void aCommandLineBuildsOnlyTheCommandItNamesAndTheRootsHelpOrAnUnknownWordBuildsThemAll() {
    assertThat(GantryCommand.needed("status", "5")).containsExactly(DeployCommands.Status.class);
    assertThat(GantryCommand.needed("--server", "status", "--token", "deploy", "-o", "get", "undeploy"))
        .containsExactly(InventoryCommands.Undeploy.class);
    assertThat(GantryCommand.needed("--server=http://x", "-ojson", "get", "envs")).containsExactly(GetCommands.class);
    assertThat(GantryCommand.needed("models")).containsExactly(ModelCommands.class);
    assertThat(GantryCommand.needed("--version")).isEmpty();
    assertThat(GantryCommand.needed("--help", "status")).isEqualTo(GantryCommand.COMMANDS);
    assertThat(GantryCommand.needed("-hV")).isEqualTo(GantryCommand.COMMANDS);
    assertThat(GantryCommand.needed("--version", "status")).isEqualTo(GantryCommand.COMMANDS);
    assertThat(GantryCommand.needed("stauts")).isEqualTo(GantryCommand.COMMANDS);
    assertThat(GantryCommand.needed("--", "status")).isEqualTo(GantryCommand.COMMANDS);
    assertThat(GantryCommand.needed()).isEqualTo(GantryCommand.COMMANDS);
  }

  @Test
  void everyCommandIsFoundByItsNameAndItsAliasesAndRunsAsInTheWholeTree() {
    picocli.CommandLine whole = new Cli(java.util.Map.of(), dir, dir, new java.io.PrintWriter(java.io.Writer.nullWriter()),
        new java.io.PrintWriter(java.io.Writer.nullWriter()), args -> { }).commandLine();
    assertThat(whole.getSubcommands()).hasSizeGreaterThan(40);
    whole.getSubcommands().forEach((name, command) -> assertThat(GantryCommand.needed(name))
        .as(name).containsExactly(command.getCommandSpec().userObject().getClass()));
    assertThat(gantry.run("--help", "status").out()).contains("Usage: gantry [", "push", "undeploy", "agents");
    assertThat(gantry.run("--version").out()).startsWith("gantry ");
  }

  @Test
  void helpOnACommandWithRequiredArgumentsPrintsItsUsageInsteadOfComplaining() {
    CliRunner.Result result = gantry.run("approve", "--help");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out()).contains("Usage: gantry approve").contains("--reject");
    assertThat(result.err()).doesNotContain("Missing required");
  }

  @Test
  void noCommandPrintsUsageAndIsAUsageError() {
    CliRunner.Result result = gantry.run();

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Usage: gantry");
  }

  @Test
  void anUnknownCommandIsAUsageErrorOnOneLineWithASuggestion() {
    CliRunner.Result result = gantry.run("plna");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo("error: unknown command 'plna' for 'gantry' (did you mean 'plan'?); "
        + "run 'gantry --help' for the list of commands\n");
    assertThat(gantry.run("stauts", "5").err()).startsWith("error: unknown command 'stauts' for 'gantry' "
        + "(did you mean 'status'?)");
  }

  @Test
  void anUnknownCommandIsAnErrorEvenWithHelp() {
    CliRunner.Result result = gantry.run("nosuch", "--help");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).isEqualTo(
        "error: unknown command 'nosuch' for 'gantry'; run 'gantry --help' for the list of commands\n");
  }

  @Test
  void anUnknownSubcommandIsAnErrorNamingItsParentEvenWithHelp() {
    CliRunner.Result result = gantry.run("get", "nosuch", "--help");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).startsWith("error: unknown command 'nosuch' for 'gantry get'")
        .endsWith("run 'gantry get --help' for the list of commands\n");
  }

  @Test
  void planWithoutAFileIsAUsageError() {
    CliRunner.Result result = gantry.run("plan");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--file");
  }

  @Test
  void anUnknownOutputFormatIsAUsageError() {
    assertThat(gantry.run("-o", "xml", "get", "services").exitCode()).isEqualTo(2);
  }

  @Test
  void pushRefusesAReferenceWithoutAVersion() {
    CliRunner.Result result = gantry.run("push", "shop/web", "app.jar");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("\"shop/web\" has no version").contains("SERVICE/COMPONENT@VERSION");
  }

  @Test
  void pushRefusesAMalformedReference() {
    CliRunner.Result result = gantry.run("push", "Shop/web@1.0");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("\"Shop/web@1.0\" is not SERVICE/COMPONENT@VERSION");
  }

  @Test
  void pushRefusesAMalformedVersion() {
    CliRunner.Result result = gantry.run("push", "shop/web@latest");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("\"latest\" is not a version");
  }

  @Test
  void pushRefusesADigestWithoutAUrl() {
    CliRunner.Result result = gantry.run("push", "shop/web@1.0.0", "--digest", "sha256:" + "a".repeat(64));

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--digest").contains("needs --url");
  }

  @Test
  void pushRefusesAUrlWithoutADigest() {
    CliRunner.Result result = gantry.run("push", "shop/web@1.0.0", "--url", "https://example.com/a.iso");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--url needs --digest");
  }

  @Test
  void pushRefusesADigestThatIsNotSha256() {
    CliRunner.Result result = gantry.run("push", "shop/web@1.0.0", "--url", "https://example.com/a.iso",
        "--digest", "md5:abc");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("64 hexadecimal digits");
  }

  @Test
  void pushRefusesAMissingFileBeforeContactingTheServer() {
    CliRunner.Result result = gantry.run("push", "shop/web@1.0.0", "build/app.jar");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err()).isEqualTo("error: build/app.jar: no such file or directory\n");
  }

  @Test
  void pushRefusesTwoFilesThatWouldHaveTheSamePath() throws IOException {
    Files.createDirectories(gantry.cwd.resolve("a"));
    Files.createDirectories(gantry.cwd.resolve("b"));
    Files.writeString(gantry.cwd.resolve("a/app.jar"), "1");
    Files.writeString(gantry.cwd.resolve("b/app.jar"), "2");

    CliRunner.Result result = gantry.run("push", "shop/web@1.0.0", "a/app.jar", "b/app.jar");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err()).contains("two files would be stored as \"app.jar\"");
  }

  @Test
  void approveNeedsAReason() {
    CliRunner.Result result = gantry.run("version", "approve", "shop/web@1.0.0");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--reason");
  }

  @Test
  void componentReferencesAreParsedIntoServiceComponentAndVersion() {
    ComponentRef ref = ComponentRef.parse("shop/web@2.0.0-rc.1+b45", true);

    assertThat(ref).isEqualTo(new ComponentRef("shop", "web", "2.0.0-rc.1+b45"));
    assertThat(ref.versionPath()).isEqualTo("/services/shop/components/web/versions/2.0.0-rc.1%2Bb45");
    assertThat(ComponentRef.parse("shop/db-schema", false).version()).isNull();
    assertThatThrownBy(() -> ComponentRef.parse("shop/web@1.0", false))
        .isInstanceOf(CliException.class).hasMessageContaining("names a version");
  }

  @Test
  void serverPassesPortDataDirectoryAndConfigurationToSpring() throws IOException {
    Files.createDirectories(gantry.cwd.resolve("my-config"));

    CliRunner.Result result = gantry.run("server", "--port", "9090", "--data-dir", "/var/lib/gantry",
        "--apply", "my-config", "--", "--logging.level.root=warn");

    assertThat(result.exitCode()).isZero();
    assertThat(gantry.serverStarts).singleElement().satisfies(args -> assertThat(args).containsExactly(
        "--server.port=9090", "--gantry.data-dir=/var/lib/gantry", "--gantry.apply-on-start=my-config",
        "--logging.level.root=warn"));
  }

  @Test
  void serverWithoutOptionsStartsWithSpringDefaults() {
    assertThat(gantry.run("server").exitCode()).isZero();
    assertThat(gantry.serverStarts).singleElement().satisfies(args -> assertThat(args).isEmpty());
  }

  @Test
  void serverRefusesToApplyADirectoryThatDoesNotExist() {
    CliRunner.Result result = gantry.run("server", "--apply", "missing");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(gantry.serverStarts).isEmpty();
  }

  @Test
  void upStartsTheServerWithTheExampleConfiguration() throws IOException {
    Files.createDirectories(gantry.cwd.resolve("examples/config"));
    gantry.env.put("PATH", Files.createDirectories(gantry.cwd.resolve("bin")).toString());

    CliRunner.Result result = gantry.run("up", "--port", "8081");

    assertThat(result.exitCode()).isZero();
    assertThat(gantry.serverStarts).singleElement().satisfies(args -> assertThat(args)
        .containsExactly("--gantry.events.file=${gantry.data-dir}/events.jsonl", "--server.port=8081",
            "--gantry.apply-on-start=examples/config"));
    assertThat(result.err()).contains("no prometheus program on this machine", "without its metric analysis");
  }

  @Test
  void upStartsAPrometheusOfItsOwnForTheCanaryWhenThePathHasOne() throws IOException {
    Files.createDirectories(gantry.cwd.resolve("examples/config"));
    Path bin = Files.createDirectories(gantry.cwd.resolve("bin"));
    Path prometheus = Files.writeString(bin.resolve("prometheus"), "#!/bin/sh\n");
    prometheus.toFile().setExecutable(true);
    gantry.env.put("PATH", gantry.cwd.resolve("empty") + java.io.File.pathSeparator + bin);

    CliRunner.Result result = gantry.run("up", "--port", "8081");

    assertThat(result.exitCode()).isZero();
    assertThat(gantry.serverStarts).singleElement().satisfies(args -> {
      String url = args[0];
      assertThat(url).matches("--gantry\\.analysis\\.prometheus\\.url=http://127\\.0\\.0\\.1:\\d+");
      String listen = url.substring(url.indexOf("//") + 2);
      assertThat(args).containsExactly(url, "--gantry.sample-prometheus.listen=" + listen,
          "--gantry.sample-prometheus.binary=" + prometheus, "--gantry.events.file=${gantry.data-dir}/events.jsonl",
          "--server.port=8081", "--gantry.apply-on-start=examples/config");
    });
  }

  @Test
  void upLeavesAPrometheusTheUserNamesAlone() throws IOException {
    Files.createDirectories(gantry.cwd.resolve("examples/config"));

    CliRunner.Result result = gantry.run("up", "--", "--gantry.analysis.prometheus.url=http://prom:9090");

    assertThat(result.exitCode()).isZero();
    assertThat(gantry.serverStarts).singleElement().satisfies(args -> assertThat(args)
        .containsExactly("--gantry.events.file=${gantry.data-dir}/events.jsonl",
            "--gantry.apply-on-start=examples/config", "--gantry.analysis.prometheus.url=http://prom:9090"));
  }

  @Test
  void upOutsideTheRepositoryExplainsWhatIsMissing() {
    CliRunner.Result result = gantry.run("up");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err()).contains("there is no examples/config directory in " + gantry.cwd)
        .contains("gantry server --apply DIR");
    assertThat(gantry.serverStarts).isEmpty();
  }

  @Test
  void configFilesAreNamedByTheGivenPathPlusTheirPathInsideIt() throws IOException {
    Path config = Files.createDirectories(gantry.cwd.resolve("config/envs"));
    Files.writeString(config.resolve("b.yaml"), "b");
    Files.writeString(config.getParent().resolve("a.yml"), "a");

    assertThat(ConfigFiles.read(gantry.cwd, "./config/").stream().map(ConfigFiles.ConfigFile::name))
        .containsExactly("config/a.yml", "config/envs/b.yaml");
    assertThat(ConfigFiles.read(gantry.cwd.resolve("config"), ".").stream().map(ConfigFiles.ConfigFile::name))
        .containsExactly("a.yml", "envs/b.yaml");
    assertThat(ConfigFiles.read(gantry.cwd, "config/envs/b.yaml")).singleElement()
        .isEqualTo(new ConfigFiles.ConfigFile("config/envs/b.yaml", "b"));
  }

  @Test
  void aDirectoryWithoutYamlFilesIsInvalidInput() throws IOException {
    Files.createDirectories(gantry.cwd.resolve("empty"));

    CliRunner.Result result = gantry.run("plan", "-f", "empty");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.err()).contains("no *.yaml or *.yml files under empty");
  }

  @Test
  void aTokenThatCannotGoIntoARequestIsAUsageErrorSayingWhereItCameFrom() {
    CliRunner.Result token = gantry.run("status", "5", "--token", "gty_abc\u0007def");

    assertThat(token.exitCode()).isEqualTo(2);
    assertThat(token.err()).contains("the token from --token holds characters no token has");
  }
}
