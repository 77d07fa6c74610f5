package io.gantry.identity;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The caller as the API's token filter read it (the user and its role bindings), kept with a read-only request
 * (GET, HEAD) so that the request's own checks of what the caller may see ask the database no second time. A
 * request that may change users or bindings keeps nothing: each of its checks reads them anew.
 */
final class RequestIdentity {

  private static final String ATTRIBUTE = RequestIdentity.class.getName();

  record Read(User user, List<RoleBinding> bindings) {}

  private RequestIdentity() {}

  static void remember(HttpServletRequest request, User user, List<RoleBinding> bindings) {
    if ("GET".equals(request.getMethod()) || "HEAD".equals(request.getMethod())) {
      request.setAttribute(ATTRIBUTE, new Read(user, List.copyOf(bindings)));
    }
  }

  /** What the filter read of {@code user} for the request this thread serves, or null. */
  static Read recall(String user) {
    if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
        && attributes.getRequest().getAttribute(ATTRIBUTE) instanceof Read read && read.user().name().equals(user)) {
      return read;
    }
    return null;
  }
}
