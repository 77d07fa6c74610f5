package io.gantry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.StartupProblem;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** Which single sign-on settings the server starts with, and what it says of those it cannot use. */
class SingleSignOnSettingsTest {

  @Test
  void without_any_setting_single_sign_on_is_off() {
    assertThat(SingleSignOn.Settings.of(properties(Map.of()))).isEmpty();
  }

  @Test
  void an_issuer_and_an_audience_turn_it_on_with_preferred_username_unless_another_claim_is_named() {
    assertThat(SingleSignOn.Settings.of(properties(Map.of("gantry.oidc.issuer-uri", "https://login.example.com/ops",
        "gantry.oidc.audience", "gantry-api")))).contains(new SingleSignOn.Settings("https://login.example.com/ops",
        "gantry-api", "preferred_username", null));
    assertThat(SingleSignOn.Settings.of(variables(Map.of("GANTRY_OIDC_ISSUER_URI", "https://login.example.com/ops",
        "GANTRY_OIDC_AUDIENCE", "gantry-api", "GANTRY_OIDC_USERNAME_CLAIM", "email")))).contains(
        new SingleSignOn.Settings("https://login.example.com/ops", "gantry-api", "email", null));
    assertThat(SingleSignOn.Settings.of(properties(Map.of("gantry.oidc.issuer-uri", "https://login.example.com/ops",
        "gantry.oidc.audience", "gantry-api", "gantry.oidc.groups-claim", "groups")))).contains(
        new SingleSignOn.Settings("https://login.example.com/ops", "gantry-api", "preferred_username", "groups"));
  }

  @Test
  void an_issuer_without_an_audience_is_refused() {
    assertRefused(Map.of("gantry.oidc.issuer-uri", "https://login.example.com/ops"),
        "gantry.oidc.issuer-uri is set but gantry.oidc.audience is not: give the audience the identity provider "
            + "puts in the aud claim of Gantry's tokens");
    assertRefused(Map.of("gantry.oidc.issuer-uri", "https://login.example.com/ops", "gantry.oidc.audience", " "),
        "gantry.oidc.issuer-uri is set but gantry.oidc.audience is empty");
  }

  @Test
  void an_audience_or_a_username_claim_without_an_issuer_is_refused_rather_than_ignored() {
    assertRefused(Map.of("gantry.oidc.audience", "gantry-api"), "gantry.oidc.audience is set but "
        + "gantry.oidc.issuer-uri is not: set the issuer to turn single sign-on on, or remove it");
    assertRefused(Map.of("gantry.oidc.username-claim", "email"), "gantry.oidc.username-claim is set but "
        + "gantry.oidc.issuer-uri is not");
    assertRefused(Map.of("gantry.oidc.groups-claim", "groups"), "gantry.oidc.groups-claim is set but "
        + "gantry.oidc.issuer-uri is not");
  }

  @Test
  void an_issuer_that_is_empty_or_not_an_http_url_and_an_empty_claim_are_refused() {
    assertRefused(Map.of("gantry.oidc.issuer-uri", "", "gantry.oidc.audience", "gantry-api"),
        "gantry.oidc.issuer-uri is empty");
    assertRefused(Map.of("gantry.oidc.issuer-uri", "login.example.com", "gantry.oidc.audience", "gantry-api"),
        "gantry.oidc.issuer-uri \"login.example.com\" is not an http(s) URL");
    assertRefused(Map.of("gantry.oidc.issuer-uri", "ldap://login.example.com", "gantry.oidc.audience", "gantry-api"),
        "gantry.oidc.issuer-uri \"ldap://login.example.com\" is not an http(s) URL");
    assertRefused(Map.of("gantry.oidc.issuer-uri", "https://login.example.com", "gantry.oidc.audience", "gantry-api",
        "gantry.oidc.username-claim", ""), "gantry.oidc.username-claim is empty");
    assertRefused(Map.of("gantry.oidc.issuer-uri", "https://login.example.com", "gantry.oidc.audience", "gantry-api",
        "gantry.oidc.groups-claim", " "), "gantry.oidc.groups-claim is empty");
  }

