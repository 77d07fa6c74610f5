package io.gantry.identity;

import jakarta.validation.constraints.Size;
import io.gantry.shared.ConflictException;
import io.gantry.shared.Names;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.security.Principal;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Identity", description = "Users, roles and API tokens")
class IdentityController {

  private final Users users;
  private final ApiTokens tokens;

  IdentityController(Users users, ApiTokens tokens) {
    this.users = users;
    this.tokens = tokens;
  }

  record UserView(String name, String displayName, List<String> roles, boolean disabled, Instant createdAt) {
    static UserView of(User u) {
      return new UserView(u.name(), u.displayName(), u.roles().stream().sorted().map(Role::id).toList(),
          u.disabled(), u.createdAt());
    }
  }

  record NewUser(@NotBlank @Size(max = 63) String name, @Size(max = 200) String displayName,
      @NotEmpty @Size(max = 20) List<@Size(max = 40) String> roles) {}

  record TokenView(long id, String name, String user, String prefix, Instant createdAt, Instant expiresAt,
      Instant revokedAt, String revokedBy, Instant lastUsedAt) {
    static TokenView of(ApiToken t) {
      return new TokenView(t.id(), t.name(), t.user(), t.prefix(), t.createdAt(), t.expiresAt(), t.revokedAt(),
          t.revokedBy(), t.lastUsedAt());
    }
  }

  record NewToken(@Size(max = 100) String name, @Size(max = 63) String user, Integer expiresInDays) {}

  record IssuedToken(long id, String name, String user, String prefix, Instant expiresAt, String token) {}

  @GetMapping("/users")
  @Operation(summary = "List users")
  Page<UserView> users(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    return users.page(new PageRequest(page, size)).map(UserView::of);
  }

  @GetMapping("/users/me")
  @Operation(summary = "The user of the token in use")
  UserView me(Principal principal) {
    return UserView.of(users.find(principal.getName()).orElseThrow());
  }

  @PostMapping("/users")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Create a user with roles (deployment managers only)")
  ResponseEntity<UserView> create(@Valid @RequestBody NewUser body) {
    Names.require("name", body.name());
    Set<Role> roles = EnumSet.noneOf(Role.class);
    body.roles().forEach(r -> roles.add(Role.fromId(r)));
    if (users.find(body.name()).isPresent()) {
      throw new ConflictException("user \"" + body.name() + "\" already exists");
    }
    return ResponseEntity.status(HttpStatus.CREATED).body(UserView.of(users.create(body.name(), body.displayName(), roles)));
  }

  @GetMapping("/tokens")
  @Operation(summary = "List API tokens (never their secrets); deployment managers may name another user")
  List<TokenView> tokens(@RequestParam(required = false) String user, Authentication auth) {
    String whose = user == null ? auth.getName() : user;
    requireSelfOrManager(whose, auth);
    return tokens.of(whose).stream().map(TokenView::of).toList();
  }

  @PostMapping("/tokens")
  @Operation(summary = "Issue an API token; its secret is in this answer only")
  ResponseEntity<IssuedToken> issue(@Valid @RequestBody NewToken body, Authentication auth) {
    String whose = body.user() == null ? auth.getName() : body.user();
    requireSelfOrManager(whose, auth);
    User user = users.find(whose).orElseThrow(() -> new NotFoundException("user", whose));
    int days = body.expiresInDays() == null ? ApiTokens.DEFAULT_DAYS : body.expiresInDays();
    String name = body.name() == null ? "cli" : body.name();
    ApiTokens.Issued issued = tokens.issue(user, name, days);
    ApiToken t = issued.token();
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(new IssuedToken(t.id(), t.name(), t.user(), t.prefix(), t.expiresAt(), issued.secret()));
  }

  @DeleteMapping("/tokens/{id}")
  @Operation(summary = "Revoke an API token at once")
  ResponseEntity<Void> revoke(@PathVariable long id, Authentication auth) {
    ApiToken token = tokens.get(id);
    requireSelfOrManager(token.user(), auth);
    tokens.revoke(id, auth.getName());
    return ResponseEntity.noContent().build();
  }

  private static void requireSelfOrManager(String user, Authentication auth) {
    if (user.equals(auth.getName())) {
      return;
    }
    boolean manager = auth.getAuthorities().stream()
        .anyMatch(a -> a.getAuthority().equals(Role.DEPLOYMENT_MANAGER.authority()));
    if (!manager) {
      throw new AccessDeniedException("only deployment managers may manage another user's tokens");
    }
  }
}
