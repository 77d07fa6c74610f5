package io.gantry.shared;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.SpecVersion;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The problem documents of the API as reusable responses, registered in a document when an operation
 * first refers to one (so that none is declared unused).
 */
public final class ProblemAnswers {

  private ProblemAnswers() {}

  private record Answer(String name, String description, Map<String, Map<String, Object>> examples) {}

  private static final Map<Integer, Answer> ANSWERS = new LinkedHashMap<>();

  static {
    ANSWERS.put(400, new Answer("MalformedRequest", "The request cannot be read: a body that is not valid JSON "
        + "or multipart, a parameter missing, of the wrong type or out of its range; `errors` names it.", Map.of(
            "malformed-request", problem("malformed-request", "Malformed request", 400,
                "Required request parameter 'from' for method parameter type Instant is not present",
                List.of(Map.of("field", "from", "message", "Required request parameter 'from' is not present"))))));
    ANSWERS.put(401, new Answer("Unauthenticated", "No bearer token, or one that is not accepted; `detail` "
        + "says why (unknown, expired, revoked, a disabled user's).", Map.of(
            "unauthenticated", problem("unauthenticated", "Unauthenticated", 401,
                "this call needs an API token: send Authorization: Bearer <token>", List.of()))));
    ANSWERS.put(403, new Answer("Forbidden", "The token's user lacks the role, or holds it in another scope.",
        Map.of("forbidden", problem("forbidden", "Forbidden", 403, "your roles do not allow this", List.of()))));
    ANSWERS.put(404, new Answer("NotFound", "What the request names does not exist.", Map.of(
        "not-found", problem("not-found", "Not found", 404, "no deployment 42", List.of()))));
    ANSWERS.put(406, new Answer("NotAcceptable", "The request's `Accept` header leaves out the media type the "
        + "operation answers in (JSON for most).", Map.of(
            "not-acceptable", problem("not-acceptable", "Not acceptable", 406,
                "the API answers in JSON (application/json), which the request's Accept header does not allow",
                List.of()))));
    ANSWERS.put(409, new Answer("Conflict", "The request clashes with the stored state: `conflict`; "
        + "`stale-update` when the `rowVersion` sent is not the current one; `integrity-violation` when stored "
        + "bytes no longer match their digest.", Map.of(
            "conflict", problem("conflict", "Conflict", 409,
                "deployment 42 is SUCCEEDED: only a deployment not yet started can be cancelled", List.of()),
            "stale-update", problem("stale-update", "Stale update", 409,
                "environment dev was changed since rowVersion 3 was read", List.of()))));
    ANSWERS.put(413, new Answer("ContentTooLarge", "The body is over its limit: `body-too-large` for JSON "
        + "(`limit` in bytes, GANTRY_MAX_BODY), `upload-too-large` for uploads (GANTRY_MAX_UPLOAD).", Map.of(
            "body-too-large", withLimit(problem("body-too-large", "Request body too large", 413,
                "the request body is larger than the limit of 10485760 bytes (gantry.api.max-body, GANTRY_MAX_BODY)",
                List.of(Map.of("field", "body", "message", "the request body is larger than the limit of 10485760 "
                    + "bytes (gantry.api.max-body, GANTRY_MAX_BODY)"))), 10485760L))));
    ANSWERS.put(415, new Answer("UnsupportedMediaType", "The body is in another format than the operation takes.",
        Map.of("unsupported", problem("malformed-request", "Unsupported Media Type", 415,
            "Content-Type 'text/plain' is not supported.",
            List.of(Map.of("field", "", "message", "Content-Type 'text/plain' is not supported."))))));
    ANSWERS.put(422, new Answer("InvalidInput", "The content is refused; `errors` names each field and, for "
        + "files, the file, line and column.", Map.of(
            "invalid-input", problem("invalid-input", "Invalid input", 422, "2 problems in the configuration",
                List.of(Map.of("field", "spec.purpose", "message", "must be one of development, test, production",
                    "file", "envs.yaml", "line", 7, "column", 12))))));
    ANSWERS.put(500, new Answer("InternalError", "An unexpected error; the server log has the details.", Map.of(
        "internal", problem("internal", "Internal error", 500,
            "an unexpected error occurred; the server log has the details", List.of()))));
    ANSWERS.put(503, new Answer("ServiceUnavailable", "Not now: `database-unavailable` when the database did not "
        + "answer (a restart or failover dropped the server's connections; for a change, whether it was kept is not "
        + "known if the connection was lost during its commit: look before sending it again); "
        + "`identity-provider-unavailable` with single "
        + "sign-on, when the identity provider could not be reached to check an access token (API tokens do not "
        + "need it); `busy` when the server has as much of this kind of work open as it takes. `Retry-After` says "
        + "when to try again.", Map.of(
            "database-unavailable", problem("database-unavailable", "Database unavailable", 503,
                "the database did not answer (it may be restarting or failing over): try again in a few seconds",
                List.of()),
            "identity-provider-unavailable", problem("identity-provider-unavailable",
                "Identity provider unavailable", 503,
                "the identity provider could not be reached to check the access token", List.of()),
            "busy", problem("busy", "Busy", 503, "this server has 200 deployment streams open, as many as "
                + "gantry.deployments.stream.max-open allows: try again later, or follow by GET "
                + "/deployments/42/events?after=0", List.of()))));
    ANSWERS.put(507, new Answer("InsufficientStorage", "The server's disk (the data directory's file system) is "
        + "full: nothing of the request was kept; free space and send it again.", Map.of(
            "insufficient-storage", problem("insufficient-storage", "Insufficient storage", 507,
                "the server's disk is full (no space left on device): nothing of this request was kept; free space on "
                + "the server (the data directory's file system) and send it again", List.of()))));
  }

