package io.gantry.walkthrough;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.Library;
import io.gantry.catalog.VersionStatus;
import io.gantry.change.Change;
import io.gantry.change.Changes;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentEvent;
import io.gantry.deployment.DeploymentRequests;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.Deployments;
import io.gantry.identity.Actor;
import io.gantry.identity.IdentityBootstrap;
import io.gantry.metrics.MetricsSummary;
import io.gantry.metrics.Period;
import io.gantry.identity.Role;
import io.gantry.identity.Users;
import io.gantry.model.DeploymentModel;
import io.gantry.model.DeploymentModelSpec;
import io.gantry.model.ModelDefinition;
import io.gantry.model.Models;
import io.gantry.model.Stage;
import io.gantry.model.TimeSpan;
import io.gantry.environment.Targets;
import io.gantry.shared.PageRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Locale;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Runs once the server is ready when {@code gantry.sample-deployments} names the sample app folder:
 * pushes it as shop/web 1.0.0, which the model's triggers take to dev and, once it succeeds there, to
 * test; then a broken 1.1.0, which goes to dev by trigger, fails its health check and is rolled back;
 * approves 1.0.0, which a trigger takes to staging. With the run's Prometheus ({@link SamplePrometheus}),
 * staging is a canary judged by the sample app's error ratio under synthetic traffic: 1.0.0 passes, and
 * a 1.2.0 whose home page fails half the time goes through dev and test, is approved, and its canary is
 * rolled back. Then it deploys 1.0.0 to production, which waits for an authorized change and for its window,
 * then runs. It does nothing if deployments exist.
 */
@Component
class SampleDeployments {

  private static final Logger log = LoggerFactory.getLogger(SampleDeployments.class);
  private static final ComponentRef WEB = new ComponentRef("shop", "web");

  private static final String MODEL = "in-house-software";

  private final Library library;
  private final DeploymentRequests requests;
  private final Deployments deployments;
  private final Environment environment;
  private final String sampleApp;
  private final Changes changes;
  private final Users users;
  private final Models models;
  private final Clock clock;
  private final TransactionTemplate tx;
  private final MetricsSummary metrics;
  private final io.gantry.environment.LocalTargets localTargets;
  private final io.gantry.assessment.Assessments assessments;
  private final io.gantry.assessment.AssessmentReport reports;
  private final Path dataDir;
  private final SamplePrometheus prometheus;
  private final Targets targets;

