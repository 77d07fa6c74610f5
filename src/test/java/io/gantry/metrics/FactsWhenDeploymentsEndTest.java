package io.gantry.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.Library;
import io.gantry.config.ConfigService;
import io.gantry.config.ConfigFiles;
import io.gantry.deployment.Deployment;
import io.gantry.deployment.Deployments;
import io.gantry.identity.IdentityBootstrap;
import io.gantry.shared.PageRequest;
import io.gantry.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A deployment's facts for the period reports are written when it ends, by the engine's own server, so the
 * first report after it reads them instead of working them out. Once, on H2: the write is the same SQL the
 * reports' contract tests run on both databases.
 */
@SpringBootTest
class FactsWhenDeploymentsEndTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    MetricsApiContract.register(registry, TestDatabase.H2);
  }

  @Autowired Library library;
  @Autowired Deployments deployments;
  @Autowired ConfigService config;
  @Autowired JdbcClient jdbc;

  @Test
  void a_deployment_s_facts_are_written_when_it_ends_before_any_report_asks() {
    config.apply(ConfigFiles.read(java.nio.file.Path.of("examples/config")), "test set-up", IdentityBootstrap.ADMIN);
    // a version without the template the model's configure step renders: the model's trigger takes it to dev,
    // where it fails, which ends it
    library.push(new Library.Push(new ComponentRef("shop", "web"), "9.9.9", Map.of(), List.of(new Library.Upload(
        "bin/restart.sh", () -> new ByteArrayInputStream("exit 0\n".getBytes(StandardCharsets.UTF_8)))), List.of()),
        IdentityBootstrap.ADMIN);
    Deployment d = Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> deployments.page(
        new Deployments.Filter("dev", "shop", "web", null), new PageRequest(0, 5)).items().stream()
        .filter(x -> x.version().equals("9.9.9")).findFirst().orElse(null), java.util.Objects::nonNull);

    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> deployments.get(d.id()).state().isFinal());
    Deployment ended = deployments.get(d.id());
    Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(jdbc
        .sql("select state from metrics_deployment_facts where deployment_id = :id").param("id", d.id())
        .query(String.class).list()).as("no report was asked for").containsExactly(ended.state().name()));
  }
}