  /** Declares that {@code operation} can answer {@code status} with a problem document. */
  public static void add(OpenAPI openApi, Operation operation, int status) {
    Answer answer = ANSWERS.get(status);
    if (answer == null) {
      throw new IllegalArgumentException("no problem answer is described for status " + status);
    }
    Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
    openApi.setComponents(components);
    if (components.getSchemas() == null || !components.getSchemas().containsKey("ProblemDocument")) {
      components.addSchemas("ProblemField", fieldSchema());
      components.addSchemas("ProblemDocument", problemSchema());
    }
    if (components.getResponses() == null || !components.getResponses().containsKey(answer.name())) {
      MediaType media = new MediaType().schema(new Schema<>().$ref("#/components/schemas/ProblemDocument"));
      answer.examples().forEach((name, value) -> media.addExamples(name, new Example().value(value)));
      components.addResponses(answer.name(), new ApiResponse().description(answer.description())
          .content(new Content().addMediaType("application/problem+json", media)));
    }
    if (operation.getResponses() == null) {
      operation.setResponses(new ApiResponses());
    }
    operation.getResponses().addApiResponse(String.valueOf(status),
        new ApiResponse().$ref("#/components/responses/" + answer.name()));
  }

  private static Map<String, Object> problem(String type, String title, int status, String detail,
      List<Map<String, Object>> errors) {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("type", ProblemResponses.TYPE_BASE + type);
    problem.put("title", title);
    problem.put("status", status);
    problem.put("detail", detail);
    problem.put("instance", "/api/v1/deployments/42");
    if (!errors.isEmpty()) {
      problem.put("errors", errors);
    }
    return problem;
  }

  private static Map<String, Object> withLimit(Map<String, Object> problem, long limit) {
    problem.put("limit", limit);
    return problem;
  }

  private static Schema<Object> schema(String type, String description) {
    Schema<Object> schema = new Schema<>(SpecVersion.V31);
    schema.addType(type);
    return schema.description(description);
  }

  private static Schema<Object> problemSchema() {
    Schema<Object> errors = schema("array", "On refused input: each field that is wrong and, for files, where.");
    errors.setItems(new Schema<>(SpecVersion.V31).$ref("#/components/schemas/ProblemField"));
    Schema<Object> problem = schema("object", "An RFC 9457 problem document, with Gantry's `errors` and `limit`.");
    problem.addProperty("type", schema("string", "A URI naming the kind of problem: "
        + ProblemResponses.TYPE_BASE + "<kind>, e.g. not-found, invalid-input, stale-update.").format("uri"));
    problem.addProperty("title", schema("string", "The kind of problem in words."));
    problem.addProperty("status", schema("integer", "The HTTP status.").format("int32"));
    problem.addProperty("detail", schema("string", "What went wrong with this request."));
    problem.addProperty("instance", schema("string", "The path of the request.").format("uri-reference"));
    problem.addProperty("errors", errors);
    problem.addProperty("limit", schema("integer", "On body-too-large: the limit in bytes.").format("int64"));
    problem.setRequired(List.of("type", "title", "status", "detail"));
    return problem;
  }

  private static Schema<Object> fieldSchema() {
    Schema<Object> field = schema("object", "One thing wrong in the input.");
    field.addProperty("field", schema("string", "The field, parameter or part, e.g. spec.purpose; empty when "
        + "the whole input is wrong."));
    field.addProperty("message", schema("string", "What is wrong with it."));
    field.addProperty("file", schema("string", "In a file: its name."));
    field.addProperty("line", schema("integer", "In a file: the line, from 1.").format("int32"));
    field.addProperty("column", schema("integer", "In a file: the column, from 1.").format("int32"));
    field.setRequired(List.of("field", "message"));
    return field;
  }
}
