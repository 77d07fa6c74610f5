package io.gantry.identity;

import jakarta.validation.constraints.Size;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.Names;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
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
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Identity", description = "Users, roles, API tokens and their history")
class IdentityController {

  private final Users users;
  private final ApiTokens tokens;
  private final IdentityHistory history;
  private final AdminTokenFile adminTokenFile;
  private final TransactionTemplate tx;
  private final RoleBindings bindings;

  IdentityController(Users users, ApiTokens tokens, IdentityHistory history, AdminTokenFile adminTokenFile,
      TransactionTemplate tx, RoleBindings bindings) {
    this.bindings = bindings;
    this.users = users;
    this.tokens = tokens;
    this.history = history;
    this.adminTokenFile = adminTokenFile;
    this.tx = tx;
  }

  record UserView(String name, String displayName, List<String> roles, List<String> groups, boolean disabled,
      Instant createdAt, String createdBy) {
    static UserView of(User u, List<String> groups) {
      return new UserView(u.name(), u.displayName(), u.roles().stream().sorted().map(Role::id).toList(), groups,
          u.disabled(), u.createdAt(), u.createdBy());
    }
  }

  private UserView view(User u) {
    return UserView.of(u, users.groups(u.name()));
  }

  /** A group's name: a name Gantry accepts, of at most {@value RoleBindings.Subject#MAX_GROUP} characters. */
  static String group(String field, String name) {
    Names.require(field, name);
    if (name.length() > RoleBindings.Subject.MAX_GROUP) {
      throw InvalidInputException.of(field, "a group's name has at most " + RoleBindings.Subject.MAX_GROUP
          + " characters");
    }
    return name;
  }

  record NewUser(String name, String displayName, List<String> roles) {}

  record UserChange(List<String> roles, Boolean disabled, List<String> groups) {}

  record CreatedUser(String name, String displayName, List<String> roles, boolean disabled, Instant createdAt,
      String createdBy, Enrolment enrolment) {}

  /** A single-use code with which a user creates its own first token; shown in this answer only. */
  record Enrolment(long id, String user, String code, Instant expiresAt) {
    static Enrolment of(ApiTokens.Issued issued) {
      return new Enrolment(issued.token().id(), issued.token().user(), issued.secret(), issued.token().expiresAt());
    }
  }

  record TokenView(long id, String name, String user, String kind, String prefix, Instant createdAt,
      Instant expiresAt, String issuedBy, Long issuedByToken, Instant revokedAt, String revokedBy,
      String revokedReason, Instant lastUsedAt) {
    static TokenView of(ApiToken t) {
      return new TokenView(t.id(), t.name(), t.user(), t.kind().id(), t.prefix(), t.createdAt(), t.expiresAt(),
          t.issuedBy(), t.issuedByToken(), t.revokedAt(), t.revokedBy(), t.revokedReason(), t.lastUsedAt());
    }
  }

  record NewToken(@Size(max = 100) String name, @Size(max = 63) String user, Integer expiresInDays) {}

  record IssuedToken(long id, String name, String user, String prefix, Instant expiresAt, Long issuedByToken,
      String token, boolean adminTokenFileRemoved) {}

  record Revoked(List<TokenView> revoked) {}

  @GetMapping("/users")
  @Operation(summary = "List users")
  Page<UserView> users(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    return users.page(new PageRequest(page, size)).map(this::view);
  }

  record Me(String name, String displayName, List<String> roles, List<String> groups, List<BindingView> bindings,
      boolean disabled, Instant createdAt, String createdBy) {}

  @GetMapping("/users/me")
  @Operation(summary = "The user of the token in use, with the roles it holds everywhere and those bound to it in "
      + "a scope")
  Me me(Principal principal) {
    UserView u = view(users.find(principal.getName()).orElseThrow());
    return new Me(u.name(), u.displayName(), u.roles(), u.groups(),
        bindings.of(u.name()).stream().map(BindingView::of).toList(),
        u.disabled(), u.createdAt(), u.createdBy());
  }

  /** {@code declaredAs}: the RoleBinding document that declares it, or null when it was made through the API. */
  record BindingView(long id, String user, String group, String role, String service, String environment,
      Instant createdAt, String createdBy, String declaredAs) {
    static BindingView of(RoleBinding b) {
      return new BindingView(b.id(), b.user(), b.group(), b.role().id(), b.service(), b.environment(),
          b.createdAt(), b.createdBy(), b.name());
    }
  }

  record NewBinding(String user, String group, String role, String service, String environment) {}

