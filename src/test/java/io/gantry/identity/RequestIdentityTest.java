package io.gantry.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

class RequestIdentityTest {

  private static final User ALICE = new User(1, "alice", "Alice", EnumSet.of(Role.SERVICE_OWNER), false,
      Instant.EPOCH, "admin", 0);
  private static final RoleBinding BOUND = new RoleBinding(7, "alice", null, Role.DEPLOYMENT_MANAGER, "shop", null,
      Instant.EPOCH, "admin", null);

  @AfterEach
  void unbind() {
    RequestContextHolder.resetRequestAttributes();
  }

  private static MockHttpServletRequest serving(String method) {
    var request = new MockHttpServletRequest(method, "/api/v1/deployments/1");
    RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request));
    return request;
  }

  @Test
  void a_read_request_keeps_the_caller_as_its_token_filter_read_it_for_that_caller_only() {
    RequestIdentity.remember(serving("GET"), ALICE, List.of(BOUND));

    assertThat(RequestIdentity.recall("alice")).isEqualTo(new RequestIdentity.Read(ALICE, List.of(BOUND)));
    assertThat(RequestIdentity.recall("bob")).as("another user is read from the database").isNull();
  }

  @Test
  void a_request_that_may_change_users_or_bindings_keeps_nothing() {
    for (String method : List.of("POST", "PUT", "PATCH", "DELETE")) {
      RequestIdentity.remember(serving(method), ALICE, List.of(BOUND));

      assertThat(RequestIdentity.recall("alice")).as(method).isNull();
    }
  }

  @Test
  void outside_a_request_nothing_is_recalled() {
    RequestIdentity.remember(serving("GET"), ALICE, List.of(BOUND));
    RequestContextHolder.resetRequestAttributes();

    assertThat(RequestIdentity.recall("alice")).isNull();
  }
}