  @Test
  void a_setting_under_gantry_oidc_that_is_none_of_the_known_is_refused_naming_it_and_where_it_came_from() {
    assertRefused(Map.of("gantry.oidc.issuer-uri", "https://login.example.com", "gantry.oidc.audience", "gantry-api",
        "gantry.oidc.audiences", "other"), "unknown setting gantry.oidc.audiences (from test): single sign-on takes "
        + "gantry.oidc.issuer-uri, gantry.oidc.audience, gantry.oidc.username-claim, gantry.oidc.groups-claim, "
        + "gantry.oidc.console.client-id, gantry.oidc.console.client-secret and gantry.oidc.console.scopes");
    assertRefused(Map.of("gantry.oidc.issuer-uri", "https://login.example.com", "gantry.oidc.audience", "gantry-api",
        "gantry.oidc.console.client", "console"), "unknown setting gantry.oidc.console.client (from test)");
    assertThatThrownBy(() -> SingleSignOn.Settings.of(variables(Map.of("GANTRY_OIDC_USERNAME_CLAM", "email"))))
        .isInstanceOf(StartupProblem.class).hasMessageStartingWith("unknown setting GANTRY_OIDC_USERNAME_CLAM "
            + "(from systemEnvironment)");
  }

  @Test
  void the_console_client_takes_its_id_an_optional_secret_and_scopes_that_default_to_openid_and_profile() {
    Map<String, Object> sso = Map.of("gantry.oidc.issuer-uri", "https://login.example.com/ops",
        "gantry.oidc.audience", "gantry-api");
    assertThat(SingleSignOn.Console.of(properties(sso))).isEmpty();
    assertThat(SingleSignOn.Console.of(properties(with(sso, "gantry.oidc.console.client-id", " gantry-console "))))
        .contains(new SingleSignOn.Console("gantry-console", null, List.of("openid", "profile")));
    assertThat(SingleSignOn.Console.of(properties(with(with(with(sso, "gantry.oidc.console.client-id", "c"),
        "gantry.oidc.console.client-secret", "s3cret"), "gantry.oidc.console.scopes", "openid profile,groups"))))
        .contains(new SingleSignOn.Console("c", "s3cret", List.of("openid", "profile", "groups")));
  }

  @Test
  void console_settings_that_contradict_each_other_or_would_be_ignored_are_refused_with_one_line() {
    Map<String, Object> sso = Map.of("gantry.oidc.issuer-uri", "https://login.example.com/ops",
        "gantry.oidc.audience", "gantry-api");
    assertRefused(Map.of("gantry.oidc.console.client-id", "gantry-console"), "gantry.oidc.console.client-id is set "
        + "but gantry.oidc.issuer-uri is not: the console signs in with the identity provider that issuer names");
    assertConsoleRefused(with(sso, "gantry.oidc.console.client-secret", "s3cret"), "gantry.oidc.console.client-secret "
        + "is set but gantry.oidc.console.client-id is not");
    assertConsoleRefused(with(sso, "gantry.oidc.console.client-id", " "), "gantry.oidc.console.client-id is empty");
    assertConsoleRefused(with(with(sso, "gantry.oidc.console.client-id", "c"), "gantry.oidc.console.client-secret", ""),
        "gantry.oidc.console.client-secret is empty");
    assertConsoleRefused(with(with(sso, "gantry.oidc.console.client-id", "c"), "gantry.oidc.console.scopes", "profile"),
        "gantry.oidc.console.scopes \"profile\" does not contain openid");
    assertConsoleRefused(with(with(sso, "gantry.oidc.console.client-id", "c"), "gantry.oidc.console.scopes",
        "openid pro\"file"), "gantry.oidc.console.scopes: \"pro\"file\" is not a scope name");
  }

  private static Map<String, Object> with(Map<String, Object> settings, String key, Object value) {
    var all = new java.util.HashMap<>(settings);
    all.put(key, value);
    return all;
  }

  private static void assertConsoleRefused(Map<String, Object> settings, String message) {
    assertThatThrownBy(() -> SingleSignOn.Console.of(properties(settings))).isInstanceOf(StartupProblem.class)
        .hasMessageStartingWith(message);
  }

  private static void assertRefused(Map<String, Object> settings, String message) {
    assertThatThrownBy(() -> SingleSignOn.Settings.of(properties(settings))).isInstanceOf(StartupProblem.class)
        .hasMessageStartingWith(message);
  }

  private static StandardEnvironment properties(Map<String, Object> settings) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    environment.getPropertySources().addFirst(new MapPropertySource("test", settings));
    return environment;
  }

  private static StandardEnvironment variables(Map<String, Object> variables) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
    return environment;
  }
}
