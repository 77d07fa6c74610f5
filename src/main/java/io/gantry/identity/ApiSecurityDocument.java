package io.gantry.identity;

import io.gantry.shared.ProblemAnswers;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.FilterChainProxy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.stereotype.Component;

/**
 * Says in the OpenAPI document how the API is called: a bearer token (a Gantry API token, or with
 * single sign-on an access token from the identity provider), which operations need one (401 without)
 * and which refuse users who lack a role (403). Both are read from the security filter chain the
 * server runs, by asking it about each operation as an anonymous caller and as a signed-in user with
 * no role, so the document cannot say otherwise than the server does.
 */
@Component
class ApiSecurityDocument implements OpenApiCustomizer {

  static final String API_TOKEN = "apiToken";
  static final String IDENTITY_PROVIDER = "identityProvider";

  private static final Authentication ANONYMOUS = new AnonymousAuthenticationToken("document", "anonymous",
      AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));
  private static final Authentication WITHOUT_ROLES = UsernamePasswordAuthenticationToken.authenticated(
      "document", null, List.of());

  private final ObjectProvider<FilterChainProxy> chains;
  private final SingleSignOn singleSignOn;

  ApiSecurityDocument(ObjectProvider<FilterChainProxy> chains, SingleSignOn singleSignOn) {
    this.chains = chains;
    this.singleSignOn = singleSignOn;
  }

  @Override
  public void customise(OpenAPI openApi) {
    var settings = singleSignOn.settings();
    Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
    openApi.setComponents(components);
    components.addSecuritySchemes(API_TOKEN, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
        .bearerFormat("gty_...").description("A Gantry API token (`gantry token create`; `POST /api/v1/tokens`)"
            + (settings.isPresent() ? " or an access token (a JWT) from the identity provider" : "")
            + ", sent as `Authorization: Bearer <token>`."));
    SecurityRequirement required = new SecurityRequirement().addList(API_TOKEN);
    List<SecurityRequirement> requirements = new ArrayList<>(List.of(required));
    settings.ifPresent(s -> {
      components.addSecuritySchemes(IDENTITY_PROVIDER, new SecurityScheme().type(SecurityScheme.Type.OPENIDCONNECT)
          .openIdConnectUrl(s.issuer().replaceFirst("/+$", "") + "/.well-known/openid-configuration")
          .description("An access token from the identity provider, for audience " + s.audience()
              + ", naming an enabled Gantry user in its " + s.usernameClaim() + " claim; sent as a bearer token."));
      requirements.add(new SecurityRequirement().addList(IDENTITY_PROVIDER));
    });
    openApi.setSecurity(requirements);
    openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
      HttpServletRequest request = request(method, path);
      if (allows(request, ANONYMOUS)) {
        operation.setSecurity(List.of());
        return;
      }
      ProblemAnswers.add(openApi, operation, 401);
      if (!allows(request, WITHOUT_ROLES)) {
        ProblemAnswers.add(openApi, operation, 403);
      }
      // the token is looked up in the database, and with single sign-on the identity provider may be asked
      ProblemAnswers.add(openApi, operation, 503);
    }));
  }

  /** Whether the chain that serves the request lets {@code who} through to it. */
  private boolean allows(HttpServletRequest request, Authentication who) {
    for (SecurityFilterChain chain : chains.getObject().getFilterChains()) {
      if (chain.matches(request)) {
        for (var filter : chain.getFilters()) {
          if (filter instanceof AuthorizationFilter authorization) {
            AuthorizationManager<HttpServletRequest> manager = authorization.getAuthorizationManager();
            var result = manager.authorize(() -> who, request);
            return result != null && result.isGranted();
          }
        }
        return true;
      }
    }
    return true;
  }

  /** A request for the operation as the security chain sees one: its method and a path the pattern matches. */
  private static HttpServletRequest request(PathItem.HttpMethod method, String pattern) {
    String uri = pattern.replaceAll("\\{[^}]*}", "x").replace("**", "x");
    Map<String, Object> attributes = new HashMap<>();
    return (HttpServletRequest) Proxy.newProxyInstance(ApiSecurityDocument.class.getClassLoader(),
        new Class<?>[] {HttpServletRequest.class}, (proxy, invoked, args) -> {
          Object answer = switch (invoked.getName()) {
          case "getMethod" -> method.name();
          case "getRequestURI", "getServletPath" -> uri;
          case "getRequestURL" -> new StringBuffer("http://localhost" + uri);
          case "getContextPath" -> "";
          case "getDispatcherType" -> DispatcherType.REQUEST;
          case "getAttribute" -> attributes.get((String) args[0]);
          case "setAttribute" -> attributes.put((String) args[0], args[1]);
          case "removeAttribute" -> attributes.remove((String) args[0]);
          case "getAttributeNames" -> java.util.Collections.enumeration(attributes.keySet());
          case "getHeaders", "getHeaderNames", "getParameterNames" -> java.util.Collections.emptyEnumeration();
          case "getParameterMap" -> Map.of();
          case "getHttpServletMapping" -> new HttpServletMapping() {
            @Override
            public String getMatchValue() {
              return "";
            }

            @Override
            public String getPattern() {
              return "/";
            }

            @Override
            public String getServletName() {
              return "dispatcherServlet";
            }

            @Override
            public MappingMatch getMappingMatch() {
              return MappingMatch.DEFAULT;
            }
          };
          case "getScheme" -> "http";
          case "getServerName" -> "localhost";
          case "getServerPort" -> 80;
          case "isSecure" -> false;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> method + " " + uri;
          default -> null;
          };
          Class<?> type = invoked.getReturnType();
          return answer != null || !type.isPrimitive() || type == void.class ? answer
              : type == boolean.class ? Boolean.FALSE : type == long.class ? (Object) 0L : (Object) 0;
        });
  }
}
