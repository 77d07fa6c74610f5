package io.gantry.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.execution.AgentHosts;
import io.gantry.execution.StepOutcome;
import io.gantry.testing.AdminToken;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Registration tokens, registration, approval, revocation and heartbeats of agents over real HTTP against a
 * real server; run on H2 and PostgreSQL by the subclasses.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class AgentsContract {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static final String AGENT_TARGETS = """
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: far-1}
      spec: {environment: dev, kind: agent, facts: {rack: r7}}
      ---
      apiVersion: gantry.io/v1
      kind: Target
      metadata: {name: far-2}
      spec: {environment: dev, kind: agent}
      """;

  static void register(DynamicPropertyRegistry registry, TestDatabase database) throws Exception {
    for (String property : database.springProperties()) {
      int eq = property.indexOf('=');
      String value = property.substring(eq + 1);
      registry.add(property.substring(0, eq), () -> value);
    }
    Path dataDir = Files.createDirectories(Files.createTempDirectory("gantry-agents-test").resolve("data"));
    registry.add("gantry.data-dir", dataDir::toString);
    registry.add("gantry.agents.grace", () -> "4s");
  }

  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired AgentHosts hosts;
  @Value("${gantry.data-dir}") Path dataDir;
  String admin;

  @BeforeEach
  void applyExamplesWithAgentTargets() throws Exception {
    admin = AdminToken.of(dataDir);
    List<Map<String, String>> files = new ArrayList<>(ConfigFiles.read(Path.of("examples/config")).stream()
        .map(f -> Map.of("name", f.name(), "content", f.content())).toList());
    files.add(Map.of("name", "agents.yaml", "content", AGENT_TARGETS));
    Response applied = send("POST", "/api/v1/config/apply", Map.of("Authorization", "Bearer " + admin),
        Map.of("files", files, "reason", "test set-up"));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
  }

  @Test
  void an_agent_registered_with_a_token_waits_pending_until_a_manager_approves_it_for_an_agent_target()
      throws Exception {
    String token = createToken(1);
    String name = "host-" + suffix();
    Response registered = registerAgent(token, name);
    assertThat(registered.status()).as(registered.text()).isEqualTo(201);
    assertThat(registered.json().path("state").asString()).isEqualTo("pending");
    String credential = registered.json().path("credential").asString();
    assertThat(credential).startsWith("gta_");

    Response pending = heartbeat(credential);
    assertThat(pending.json().path("state").asString()).isEqualTo("pending");
    assertThat(pending.json().path("target").isNull()).isTrue();
    assertThat(hosts.reported("far-1")).as("a pending agent works for no target").isNull();

    String target = freeTarget();
    Response approved = manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    assertThat(approved.status()).as(approved.text()).isEqualTo(200);
    Response standing = heartbeat(credential);
    assertThat(standing.json().path("state").asString()).isEqualTo("approved");
    assertThat(standing.json().path("target").asString()).isEqualTo(target);

    AgentHosts.Reported reported = hosts.reported(target);
    assertThat(reported.agent()).isEqualTo(name);
    assertThat(reported.facts()).containsEntry("os.name", "Linux").containsEntry("tools", "sh,tar");
    assertThat(reported.lost()).isNull();
    JsonNode listed = find(manager("GET", "/api/v1/agents", null).json(), name);
    assertThat(listed.path("approvedBy").asString()).isEqualTo("admin");
    assertThat(listed.path("facts").path("disk.free-mb").asString()).isEqualTo("2048");
  }

  @Test
  void secrets_are_stored_only_as_hashes() throws Exception {
    String token = createToken(1);
    String credential = registerAgent(token, "host-" + suffix()).json().path("credential").asString();
    String stored = jdbc.sql("select token_hash from agent_registration_tokens where token_hash = :h")
        .param("h", AgentRegistry.hash(token)).query(String.class).single()
        + jdbc.sql("select credential_hash || credential_prefix from agents where credential_hash = :h")
        .param("h", AgentRegistry.hash(credential)).query(String.class).single();
    assertThat(stored).doesNotContain(token).doesNotContain(credential);
  }

  @Test
  void a_used_up_token_an_unknown_token_and_a_revoked_token_register_nothing_and_get_401() throws Exception {
    String once = createToken(1);
    assertThat(registerAgent(once, "host-" + suffix()).status()).isEqualTo(201);
    String reusedName = "host-" + suffix();
    Response again = registerAgent(once, reusedName);
    assertThat(again.status()).isEqualTo(401);
    assertThat(again.text()).isEmpty();
    assertThat(registerAgent("gtr_" + "x".repeat(40), "host-" + suffix()).status()).isEqualTo(401);
    assertThat(registerAgent(null, "host-" + suffix()).status()).isEqualTo(401);

    Response created = manager("POST", "/api/v1/agent-registration-tokens", Map.of("name", "revoked", "uses", 5));
    long id = created.json().path("id").asLong();
    assertThat(manager("DELETE", "/api/v1/agent-registration-tokens/" + id, null).status()).isEqualTo(200);
    assertThat(registerAgent(created.json().path("token").asString(), "host-" + suffix()).status()).isEqualTo(401);
    assertThat(jdbc.sql("select count(*) from agents where name = :n").param("n", reusedName).query(Long.class)
        .single()).isZero();
  }

  @Test
  void a_second_registration_under_a_used_name_is_refused_and_does_not_use_the_token() throws Exception {
    String name = "host-" + suffix();
    assertThat(registerAgent(createToken(1), name).status()).isEqualTo(201);
    String token = createToken(1);
    Response second = registerAgent(token, name);
    assertThat(second.status()).as(second.text()).isEqualTo(409);
    assertThat(second.json().path("detail").asString()).contains("already registered");
    assertThat(registerAgent(token, "host-" + suffix()).status()).as("the refused registration left the token's use")
        .isEqualTo(201);
  }

  @Test
  void two_agents_registering_at_once_with_a_single_use_token_register_one() throws Exception {
    String token = createToken(1);
    CountDownLatch start = new CountDownLatch(1);
    List<Callable<Integer>> racers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String name = "racer-" + i + "-" + suffix();
      racers.add(() -> {
        start.await();
        return registerAgent(token, name).status();
      });
    }
    try (var pool = Executors.newFixedThreadPool(4)) {
      List<Future<Integer>> results = racers.stream().map(pool::submit).toList();
      start.countDown();
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : results) {
        statuses.add(f.get());
      }
      assertThat(statuses).containsOnlyOnce(201).contains(401);
    }
  }

  @Test
  void a_revoked_agent_and_an_unknown_credential_get_401_with_nothing_else() throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    assertThat(manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of()).status()).isEqualTo(200);

    Response revoked = heartbeat(credential);
    assertThat(revoked.status()).isEqualTo(401);
    assertThat(revoked.text()).isEmpty();
    Response unknown = heartbeat("gta_" + "y".repeat(40));
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.text()).isEmpty();
    assertThat(send("POST", "/api/v1/agent/heartbeat", Map.of(), Map.of()).status()).isEqualTo(401);
    assertThat(hosts.reported(target)).as("the revoked agent's target is free").isNull();
    Response back = manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    assertThat(back.status()).as("a revoked agent is never approved again").isEqualTo(409);
  }

  @Test
  void one_agent_works_for_a_target_and_only_for_a_target_of_kind_agent() throws Exception {
    String first = "host-" + suffix();
    String second = "host-" + suffix();
    registerAgent(createToken(1), first);
    registerAgent(createToken(1), second);
    String target = freeTarget();
    assertThat(manager("POST", "/api/v1/agents/" + first + "/approve", Map.of("target", target)).status())
        .isEqualTo(200);
    Response taken = manager("POST", "/api/v1/agents/" + second + "/approve", Map.of("target", target));
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.json().path("detail").asString()).contains("already has agent " + first);
    Response local = manager("POST", "/api/v1/agents/" + second + "/approve", Map.of("target", "dev-web-1"));
    assertThat(local.status()).isEqualTo(422);
    assertThat(local.json().path("detail").asString()).contains("is of kind local");
    assertThat(find(manager("GET", "/api/v1/agents", null).json(), second).path("state").asString())
        .isEqualTo("pending");
    manager("POST", "/api/v1/agents/" + first + "/revoke", Map.of());
  }

  @Test
  void only_a_deployment_manager_creates_registration_tokens_and_approves_agents() throws Exception {
    String practitioner = newUser("deployment-practitioner");
    Response token = send("POST", "/api/v1/agent-registration-tokens", Map.of("Authorization", "Bearer "
        + practitioner), Map.of("name", "mine"));
    assertThat(token.status()).isEqualTo(403);
    String name = "host-" + suffix();
    registerAgent(createToken(1), name);
    Response approve = send("POST", "/api/v1/agents/" + name + "/approve", Map.of("Authorization", "Bearer "
        + practitioner), Map.of("target", "far-1"));
    assertThat(approve.status()).isEqualTo(403);
    assertThat(find(manager("GET", "/api/v1/agents", null).json(), name).path("state").asString())
        .isEqualTo("pending");
    assertThat(send("POST", "/api/v1/agent-registration-tokens", Map.of(), Map.of("name", "x")).status())
        .isEqualTo(401);
  }

  @Test
  void bad_names_and_facts_are_refused_naming_the_field_and_use_no_token() throws Exception {
    String token = createToken(1);
    Response badName = registerAgent(token, "Host With Spaces");
    assertThat(badName.status()).isEqualTo(422);
    assertThat(badName.json().path("errors").get(0).path("field").asString()).isEqualTo("name");
    Response badFact = send("POST", "/api/v1/agent/registrations", Map.of(AgentController.REGISTRATION, token),
        Map.of("name", "host-" + suffix(), "facts", Map.of("os.name", "x".repeat(1001))));
    assertThat(badFact.status()).isEqualTo(422);
    assertThat(badFact.json().path("errors").get(0).path("field").asString()).isEqualTo("facts.os.name");
    assertThat(registerAgent(token, "host-" + suffix()).status()).isEqualTo(201);
  }

  @Test
  void work_claimed_by_an_agent_is_never_handed_out_again_so_a_restarted_agent_does_not_run_it_twice()
      throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (var pool = Executors.newSingleThreadExecutor()) {
      Future<StepOutcome> waiting = pool.submit(() -> hosts.perform(target, "{\"action\":\"run\"}",
          java.time.Duration.ofSeconds(30), log::add));
      Response first = claim(credential, 10);
      assertThat(first.status()).as(first.text()).isEqualTo(200);
      long id = first.json().path("id").asLong();
      String claim = first.json().path("claim").asString();
      assertThat(first.json().path("payload").asString()).isEqualTo("{\"action\":\"run\"}");

      assertThat(start(credential, id, claim).status()).isEqualTo(204);
      // the agent restarts: the work it started is not given to it again, nor started twice
      assertThat(claim(credential, 1).status()).isEqualTo(204);
      assertThat(start(credential, id, claim).status()).isEqualTo(409);
      Response stranger = send("POST", "/api/v1/agent/work/" + id + "/log", Map.of(AgentController.CREDENTIAL,
          credential, AgentController.CLAIM, "not-the-claim"), Map.of("lines", List.of("forged")));
      assertThat(stranger.status()).isEqualTo(401);

      assertThat(send("POST", "/api/v1/agent/work/" + id + "/log", Map.of(AgentController.CREDENTIAL, credential,
          AgentController.CLAIM, claim), Map.of("lines", List.of("line one", "line two"))).status()).isEqualTo(204);
      Response tooMany = send("POST", "/api/v1/agent/work/" + id + "/outcome", Map.of(AgentController.CREDENTIAL,
          credential, AgentController.CLAIM, claim), Map.of("outcome", "succeeded", "text", "done", "lines",
          java.util.Collections.nCopies(1001, "x")));
      assertThat(tooMany.status()).as(tooMany.text()).isEqualTo(422);
      assertThat(tooMany.text()).contains("lines", "1000");
      // the last lines come with the outcome, after those sent before
      assertThat(send("POST", "/api/v1/agent/work/" + id + "/outcome", Map.of(AgentController.CREDENTIAL, credential,
          AgentController.CLAIM, claim), Map.of("outcome", "succeeded", "text", "done", "lines",
          List.of("line three"))).status()).isEqualTo(204);
      assertThat(waiting.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new StepOutcome.Succeeded("done"));
      assertThat(log).containsExactly("line one", "line two", "line three");

      Response twice = send("POST", "/api/v1/agent/work/" + id + "/outcome", Map.of(AgentController.CREDENTIAL,
          credential, AgentController.CLAIM, claim), Map.of("outcome", "failed", "text", "again"));
      assertThat(twice.status()).isEqualTo(409);
    }
    manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of());
  }

  @Test
  void the_answer_to_an_agents_report_brings_its_next_piece_of_work_and_a_bad_wait_changes_nothing()
      throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    try (var pool = Executors.newFixedThreadPool(2)) {
      Future<StepOutcome> first = pool.submit(() -> hosts.perform(target, "{\"action\":\"run\",\"n\":1}",
          java.time.Duration.ofSeconds(30), line -> {}));
      Response claimed = claim(credential, 10);
      assertThat(claimed.status()).as(claimed.text()).isEqualTo(200);
      long id = claimed.json().path("id").asLong();
      String claim = claimed.json().path("claim").asString();
      assertThat(start(credential, id, claim).status()).isEqualTo(204);
      Map<String, String> holder = Map.of(AgentController.CREDENTIAL, credential, AgentController.CLAIM, claim);

      Response badWait = send("POST", "/api/v1/agent/work/" + id + "/outcome?waitSeconds=26", holder,
          Map.of("outcome", "succeeded", "text", "one"));
      assertThat(badWait.status()).as(badWait.text()).isEqualTo(422);
      assertThat(badWait.json().path("errors").get(0).path("field").asString()).isEqualTo("waitSeconds");
      assertThat(first.isDone()).as("a refused report ends nothing").isFalse();

      // as the engine does, the second piece is queued once the first has ended: the report's answer waits for it
      Future<StepOutcome> second = pool.submit(() -> {
        first.get();
        return hosts.perform(target, "{\"action\":\"run\",\"n\":2}", java.time.Duration.ofSeconds(30),
            line -> {});
      });
      Response answer = send("POST", "/api/v1/agent/work/" + id + "/outcome?waitSeconds=10", holder,
          Map.of("outcome", "succeeded", "text", "one"));
      assertThat(answer.status()).as(answer.text()).isEqualTo(200);
      assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new StepOutcome.Succeeded("one"));
      assertThat(answer.json().path("payload").asString()).isEqualTo("{\"action\":\"run\",\"n\":2}");
      long nextId = answer.json().path("id").asLong();
      String nextClaim = answer.json().path("claim").asString();
      assertThat(nextId).isNotEqualTo(id);
      assertThat(start(credential, nextId, nextClaim).status()).isEqualTo(204);
      // without a wait the report is answered at once, with nothing
      Response last = send("POST", "/api/v1/agent/work/" + nextId + "/outcome", Map.of(AgentController.CREDENTIAL,
          credential, AgentController.CLAIM, nextClaim), Map.of("outcome", "failed", "text", "two"));
      assertThat(last.status()).isEqualTo(204);
      assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new StepOutcome.Failed("two"));
    }
    manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of());
  }

  @Test
  void work_of_an_agent_not_heard_within_the_grace_period_fails_naming_the_agent_and_when_it_was_last_heard()
      throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    heartbeat(credential);
    try (var pool = Executors.newSingleThreadExecutor()) {
      Future<StepOutcome> waiting = pool.submit(() -> hosts.perform(target, "{}", java.time.Duration.ofMinutes(5),
          line -> {}));
      Response claimed = claim(credential, 10);
      assertThat(start(credential, claimed.json().path("id").asLong(), claimed.json().path("claim").asString())
          .status()).isEqualTo(204);
      // the agent goes silent with the work in hand
      StepOutcome outcome = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(outcome).isInstanceOf(StepOutcome.Failed.class);
      assertThat(((StepOutcome.Failed) outcome).reason()).startsWith("agent " + name + " lost: last heard at ");
      assertThat(hosts.reported(target).lost()).startsWith("agent " + name + " lost");
      StepOutcome queued = hosts.perform(target, "{}", java.time.Duration.ofMinutes(5), line -> {});
      assertThat(((StepOutcome.Failed) queued).reason()).as("no work is queued for a lost agent")
          .startsWith("agent " + name + " lost");
    }
    manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of());
  }

  @Test
  void an_agent_can_download_only_the_artifacts_of_work_it_holds() throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    assertThat(send("GET", "/api/v1/agent/work/1/artifacts/0", Map.of(AgentController.CREDENTIAL, credential,
        AgentController.CLAIM, "guess"), null).status()).isEqualTo(401);
    assertThat(claim(credential, 0).status()).as("a pending agent gets no work").isEqualTo(204);
  }

  @Test
  void work_claimed_but_never_started_is_offered_again_once_the_lease_passes_and_the_old_claim_is_refused()
      throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    try (var pool = Executors.newSingleThreadExecutor()) {
      Future<StepOutcome> waiting = pool.submit(() -> hosts.perform(target, "{}", java.time.Duration.ofSeconds(60),
          line -> {}));
      // the answer to this claim is lost on the way (the agent was killed while it asked)
      Response lost = claim(credential, 10);
      long id = lost.json().path("id").asLong();
      assertThat(claim(credential, 0).status()).as("within the lease it is offered to no one").isEqualTo(204);
      Response offered = claim(credential, WorkQueue.LEASE.toSecondsPart() + 10);
      assertThat(offered.status()).as(offered.text()).isEqualTo(200);
      assertThat(offered.json().path("id").asLong()).isEqualTo(id);
      assertThat(start(credential, id, lost.json().path("claim").asString()).status()).isEqualTo(401);
      String claim = offered.json().path("claim").asString();
      assertThat(start(credential, id, claim).status()).isEqualTo(204);
      send("POST", "/api/v1/agent/work/" + id + "/outcome", Map.of(AgentController.CREDENTIAL, credential,
          AgentController.CLAIM, claim), Map.of("outcome", "failed", "text", "exit 3"));
      assertThat(waiting.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new StepOutcome.Failed("exit 3"));
    }
    manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of());
  }

  @Test
  void work_taken_in_a_session_is_started_by_its_answer_given_again_to_that_session_if_lost_and_never_to_another()
      throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    String session = java.util.UUID.randomUUID().toString();
    try (var pool = Executors.newFixedThreadPool(2)) {
      Future<StepOutcome> first = pool.submit(() -> hosts.perform(target, "{\"action\":\"run\",\"n\":1}",
          java.time.Duration.ofSeconds(60), line -> {}));
      awaitQueued(name);
      Response given = claimIn(credential, 10, session);
      assertThat(given.status()).as(given.text()).isEqualTo(200);
      assertThat(given.json().path("started").asBoolean()).isTrue();
      long id = given.json().path("id").asLong();
      String claim = given.json().path("claim").asString();
      assertThat(jdbc.sql("select state from agent_work where id = :id").param("id", id).query(String.class).single())
          .isEqualTo("STARTED");

      // the answer was lost on the way: the session asks again before reporting anything, and is given it again
      Response again = claimIn(credential, 0, session);
      assertThat(again.status()).as(again.text()).isEqualTo(200);
      assertThat(again.json().path("id").asLong()).isEqualTo(id);
      assertThat(again.json().path("claim").asString()).isEqualTo(claim);
      // another process of the agent's (it restarted) is never given it: it may have run already
      assertThat(claimIn(credential, 0, java.util.UUID.randomUUID().toString()).status()).isEqualTo(204);
      assertThat(claim(credential, 0).status()).isEqualTo(204);
      // an agent that starts it under the claim anyway is answered as though it had just started it
      assertThat(start(credential, id, claim).status()).isEqualTo(204);
      assertThat(start(credential, id, "not-the-claim").status()).isEqualTo(401);

      Map<String, String> holder = Map.of(AgentController.CREDENTIAL, credential, AgentController.CLAIM, claim);
      Response badSession = send("POST", "/api/v1/agent/work/" + id + "/outcome?waitSeconds=1&session=x%27--",
          holder, Map.of("outcome", "succeeded", "text", "one"));
      assertThat(badSession.status()).as(badSession.text()).isEqualTo(422);
      assertThat(badSession.json().path("errors").get(0).path("field").asString()).isEqualTo("session");
      assertThat(first.isDone()).as("a refused report ends nothing").isFalse();

      Future<StepOutcome> second = pool.submit(() -> {
        first.get();
        return hosts.perform(target, "{\"action\":\"run\",\"n\":2}", java.time.Duration.ofSeconds(60),
            line -> {});
      });
      Response next = send("POST", "/api/v1/agent/work/" + id + "/outcome?waitSeconds=10&session=" + session, holder,
          Map.of("outcome", "succeeded", "text", "one"));
      assertThat(next.status()).as(next.text()).isEqualTo(200);
      assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new StepOutcome.Succeeded("one"));
      assertThat(next.json().path("started").asBoolean()).isTrue();
      long nextId = next.json().path("id").asLong();
      assertThat(nextId).isNotEqualTo(id);
      // reported, the first piece is given to no one again; the second, whose answer this was, is the session's
      Response lost = claimIn(credential, 0, session);
      assertThat(lost.json().path("id").asLong()).isEqualTo(nextId);
      send("POST", "/api/v1/agent/work/" + nextId + "/outcome", Map.of(AgentController.CREDENTIAL, credential,
          AgentController.CLAIM, next.json().path("claim").asString()), Map.of("outcome", "failed", "text", "two"));
      assertThat(second.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new StepOutcome.Failed("two"));
      assertThat(claimIn(credential, 0, session).status()).isEqualTo(204);
    }
    Response badSession = claimIn(credential, 0, "short");
    assertThat(badSession.status()).isEqualTo(422);
    assertThat(badSession.json().path("errors").get(0).path("field").asString()).isEqualTo("session");
    manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of());
  }

  void awaitQueued(String agent) {
    Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> jdbc.sql(
        "select count(*) from agent_work where agent = :agent and state = 'QUEUED'").param("agent", agent)
        .query(Long.class).single() == 1);
  }

  @Test
  void a_session_s_request_that_waited_past_its_freshness_gets_its_piece_under_a_lease_its_process_may_have_died()
      throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    String session = java.util.UUID.randomUUID().toString();
    try (var pool = Executors.newFixedThreadPool(2)) {
      Future<Response> asking = pool.submit(() -> claimIn(credential, 20, session));
      Thread.sleep(WorkQueue.FRESH.toMillis() + 1000);
      Future<StepOutcome> waiting = pool.submit(() -> hosts.perform(target, "{}", java.time.Duration.ofSeconds(60),
          line -> {}));
      Response given = asking.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(given.status()).as(given.text()).isEqualTo(200);
      assertThat(given.json().path("started").asBoolean()).as(given.text()).isFalse();
      long id = given.json().path("id").asLong();
      assertThat(jdbc.sql("select state from agent_work where id = :id").param("id", id).query(String.class).single())
          .isEqualTo("CLAIMED");
      String claim = given.json().path("claim").asString();
      assertThat(start(credential, id, claim).status()).isEqualTo(204);
      send("POST", "/api/v1/agent/work/" + id + "/outcome", Map.of(AgentController.CREDENTIAL, credential,
          AgentController.CLAIM, claim), Map.of("outcome", "succeeded", "text", "ok"));
      assertThat(waiting.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new StepOutcome.Succeeded("ok"));
    }
    manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of());
  }

  /** A step naming the secret {@code name} in its environment, as the server queues it for an agent. */
  static String stepNaming(String name) {
    return "{\"action\":\"run\",\"step\":{\"type\":\"shell\",\"name\":\"s\",\"command\":\"true\","
        + "\"environment\":{\"PASSWORD\":\"${secret:" + name + "}\"}}}";
  }

  String newSecret() throws Exception {
    String name = "agent-pw-" + suffix();
    Response set = manager("PUT", "/api/v1/secrets/" + name, Map.of("value", "v4lue-" + suffix() + suffix()));
    assertThat(set.status()).as(set.text()).isIn(200, 201);
    return name;
  }

  long sent(String secret) {
    return jdbc.sql("select count(*) from secret_events where name = :n and action = 'sent'").param("n", secret)
        .query(Long.class).single();
  }

  @Test
  void a_steps_secret_is_sent_only_in_the_answer_to_its_agents_lease_recorded_as_sent_and_masked_in_what_comes_back()
      throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    String secret = newSecret();
    List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (var pool = Executors.newSingleThreadExecutor()) {
      Future<StepOutcome> waiting = pool.submit(() -> hosts.perform(target, stepNaming(secret),
          java.time.Duration.ofSeconds(30), log::add));
      Response leased = claim(credential, 10);
      assertThat(leased.status()).as(leased.text()).isEqualTo(200);
      assertThat(leased.json().path("secrets").size()).isEqualTo(1);
      String value = leased.json().path("secrets").path(secret).asString();
      assertThat(value).startsWith("v4lue-");
      assertThat(leased.json().path("payload").asString()).contains("${secret:" + secret + "}").doesNotContain(value);
      assertThat(jdbc.sql("select payload from agent_work where id = :id").param("id", leased.json().path("id")
          .asLong()).query(String.class).single()).as("the work table holds the reference only")
          .doesNotContain(value);
      assertThat(sent(secret)).isEqualTo(1);
      assertThat(jdbc.sql("select actor from secret_events where name = :n and action = 'sent'").param("n", secret)
          .query(String.class).single()).isEqualTo("agent " + name);

      long id = leased.json().path("id").asLong();
      String claim = leased.json().path("claim").asString();
      assertThat(start(credential, id, claim).status()).isEqualTo(204);
      // an agent that printed the value unmasked (an old or a hostile one): the server masks it before keeping it
      send("POST", "/api/v1/agent/work/" + id + "/log", Map.of(AgentController.CREDENTIAL, credential,
          AgentController.CLAIM, claim), Map.of("lines", List.of("password is " + value)));
      send("POST", "/api/v1/agent/work/" + id + "/outcome", Map.of(AgentController.CREDENTIAL, credential,
          AgentController.CLAIM, claim), Map.of("outcome", "failed", "text", "exit 1 after " + value));
      StepOutcome outcome = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(outcome).isEqualTo(new StepOutcome.Failed("exit 1 after ****"));
      assertThat(log).containsExactly("password is ****");
      assertThat(jdbc.sql("select line from agent_work_log where work_id = :id").param("id", id).query(String.class)
          .list()).containsExactly("password is ****");
    }
    manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of());
  }

  @Test
  void an_agent_bound_to_another_target_and_a_revoked_agent_never_receive_a_steps_secret() throws Exception {
    String holder = "host-" + suffix();
    String holderCredential = registerAgent(createToken(1), holder).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + holder + "/approve", Map.of("target", target));
    String other = "host-" + suffix();
    String otherCredential = registerAgent(createToken(1), other).json().path("credential").asString();
    manager("POST", "/api/v1/agents/" + other + "/approve", Map.of("target", freeTarget()));
    String secret = newSecret();
    try (var pool = Executors.newSingleThreadExecutor()) {
      Future<StepOutcome> waiting = pool.submit(() -> hosts.perform(target, stepNaming(secret),
          java.time.Duration.ofSeconds(30), line -> {}));
      Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> jdbc.sql(
          "select count(*) from agent_work where agent = :a").param("a", holder).query(Long.class).single() == 1);
      Response elsewhere = claim(otherCredential, 2);
      assertThat(elsewhere.status()).as("the agent of another target gets none of this work").isEqualTo(204);

      assertThat(manager("POST", "/api/v1/agents/" + holder + "/revoke", Map.of()).status()).isEqualTo(200);
      Response revoked = claim(holderCredential, 2);
      assertThat(revoked.status()).isEqualTo(401);
      assertThat(revoked.text()).isEmpty();
      StepOutcome outcome = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(((StepOutcome.Failed) outcome).reason()).contains("was revoked");
      assertThat(sent(secret)).as("the secret was never read for an agent").isZero();
    }
    manager("POST", "/api/v1/agents/" + other + "/revoke", Map.of());
  }

  @Test
  void a_step_naming_a_secret_that_is_not_set_fails_before_its_agent_starts_it_saying_which() throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    String target = freeTarget();
    manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
    try (var pool = Executors.newSingleThreadExecutor()) {
      Future<StepOutcome> waiting = pool.submit(() -> hosts.perform(target, stepNaming("never-set-" + suffix()),
          java.time.Duration.ofSeconds(30), line -> {}));
      Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> jdbc.sql(
          "select count(*) from agent_work where agent = :a").param("a", name).query(Long.class).single() == 1);
      assertThat(claim(credential, 1).status()).as("nothing to run without its secret").isEqualTo(204);
      StepOutcome outcome = waiting.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(((StepOutcome.Failed) outcome).reason()).contains("not sent to agent " + name)
          .contains("is not set");
    }
    manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of());
  }

  @Test
  void a_pending_agent_asking_for_work_waits_and_gets_its_first_piece_in_that_same_request_once_approved()
      throws Exception {
    String name = "host-" + suffix();
    String credential = registerAgent(createToken(1), name).json().path("credential").asString();
    long before = System.nanoTime();
    assertThat(claim(credential, 1).status()).isEqualTo(204);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - before))
        .as("a pending agent is not answered at once, so that it does not ask again without pause")
        .isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(1));

    String target = freeTarget();
    try (var pool = Executors.newFixedThreadPool(2)) {
      Future<Response> asking = pool.submit(() -> claim(credential, 20));
      manager("POST", "/api/v1/agents/" + name + "/approve", Map.of("target", target));
      List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
      Future<StepOutcome> waiting = pool.submit(() -> hosts.perform(target, "{\"action\":\"run\"}",
          java.time.Duration.ofSeconds(30), log::add));
      Response work = asking.get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(work.status()).as(work.text()).isEqualTo(200);
      long id = work.json().path("id").asLong();
      String claim = work.json().path("claim").asString();
      assertThat(start(credential, id, claim).status()).isEqualTo(204);
      for (List<String> lines : List.of(List.of("one", "two"), List.<String>of(), List.of("three", "four", "five"))) {
        assertThat(send("POST", "/api/v1/agent/work/" + id + "/log", Map.of(AgentController.CREDENTIAL, credential,
            AgentController.CLAIM, claim), Map.of("lines", lines)).status()).isEqualTo(204);
      }
      send("POST", "/api/v1/agent/work/" + id + "/outcome", Map.of(AgentController.CREDENTIAL, credential,
          AgentController.CLAIM, claim), Map.of("outcome", "succeeded", "text", "done"));
      assertThat(waiting.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(new StepOutcome.Succeeded("done"));
      assertThat(log).containsExactly("one", "two", "three", "four", "five");
    }
    manager("POST", "/api/v1/agents/" + name + "/revoke", Map.of());
  }

  Response start(String credential, long id, String claim) throws Exception {
    return send("POST", "/api/v1/agent/work/" + id + "/start", Map.of(AgentController.CREDENTIAL, credential,
        AgentController.CLAIM, claim), Map.of());
  }

  Response claimIn(String credential, int waitSeconds, String session) throws Exception {
    return send("GET", "/api/v1/agent/work?waitSeconds=" + waitSeconds + "&session=" + session,
        Map.of(AgentController.CREDENTIAL, credential), null);
  }

  Response claim(String credential, int waitSeconds) throws Exception {
    return send("GET", "/api/v1/agent/work?waitSeconds=" + waitSeconds, Map.of(AgentController.CREDENTIAL,
        credential), null);
  }

  // --- helpers

  String createToken(int uses) throws Exception {
    Response r = manager("POST", "/api/v1/agent-registration-tokens", Map.of("name", "test", "uses", uses));
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    assertThat(r.json().path("token").asString()).startsWith("gtr_");
    return r.json().path("token").asString();
  }

  Response registerAgent(String token, String name) throws Exception {
    Map<String, String> headers = token == null ? Map.of() : Map.of(AgentController.REGISTRATION, token);
    return send("POST", "/api/v1/agent/registrations", headers, Map.of("name", name, "facts",
        Map.of("os.name", "Linux", "tools", "sh,tar", "disk.free-mb", "2048")));
  }

  Response heartbeat(String credential) throws Exception {
    return send("POST", "/api/v1/agent/heartbeat", Map.of(AgentController.CREDENTIAL, credential), Map.of());
  }

  /** An agent target no agent holds now (the tests of a class share one server). */
  String freeTarget() {
    for (String t : List.of("far-1", "far-2")) {
      if (jdbc.sql("select count(*) from agents where target = :t").param("t", t).query(Long.class).single() == 0) {
        return t;
      }
    }
    throw new IllegalStateException("both agent targets are held");
  }

  Response manager(String method, String path, Object body) throws Exception {
    return send(method, path, Map.of("Authorization", "Bearer " + admin), body);
  }

  String newUser(String role) throws Exception {
    String name = role + "-" + suffix();
    Response created = manager("POST", "/api/v1/users", Map.of("name", name, "roles", List.of(role)));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    String code = created.json().path("enrolment").path("code").asString();
    Response token = send("POST", "/api/v1/tokens", Map.of("Authorization", "Bearer " + code),
        Map.of("name", "first"));
    return token.json().path("token").asString();
  }

  static JsonNode find(JsonNode agents, String name) {
    for (JsonNode a : agents) {
      if (a.path("name").asString().equals(name)) {
        return a;
      }
    }
    throw new AssertionError("no agent " + name + " in " + agents);
  }

  static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  Response send(String method, String path, Map<String, String> headers, Object body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
    headers.forEach(request::header);
    request.header("Content-Type", "application/json");
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body());
  }
}