  SampleDeployments(Library library, DeploymentRequests requests, Deployments deployments, Environment environment,
      @Value("${gantry.sample-deployments:}") String sampleApp, Changes changes, Users users, Models models,
      Clock clock, TransactionTemplate tx, MetricsSummary metrics, io.gantry.environment.LocalTargets localTargets,
      io.gantry.assessment.Assessments assessments, io.gantry.assessment.AssessmentReport reports,
      @Value("${gantry.data-dir:./data}") Path dataDir, SamplePrometheus prometheus, Targets targets) {
    this.prometheus = prometheus;
    this.targets = targets;
    this.assessments = assessments;
    this.reports = reports;
    this.dataDir = dataDir;
    this.localTargets = localTargets;
    this.metrics = metrics;
    this.tx = tx;
    this.changes = changes;
    this.users = users;
    this.models = models;
    this.clock = clock;
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
      Instant started = clock.instant();
      Path app = Path.of(sampleApp);
      // continuous delivery as the model declares it: a pushed version goes to dev by itself, and its
      // success there takes it on to test; an approval takes it on to staging
      push("1.0.0", app, null, actor);
      List<String> lines = new ArrayList<>();
      lines.add(follow(triggered("1.0.0", "dev")));
      lines.add(follow(triggered("1.0.0", "test")));
      push("1.1.0", app, "fail=true", actor);
      lines.add(follow(triggered("1.1.0", "dev")));
      boolean canary = prometheus.running();
      long badCanary = 0;
      if (canary) {
        lines.add(canaryInStaging(actor));
      } else {
        lines.add("staging: rolling, one target at a time (no Prometheus here for a canary judged by metrics: "
            + "install Debian's prometheus package and run again with a new data directory)");
      }
      approve("1.0.0", actor);
      lines.add("shop/web@1.0.0 approved (controlled environments accept only approved versions)");
      lines.add(staging(triggered("1.0.0", "staging"), canary));
      if (canary) {
        // a bug only real traffic shows: half the home pages fail; the health check and the smoke test pass
        push("1.2.0", app, "error_share=0.5", actor);
        lines.add(follow(triggered("1.2.0", "dev")));
        lines.add(follow(triggered("1.2.0", "test")));
        approve("1.2.0", actor);
        lines.add("shop/web@1.2.0 approved");
        Deployment bad = triggered("1.2.0", "staging");
        lines.add(staging(bad, true));
        badCanary = bad.id();
      }
      lines.addAll(production(actor));
      lines.addAll(metrics.lines(new Period(started.minusSeconds(1), clock.instant().plusSeconds(1))));
      // the practice looks at itself: a capability self-assessment of the last 90 days, and its report
      io.gantry.assessment.Assessment assessment = assessments.create(null, null, actor);
      Path report = reports.write(assessment, dataDir.resolve("reports")).toAbsolutePath().normalize();
      String port = environment.getProperty("local.server.port", "8080");
      // the client reads a date in the user's zone; the walkthrough runs on the user's machine
      java.time.LocalDate today = java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneId.systemDefault());
      log.info("""

          Sample deployments done (shop/web, the sample app in {}):
            {}

          {}
          The assessment's report (HTML, to hand to an auditor): {}

          Where to look:
            ./gantry history                          every deployment, newest first
            ./gantry status 3                         the rolled-back deployment, target by target
            ./gantry logs 3                           its record: transitions, steps, the failed check, the rollback
            {}
            ./gantry triggers                         what the triggers requested, and why
            ./gantry metrics --from {} --to {}   the KPIs and DORA measures of today's records
            ./gantry vsm --from {} --to {}       their value stream map
            ./gantry events                           the CDEvents written, and where each was delivered
            ./gantry assessment show {}                the capability assessment, criterion by criterion
            {}   the same events, one CloudEvent per line
            curl http://127.0.0.1:18081/health        dev runs 1.0.0 again
            curl http://127.0.0.1:18083/health        staging (also :18084)
            http://127.0.0.1:{}/                the console (sign in with the token in ./data/admin.token)
            http://127.0.0.1:{}/docs            the API (Swagger UI)
          The sample app keeps running on those ports; stop it with:
            for stop in {}/*/*/current/bin/stop.sh; do [ -x "$stop" ] && "$stop"; done""",
          app, String.join("\n  ", lines), String.join("\n", reports.table(assessment)), report,
          badCanary == 0 ? String.format("%-41s every version of the model, and why it changed", "./gantry model history "
              + MODEL)
              : String.format("%-41s the canary rolled back by its error ratio: each measurement", "./gantry status "
                  + badCanary),
          today, today, today,
          today, assessment.id(), eventsFile(), port, port,
          localTargets.root());
    } catch (RuntimeException e) {
      log.error("The sample deployments stopped: {}", e.getMessage(), e);
    }
  }

  /** The file the run's events go to, padded to the summary's first column. */
  private String eventsFile() {
    String file = environment.getProperty("gantry.events.file", "");
    return String.format("%-38s", file.isBlank() ? "(no events file set)" : file);
  }

  /**
   * Production, as the model wants it: the deployment waits for an authorized normal change (two
   * approvers of the stage's roles, neither of them the requester) and for the stage's window, then runs.
   * So that the run does not wait days for the example's real window (tue-thu evenings in London), the
   * model first gets a new version whose production window opens a minute from now; its history says so.
   */
  private List<String> production(String actor) {
    List<String> lines = new ArrayList<>();
    Instant now = clock.instant();
    ZonedDateTime opens = now.atZone(ZoneOffset.UTC).truncatedTo(ChronoUnit.MINUTES).plusMinutes(2);
    ZonedDateTime closes = opens.plusMinutes(15);
    String window = shortWindow(opens, closes, actor);
    lines.add("production's window for this run: " + window);

    Deployment production = deploy("1.0.0", "production", "release 1.0.0 to customers", actor);
    waitForWait(production, DeploymentEvent.WaitKind.CHANGE);
    lines.add("#" + production.id() + " production: waited for an authorized change (./gantry logs " + production.id()
        + ")");

    for (String[] user : new String[][] {{"dana", "Dana (deployment manager)"}, {"sam", "Sam (service owner)"}}) {
      if (users.find(user[0]).isEmpty()) {
        users.create(user[0], user[1], user[0].equals("dana") ? EnumSet.of(Role.DEPLOYMENT_MANAGER)
            : EnumSet.of(Role.SERVICE_OWNER), Actor.named(actor));
      }
    }
    Change change = changes.create(new Changes.NewChange("Release shop/web 1.0.0 to production", "normal", "medium",
        "medium", now, closes.toInstant().plus(Duration.ofHours(1)), "rolling deployment, one third at a time",
        "roll back to the previous release (automatic on a failed health check)", "health checks on every target",
        List.of("shop"), List.of("shop/web"), List.of("production"), null, null), actor);
    changes.submit(change.key(), actor);
    changes.approve(change.key(), "dana", "release notes reviewed; rollback tested in staging");
    Change approved = changes.approve(change.key(), "sam", "the shop team is ready");
    lines.add(approved.key() + " (normal change) approved by dana and sam (2 of the stage's approvers, not the "
        + "requester): " + approved.state().id());

    waitForWait(production, DeploymentEvent.WaitKind.WINDOW);
    lines.add("#" + production.id() + " production: waited for its window (opens " + opens.toLocalTime() + " UTC)");
    lines.add(follow(production, Duration.ofMinutes(10)));
    return lines;
  }

  /** A new version of the software model whose production stage has one window, from opens to closes (UTC). */
  private String shortWindow(ZonedDateTime opens, ZonedDateTime closes, String actor) {
    String day = opens.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH).toLowerCase(Locale.ROOT);
    Stage.Window window = new Stage.Window(List.of(day), opens.toLocalTime().toString(),
        closes.toLocalTime().toString(), "UTC");
    changeStage("production", st -> new Stage(st.name(), st.environment(), st.authorization(), st.approvers(),
        List.of(window), st.strategy(), st.entryCriteria(), st.steps(), st.acceptance(), st.exitCriteria(),
        st.failurePolicy(), st.notifications(), st.removeSteps(), st.verification()), actor,
        "sample run: a production window from " + opens.toLocalTime() + " to " + closes.toLocalTime()
            + " UTC today, so the walkthrough need not wait for tue-thu evenings");
    return day + " " + opens.toLocalTime() + "-" + closes.toLocalTime() + " UTC";
  }

  /** A new version of the software model, its stage into {@code environment} changed, with the reason in its history. */
  private void changeStage(String environment, java.util.function.UnaryOperator<Stage> change, String actor,
      String reason) {
    DeploymentModel model = models.get(MODEL);
    var spec = model.definition().spec();
    List<Stage> stages = spec.stages().stream()
        .map(st -> st.environment().equals(environment) ? change.apply(st) : st).toList();
    ModelDefinition changed = new ModelDefinition(model.definition().name(), model.definition().description(),
        model.definition().labels(), new DeploymentModelSpec(spec.appliesTo(), spec.componentChecks(),
            spec.targetRequirements(), stages, spec.triggers()));
    tx.executeWithoutResult(status -> models.update(changed, model.rowVersion(), actor, reason));
  }

  /** Waits (up to a minute) until the deployment's record shows a wait of this kind. */
  private void waitForWait(Deployment d, DeploymentEvent.WaitKind kind) {
    for (int i = 0; i < 300; i++) {
      boolean waiting = deployments.events(d.id(), 0).stream()
          .anyMatch(e -> e.kind() == DeploymentEvent.Kind.WAIT && e.waitingFor() == kind);
      Deployment now = deployments.get(d.id());
      if (waiting || now.state().isFinal()) {
        return;
      }
      sleep(200);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private void approve(String version, String actor) {
    ComponentVersion v = library.get(WEB, version);
    library.changeStatus(WEB, version, VersionStatus.APPROVED, "passed test", v.rowVersion(), actor);
  }

  /**
   * Follows a deployment to staging, which a version's approval requested; with the canary, staging's
   * sample app gets synthetic traffic meanwhile, and the line says what the analysis decided.
   */
  private String staging(Deployment d, boolean canary) {
    if (!canary) {
      return follow(d);
    }
    List<Integer> ports = targets.in("staging").stream().map(t -> t.definition().facts().get("port"))
        .filter(p -> p != null && p.matches("\\d{1,5}")).map(Integer::valueOf).toList();
    try (SampleTraffic traffic = SampleTraffic.to(ports)) {
      String line = follow(d);
      log.info("Synthetic traffic to staging during #{}: {}", d.id(), traffic.summary());
      return line;
    }
  }

  /**
   * Staging becomes a canary judged by the run's Prometheus: one target takes a version first, and after five
   * seconds of traffic its error ratio is measured three times, five seconds apart; above 5 % it is rolled
   * back and the other target is never touched. A new model version, so that its history says so; the example
   * configuration keeps a rolling staging, since a server without Prometheus refuses a model with metrics.
   */
  private String canaryInStaging(String actor) {
    String ratio = "sum(rate(sample_app_%s_total{target=~\"${canaryTargets}\", version=\"${version}\"}[10s]))";
    Stage.Metric errorRate = new Stage.Metric("error-rate", ratio.formatted("errors") + " / "
        + ratio.formatted("requests"), 0.05, null);
    Stage.Strategy strategy = new Stage.Strategy(Stage.Strategy.Type.CANARY, null, null, null,
        new Stage.Canary("1", new TimeSpan("5s"), new Stage.Analysis(List.of(), new TimeSpan("5s"),
            new TimeSpan("15s"), 1.0, List.of(errorRate), Stage.Inconclusive.FAIL)));
    changeStage("staging", st -> new Stage(st.name(), st.environment(), st.authorization(), st.approvers(),
        st.windows(), strategy, st.entryCriteria(), st.steps(), st.acceptance(), st.exitCriteria(),
        st.failurePolicy(), st.notifications(), st.removeSteps(), st.verification()), actor,
        "sample run: staging becomes a canary whose error ratio the run's Prometheus (" + prometheus.url()
            + ") measures");
    return "staging: a canary of one target, its error ratio measured by Prometheus at " + prometheus.url()
        + " (./gantry model history " + MODEL + ")";
  }

  private void push(String version, Path app, String fault, String actor) {
    List<Library.Upload> uploads = new ArrayList<>();
    try (Stream<Path> files = Files.walk(app)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        String path = app.relativize(file).toString().replace('\\', '/');
        byte[] bytes = Files.readAllBytes(file);
        if (fault != null && path.equals("config/app.properties.tmpl")) {
          bytes = (new String(bytes, StandardCharsets.UTF_8) + fault + "\n").getBytes(StandardCharsets.UTF_8);
        }
        byte[] content = bytes;
        uploads.add(new Library.Upload(path, () -> new ByteArrayInputStream(content)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the sample app in " + app, e);
    }
    library.push(new Library.Push(WEB, version, Map.of(), uploads, List.of()), actor);
  }

  /** Waits (up to two minutes) for the deployment a trigger requested of the version into the environment. */
  private Deployment triggered(String version, String env) {
    for (int i = 0; i < 600; i++) {
      Optional<Deployment> found = deployments.page(new Deployments.Filter(env, WEB.service(), WEB.component(), null),
          new PageRequest(0, 20)).items().stream()
          .filter(d -> d.version().equals(version) && d.requestedBy().startsWith("trigger:")).findFirst();
      if (found.isPresent()) {
        log.info("Sample deployment #{}: {} requested {}@{} to {}", found.get().id(), found.get().requestedBy(), WEB,
            version, env);
        return found.get();
      }
      sleep(200);
    }
    throw new IllegalStateException("no trigger requested " + WEB + "@" + version + " to " + env
        + " within two minutes; see ./gantry triggers");
  }

  private Deployment deploy(String version, String env, String reason, String actor) {
    return requests.request(new DeploymentRequests.Request(WEB.toString(), version, env, null, reason), actor);
  }

  /** Waits (up to two minutes) for a deployment to end (the engine runs it) and describes the end. */
  private String follow(Deployment d) {
    return follow(d, Duration.ofMinutes(2));
  }

  private String follow(Deployment d, Duration limit) {
    Deployment now = d;
    for (long i = 0; i < limit.toMillis() / 200 && !now.state().isFinal(); i++) {
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
