package io.gantry.walkthrough;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.catalog.VersionStatus;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentRequests;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Deployments;
import io.gantry.identity.IdentityBootstrap;
import io.gantry.shared.PageRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Runs once the server is ready when {@code gantry.sample-deployments} names the sample app folder:
 * pushes it as shop/web 1.0.0 and a broken 1.1.0, then deploys 1.0.0 to dev, 1.1.0 to dev (its
 * health check fails and it is rolled back), 1.0.0 to test, approves it, deploys it to staging, and
 * requests production, which waits for an authorized change. It does nothing if deployments exist.
 */
@Component
class SampleDeployments {

  private static final Logger log = LoggerFactory.getLogger(SampleDeployments.class);
  private static final ComponentRef WEB = new ComponentRef("shop", "web");

  private final Library library;
  private final DeploymentRequests requests;
  private final Deployments deployments;
  private final Environment environment;
  private final String sampleApp;

  SampleDeployments(Library library, DeploymentRequests requests, Deployments deployments, Environment environment,
      @Value("${gantry.sample-deployments:}") String sampleApp) {
    this.library = library;
    this.requests = requests;
    this.deployments = deployments;
    this.environment = environment;
    this.sampleApp = sampleApp;
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    if (sampleApp == null || sampleApp.isBlank()) {
      return;
    }
    if (deployments.page(new Deployments.Filter(null, null, null, null), new PageRequest(0, 1)).total() > 0) {
      log.info("The sample deployments ran before (this data directory has deployments): ./gantry history");
      return;
    }
    Thread.ofVirtual().name("gantry-sample-deployments").start(this::run);
  }

  private void run() {
    try {
      String actor = IdentityBootstrap.ADMIN;
      Path app = Path.of(sampleApp);
      push("1.0.0", app, false, actor);
      push("1.1.0", app, true, actor);
      List<String> lines = new ArrayList<>();
      lines.add(follow(deploy("1.0.0", "dev", "first release of the shop", actor)));
      lines.add(follow(deploy("1.1.0", "dev", "1.1.0 answers its health check with 500: watch it roll back", actor)));
      lines.add(follow(deploy("1.0.0", "test", "promote 1.0.0 to test", actor)));
      ComponentVersion v = library.get(WEB, "1.0.0");
      library.changeStatus(WEB, "1.0.0", VersionStatus.APPROVED, "passed test", v.rowVersion(), actor);
      lines.add("shop/web@1.0.0 approved (controlled environments accept only approved versions)");
      lines.add(follow(deploy("1.0.0", "staging", "promote 1.0.0 to staging", actor)));
      Deployment production = deploy("1.0.0", "production", "release 1.0.0 to customers", actor);
      lines.add("#" + production.id() + " production: waits for an authorized change, as the model requires "
          + "(./gantry logs " + production.id() + ")");
      String port = environment.getProperty("local.server.port", "8080");
      log.info("""

          Sample deployments done (shop/web, the sample app in {}):
            {}
          Where to look:
            ./gantry history                          every deployment, newest first
            ./gantry status 2                         the rolled-back deployment, target by target
            ./gantry logs 2                           its record: transitions, steps, the failed check, the rollback
            curl http://127.0.0.1:18081/health        dev runs 1.0.0 again
            curl http://127.0.0.1:18083/health        staging (also :18084)
            http://127.0.0.1:{}/docs            the API (Swagger UI)
          The sample app keeps running on those ports; stop it with:
            for f in data/targets/*/app.pid; do kill $(cat $f); done""",
          app, String.join("\n  ", lines), port);
    } catch (RuntimeException e) {
      log.error("The sample deployments stopped: {}", e.getMessage(), e);
    }
  }

  private void push(String version, Path app, boolean broken, String actor) {
    List<Library.Upload> uploads = new ArrayList<>();
    try (Stream<Path> files = Files.walk(app)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        String path = app.relativize(file).toString().replace('\\', '/');
        byte[] bytes = Files.readAllBytes(file);
        if (broken && path.equals("config/app.properties.tmpl")) {
          bytes = (new String(bytes, StandardCharsets.UTF_8) + "fail=true\n").getBytes(StandardCharsets.UTF_8);
        }
        byte[] content = bytes;
        uploads.add(new Library.Upload(path, () -> new ByteArrayInputStream(content)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the sample app in " + app, e);
    }
    library.push(new Library.Push(WEB, version, Map.of(), uploads, List.of()), actor);
  }

  private Deployment deploy(String version, String env, String reason, String actor) {
    return requests.request(new DeploymentRequests.Request(WEB.toString(), version, env, null, reason), actor);
  }

  /** Waits for a deployment to end (the engine runs it) and describes the end. */
  private String follow(Deployment d) {
    Deployment now = d;
    for (int i = 0; i < 600 && !now.state().isFinal(); i++) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      now = deployments.get(d.id());
    }
    String line = "#" + now.id() + " " + now.environment() + ": " + WEB + "@" + now.version() + " "
        + now.state().name().toLowerCase().replace('_', ' ')
        + (now.state() == DeploymentState.SUCCEEDED ? "" : " (" + now.outcome() + ")");
    log.info("Sample deployment {}", line);
    return line;
  }
}
