package io.gantry.cli;

import static io.gantry.cli.ApiClient.segment;
import static io.gantry.cli.Output.Column.of;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

@Command(name = "get", description = "List what is stored, or show one thing in full.",
    subcommands = {GetCommands.Services.class, GetCommands.Components.class, GetCommands.Versions.class,
        GetCommands.Environments.class, GetCommands.Targets.class, GetCommands.Models.class},
    footer = ExitCode.FOOTER)
final class GetCommands implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(((GantryCommand) spec.root().userObject()).cli.err);
    return ExitCode.USAGE;
  }

  /** A list, or one item when a name is given. */
  abstract static class Get extends ApiCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "show only this one, in full")
    String name;

    abstract String path();

    abstract List<Output.Column> columns();

    Map<String, String> filters() {
      return Map.of();
    }

    @Override
    void run() {
      if (name != null) {
        output().one(api().get(path() + "/" + segment(name)));
      } else {
        output().list(api().getAll(path(), filters()), columns());
      }
    }
  }

  @Command(name = "services", aliases = "service", description = "Services.")
  static final class Services extends Get {
    @Override
    String path() {
      return "/services";
    }

    @Override
    List<Output.Column> columns() {
      return List.of(of("NAME", "name"), of("OWNER", "owner"), of("LABELS", "labels"),
          of("DESCRIPTION", "description"));
    }
  }

  @Command(name = "components", aliases = "component",
      description = "Components; NAME is SERVICE/COMPONENT.")
  static final class Components extends Get {

    @Option(names = "--service", paramLabel = "SERVICE", description = "only this service's components")
    String service;

    @Override
    void run() {
      if (name != null) {
        output().one(api().get(ComponentRef.parse(name, false).componentPath()));
      } else {
        super.run();
      }
    }

    @Override
    String path() {
      return "/components";
    }

    @Override
    Map<String, String> filters() {
      return service == null ? Map.of() : Map.of("service", service);
    }

    @Override
    List<Output.Column> columns() {
      return List.of(of("SERVICE", "service"), of("NAME", "name"), of("TYPE", "type"), of("MODEL", "model"),
          new Output.Column("REQUIRES", c -> c.path("requires").valueStream()
              .map(r -> r.path("component").asString() + " " + r.path("version").asString())
              .collect(Collectors.collectingAndThen(Collectors.joining(", "), s -> s.isEmpty() ? "-" : s))),
          of("DESCRIPTION", "description"));
    }
  }

  @Command(name = "versions", aliases = "version",
      description = "Versions of one component: SERVICE/COMPONENT lists them, SERVICE/COMPONENT@VERSION shows one.")
  static final class Versions extends ApiCommand {

    @Parameters(index = "0", paramLabel = "SERVICE/COMPONENT[@VERSION]")
    String ref;

    @Option(names = "--status", paramLabel = "STATUS", description = "only versions with this status")
    String status;

    @Override
    void run() {
      ComponentRef component = ComponentRef.parse(ref, ref.contains("@"));
      if (component.version() != null) {
        output().one(api().get(component.versionPath()));
        return;
      }
      Map<String, String> filters = new LinkedHashMap<>();
      if (status != null) {
        filters.put("status", status);
      }
      output().list(api().getAll(component.componentPath() + "/versions", filters), List.of(
          of("VERSION", "version"), of("STATUS", "status"),
          new Output.Column("ARTIFACTS", v -> Integer.toString(v.path("artifacts").size())),
          new Output.Column("SIZE", v -> UploadProgress.size(totalSize(v))),
          of("CREATED BY", "createdBy"), of("CREATED AT", "createdAt")));
    }

    private static long totalSize(JsonNode version) {
      return version.path("artifacts").valueStream().mapToLong(a -> a.path("size").asLong(0)).sum();
    }
  }

  @Command(name = "environments", aliases = {"environment", "envs", "env"}, description = "Environments.")
  static final class Environments extends Get {
    @Override
    String path() {
      return "/environments";
    }

    @Override
    List<Output.Column> columns() {
      return List.of(of("NAME", "name"), of("PURPOSE", "purpose"), of("CONTROLLED", "controlled"),
          of("OWNER", "owner"), of("PROMOTES TO", "promotesTo"), of("DESCRIPTION", "description"));
    }
  }

  @Command(name = "targets", aliases = "target", description = "Targets.")
  static final class Targets extends Get {

    @Option(names = "--environment", paramLabel = "ENVIRONMENT", description = "only this environment's targets")
    String environment;

    @Override
    String path() {
      return "/targets";
    }

    @Override
    Map<String, String> filters() {
      return environment == null ? Map.of() : Map.of("environment", environment);
    }

    @Override
    List<Output.Column> columns() {
      return List.of(of("NAME", "name"), of("ENVIRONMENT", "environment"), of("KIND", "kind"),
          new Output.Column("WHERE", t -> "site".equals(t.path("kind").asString())
              ? Output.text(t.path("location")) : Output.text(t.path("path"))),
          of("TAGS", "tags"), of("FACTS", "facts"));
    }
  }

  @Command(name = "models", aliases = "model", description = "Deployment models.")
  static final class Models extends Get {
    @Override
    String path() {
      return "/models";
    }

    @Override
    List<Output.Column> columns() {
      return List.of(of("NAME", "name"), of("VERSION", "currentVersion"), of("RETIRED", "retired"),
          of("DESCRIPTION", "description"));
    }
  }
}
