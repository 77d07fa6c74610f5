package io.gantry.shared;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.servers.Server;
import java.lang.reflect.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.PropertySource;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.multipart.MultipartFile;

/**
 * The OpenAPI document served at {@code /openapi}: its title, version, licence and server, and the
 * problem documents every operation can answer. An operation's error answers are derived from its
 * handler: the problems the code it reaches can raise (read from the compiled classes by {@link
 * ReachableCode}), and those the web layer raises for what it takes (a body, parameters, an upload).
 * Endpoints added later get theirs the same way, without annotations.
 */
@Configuration(proxyBeanMethods = false)
@PropertySource("classpath:gantry-build.properties")
class ApiDocument {

  /** Where an operation's derived statuses wait between the operation and the document customizers. */
  private static final String ANSWERS = "x-gantry-answers";
  private static final String SUCCESSES = "x-gantry-successes";

  private static final Map<String, Integer> RAISED = Map.of(
      "io/gantry/shared/NotFoundException", 404,
      "io/gantry/shared/ConflictException", 409,
      "io/gantry/shared/BusyException", 503,
      "io/gantry/shared/IntegrityViolationException", 409,
      "io/gantry/shared/InvalidParameterException", 400,
      "io/gantry/shared/InvalidInputException", 422,
      "org/springframework/security/access/AccessDeniedException", 403,
      "org/springframework/security/authorization/AuthorizationDeniedException", 403);

  @Bean
  OpenApiCustomizer gantryDocument(@Value("${gantry.build.version}") String version,
      @Value("${gantry.build.licence-name}") String licence, @Value("${gantry.build.licence-url}") String licenceUrl) {
    return openApi -> {
      openApi.info(new Info().title("Gantry API").version(version)
          .summary("Deployment management: the catalog and library, environments, models, deployments, changes")
          .description("""
              Every call but `GET /api/v1/health` and `GET /api/v1/schema/config` needs a bearer token \
              (`Authorization: Bearer <token>`). Every error is an RFC 9457 problem document \
              (`application/problem+json`); lists are pages (`page`, `size`).""")
          .license(new License().name(licence).url(licenceUrl)));
      openApi.servers(List.of(new Server().url("/")
          .description("the Gantry server this document was read from (GANTRY_ADDRESS, GANTRY_PORT)")));
      distinguishAliases(openApi);
      openApi.getPaths().values().forEach(path -> path.readOperations().forEach(operation -> {
        Object answers = operation.getExtensions() == null ? null : operation.getExtensions().remove(ANSWERS);
        Object successes = operation.getExtensions() == null ? null : operation.getExtensions().remove(SUCCESSES);
        if (successes instanceof Set<?> statuses && !statuses.isEmpty()) {
          answerSuccesses(operation, statuses);
        }
        if (operation.getExtensions() != null && operation.getExtensions().isEmpty()) {
          operation.setExtensions(null);
        }
        if (answers instanceof Set<?> statuses) {
          statuses.forEach(status -> ProblemAnswers.add(openApi, operation, (Integer) status));
        }
      }));
    };
  }

  @Bean
  OperationCustomizer gantryOperations() {
    SingletonSupplier<ReachableCode> code = SingletonSupplier.of(ReachableCode::ofApplication);
    return (operation, handler) -> {
      operation.setOperationId(operationId(handler));
      operation.addExtension(ANSWERS, answers(handler, code.obtain()));
      operation.addExtension(SUCCESSES, code.obtain().successStatusesOf(handler.getMethod()));
      return operation;
    };
  }

  /**
   * Documents the success statuses the handler's code names (201 for a creation, 204 for an answer without a
   * body, 200 and 204 for a wait that may end empty) in place of the 200 the framework assumes from its return
   * type: the same body under each that has one.
   */
  private static void answerSuccesses(Operation operation, Set<?> statuses) {
    var responses = operation.getResponses();
    if (responses == null) {
      return;
    }
    var assumed = responses.remove("200");
    var answered = new io.swagger.v3.oas.models.responses.ApiResponses();
    for (Object status : statuses) {
      int code = (Integer) status;
      var reason = org.springframework.http.HttpStatus.valueOf(code).getReasonPhrase();
      answered.addApiResponse(String.valueOf(code), code == 204 || assumed == null
          ? new io.swagger.v3.oas.models.responses.ApiResponse().description(reason)
          : new io.swagger.v3.oas.models.responses.ApiResponse().description(code == 200 ? assumed.getDescription()
              : reason).content(assumed.getContent()).headers(assumed.getHeaders()));
    }
    answered.putAll(responses);
    operation.setResponses(answered);
  }

