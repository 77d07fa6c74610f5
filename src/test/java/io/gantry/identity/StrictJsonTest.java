package io.gantry.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class StrictJsonTest {

  record Body(String name, Integer expiresInDays, Boolean disabled, List<String> roles) {}

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "{\"admin\": true}                      | admin",
      "{\"expiresInDays\": 1.5}               | expiresInDays",
      "{\"expiresInDays\": \"30\"}            | expiresInDays",
      "{\"expiresInDays\": 99999999999999}    | expiresInDays",
      "{\"disabled\": \"yes\"}                | disabled",
      "{\"disabled\": 1}                      | disabled",
      "{\"roles\": \"auditor\"}               | roles",
      "{\"roles\": [[\"auditor\"]]}           | roles[0]",
      "{\"name\": {\"first\": \"x\"}}         | name"})
  void a_body_is_refused_naming_the_field_that_would_otherwise_be_ignored_or_bent(String json, String field) {
    assertThatThrownBy(() -> StrictJson.read(JSON.readTree(json), Body.class))
        .isInstanceOfSatisfying(InvalidInputException.class, e ->
            assertThat(e.findings()).as(e.getMessage()).extracting(Finding::field).containsExactly(field));
  }

  @Test
  void a_body_that_is_not_an_object_is_refused() {
    assertThatThrownBy(() -> StrictJson.read(JSON.readTree("[1]"), Body.class))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void a_well_formed_body_is_read() {
    assertThat(StrictJson.read(JSON.readTree("{\"name\": \"ci\", \"expiresInDays\": 30}"), Body.class))
        .isEqualTo(new Body("ci", 30, null, null));
  }
}
