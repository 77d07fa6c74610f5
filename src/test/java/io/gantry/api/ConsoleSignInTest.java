package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.AdminToken;
import io.gantry.testing.OidcProvider;
import io.gantry.testing.TestDatabase;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The console's sign-in over real HTTP, with a browser's cookie jar and no redirect followed unseen: with
 * an API token, and with a real OpenID Connect provider (Spring Authorization Server on its own port),
 * authorization code with PKCE through the provider's login form.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ConsoleSignInTest {

  static final String CLIENT = "gantry-console";
  static final String PASSWORD = "correct horse battery staple";
  static OidcProvider provider;

  @LocalServerPort int port;
  @Value("${gantry.data-dir}") Path dataDir;
  String admin;
  SignOnApi api;

  @DynamicPropertySource
  static void singleSignOn(DynamicPropertyRegistry registry) throws Exception {
    TestSupport.register(registry, TestDatabase.H2);
    provider = OidcProvider.start();
    registry.add("gantry.oidc.issuer-uri", provider::issuer);
    registry.add("gantry.oidc.audience", () -> OidcProvider.AUDIENCE);
    registry.add("gantry.oidc.groups-claim", () -> "groups");
    registry.add("gantry.oidc.console.client-id", () -> CLIENT);
  }

  @AfterAll
  static void stopTheProvider() {
    provider.close();
  }

  @BeforeEach
  void registerTheConsoleAtTheProvider() {
    admin = AdminToken.of(dataDir);
    api = new SignOnApi(port, admin);
    provider.webClient(CLIENT, null, gantry("/login/oauth2/code/gantry"));
  }

  String gantry(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  @Test
  void a_person_signs_in_at_the_provider_with_pkce_and_lands_on_a_page_naming_its_user_roles_bindings_and_groups()
      throws Exception {
    SignOnApi.Response applied = api.post("/api/v1/config/apply", admin, Map.of("reason", "console", "files",
        List.of(Map.of("name", "env.yaml", "content", """
            apiVersion: gantry.io/v1
            kind: Environment
            metadata: {name: console-env}
            spec: {purpose: test, owner: qa}
            """))));
    assertThat(applied.status()).as(applied.text()).isEqualTo(200);
    String group = "console-team-" + SignOnApi.suffix();
    assertThat(api.post("/api/v1/role-bindings", admin, Map.of("group", group, "role", "deployment-practitioner",
        "environment", "console-env")).status()).isEqualTo(201);
    String person = api.newUser("auditor");
    provider.person(person, PASSWORD, group);
    Browser browser = new Browser();

    HttpResponse<String> home = browser.get(gantry("/"));
    assertThat(home.statusCode()).isEqualTo(302);
    assertThat(location(home)).isEqualTo(gantry("/sign-in"));
    HttpResponse<String> signIn = browser.get(location(home));
    assertThat(signIn.statusCode()).isEqualTo(200);
    assertThat(signIn.body()).contains("Sign in with 127.0.0.1").contains("href=\"/oauth2/authorization/gantry\"");

    HttpResponse<String> toProvider = browser.get(gantry("/oauth2/authorization/gantry"));
    assertThat(toProvider.statusCode()).isEqualTo(302);
    URI authorize = URI.create(location(toProvider));
    Map<String, String> asked = query(authorize);
    assertThat(location(toProvider)).startsWith(provider.issuer() + "/oauth2/authorize?");
    assertThat(asked).containsEntry("response_type", "code").containsEntry("client_id", CLIENT)
        .containsEntry("code_challenge_method", "S256").containsEntry("redirect_uri", gantry("/login/oauth2/code/gantry"))
        .containsKeys("state", "nonce");
    assertThat(asked.get("code_challenge")).matches("[A-Za-z0-9_-]{43}");
    assertThat(asked.get("scope")).isEqualTo("openid profile");

    String callback = browser.logInAtTheProvider(authorize.toString(), person, PASSWORD);
    assertThat(callback).startsWith(gantry("/login/oauth2/code/gantry?"));
    String before = browser.session();
    HttpResponse<String> back = browser.get(callback);
    assertThat(back.statusCode()).as(back.body()).isEqualTo(302);
    assertThat(location(back)).isEqualTo(gantry("/"));
    assertThat(browser.session()).as("a new session id at sign-in").isNotNull().isNotEqualTo(before);

    HttpResponse<String> landing = browser.get(gantry("/"));
    assertThat(landing.statusCode()).as(landing.body()).isEqualTo(200);
    assertThat(landing.body()).contains("<strong id=\"user\">" + person + "</strong>").contains("<li>auditor</li>")
        .contains("<td>environment console-env</td><td>deployment-practitioner</td><td>" + group + "</td>")
        .contains("<li>" + group + "</li>").contains("action=\"/sign-out\"").doesNotContainPattern("<script(?![^>]*\\bsrc=\"/)");
    assertThat(events(person)).contains("groups-changed", "signed-in");

    // the callback cannot be used again, in this browser or another; the sign-in made stays
    HttpResponse<String> replayed = browser.get(callback);
    assertThat(replayed.statusCode()).isEqualTo(401);
    assertThat(replayed.body()).contains("matches no sign-in started in this browser");
    assertThat(browser.get(gantry("/")).statusCode()).isEqualTo(200);
    Browser other = new Browser();
    assertThat(other.get(callback).body()).contains("matches no sign-in started in this browser");
    assertThat(location(other.get(gantry("/")))).isEqualTo(gantry("/sign-in"));
  }

  @Test
  void a_callback_whose_state_is_not_the_one_sent_is_refused_and_signs_no_one_in() throws Exception {
    String person = api.newUser("auditor");
    provider.person(person, PASSWORD);
    Browser browser = new Browser();
    String authorize = location(browser.get(gantry("/oauth2/authorization/gantry")));
    String callback = browser.logInAtTheProvider(authorize, person, PASSWORD);

    HttpResponse<String> forged = browser.get(callback.replaceAll("state=[^&]+", "state=forged"));

    assertThat(forged.statusCode()).isEqualTo(401);
    assertThat(forged.body()).contains("matches no sign-in started in this browser");
    assertThat(location(browser.get(gantry("/")))).isEqualTo(gantry("/sign-in"));
    assertThat(events(person)).doesNotContain("signed-in");
  }

  @Test
  void a_person_the_provider_knows_but_gantry_does_not_is_refused_with_a_page_saying_so_and_no_session()
      throws Exception {
    String stranger = "stranger-" + SignOnApi.suffix();
    provider.person(stranger, PASSWORD);
    Browser browser = new Browser();
    String authorize = location(browser.get(gantry("/oauth2/authorization/gantry")));

    HttpResponse<String> refused = browser.get(browser.logInAtTheProvider(authorize, stranger, PASSWORD));

    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.body()).contains("the user " + stranger + " is not known to Gantry; ask a deployment manager");
    assertThat(location(browser.get(gantry("/")))).isEqualTo(gantry("/sign-in"));
    assertThat(api.userNames()).doesNotContain(stranger);
  }

  @Test
  void a_valid_api_token_signs_in_and_sign_out_ends_the_session_so_its_cookie_no_longer_works() throws Exception {
    String manager = "manager-" + SignOnApi.suffix();
    String token = tokenOf(manager, "deployment-manager");
    Browser browser = new Browser();

    HttpResponse<String> signedIn = browser.signInWith(token);
    assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(302);
    assertThat(location(signedIn)).isEqualTo(gantry("/"));
    HttpResponse<String> landing = browser.get(gantry("/"));
    assertThat(landing.body()).contains("<strong id=\"user\">" + manager + "</strong>")
        .contains("<li>deployment-manager</li>");
    String cookie = browser.session();

    HttpResponse<String> signedOut = browser.post(gantry("/sign-out"), Map.of("_csrf", csrf(landing.body())));
    assertThat(signedOut.statusCode()).isEqualTo(302);
    assertThat(location(signedOut)).isEqualTo(gantry("/sign-in?signed-out"));
    assertThat(browser.get(location(signedOut)).body()).contains("You are signed out.");

    HttpResponse<String> withTheOldCookie = SignOnApi.HTTP.send(HttpRequest.newBuilder(URI.create(gantry("/")))
        .header("Cookie", "GANTRY_SESSION=" + cookie).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(withTheOldCookie.statusCode()).isEqualTo(302);
    assertThat(location(withTheOldCookie)).isEqualTo(gantry("/sign-in"));
    assertThat(events(manager)).contains("signed-in", "signed-out");
  }

  @Test
  void the_session_id_changes_at_sign_in() throws Exception {
    String token = tokenOf("auditor-" + SignOnApi.suffix(), "auditor");
    Browser browser = new Browser();
    browser.get(gantry("/sign-in"));
    String before = browser.session();

    browser.signInWith(token);

    assertThat(before).isNotNull();
    assertThat(browser.session()).isNotNull().isNotEqualTo(before);
  }

  @Test
  void a_garbage_a_revoked_token_and_an_enrolment_code_are_refused_saying_why_and_sign_no_one_in() throws Exception {
    String name = "revoked-" + SignOnApi.suffix();
    String token = tokenOf(name, "auditor");
    long id = api.get("/api/v1/tokens?user=" + name, admin).json().get(0).path("id").asLong();
    assertThat(SignOnApi.send(HttpRequest.newBuilder(api.uri("/api/v1/tokens/" + id)).DELETE(), admin).status())
        .isEqualTo(200);
    SignOnApi.Response created = api.post("/api/v1/users", admin, Map.of("name", "enrolled-" + SignOnApi.suffix(),
        "roles", List.of("auditor")));
    String code = created.json().path("enrolment").path("code").asString();

    Map<String, String> refusals = Map.of("gty_not-a-token", "the API token is not known",
        token, "the API token \"first\" was revoked at", code, "an enrolment code does not sign in");
    for (var refusal : refusals.entrySet()) {
      Browser browser = new Browser();
      HttpResponse<String> refused = browser.signInWith(refusal.getKey());
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(refused.body()).contains(refusal.getValue());
      assertThat(location(browser.get(gantry("/")))).isEqualTo(gantry("/sign-in"));
    }
    assertThat(events(name)).doesNotContain("signed-in");
    // the enrolment code was not used up: it still makes the user's first token
    assertThat(api.post("/api/v1/tokens", code, Map.of("name", "first")).status()).isEqualTo(201);
  }

  @Test
  void disabling_the_user_ends_its_session_at_the_next_page_and_a_role_withdrawn_is_gone_at_once() throws Exception {
    String name = "disabled-" + SignOnApi.suffix();
    Browser browser = new Browser();
    browser.signInWith(tokenOf(name, "deployment-manager"));
    assertThat(browser.get(gantry("/")).body()).contains("<li>deployment-manager</li>");

    assertThat(api.patch("/api/v1/users/" + name, admin, Map.of("roles", List.of("auditor"))).status()).isEqualTo(200);
    assertThat(browser.get(gantry("/")).body()).contains("<li>auditor</li>").doesNotContain("deployment-manager");

    assertThat(api.patch("/api/v1/users/" + name, admin, Map.of("disabled", true)).status()).isEqualTo(200);
    HttpResponse<String> next = browser.get(gantry("/"));
    assertThat(next.statusCode()).isEqualTo(302);
    assertThat(location(next)).isEqualTo(gantry("/sign-in"));
    assertThat(api.patch("/api/v1/users/" + name, admin, Map.of("disabled", false)).status()).isEqualTo(200);
    assertThat(location(browser.get(gantry("/")))).as("the session ended; enabling the user does not bring it back")
        .isEqualTo(gantry("/sign-in"));
  }

  @Test
  void revoking_the_token_signed_in_with_ends_the_session_at_the_next_page() throws Exception {
    String name = "revoking-" + SignOnApi.suffix();
    Browser browser = new Browser();
    browser.signInWith(tokenOf(name, "auditor"));
    assertThat(browser.get(gantry("/")).statusCode()).isEqualTo(200);
    long id = api.get("/api/v1/tokens?user=" + name, admin).json().get(0).path("id").asLong();

    assertThat(SignOnApi.send(HttpRequest.newBuilder(api.uri("/api/v1/tokens/" + id)).DELETE(), admin).status())
        .isEqualTo(200);

    assertThat(location(browser.get(gantry("/")))).isEqualTo(gantry("/sign-in"));
  }

  @Test
  void the_console_session_cookie_never_authenticates_an_api_call() throws Exception {
    Browser browser = new Browser();
    browser.signInWith(tokenOf("manager-" + SignOnApi.suffix(), "deployment-manager"));
    assertThat(browser.get(gantry("/")).statusCode()).isEqualTo(200);

    HttpResponse<String> me = browser.get(gantry("/api/v1/users/me"));

    assertThat(me.statusCode()).as(me.body()).isEqualTo(401);
    assertThat(me.headers().firstValue("Set-Cookie")).isEmpty();
    assertThat(browser.post(gantry("/api/v1/users"), Map.of("name", "x")).statusCode()).isEqualTo(401);
  }

  @Test
  void a_post_without_its_csrf_token_is_refused() throws Exception {
    String name = "manager-" + SignOnApi.suffix();
    String token = tokenOf(name, "deployment-manager");
    Browser browser = new Browser();
    browser.get(gantry("/sign-in"));

    assertThat(browser.post(gantry("/sign-in"), Map.of("token", token)).statusCode()).isEqualTo(403);
    assertThat(browser.post(gantry("/sign-in"), Map.of("token", token, "_csrf", "forged")).statusCode())
        .isEqualTo(403);
    assertThat(events(name)).doesNotContain("signed-in");

    browser.signInWith(token);
    assertThat(browser.post(gantry("/sign-out"), Map.of()).statusCode()).isEqualTo(403);
    assertThat(browser.get(gantry("/")).statusCode()).as("still signed in").isEqualTo(200);
  }

  @Test
  void pages_carry_the_security_headers_and_the_session_cookie_is_http_only_and_same_site_lax() throws Exception {
    Browser browser = new Browser();
    HttpResponse<String> page = browser.get(gantry("/sign-in"));

    assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue("default-src 'self'; "
        + "script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; "
        + "base-uri 'none'; object-src 'none'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(page.body()).doesNotContainPattern("<script(?![^>]*\\bsrc=\"/)").doesNotContain("style=");
    String cookie = page.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("GANTRY_SESSION="))
        .findFirst().orElseThrow();
    assertThat(cookie).contains("HttpOnly").contains("SameSite=Lax").doesNotContain("Secure");
    HttpResponse<String> css = browser.get(gantry("/console/gantry.css"));
    assertThat(css.statusCode()).isEqualTo(200);
    assertThat(css.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/css"));
  }

  /** A user with roles and its first API token, made with its enrolment code. */
  String tokenOf(String name, String role) throws Exception {
    SignOnApi.Response created = api.post("/api/v1/users", admin, Map.of("name", name, "roles", List.of(role)));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    SignOnApi.Response token = api.post("/api/v1/tokens", created.json().path("enrolment").path("code").asString(),
        Map.of("name", "first"));
    assertThat(token.status()).as(token.text()).isEqualTo(201);
    return token.json().path("token").asString();
  }

  /** The actions of the user's identity history. */
  List<String> events(String user) throws Exception {
    return api.get("/api/v1/identity-events?size=200&user=" + user, admin).json().path("items").valueStream()
        .map(e -> e.path("action").asString()).toList();
  }

  static String location(HttpResponse<String> response) {
    return response.headers().firstValue("Location").orElseThrow(() -> new AssertionError(
        "no redirect from " + response.uri() + ": " + response.statusCode() + " " + response.body()));
  }

  static String csrf(String page) {
    Matcher csrf = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
    assertThat(csrf.find()).as(page).isTrue();
    return csrf.group(1);
  }

  static Map<String, String> query(URI uri) {
    var all = new java.util.LinkedHashMap<String, String>();
    for (String pair : uri.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      all.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return all;
  }

  /** A browser: a cookie jar, and redirects for the test to follow. */
  final class Browser {

    final CookieManager cookies = new CookieManager();
    final HttpClient http = HttpClient.newBuilder().cookieHandler(cookies).followRedirects(HttpClient.Redirect.NEVER)
        .build();

    HttpResponse<String> get(String url) throws Exception {
      return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html").build(),
          HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String url, Map<String, String> form) throws Exception {
      String body = String.join("&", form.entrySet().stream().map(e -> e.getKey() + "="
          + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).toList());
      return http.send(HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/html")
          .header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Fills in the sign-in page's token form and sends it. */
    HttpResponse<String> signInWith(String token) throws Exception {
      HttpResponse<String> page = get(gantry("/sign-in"));
      assertThat(page.statusCode()).isEqualTo(200);
      return post(gantry("/sign-in"), Map.of("_csrf", csrf(page.body()), "token", token));
    }

    /** Gantry's session cookie, or null. */
    String session() {
      return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals("GANTRY_SESSION"))
          .map(HttpCookie::getValue).findFirst().orElse(null);
    }

    /**
     * Follows the provider's authorization request through its login form, as a person would, up to
     * the redirect back to Gantry; that redirect's address (the callback) is returned, not yet followed.
     */
    String logInAtTheProvider(String authorize, String username, String password) throws Exception {
      HttpResponse<String> toLogin = get(authorize);
      String loginPage = absolute(location(toLogin));
      HttpResponse<String> form = get(loginPage);
      Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(form.body());
      assertThat(csrf.find()).as(form.body()).isTrue();
      HttpResponse<String> loggedIn = post(provider.issuer() + "/login", Map.of("username", username,
          "password", password, "_csrf", csrf.group(1)));
      HttpResponse<String> authorized = get(absolute(location(loggedIn)));
      assertThat(authorized.statusCode()).as(authorized.body()).isEqualTo(302);
      return location(authorized);
    }

    private String absolute(String location) {
      return location.startsWith("/") ? provider.issuer() + location : location;
    }
  }
}