  /**
   * The handler's method name, qualified by its controller ({@code list} of {@code IncidentController}:
   * {@code listIncident}) unless it names it already ({@code environments}): unique without depending on
   * what other endpoints are called, so a client's method names do not change as endpoints are added.
   */
  static String operationId(HandlerMethod handler) {
    var declared = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(),
        io.swagger.v3.oas.annotations.Operation.class);
    if (declared != null && !declared.operationId().isBlank()) {
      return declared.operationId();
    }
    String name = handler.getMethod().getName();
    String stem = handler.getBeanType().getSimpleName().replaceFirst("Controller$", "");
    return name.toLowerCase(Locale.ROOT).contains(stem.toLowerCase(Locale.ROOT)) ? name : name + stem;
  }

  /**
   * One handler served at several paths (an alias) is one operation per path: each takes the literal
   * segments of its own path after the API's base, {@code submitChange} at {@code /changes/{key}/assess}
   * becoming {@code submitChangeForChangesAssess}, so the ids stay unique and do not depend on order.
   */
  static void distinguishAliases(OpenAPI openApi) {
    Map<String, List<Map.Entry<String, Operation>>> byId = new LinkedHashMap<>();
    openApi.getPaths().forEach((path, item) -> item.readOperations().forEach(operation ->
        // springdoc has told the second of two equal ids apart with a suffix (_1) that depends on order
        byId.computeIfAbsent(operation.getOperationId().replaceFirst("_[0-9]+$", ""), id -> new java.util.ArrayList<>())
            .add(Map.entry(path, operation))));
    byId.forEach((id, operations) -> {
      if (operations.size() > 1) {
        operations.forEach(e -> e.getValue().setOperationId(id + "For" + java.util.Arrays.stream(
                e.getKey().replaceFirst("^/api/v1/", "").split("/"))
            .filter(segment -> !segment.isEmpty() && !segment.startsWith("{") && !segment.contains("*"))
            .map(segment -> java.util.Arrays.stream(segment.split("[^A-Za-z0-9]+")).filter(w -> !w.isEmpty())
                .map(w -> Character.toUpperCase(w.charAt(0)) + w.substring(1)).collect(Collectors.joining()))
            .collect(Collectors.joining())));
      }
    });
  }

  /** The error statuses an operation can answer: what its code raises, what the web layer refuses, 500. */
  static Set<Integer> answers(HandlerMethod handler, ReachableCode code) {
    Set<Integer> statuses = new TreeSet<>();
    ReachableCode.Reached reached = code.reachedFrom(handler.getMethod());
    for (String type : reached.constructed()) {
      // the nearest: an InvalidParameterException is also an InvalidInputException
      String raised = code.nearestAncestorIn(type, RAISED.keySet());
      if (raised != null) {
        statuses.add(RAISED.get(raised));
      }
    }
    if (AnnotatedElementUtils.hasAnnotation(handler.getMethod(), PreAuthorize.class)
        || AnnotatedElementUtils.hasAnnotation(handler.getBeanType(), PreAuthorize.class)) {
      statuses.add(403);
    }
    for (Parameter parameter : handler.getMethod().getParameters()) {
      boolean body = parameter.isAnnotationPresent(RequestBody.class);
      boolean upload = parameter.isAnnotationPresent(RequestPart.class) || MultipartFile.class.isAssignableFrom(
          parameter.getType());
      if (body || upload) {
        // unreadable JSON or multipart, a body over its limit, another content type than the one taken
        statuses.addAll(List.of(400, 413, 415));
      }
      if (body && hasValidation(parameter)) {
        statuses.add(422);
      }
      boolean named = parameter.isAnnotationPresent(RequestParam.class)
          || parameter.isAnnotationPresent(RequestHeader.class) || parameter.isAnnotationPresent(PathVariable.class);
      if (named && (parameter.getType() != String.class || required(parameter) || hasValidation(parameter))) {
        // a missing parameter, one of the wrong type or out of its range
        statuses.add(400);
      }
    }
    if (reached.database()) {
      statuses.add(503); // the database did not answer (a restart or failover dropped the connections)
    }
    if (reached.writes()) {
      statuses.add(507); // the data directory's disk is full: nothing of the request was kept
    }
    // an Accept header that leaves out what the operation answers in
    statuses.add(406);
    statuses.add(500);
    return statuses;
  }

  private static boolean required(Parameter parameter) {
    RequestParam param = parameter.getAnnotation(RequestParam.class);
    RequestHeader header = parameter.getAnnotation(RequestHeader.class);
    return param != null && param.required() && param.defaultValue().equals(
        org.springframework.web.bind.annotation.ValueConstants.DEFAULT_NONE)
        && parameter.getType() != java.util.Optional.class
        || header != null && header.required() && header.defaultValue().equals(
            org.springframework.web.bind.annotation.ValueConstants.DEFAULT_NONE)
        && parameter.getType() != java.util.Optional.class;
  }

  private static boolean hasValidation(Parameter parameter) {
    for (var annotation : parameter.getAnnotations()) {
      String name = annotation.annotationType().getName();
      if (name.startsWith("jakarta.validation.") || name.equals("org.springframework.validation.annotation.Validated")) {
        return true;
      }
    }
    return false;
  }
}