  @GetMapping("/role-bindings")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER', 'AUDITOR')")
  @Operation(summary = "The roles bound to users in a scope (a service, an environment, or a service in an "
      + "environment), all or one user's (deployment managers and auditors)")
  List<BindingView> bindings(@RequestParam(required = false) String user,
      @RequestParam(required = false) String group) {
    List<RoleBinding> found = user != null ? bindings.of(user)
        : group != null ? bindings.naming(RoleBindings.Subject.group(group)) : bindings.all();
    return found.stream().map(BindingView::of).toList();
  }

  @PostMapping("/role-bindings")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Bind a role to a user in a service, an environment, or a service in an environment "
      + "(deployment managers only); recorded in the identity history")
  ResponseEntity<BindingView> bind(
      @io.swagger.v3.oas.annotations.parameters.RequestBody(
          content = @Content(schema = @Schema(implementation = NewBinding.class))) @RequestBody JsonNode json,
      Authentication auth) {
    NewBinding body = StrictJson.read(json, NewBinding.class);
    if ((body.user() == null) == (body.group() == null)) {
      throw InvalidInputException.of("user", "say which user or which group (one of the two) the role is bound to");
    }
    if (body.group() != null) {
      group("group", body.group());
    }
    if (body.role() == null || body.role().isBlank()) {
      throw InvalidInputException.of("role", "say which role is bound");
    }
    Role role = Role.fromId("role", body.role());
    Actor actor = actor(auth);
    RoleBinding made = tx.execute(status -> {
      RoleBindings.Subject subject = body.group() != null ? RoleBindings.Subject.group(body.group())
          : RoleBindings.Subject.user(users.find(body.user())
              .orElseThrow(() -> new NotFoundException("user", body.user())).name());
      return bindings.bind(subject, role, body.service(), body.environment(), actor);
    });
    return ResponseEntity.status(HttpStatus.CREATED).body(BindingView.of(made));
  }

  @DeleteMapping("/role-bindings/{id}")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Withdraw a role binding at once (deployment managers only); recorded in the identity history")
  BindingView unbind(@PathVariable long id, Authentication auth) {
    Actor actor = actor(auth);
    return BindingView.of(tx.execute(status -> bindings.unbind(id, actor)));
  }

  @PostMapping("/users")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Create a user with roles (deployment managers only); the answer carries the single-use "
      + "enrolment code with which the user creates its own token")
  ResponseEntity<CreatedUser> create(
      @io.swagger.v3.oas.annotations.parameters.RequestBody(
          content = @Content(schema = @Schema(implementation = NewUser.class))) @RequestBody JsonNode json,
      Authentication auth) {
    NewUser body = StrictJson.read(json, NewUser.class);
    Names.require("name", body.name());
    if (body.displayName() != null && body.displayName().length() > 200) {
      throw InvalidInputException.of("displayName", "a display name has at most 200 characters");
    }
    Set<Role> roles = roles(body.roles());
    Actor actor = actor(auth);
    CreatedUser created = tx.execute(status -> {
      if (users.find(body.name()).isPresent()) {
        throw new ConflictException("user \"" + body.name() + "\" already exists");
      }
      User user = users.create(body.name(), body.displayName(), roles, actor);
      Enrolment enrolment = Enrolment.of(tokens.enrol(user, actor));
      UserView v = view(user);
      return new CreatedUser(v.name(), v.displayName(), v.roles(), v.disabled(), v.createdAt(), v.createdBy(),
          enrolment);
    });
    return ResponseEntity.status(HttpStatus.CREATED).body(created);
  }

  @PatchMapping("/users/{name}")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Change a user's roles and/or disable or enable it (deployment managers only); a disabled "
      + "user's tokens are refused at once")
  UserView change(@PathVariable String name,
      @io.swagger.v3.oas.annotations.parameters.RequestBody(
          content = @Content(schema = @Schema(implementation = UserChange.class))) @RequestBody JsonNode json,
      Authentication auth) {
    UserChange body = StrictJson.read(json, UserChange.class);
    if (body.roles() == null && body.disabled() == null && body.groups() == null) {
      throw InvalidInputException.of("roles", "give roles, groups and/or disabled: there is nothing else to change");
    }
    List<String> groups = body.groups() == null ? null : body.groups().stream().map(g -> group("groups", g))
        .distinct().sorted().toList();
    Set<Role> roles = body.roles() == null ? null : roles(body.roles());
    Actor actor = actor(auth);
    return view(tx.execute(status -> {
      User user = users.find(name).orElseThrow(() -> new NotFoundException("user", name));
      if (groups != null) {
        users.setGroups(user.name(), groups, actor);
      }
      return users.change(user, roles == null ? user.roles() : roles,
          body.disabled() == null ? user.disabled() : body.disabled(), actor);
    }));
  }

  @PostMapping("/users/{name}/enrolment")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "A new single-use enrolment code for a user (deployment managers only); one not used yet "
      + "is revoked")
  ResponseEntity<Enrolment> enrol(@PathVariable String name, Authentication auth) {
    Actor actor = actor(auth);
    Enrolment enrolment = tx.execute(status -> {
      User user = users.find(name).orElseThrow(() -> new NotFoundException("user", name));
      return Enrolment.of(tokens.enrol(user, actor));
    });
    return ResponseEntity.status(HttpStatus.CREATED).body(enrolment);
  }

  @GetMapping("/identity-events")
  @PreAuthorize("hasAnyRole('DEPLOYMENT_MANAGER', 'AUDITOR')")
  @Operation(summary = "Who created users, changed their roles, disabled or enabled them, issued or revoked tokens, "
      + "oldest first (deployment managers and auditors)")
  Page<IdentityHistory.Entry> events(@RequestParam(required = false) String user,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    return history.page(user, new PageRequest(page, size));
  }

  @GetMapping("/tokens")
  @Operation(summary = "List API tokens and enrolment codes (never their secrets); deployment managers may name "
      + "another user")
  List<TokenView> tokens(@RequestParam(required = false) String user, Authentication auth) {
    String whose = user == null ? auth.getName() : user;
    requireSelfOrManager(whose, auth);
    return tokens.of(whose).stream().map(TokenView::of).toList();
  }

  @PostMapping("/tokens")
  @Operation(summary = "Issue an API token to the caller, made with the caller's token or enrolment code; its "
      + "secret is in this answer only")
  ResponseEntity<IssuedToken> issue(
      @io.swagger.v3.oas.annotations.parameters.RequestBody(
          content = @Content(schema = @Schema(implementation = NewToken.class))) @RequestBody JsonNode json,
      Authentication auth) {
    NewToken body = StrictJson.read(json, NewToken.class);
    if (body.user() != null && !body.user().equals(auth.getName())) {
      throw new AccessDeniedException("a token is issued only to its own user: " + auth.getName()
          + " cannot issue one for \"" + body.user() + "\"; a deployment manager gives that user an enrolment code "
          + "(POST /api/v1/users/" + body.user() + "/enrolment) with which it creates its own");
    }
    if (auth instanceof JwtUsers.Authenticated) {
      // a token of Gantry's own would outlive the provider's say: disabling the person there would not end it
      throw new AccessDeniedException("an API token is made with an API token or an enrolment code, not with an "
          + "access token from the identity provider: use the provider's access tokens, or ask a deployment manager "
          + "for an enrolment code");
    }
    String name = body.name() == null ? "cli" : body.name();
    Actor actor = actor(auth);
    ApiTokens.Issued issued = tx.execute(status -> {
      ApiToken current = tokens.get(actor.token());
      if (current.kind() == ApiToken.Kind.ENROLMENT) {
        return tokens.claim(current, name, body.expiresInDays());
      }
      User user = users.find(auth.getName()).orElseThrow(() -> new NotFoundException("user", auth.getName()));
      return tokens.issue(user, name, body.expiresInDays(), actor);
    });
    boolean removed = tx.execute(status -> adminTokenFile.removeIfSuperseded());
    ApiToken t = issued.token();
    return ResponseEntity.status(HttpStatus.CREATED).body(new IssuedToken(t.id(), t.name(), t.user(), t.prefix(),
        t.expiresAt(), t.issuedByToken(), issued.secret(), removed));
  }

  @DeleteMapping("/tokens/{id}")
  @Operation(summary = "Revoke an API token or enrolment code at once, and with it every token made with it")
  Revoked revoke(@PathVariable long id, Authentication auth) {
    Actor actor = actor(auth);
    List<ApiToken> revoked = tx.execute(status -> {
      ApiToken token = tokens.get(id);
      requireSelfOrManager(token.user(), auth);
      return tokens.revoke(id, actor);
    });
    return new Revoked(revoked.stream().map(TokenView::of).toList());
  }

  @DeleteMapping("/admin-token-file")
  @Operation(summary = "Remove the first administrator's token file from this server's data directory (its owner "
      + "only); the token itself stays valid")
  ResponseEntity<Void> removeAdminTokenFile(Authentication auth) {
    Actor actor = actor(auth);
    tx.executeWithoutResult(status -> adminTokenFile.removeAtRequestOf(auth.getName(), actor));
    return ResponseEntity.noContent().build();
  }

  private static Set<Role> roles(List<String> ids) {
    if (ids == null) {
      throw InvalidInputException.of("roles", "give the roles the user holds everywhere (an empty list when it "
          + "holds roles only in a scope, through role bindings)");
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    ids.forEach(r -> roles.add(Role.fromId(r)));
    return roles;
  }

  private static Actor actor(Authentication auth) {
    return new Actor(auth.getName(), (Long) auth.getCredentials());
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
