package io.gantry.identity;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.stereotype.Component;

/**
 * What a user may do where: the roles it holds everywhere (its own roles) and those bound to it in a
 * scope. Every action on a service or an environment asks here with the action's scope; a disabled or
 * unknown user holds nothing.
 */
@Component
public class Access {

  /** Every role but the supplier's: those who work inside the organization read its records. */
  public static final Set<Role> INSIDERS = EnumSet.complementOf(EnumSet.of(Role.SUPPLIER));

  private final Users users;
  private final JdbcClient jdbc;

  public Access(Users users, JdbcClient jdbc) {
    this.users = users;
    this.jdbc = jdbc;
  }

  /** The roles {@code user} holds for an action in {@code scope}. */
  public Set<Role> rolesIn(String user, Scope scope) {
    return rolesInAll(user, List.of(scope));
  }

  /** The roles {@code user} holds in every one of {@code scopes} (a change that spans several services). */
  public Set<Role> rolesInAll(String user, Collection<Scope> scopes) {
    User u = users.find(user).filter(x -> !x.disabled()).orElse(null);
    if (u == null) {
      return Set.of();
    }
    List<RoleBinding> bindings = RoleBindings.of(jdbc, user);
    Set<Role> held = EnumSet.allOf(Role.class);
    for (Scope scope : scopes.isEmpty() ? List.of(Scope.NONE) : scopes) {
      Set<Role> here = EnumSet.noneOf(Role.class);
      here.addAll(u.roles());
      bindings.stream().filter(b -> b.covers(scope)).map(RoleBinding::role).forEach(here::add);
      held.retainAll(here);
    }
    return held;
  }

  /**
   * Refuses, naming what and where, unless {@code user} holds one of {@code anyOf} in every one of
   * {@code scopes}.
   */
  public void require(String user, Set<Role> anyOf, Collection<Scope> scopes, String what) {
    Set<Role> held = rolesInAll(user, scopes);
    if (anyOf.stream().noneMatch(held::contains)) {
      throw new AccessDeniedException(what + " in " + (scopes.isEmpty() ? Scope.NONE : scopes.stream()
          .map(Scope::toString).distinct().collect(Collectors.joining(" and "))) + " needs one of the roles "
          + anyOf.stream().map(Role::id).sorted().collect(Collectors.joining(", ")) + " there, which " + user
          + " does not hold");
    }
  }

  public void require(String user, Set<Role> anyOf, Scope scope, String what) {
    require(user, anyOf, List.of(scope), what);
  }

  /**
   * Where {@code user} may read records kept for people holding one of {@code readers}: everywhere when
   * it holds one of them as its own role, else the scopes of its bindings of them.
   */
  public Reach reach(String user, Set<Role> readers) {
    User u = users.find(user).filter(x -> !x.disabled()).orElse(null);
    if (u == null) {
      return new Reach(false, List.of());
    }
    if (u.roles().stream().anyMatch(readers::contains)) {
      return Reach.EVERYWHERE;
    }
    return new Reach(false, RoleBindings.of(jdbc, user).stream().filter(b -> readers.contains(b.role()))
        .map(RoleBinding::scope).distinct().toList());
  }

  /**
   * Where a user may read: everywhere, or inside the scopes listed. A record that is not about an
   * environment (a version) is seen from any scope of its service, and one not about a service (a
   * target) from any scope of its environment.
   */
  public record Reach(boolean everywhere, List<Scope> scopes) {

    public static final Reach EVERYWHERE = new Reach(true, List.of());

    public boolean sees(Scope record) {
      return everywhere || scopes.stream().anyMatch(s -> (s.service() == null || record.service() == null
          || s.service().equals(record.service()))
          && (s.environment() == null || record.environment() == null || s.environment().equals(record.environment())));
    }

    public boolean seesService(String service) {
      return sees(new Scope(service, null));
    }
  }
}
