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

  ApplyOnStart(ConfigService config, @Value("${gantry.apply-on-start:}") String directory,
      @Value("${gantry.apply-on-start-author:admin}") String author) {
    this.config = config;
    this.directory = directory;
    this.author = author;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (directory == null || directory.isBlank()) {
      return;
    }
    List<ConfigFile> files = ConfigFiles.read(Path.of(directory));
    Plan plan = config.apply(files, "applied at start-up from " + directory, author);
    log.info("Configuration {} applied: {} created, {} changed, {} deleted, {} unchanged", directory,
        plan.summary().create(), plan.summary().update(), plan.summary().delete(), plan.summary().unchanged());
  }
}
