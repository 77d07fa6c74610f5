package io.gantry.config;

import io.gantry.environment.LocalTargets;
import io.gantry.environment.Targets;
import io.gantry.identity.IdentityBootstrap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Moves the folders of declared local targets out of the data directory when the server starts
 * ({@link LocalTargets#moveOutOfDataDirectory}), one line of log per move; runs after the configuration
 * given to apply on start, so the paths it declares are the ones moved to. When a folder is both where
 * an earlier Gantry put it and where it is now, the server does not start.
 */
@Component
@Order(IdentityBootstrap.ORDER + 20)
class LocalTargetMove implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(LocalTargetMove.class);

  private final Targets targets;
  private final LocalTargets places;

  LocalTargetMove(Targets targets, LocalTargets places) {
    this.targets = targets;
    this.places = places;
  }

  @Override
  public void run(ApplicationArguments args) {
    places.moveOutOfDataDirectory(targets.all()).forEach(log::info);
  }
}
