package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.ConfigFiles;
import io.gantry.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Who may do what where, over the real API: every role, held everywhere or bound to a service, an
 * environment, a service in an environment or another service, against each action on the shop
 * service in the dev environment. The expected answer of every cell comes from the policy written
 * out below ({@link Action}), not from the server's code.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = "gantry.library.supplier-quota-bytes=" + ScopedRolesMatrixTest.QUOTA)
class ScopedRolesMatrixTest {

  /** Enough for a supplier's pushes in the matrix (a few dozen bytes each), not for the quota test's. */
  static final long QUOTA = 2000;

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
  }

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  @Autowired JdbcClient jdbc;
  String admin;

  enum Role {
    DEPLOYMENT_MANAGER, DEPLOYMENT_PRACTITIONER, SERVICE_OWNER, TECHNICAL_SPECIALIST, SERVICE_DESK, SUPPLIER, AUDITOR;

    String id() {
      return name().toLowerCase().replace('_', '-');
    }
  }

  static final Set<Role> INSIDERS = EnumSet.complementOf(EnumSet.of(Role.SUPPLIER));

  /** How a user holds its role: as its own (everywhere) or bound to a scope. */
  enum Grant {
    EVERYWHERE(null, null), SERVICE("shop", null), ENVIRONMENT(null, "dev"), SERVICE_IN_ENVIRONMENT("shop", "dev"),
    OTHER_SERVICE("reporting", null), OTHER_ENVIRONMENT(null, "production");

    final String service;
    final String environment;

    Grant(String service, String environment) {
      this.service = service;
      this.environment = environment;
    }

    /** An action in (service, environment) lies inside the grant; a part the action lacks must be unbound. */
    boolean acts(String service, String environment) {
      return this == EVERYWHERE || (this.service == null || this.service.equals(service))
          && (this.environment == null || this.environment.equals(environment));
    }

    /** A record of (service, environment) is read from any grant that overlaps it. */
    boolean reads(String service, String environment) {
      return this == EVERYWHERE || (this.service == null || service == null || this.service.equals(service))
          && (this.environment == null || environment == null || this.environment.equals(environment));
    }
  }

  static final Set<Role> DEPLOYERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER,
      Role.SERVICE_OWNER, Role.TECHNICAL_SPECIALIST);
  static final Set<Role> REPORTERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER,
      Role.SERVICE_OWNER, Role.TECHNICAL_SPECIALIST, Role.SERVICE_DESK);

  /**
   * The policy: who may do each action, in which scope. An action that changes or manages something, or
   * a report that counts everything in its scope, needs a grant that contains the scope; a read of a
   * record needs one that overlaps it.
   */
  enum Action {
    READ_DEPLOYMENT(INSIDERS, false, "shop", "dev"),
    LIST_DEPLOYMENTS(INSIDERS, false, "shop", "dev"),
    REQUEST_DEPLOYMENT(EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER, Role.SERVICE_OWNER,
        Role.TECHNICAL_SPECIALIST), true, "shop", "dev"),
    CANCEL_DEPLOYMENT(EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER, Role.SERVICE_OWNER,
        Role.TECHNICAL_SPECIALIST), true, "shop", "dev"),
    PUSH_VERSION(EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER, Role.TECHNICAL_SPECIALIST,
        Role.SUPPLIER), true, "shop", null),
    CHANGE_VERSION_STATUS(EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.SERVICE_OWNER), true, "shop", null),
    READ_VERSION(EnumSet.allOf(Role.class), false, "shop", null),
    LIST_SERVICES(EnumSet.allOf(Role.class), false, "shop", null),
    RECORD_CHANGE(EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER, Role.SERVICE_OWNER,
        Role.TECHNICAL_SPECIALIST), true, "shop", "dev"),
    READ_CHANGE(INSIDERS, false, "shop", "dev"),
    READ_ENVIRONMENT(INSIDERS, false, null, "dev"),
    LIST_TARGETS(INSIDERS, false, null, "dev"),
    READ_MODEL(INSIDERS, false, "shop", null),
    LIST_MODELS(INSIDERS, false, "shop", null),
    RECORD_RELEASE(DEPLOYERS, true, "shop", null),
    READ_RELEASE(INSIDERS, false, "shop", null),
    DEPLOY_RELEASE(DEPLOYERS, true, "shop", "dev"),
    READ_RELEASE_RUN(INSIDERS, false, "shop", "dev"),
    READ_FREEZE(INSIDERS, false, "shop", null),
    LIST_SCHEDULE(INSIDERS, false, "shop", "dev"),
    LIST_QUEUE(INSIDERS, false, "shop", "dev"),
    REPORT_INCIDENT(REPORTERS, true, "shop", "dev"),
    READ_INCIDENT(INSIDERS, false, "shop", "dev"),
    READ_KPIS(INSIDERS, true, "shop", "dev"),
    READ_DEPLOYMENT_VSM(INSIDERS, false, "shop", "dev"),
    READ_RATING(INSIDERS, false, "shop", "dev"),
    LIST_ROLE_BINDINGS(EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.AUDITOR), true, null, null),
    LIST_USERS(INSIDERS, true, null, null),
    PLAN_CONFIGURATION(INSIDERS, true, null, null),
    APPLY_CONFIGURATION(EnumSet.of(Role.DEPLOYMENT_MANAGER), true, null, null),
    CREATE_USER(EnumSet.of(Role.DEPLOYMENT_MANAGER), true, null, null);

    final Set<Role> roles;
    /** The grant must contain the action's scope (a change, management, a report); else overlap it (a read). */
    final boolean contained;
    final String service;
    final String environment;

    Action(Set<Role> roles, boolean contained, String service, String environment) {
      this.roles = roles;
      this.contained = contained;
      this.service = service;
      this.environment = environment;
    }

    boolean allows(Role role, Grant grant) {
      return roles.contains(role) && (contained ? grant.acts(service, environment)
          : grant.reads(service, environment));
    }
  }

  String version;
  long deployment;
  String change;
  String release;
  long releaseRun;
  long freeze;
  long incident;

  @BeforeEach
  void setUp() throws Exception {
    admin = io.gantry.testing.AdminToken.of(dataDir);
    Response applied = post("/api/v1/config/apply", admin, Map.of("files", configuration(), "reason", "matrix"));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
    version = "1.0." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000);
    assertThat(push(version, admin).status()).isEqualTo(201);
    deployment = plannedDeployment(admin).json().path("id").asLong();
    Response c = recordChange(admin);
    assertThat(c.status()).as(c.text()).isEqualTo(201);
    change = c.json().path("key").asString();
    release = recordRelease(admin).json().path("name").asString();
    Response run = deployRelease(release, admin);
    assertThat(run.status()).as(run.text()).isEqualTo(201);
    releaseRun = run.json().path("id").asLong();
    freeze = declareFreeze("shop", null).path("id").asLong();
    incident = reportIncident("shop", "dev", admin).json().path("id").asLong();
  }

  @Test
  void every_role_in_every_scope_is_allowed_exactly_what_the_policy_says_and_refused_the_rest() throws Exception {
    List<String> wrong = new ArrayList<>();
    Map<Action, Set<Boolean>> seen = new java.util.EnumMap<>(Action.class);
    int cells = 0;
    for (Role role : Role.values()) {
      for (Grant grant : Grant.values()) {
        String token = user(role, grant);
        for (Action action : Action.values()) {
          boolean expected = action.allows(role, grant);
          Outcome outcome = attempt(action, token);
          cells++;
          seen.computeIfAbsent(action, a -> new java.util.HashSet<>()).add(outcome.allowed());
          if (outcome.allowed() != expected) {
            wrong.add(role.id() + " held " + grant + ": " + action + " was " + (outcome.allowed() ? "allowed" : "refused")
                + " (" + outcome.detail() + ")");
          }
        }
      }
    }
    assertThat(cells).isEqualTo(Role.values().length * Grant.values().length * Action.values().length);
    assertThat(wrong).as("cells answered against the policy").isEmpty();
    assertThat(seen).as("every action both allowed and refused somewhere").allSatisfy((action, outcomes) ->
        assertThat(outcomes).as(action.name()).containsExactlyInAnyOrder(true, false));
  }

  @Test
  void a_service_owner_approves_changes_and_versions_of_its_own_service_only() throws Exception {
    String ownerOfShop = user(Role.SERVICE_OWNER, Grant.SERVICE);
    String ownerOfReporting = user(Role.SERVICE_OWNER, Grant.OTHER_SERVICE);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("title", "to production");
    body.put("type", "normal");
    body.put("risk", "low");
    body.put("impact", "low");
    body.put("plannedStart", Instant.now().plus(10, ChronoUnit.DAYS).toString());
    body.put("plannedEnd", Instant.now().plus(10, ChronoUnit.DAYS).plus(1, ChronoUnit.HOURS).toString());
    body.put("implementationPlan", "deploy");
    body.put("backoutPlan", "roll back");
    body.put("testPlan", "smoke test");
    body.put("services", List.of("shop"));
    body.put("environments", List.of("production"));
    String key = post("/api/v1/changes", admin, body).json().path("key").asString();
    assertThat(post("/api/v1/changes/" + key + "/submit", admin, Map.of()).status()).isEqualTo(200);

    Response foreign = post("/api/v1/changes/" + key + "/approve", ownerOfReporting, Map.of("reason", "looks fine"));
    Response own = post("/api/v1/changes/" + key + "/approve", ownerOfShop, Map.of("reason", "looks fine"));

    assertThat(foreign.status()).as(foreign.text()).isEqualTo(403);
    assertThat(own.status()).as(own.text()).isEqualTo(200);
    assertThat(get("/api/v1/changes/" + key, admin).json().path("approvals").valueStream()
        .map(a -> a.path("approver").asString()).toList()).hasSize(1);
    long row = get("/api/v1/services/shop/components/web/versions/" + version, admin).json().path("rowVersion")
        .asLong();
    Map<String, Object> approve = Map.of("status", "approved", "reason", "tested", "rowVersion", row);
    Response foreignVersion = put("/api/v1/services/shop/components/web/versions/" + version + "/status",
        ownerOfReporting, approve);
    assertThat(foreignVersion.status()).isEqualTo(403);
    assertThat(JSON.readTree(foreignVersion.text()).path("detail").asString()).contains("service shop")
        .contains("service-owner");
    assertThat(put("/api/v1/services/shop/components/web/versions/" + version + "/status", ownerOfShop, approve)
        .status()).isEqualTo(200);
  }

  @Test
  void a_binding_names_a_service_or_environment_that_exists_is_recorded_and_its_withdrawal_acts_at_once()
      throws Exception {
    String name = "bound-" + UUID.randomUUID().toString().substring(0, 8);
    String code = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of())).json().path("enrolment")
        .path("code").asString();
    String token = post("/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();
    Response typo = post("/api/v1/role-bindings", admin, Map.of("user", name, "role", "deployment-practitioner",
        "service", "shpo"));
    Response nowhere = post("/api/v1/role-bindings", admin, Map.of("user", name, "role", "deployment-practitioner"));
    Response badRole = post("/api/v1/role-bindings", admin, Map.of("user", name, "role", "root", "service", "shop"));
    assertThat(typo.status()).isEqualTo(422);
    assertThat(typo.text()).contains("service").contains("shpo");
    assertThat(nowhere.status()).isEqualTo(422);
    assertThat(badRole.status()).isEqualTo(422);
    assertThat(badRole.text()).contains("\"role\"");
    assertThat(get("/api/v1/role-bindings?user=" + name, admin).json().size()).isZero();
    assertThat(plannedDeployment(token).status()).isEqualTo(403);

    JsonNode bound = post("/api/v1/role-bindings", admin, Map.of("user", name, "role", "deployment-practitioner",
        "service", "shop", "environment", "dev")).json();
    assertThat(post("/api/v1/role-bindings", admin, Map.of("user", name, "role", "deployment-practitioner",
        "service", "shop", "environment", "dev")).status()).isEqualTo(409);
    assertThat(plannedDeployment(token).status()).isEqualTo(201);
    assertThat(get("/api/v1/users/me", token).json().path("bindings").get(0).path("service").asString())
        .isEqualTo("shop");
    assertThat(delete("/api/v1/role-bindings/" + bound.path("id").asLong(), admin).status()).isEqualTo(200);

    assertThat(plannedDeployment(token).status()).isEqualTo(403);
    assertThat(get("/api/v1/identity-events?user=" + name, admin).json().path("items").valueStream()
        .map(e -> e.path("action").asString()).toList()).containsSubsequence("role-bound", "role-unbound");
  }

  @Test
  void a_role_binding_declared_in_configuration_acts_in_its_scope_until_configuration_drops_it() throws Exception {
    String name = "declared-" + UUID.randomUUID().toString().substring(0, 8);
    String code = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of())).json().path("enrolment")
        .path("code").asString();
    String token = post("/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();
    String binding = """
        apiVersion: gantry.io/v1
        kind: RoleBinding
        metadata: {name: %s-shop-dev}
        spec: {user: %s, role: deployment-practitioner, service: shop, environment: dev}
        """.formatted(name, name);
    List<Map<String, String>> withBinding = new ArrayList<>(configuration());
    withBinding.add(Map.of("name", "bindings.yaml", "content", binding + """
        ---
        apiVersion: gantry.io/v1
        kind: RoleBinding
        metadata: {name: %s-auditors}
        spec: {group: %s-auditors, role: auditor, environment: production}
        """.formatted(name, name)));

    Response applied = post("/api/v1/config/apply", admin, Map.of("files", withBinding, "reason", "bind"));

    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
    assertThat(plannedDeployment(token).status()).isEqualTo(201);
    assertThat(post("/api/v1/deployments", token, Map.of("component", "shop/web", "version", version,
        "environment", "test", "reason", "outside", "at", Instant.now().plus(30, ChronoUnit.DAYS).toString()))
        .status()).isEqualTo(403);
    assertThat(get("/api/v1/role-bindings?group=" + name + "-auditors", admin).json().get(0).path("declaredAs")
        .asString()).isEqualTo(name + "-auditors");
    JsonNode listed = get("/api/v1/role-bindings?user=" + name, admin).json().get(0);
    assertThat(listed.path("declaredAs").asString()).isEqualTo(name + "-shop-dev");
    Response byApi = delete("/api/v1/role-bindings/" + listed.path("id").asLong(), admin);
    assertThat(byApi.status()).isEqualTo(409);
    assertThat(byApi.text()).contains("declared in configuration");

    for (String[] bad : List.of(new String[] {"user: " + name, "user: nobody-here", "spec.user", "no user"},
        new String[] {"service: shop", "service: shpo", "spec.service", "not declared"},
        new String[] {"environment: dev", "environment: qa", "spec.environment", "not declared"},
        new String[] {"role: deployment-practitioner", "role: root", "spec.role", "root"},
        new String[] {"spec: {user: " + name + ",", "spec: {user: " + name + ", group: both,", "spec.user",
            "one of the two"})) {
      List<Map<String, String>> files = new ArrayList<>(configuration());
      files.add(Map.of("name", "bindings.yaml", "content", binding.replace(bad[0], bad[1])));
      Response refused = post("/api/v1/config/apply", admin, Map.of("files", files, "reason", "bad"));
      assertThat(refused.status()).as(bad[1]).isEqualTo(422);
      assertThat(refused.json().path("errors").valueStream()).as(refused.text()).anySatisfy(e -> {
        assertThat(e.path("field").asString()).endsWith(bad[2]);
        assertThat(e.path("message").asString()).contains(bad[3]);
      });
    }
    assertThat(plannedDeployment(token).status()).as("a refused apply changes nothing").isEqualTo(201);

    assertThat(post("/api/v1/config/apply", admin, Map.of("files", configuration(), "reason", "unbind")).status())
        .isEqualTo(200);
    assertThat(plannedDeployment(token).status()).isEqualTo(403);
    assertThat(get("/api/v1/identity-events?user=" + name, admin).json().path("items").valueStream()
        .map(e -> e.path("detail").asString()).toList()).anyMatch(d -> d.contains("RoleBinding " + name + "-shop-dev"));
  }

  @Test
  void a_supplier_pushes_within_its_quota_and_a_push_past_it_is_refused_leaving_nothing() throws Exception {
    String supplier = user(Role.SUPPLIER, Grant.SERVICE);
    String other = user(Role.SUPPLIER, Grant.SERVICE);
    String practitioner = user(Role.DEPLOYMENT_PRACTITIONER, Grant.SERVICE);
    String big = "x".repeat((int) (QUOTA * 6 / 10));

    Response first = push("3.0.1", supplier, big);
    Response second = push("3.0.2", supplier, big + "y");

    assertThat(first.status()).as(first.text()).isEqualTo(201);
    assertThat(second.status()).as(second.text()).isEqualTo(422);
    assertThat(second.json().path("errors").get(0).path("message").asString()).contains("quota")
        .contains(String.valueOf(QUOTA)).contains("gantry.library.supplier-quota-bytes");
    assertThat(get("/api/v1/services/shop/components/web/versions/3.0.2", admin).status()).isEqualTo(404);
    assertThat(push("3.0.3", other, big).status()).as("each supplier has its own quota").isEqualTo(201);
    assertThat(push("3.0.4", practitioner, big).status()).isEqualTo(201);
    assertThat(push("3.0.5", practitioner, big + big).status()).as("no quota inside the organization")
        .isEqualTo(201);
  }

  @Test
  void a_role_bound_to_a_group_is_held_by_its_members_and_no_longer_once_a_member_leaves() throws Exception {
    String group = "ops-" + UUID.randomUUID().toString().substring(0, 6);
    String name = "member-" + UUID.randomUUID().toString().substring(0, 8);
    String code = post("/api/v1/users", admin, Map.of("name", name, "roles", List.of())).json().path("enrolment")
        .path("code").asString();
    String token = post("/api/v1/tokens", code, Map.of("name", "t")).json().path("token").asString();
    Response bound = post("/api/v1/role-bindings", admin, Map.of("group", group, "role", "deployment-practitioner",
        "service", "shop", "environment", "dev"));
    assertThat(bound.status()).as(bound.text()).isEqualTo(201);
    assertThat(post("/api/v1/role-bindings", admin, Map.of("group", group, "user", name, "role", "auditor",
        "service", "shop")).status()).as("a user or a group, not both").isEqualTo(422);
    assertThat(plannedDeployment(token).status()).as("not a member yet").isEqualTo(403);

    Response joined = send(HttpRequest.newBuilder(uri("/api/v1/users/" + name)).header("Content-Type",
        "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString("{\"groups\":[\"" + group + "\"]}")),
        admin);
    assertThat(joined.status()).as(joined.text()).isEqualTo(200);
    assertThat(joined.json().path("groups").get(0).asString()).isEqualTo(group);
    assertThat(plannedDeployment(token).status()).isEqualTo(201);
    assertThat(get("/api/v1/role-bindings?user=" + name, admin).json().get(0).path("group").asString())
        .isEqualTo(group);
    assertThat(post("/api/v1/deployments", token, Map.of("component", "shop/web", "version", version,
        "environment", "production", "reason", "outside", "at", Instant.now().plus(30, ChronoUnit.DAYS).toString()))
        .status()).as("the group's binding reaches dev only").isEqualTo(403);

    send(HttpRequest.newBuilder(uri("/api/v1/users/" + name)).header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"groups\":[]}")), admin);
    assertThat(plannedDeployment(token).status()).isEqualTo(403);
    assertThat(get("/api/v1/identity-events?user=" + name, admin).json().path("items").valueStream()
        .map(e -> e.path("action").asString()).filter(a -> a.equals("groups-changed")).count()).isEqualTo(2);
    assertThat(get("/api/v1/identity-events?user=group:" + group, admin).json().path("items").get(0).path("action")
        .asString()).isEqualTo("role-bound");
  }

  @Test
  void a_targets_history_shows_the_deployments_inside_the_callers_scopes_only() throws Exception {
    long ran = post("/api/v1/deployments", admin, Map.of("component", "shop/web", "version", version, "environment",
        "dev", "reason", "history")).json().path("id").asLong();
    Instant until = Instant.now().plusSeconds(120);
    while (!List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "CANCELLED").contains(
        get("/api/v1/deployments/" + ran, admin).json().path("state").asString()) && Instant.now().isBefore(until)) {
      Thread.sleep(200);
    }
    String inDev = user(Role.DEPLOYMENT_PRACTITIONER, Grant.SERVICE_IN_ENVIRONMENT);
    String inProduction = user(Role.DEPLOYMENT_PRACTITIONER, Grant.OTHER_ENVIRONMENT);

    for (String[] reader : List.of(new String[] {admin, "true"}, new String[] {inDev, "true"},
        new String[] {inProduction, "false"})) {
      Response history = get("/api/v1/inventory/targets/dev-web-1/history?limit=1000", reader[0]);
      assertThat(history.status()).isEqualTo(200);
      assertThat(history.json().valueStream().anyMatch(d -> d.path("id").asLong() == ran))
          .as(history.text()).isEqualTo(Boolean.parseBoolean(reader[1]));
      Response inventory = get("/api/v1/inventory", reader[0]);
      assertThat(inventory.json().valueStream().noneMatch(p -> p.path("environment").asString().equals("dev")
          && !Boolean.parseBoolean(reader[1]))).as(inventory.text()).isTrue();
    }
  }

  @Test
  void a_role_held_in_one_service_reads_that_services_models_and_releases_and_not_anothers() throws Exception {
    String ownerOfShop = user(Role.SERVICE_OWNER, Grant.SERVICE);
    String ownerOfReporting = user(Role.SERVICE_OWNER, Grant.OTHER_SERVICE);
    String practitionerInDev = user(Role.DEPLOYMENT_PRACTITIONER, Grant.SERVICE_IN_ENVIRONMENT);
    Response pushed = push("network-core/edge-router", Map.of("version", version, "attributes",
        Map.of("serialNumber", "SN-1", "model", "ER-9")), admin);
    assertThat(pushed.status()).as(pushed.text()).isEqualTo(201);
    Response core = post("/api/v1/releases", admin, Map.of("name", "core-" + UUID.randomUUID().toString()
        .substring(0, 8), "members", List.of("network-core/edge-router@" + version)));
    assertThat(core.status()).as(core.text()).isEqualTo(201);
    String coreRelease = core.json().path("name").asString();

    for (String path : List.of("/api/v1/models/hardware", "/api/v1/models/hardware/versions",
        "/api/v1/models/hardware/versions/1", "/api/v1/models/hardware/diff", "/api/v1/releases/" + coreRelease)) {
      Response refused = get(path, ownerOfShop);
      assertThat(refused.status()).as(path + ": " + refused.text()).isEqualTo(403);
      assertThat(refused.json().path("detail").asString()).as(path).contains("service network-core");
      assertThat(get(path, admin).status()).as(path).isEqualTo(200);
    }
    assertThat(get("/api/v1/models/in-house-software/versions", ownerOfShop).status()).isEqualTo(200);
    assertThat(names(get("/api/v1/models", ownerOfShop).json().path("items"), "name"))
        .contains("in-house-software").doesNotContain("hardware");
    assertThat(get("/api/v1/models", ownerOfShop).json().path("total").asLong()).isEqualTo(1);
    assertThat(names(get("/api/v1/models", ownerOfReporting).json().path("items"), "name"))
        .as("no model deploys a component of reporting").isEmpty();
    assertThat(names(get("/api/v1/releases", ownerOfShop).json(), "name")).contains(release)
        .doesNotContain(coreRelease);
    assertThat(names(get("/api/v1/releases", ownerOfReporting).json(), "name")).doesNotContain(release, coreRelease);
    assertThat(get("/api/v1/release-runs", ownerOfShop).json().valueStream().map(r -> r.path("id").asLong()))
        .contains(releaseRun);
    assertThat(get("/api/v1/release-runs", ownerOfReporting).json().valueStream().map(r -> r.path("id").asLong()))
        .doesNotContain(releaseRun);
    assertThat(get("/api/v1/releases/" + release, ownerOfReporting).status()).isEqualTo(403);

    Response both = post("/api/v1/releases", ownerOfShop, Map.of("name", "both-" + UUID.randomUUID().toString()
        .substring(0, 8), "members", List.of("shop/web@" + version, "network-core/edge-router@" + version)));
    assertThat(both.status()).as(both.text()).isEqualTo(403);
    assertThat(both.json().path("detail").asString()).contains("recording a release").contains("service network-core")
        .contains("service-owner");
    Response toProduction = post("/api/v1/releases/" + recordRelease(admin).json().path("name").asString() + "/runs",
        practitionerInDev, Map.of("environment", "production", "reason", "outside"));
    assertThat(toProduction.status()).as(toProduction.text()).isEqualTo(403);
    assertThat(toProduction.json().path("detail").asString()).contains("service shop in environment production");
    Response cancelled = post("/api/v1/release-runs/" + releaseRun + "/cancel", practitionerInDev,
        Map.of("reason", "not needed"));
    assertThat(cancelled.status()).as(cancelled.text()).isEqualTo(200);
    assertThat(cancelled.json().path("state").asString()).isEqualTo("cancelled");
  }

  @Test
  void a_role_held_in_one_service_reads_the_freezes_schedule_queue_and_incidents_that_concern_it() throws Exception {
    String ownerOfShop = user(Role.SERVICE_OWNER, Grant.SERVICE);
    String ownerOfReporting = user(Role.SERVICE_OWNER, Grant.OTHER_SERVICE);
    long everywhere = declareFreeze(null, null).path("id").asLong();
    long ofReporting = declareFreeze("reporting", null).path("id").asLong();
    long reportingIncident = reportIncident("reporting", "production", admin).json().path("id").asLong();

    assertThat(ids(get("/api/v1/freezes", ownerOfShop).json(), "id")).contains(freeze, everywhere)
        .doesNotContain(ofReporting);
    assertThat(ids(get("/api/v1/freezes", ownerOfReporting).json(), "id")).contains(ofReporting, everywhere)
        .doesNotContain(freeze);
    Response foreignFreeze = get("/api/v1/freezes/" + ofReporting, ownerOfShop);
    assertThat(foreignFreeze.status()).isEqualTo(403);
    assertThat(foreignFreeze.json().path("detail").asString()).contains("service reporting");

    String period = "?from=" + Instant.now() + "&to=" + Instant.now().plus(60, ChronoUnit.DAYS);
    JsonNode own = get("/api/v1/schedule" + period, ownerOfShop).json();
    JsonNode foreign = get("/api/v1/schedule" + period, ownerOfReporting).json();
    assertThat(ids(own.path("deployments"), "id")).contains(deployment);
    assertThat(ids(foreign.path("deployments"), "id")).doesNotContain(deployment);
    assertThat(ids(own.path("freezes"), "freeze")).contains(freeze, everywhere).doesNotContain(ofReporting);
    assertThat(ids(foreign.path("freezes"), "freeze")).contains(ofReporting, everywhere).doesNotContain(freeze);
    assertThat(names(own.path("windows"), "model")).isNotEmpty().containsOnly("in-house-software");
    assertThat(foreign.path("windows")).as("no model deploys a component of reporting").isEmpty();
    assertThat(ids(foreign.path("conflicts"), "deployment")).doesNotContain(deployment);
    assertThat(get("/api/v1/schedule.ics", ownerOfShop).text()).contains("UID:deployment-" + deployment + "@gantry");
    assertThat(get("/api/v1/schedule.ics", ownerOfReporting).text()).doesNotContain("deployment-" + deployment)
        .contains("freeze-" + ofReporting);
    assertThat(names(get("/api/v1/queue?environment=dev", ownerOfShop).json(), "component")).contains("shop/web");
    assertThat(get("/api/v1/queue?environment=dev", ownerOfReporting).json()).isEmpty();

    assertThat(ids(get("/api/v1/incidents?size=500", ownerOfShop).json().path("items"), "id")).contains(incident)
        .doesNotContain(reportingIncident);
    assertThat(ids(get("/api/v1/incidents?size=500", ownerOfReporting).json().path("items"), "id"))
        .contains(reportingIncident).doesNotContain(incident);
    assertThat(get("/api/v1/incidents/" + reportingIncident, ownerOfShop).status()).isEqualTo(403);
    Response reported = reportIncident("reporting", "production", ownerOfShop);
    assertThat(reported.status()).as(reported.text()).isEqualTo(403);
    assertThat(reported.json().path("detail").asString()).contains("service reporting in environment production");
    assertThat(post("/api/v1/incidents/" + reportingIncident + "/resolve", ownerOfShop, Map.of()).status())
        .isEqualTo(403);
    assertThat(post("/api/v1/incidents/" + incident + "/resolve", ownerOfShop, Map.of()).status()).isEqualTo(200);
  }

  @Test
  void a_role_held_in_scopes_gets_figures_within_them_only_and_the_firings_of_its_components() throws Exception {
    String ownerOfShop = user(Role.SERVICE_OWNER, Grant.SERVICE);
    String ownerOfReporting = user(Role.SERVICE_OWNER, Grant.OTHER_SERVICE);

    String period = "?" + lastMonth();
    for (String path : List.of("/api/v1/metrics/kpis" + period + "&service=shop",
        "/api/v1/metrics/dora" + period + "&service=shop", "/api/v1/vsm" + period + "&service=shop&environment=dev",
        "/api/v1/metrics/kpis" + period + "&service=shop&format=csv")) {
      Response allowed = get(path, ownerOfShop);
      assertThat(allowed.status()).as(path + ": " + allowed.text()).isEqualTo(200);
    }
    for (String path : List.of("/api/v1/metrics/kpis" + period, "/api/v1/metrics/dora" + period + "&service=reporting",
        "/api/v1/vsm" + period + "&environment=dev",
        "/api/v1/metrics/kpis" + period + "&environment=production&team=team-shop")) {
      Response refused = get(path, ownerOfShop);
      assertThat(refused.status()).as(path + ": " + refused.text()).isEqualTo(403);
      assertThat(refused.json().path("detail").asString()).as(path).contains("outside the scopes of your roles")
          .contains("service shop");
      assertThat(get(path, admin).status()).as(path).isEqualTo(200);
    }
    assertThat(get("/api/v1/metrics/kpis" + period, ownerOfShop).json().path("detail").asString())
        .contains("every service and environment");

    String cause = UUID.randomUUID().toString();
    for (String[] firing : List.of(new String[] {"shop/web", "a"}, new String[] {"reporting/bi-licence", "b"})) {
      jdbc.sql("""
          insert into trigger_firings (model, model_version, trigger_name, cause, component, version, stage,
                                       environment, status, requested_by, reason, refusal, fired_at)
          values ('in-house-software', 1, 'matrix', :cause, :component, '1.0.0', 'dev', 'dev', 'REFUSED', 'gantry',
                  'matrix', 'matrix', :now)
          """).param("cause", cause + firing[1]).param("component", firing[0])
          .param("now", java.sql.Timestamp.from(Instant.now())).update();
    }
    assertThat(firings(ownerOfShop, cause)).containsExactly("shop/web");
    assertThat(firings(ownerOfReporting, cause)).containsExactly("reporting/bi-licence");
    assertThat(firings(admin, cause)).containsExactlyInAnyOrder("shop/web", "reporting/bi-licence");
  }

  /** A period for the reports: the last 30 days, today included. */
  static String lastMonth() {
    java.time.LocalDate today = java.time.LocalDate.now(java.time.ZoneOffset.UTC);
    return "from=" + today.minusDays(30) + "&to=" + today;
  }

  /** The components of the firings of {@code cause} that the caller is shown. */
  List<String> firings(String token, String cause) throws Exception {
    return get("/api/v1/triggers/firings?size=500", token).json().path("items").valueStream()
        .filter(f -> f.path("cause").asString().startsWith(cause)).map(f -> f.path("component").asString()).toList();
  }

  static List<String> names(JsonNode items, String field) {
    return items.valueStream().map(i -> i.path(field).asString()).toList();
  }

  static List<Long> ids(JsonNode items, String field) {
    return items.valueStream().map(i -> i.path(field).asLong()).toList();
  }

  record Outcome(boolean allowed, String detail) {}

  /** Tries the action; allowed when it did what was asked (or got to the action's own checks), refused on 403. */
  Outcome attempt(Action action, String token) throws Exception {
    Response r = switch (action) {
      case READ_DEPLOYMENT -> get("/api/v1/deployments/" + deployment, token);
      case LIST_DEPLOYMENTS -> {
        Response list = get("/api/v1/deployments?component=web&size=500", token);
        boolean listed = list.status() == 200 && list.json().path("items").valueStream()
            .anyMatch(d -> d.path("id").asLong() == deployment);
        yield new Response(listed ? 200 : 403, list.text());
      }
      case REQUEST_DEPLOYMENT -> plannedDeployment(token);
      case CANCEL_DEPLOYMENT -> post("/api/v1/deployments/" + plannedDeployment(admin).json().path("id").asLong()
          + "/cancel", token, Map.of("reason", "matrix"));
      case PUSH_VERSION -> push("2.0." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000), token);
      case CHANGE_VERSION_STATUS -> {
        // a stale row version: allowed callers reach the check of the row version (409) and nothing changes
        Response status = put("/api/v1/services/shop/components/web/versions/" + version + "/status", token,
            Map.of("status", "approved", "reason", "matrix", "rowVersion", 999));
        yield status.status() == 409 ? new Response(200, status.text()) : status;
      }
      case READ_VERSION -> get("/api/v1/services/shop/components/web/versions/" + version, token);
      case LIST_SERVICES -> {
        Response list = get("/api/v1/services?size=500", token);
        boolean listed = list.status() == 200 && list.json().path("items").valueStream()
            .anyMatch(s -> s.path("name").asString().equals("shop"));
        yield new Response(listed ? 200 : 403, list.text());
      }
      case RECORD_CHANGE -> recordChange(token);
      case READ_CHANGE -> get("/api/v1/changes/" + change, token);
      case READ_ENVIRONMENT -> get("/api/v1/environments/dev", token);
      case LIST_TARGETS -> {
        Response list = get("/api/v1/targets?size=500", token);
        boolean listed = list.status() == 200 && list.json().path("items").valueStream()
            .anyMatch(t -> t.path("environment").asString().equals("dev"));
        yield new Response(listed ? 200 : 403, list.text());
      }
      case READ_MODEL -> get("/api/v1/models/in-house-software", token);
      case LIST_MODELS -> listed(get("/api/v1/models?size=500", token), "items",
          m -> m.path("name").asString().equals("in-house-software"));
      case RECORD_RELEASE -> recordRelease(token);
      case READ_RELEASE -> get("/api/v1/releases/" + release, token);
      case DEPLOY_RELEASE -> deployRelease(recordRelease(admin).json().path("name").asString(), token);
      case READ_RELEASE_RUN -> get("/api/v1/release-runs/" + releaseRun, token);
      case READ_FREEZE -> get("/api/v1/freezes/" + freeze, token);
      case LIST_SCHEDULE -> listed(get("/api/v1/schedule?from=" + Instant.now().toString() + "&to="
          + Instant.now().plus(60, ChronoUnit.DAYS), token), "deployments", d -> d.path("id").asLong() == deployment);
      case LIST_QUEUE -> listed(get("/api/v1/queue?environment=dev", token), null,
          q -> q.path("component").asString().equals("shop/web"));
      case REPORT_INCIDENT -> reportIncident("shop", "dev", token);
      case READ_INCIDENT -> get("/api/v1/incidents/" + incident, token);
      case READ_KPIS -> get("/api/v1/metrics/kpis?" + lastMonth() + "&service=shop&environment=dev", token);
      case READ_DEPLOYMENT_VSM -> get("/api/v1/deployments/" + deployment + "/vsm", token);
      case READ_RATING -> {
        // the planned deployment has no rating: allowed callers reach the lookup (404)
        Response rating = get("/api/v1/deployments/" + deployment + "/ratings", token);
        yield rating.status() == 404 ? new Response(200, rating.text()) : rating;
      }
      case LIST_ROLE_BINDINGS -> get("/api/v1/role-bindings", token);
      case LIST_USERS -> get("/api/v1/users", token);
      case PLAN_CONFIGURATION -> post("/api/v1/config/plan", token, Map.of("files", configuration()));
      case APPLY_CONFIGURATION -> {
        // the configuration as it is: applying it again changes nothing when it is allowed
        yield post("/api/v1/config/apply", token, Map.of("files", configuration(), "reason", "matrix"));
      }
      case CREATE_USER -> post("/api/v1/users", token, Map.of("name", "made-" + UUID.randomUUID().toString()
          .substring(0, 8), "roles", List.of("auditor")));
    };
    if (r.status() == 403 || r.status() == 401) {
      return new Outcome(false, r.status() + " " + r.text());
    }
    if (r.status() >= 300) {
      throw new AssertionError(action + " answered " + r.status() + ", neither done nor refused: " + r.text());
    }
    return new Outcome(true, String.valueOf(r.status()));
  }

  /** Allowed (200) when the list answered and holds a matching item, else refused (403). */
  static Response listed(Response list, String items, java.util.function.Predicate<JsonNode> match) {
    boolean found = list.status() == 200 && (items == null ? list.json() : list.json().path(items)).valueStream()
        .anyMatch(match);
    return new Response(found ? 200 : 403, list.text());
  }

  /** A new release of the shop's web version. */
  Response recordRelease(String token) throws Exception {
    return post("/api/v1/releases", token, Map.of("name", "r-" + UUID.randomUUID().toString().substring(0, 8),
        "members", List.of("shop/web@" + version)));
  }

  Response deployRelease(String name, String token) throws Exception {
    return post("/api/v1/releases/" + name + "/runs", token, Map.of("environment", "dev", "reason", "matrix",
        "at", Instant.now().plus(30, ChronoUnit.DAYS).toString()));
  }

  /** A freeze far ahead, so that it holds nothing back now. */
  JsonNode declareFreeze(String service, String environment) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", "matrix " + (service == null ? "" : service) + (environment == null ? "" : environment));
    body.put("reason", "matrix");
    body.put("recurrence", "once");
    body.put("from", Instant.now().plus(40, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString());
    body.put("to", Instant.now().plus(41, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString());
    if (service != null) {
      body.put("service", service);
    }
    if (environment != null) {
      body.put("environment", environment);
    }
    Response declared = post("/api/v1/freezes", admin, body);
    assertThat(declared.status()).as(declared.text()).isEqualTo(201);
    return declared.json();
  }

  Response reportIncident(String service, String environment, String token) throws Exception {
    return post("/api/v1/incidents", token, Map.of("service", service, "environment", environment, "severity", "low",
        "title", "matrix", "detectedAt", Instant.now().minus(1, ChronoUnit.MINUTES).toString()));
  }

  Response plannedDeployment(String token) throws Exception {
    return post("/api/v1/deployments", token, Map.of("component", "shop/web", "version", version, "environment",
        "dev", "reason", "matrix", "at", Instant.now().plus(30, ChronoUnit.DAYS).toString()));
  }

  Response recordChange(String token) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("title", "matrix");
    body.put("type", "normal");
    body.put("risk", "low");
    body.put("impact", "low");
    body.put("plannedStart", Instant.now().plus(10, ChronoUnit.DAYS).toString());
    body.put("plannedEnd", Instant.now().plus(10, ChronoUnit.DAYS).plus(1, ChronoUnit.HOURS).toString());
    body.put("implementationPlan", "deploy");
    body.put("backoutPlan", "roll back");
    body.put("testPlan", "smoke test");
    body.put("services", List.of("shop"));
    body.put("environments", List.of("dev"));
    return post("/api/v1/changes", token, body);
  }

  /** A new user holding {@code role} as granted, and its token. */
  String user(Role role, Grant grant) throws Exception {
    String name = role.id().substring(0, Math.min(8, role.id().length())) + "-" + UUID.randomUUID().toString().substring(0, 8);
    Response created = post("/api/v1/users", admin, Map.of("name", name, "roles",
        grant == Grant.EVERYWHERE ? List.of(role.id()) : List.of()));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    if (grant != Grant.EVERYWHERE) {
      Map<String, Object> binding = new LinkedHashMap<>();
      binding.put("user", name);
      binding.put("role", role.id());
      if (grant.service != null) {
        binding.put("service", grant.service);
      }
      if (grant.environment != null) {
        binding.put("environment", grant.environment);
      }
      Response bound = post("/api/v1/role-bindings", admin, binding);
      assertThat(bound.status()).as(bound.text()).isEqualTo(201);
    }
    String code = created.json().path("enrolment").path("code").asString();
    return post("/api/v1/tokens", code, Map.of("name", "matrix")).json().path("token").asString();
  }

  /** The example configuration without the model's triggers, so that pushes and approvals start nothing. */
  static List<Map<String, String>> configuration() {
    return ConfigFiles.read(Path.of("examples/config")).stream().map(f -> Map.of("name", f.name(), "content",
        f.content().contains("\n  triggers:") ? f.content().substring(0, f.content().indexOf("\n  triggers:")) + "\n"
            : f.content())).toList();
  }

  // --- HTTP

  record Response(int status, String text) {
    JsonNode json() {
      return JSON.readTree(text);
    }
  }

  Response get(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).GET(), token);
  }

  Response post(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token);
  }

  Response delete(String path, String token) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).DELETE(), token);
  }

  Response put(String path, String token, Object body) throws Exception {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), token);
  }

  Response push(String v, String token) throws Exception {
    return push(v, token, "echo " + v);
  }

  Response push(String v, String token, String content) throws Exception {
    return push("shop/web", Map.of("version", v), token, content);
  }

  Response push(String component, Map<String, Object> manifest, String token) throws Exception {
    return push(component, manifest, token, "echo " + manifest.get("version"));
  }

  Response push(String component, Map<String, Object> manifest, String token, String content) throws Exception {
    String boundary = "gantry" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n" + JSON.writeValueAsString(manifest) + "\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"app.sh\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    return send(HttpRequest.newBuilder(uri("/api/v1/services/" + component.replace("/", "/components/")
        + "/versions"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofString(body)), token);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  static Response send(HttpRequest.Builder builder, String token) throws Exception {
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> r = HTTP.send(builder.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Response(r.statusCode(), r.body());
  }
}
