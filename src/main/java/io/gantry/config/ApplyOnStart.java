package io.gantry.config;

import io.gantry.identity.IdentityBootstrap;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Applies a configuration directory when the server starts ({@code gantry.apply-on-start}), as the
 * first deployment manager; the embedded default uses it to load the example configuration.
 */
@Component
@Order(IdentityBootstrap.ORDER + 10)
class ApplyOnStart implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(ApplyOnStart.class);

  private final ConfigService config;
  private final String directory;
  private final String author;
  private final org.springframework.core.env.Environment environment;
  private final io.gantry.environment.LocalTargets localTargets;

  ApplyOnStart(ConfigService config, @Value("${gantry.apply-on-start:}") String directory,
      @Value("${gantry.apply-on-start-author:admin}") String author,
      org.springframework.core.env.Environment environment, io.gantry.environment.LocalTargets localTargets) {
    this.localTargets = localTargets;
    this.config = config;
    this.directory = directory;
    this.author = author;
    this.environment = environment;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (directory == null || directory.isBlank()) {
      return;
    }
    List<ConfigFile> files = ConfigFiles.read(Path.of(directory));
    Plan plan = config.apply(files, "applied at start-up from " + directory, author);
    String summary = "%d created, %d changed, %d deleted, %d unchanged".formatted(plan.summary().create(),
        plan.summary().update(), plan.summary().delete(), plan.summary().unchanged());
    log.info("Configuration {} applied: {}", directory, summary);
    String base = "http://" + environment.getProperty("server.address", "127.0.0.1") + ":"
        + environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
    Path data = localTargets.dataDir();
    log.info("""

        Gantry is up, with the configuration in {} applied ({}).
          API           {}/api/v1   (OpenAPI {}/openapi, Swagger UI {}/docs)
          Health        {}/api/v1/health
          Data          {}   (database, definitive media library)
          Local targets {}   (folders of local targets with a relative path)
          API token     {}   (the gantry CLI reads it when run here)
          Look around   ./gantry get environments | get targets | get components | get models
                        ./gantry model history in-house-software
                        ./gantry push shop/web@1.0.0 FILE...
        Stop it with Ctrl-C.""", directory, summary, base, base, base, base, data, localTargets.root(),
        data.resolve("admin.token"));
  }
}
