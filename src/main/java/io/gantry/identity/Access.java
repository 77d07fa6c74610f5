package io.gantry.identity;

import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
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
    RequestIdentity.Read read = RequestIdentity.recall(user);
    User u = enabled(user, read);
    if (u == null) {
      return Set.of();
    }
    List<RoleBinding> bindings = bindings(user, read);
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
   * it holds one of them as its own role, else the scopes of its bindings of them. In a read-only request of the
   * API, the caller as its token was checked at the request's start (see {@link RequestIdentity}).
   */
  public Reach reach(String user, Set<Role> readers) {
    RequestIdentity.Read read = RequestIdentity.recall(user);
    User u = enabled(user, read);
    if (u == null) {
      return new Reach(false, List.of());
    }
    if (u.roles().stream().anyMatch(readers::contains)) {
      return Reach.EVERYWHERE;
    }
    return new Reach(false, bindings(user, read).stream().filter(b -> readers.contains(b.role()))
        .map(RoleBinding::scope).distinct().toList());
  }

  /** The user, as this request's token filter read it ({@code read}, may be null) or else now; null if disabled. */
  private User enabled(String user, RequestIdentity.Read read) {
    return (read != null ? java.util.Optional.of(read.user()) : users.find(user)).filter(x -> !x.disabled())
        .orElse(null);
  }

  private List<RoleBinding> bindings(String user, RequestIdentity.Read read) {
    return read != null ? read.bindings() : RoleBindings.of(jdbc, user);
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

    /** Whether it sees any of the scopes a record spans (a release of several services); none of an empty list. */
    public boolean seesAny(Collection<Scope> records) {
      return everywhere || records.stream().anyMatch(this::sees);
    }

    /**
     * Whether everything inside {@code filter} lies inside one of its scopes: a report over a service is
     * covered by a binding to that service, not by one to a single environment of it.
     */
    public boolean covers(Scope filter) {
      return everywhere || scopes.stream().anyMatch(s -> (s.service() == null || s.service().equals(filter.service()))
          && (s.environment() == null || s.environment().equals(filter.environment())));
    }

    /** The records it sees, in their order. */
    public <T> List<T> filter(Collection<T> records, Function<? super T, Scope> scope) {
      return everywhere ? List.copyOf(records) : records.stream().filter(r -> sees(scope.apply(r))).toList();
    }

    /**
     * One page of the records it sees among those {@code source} lists page by page: the source's own
     * page when it sees everywhere, else the source read through and the records seen paged here.
     */
    public <T> Page<T> page(Function<PageRequest, Page<T>> source, Predicate<? super T> seen, PageRequest request) {
      if (everywhere) {
        return source.apply(request);
      }
      List<T> kept = new ArrayList<>();
      for (int p = 0; ; p++) {
        Page<T> batch = source.apply(new PageRequest(p, PageRequest.MAX_SIZE));
        batch.items().stream().filter(seen).forEach(kept::add);
        if (!batch.hasNext()) {
          return Page.of(kept, request);
        }
      }
    }

    /** Refuses reading {@code what}, which lies in {@code where}, unless it sees one of those scopes. */
    public void requireSees(String what, Collection<Scope> where) {
      if (!seesAny(where)) {
        throw new AccessDeniedException(what + " is in " + (where.isEmpty() ? "no service or environment"
            : where.stream().map(Scope::toString).distinct().collect(Collectors.joining(" and ")))
            + ", which none of your roles reaches");
      }
    }

    public void requireSees(String what, Scope where) {
      requireSees(what, List.of(where));
    }

    /**
     * Refuses a report over {@code filter} (a service, an environment, both, or neither for everything)
     * unless every record inside it lies inside one of its scopes.
     */
    public void requireCovers(String what, Scope filter) {
      if (!covers(filter)) {
        throw new AccessDeniedException(what + " over " + (filter.equals(Scope.NONE)
            ? "every service and environment" : filter.toString()) + " would count records outside the scopes of "
            + "your roles (" + scopes.stream().map(Scope::toString).distinct().collect(Collectors.joining(", "))
            + "); filter by a service and/or environment inside one of them");
      }
    }
  }
}
