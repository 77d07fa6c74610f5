package io.gantry.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.catalog.ComponentRef;
import org.junit.jupiter.api.Test;

/** How CDEvents name Gantry's things: component versions as purls, and the public URL links are made from. */
class CdEventsNamesTest {

  @Test
  void a_component_version_is_a_generic_purl_with_the_service_as_namespace_and_odd_characters_percent_encoded() {
    assertThat(Purls.of(new ComponentRef("shop", "web"), "1.2.0")).isEqualTo("pkg:generic/shop/web@1.2.0");
    assertThat(Purls.of(new ComponentRef("shop", "web"), "1.0.0+build.5 rc/1"))
        .isEqualTo("pkg:generic/shop/web@1.0.0%2Bbuild.5%20rc%2F1");
    assertThat(Purls.encode("caf\u00e9")).isEqualTo("caf%C3%A9");
  }

  @Test
  void the_public_url_is_an_http_or_https_url_with_a_host_and_anything_else_is_refused_with_the_setting_named() {
    assertThat(CdEvents.publicUrl("")).isEmpty();
    assertThat(CdEvents.publicUrl(null)).isEmpty();
    assertThat(CdEvents.publicUrl("https://gantry.example.com/")).isEqualTo("https://gantry.example.com");
    assertThat(CdEvents.publicUrl("http://10.0.0.5:8080/gantry")).isEqualTo("http://10.0.0.5:8080/gantry");
    for (String bad : new String[] {"gantry.example.com", "ftp://gantry.example.com", "https://", "/console",
        "https://gantry.example.com/?x=1", "javascript:alert(1)", "https://exa mple.com"}) {
      assertThatThrownBy(() -> CdEvents.publicUrl(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("gantry.public-url");
    }
  }

  @Test
  void each_state_of_a_change_is_told_with_a_predicate_the_custom_type_pattern_accepts() {
    for (io.gantry.change.ChangeState s : io.gantry.change.ChangeState.values()) {
      assertThat(CdEvents.CHANGE_PREFIX + CdEvents.changePredicate(s) + CdEvents.CUSTOM_VERSION)
          .matches("^dev\\.cdeventsx\\.[a-zA-Z0-9]+-[a-zA-Z]+\\.[a-zA-Z]+\\.[0-9]\\.[0-9]\\.[0-9]$");
    }
    assertThat(CdEvents.MODEL_IN_FORCE)
        .matches("^dev\\.cdeventsx\\.[a-zA-Z0-9]+-[a-zA-Z]+\\.[a-zA-Z]+\\.[0-9]\\.[0-9]\\.[0-9]$");
    assertThat(CdEvents.DEPLOYMENT_WAITING)
        .matches("^dev\\.cdeventsx\\.[a-zA-Z0-9]+-[a-zA-Z]+\\.[a-zA-Z]+\\.[0-9]\\.[0-9]\\.[0-9]$");
  }
}
