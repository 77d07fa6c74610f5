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
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
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

  /** The policy: who may do each action, in which scope. */
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
    LIST_ROLE_BINDINGS(EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.AUDITOR), true, null, null),
    APPLY_CONFIGURATION(EnumSet.of(Role.DEPLOYMENT_MANAGER), true, null, null),
    CREATE_USER(EnumSet.of(Role.DEPLOYMENT_MANAGER), true, null, null);

    final Set<Role> roles;
    final boolean changesOrManages;
    final String service;
    final String environment;

    Action(Set<Role> roles, boolean changesOrManages, String service, String environment) {
      this.roles = roles;
      this.changesOrManages = changesOrManages;
      this.service = service;
      this.environment = environment;
    }

    boolean allows(Role role, Grant grant) {
      return roles.contains(role) && (changesOrManages ? grant.acts(service, environment)
          : grant.reads(service, environment));
    }
  }

  String version;
  long deployment;
  String change;

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
      case LIST_ROLE_BINDINGS -> get("/api/v1/role-bindings", token);
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
    String boundary = "gantry" + UUID.randomUUID();
    String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"manifest\"\r\n"
        + "Content-Type: application/json\r\n\r\n" + JSON.writeValueAsString(Map.of("version", v)) + "\r\n"
        + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"artifact\"; filename=\"app.sh\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n" + content + "\r\n--" + boundary + "--\r\n";
    return send(HttpRequest.newBuilder(uri("/api/v1/services/shop/components/web/versions"))
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
