package io.gantry.change;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Asks an ITSM tool where one of its changes stands, the way its REST API is asked: ServiceNow's Table
 * API ({@code change_request}, its {@code approval} field), Jira Service Management's issue API (the
 * issue's status name).
 */
final class ItsmClient {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  /** The most of an answer that is read; more is refused. */
  static final int BODY_LIMIT = 1 << 20;

  private final String name;
  private final ItsmSettings.ItsmSystem system;
  private final java.util.function.UnaryOperator<String> secrets;
  private final HttpClient http;

  /** A client of the tool {@code name}, taking the secrets its credentials name from {@code secrets} (name to value). */
  ItsmClient(String name, ItsmSettings.ItsmSystem system, java.util.function.UnaryOperator<String> secrets) {
    this.name = name;
    this.system = system;
    this.secrets = secrets;
    this.http = HttpClient.newBuilder().connectTimeout(system.requestTimeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The tool's value for the change (ServiceNow: approval; Jira: status name). */
  String fetch(String reference) throws ItsmException {
    String ref = URLEncoder.encode(reference, StandardCharsets.UTF_8);
    URI uri = switch (system.type()) {
      case SERVICENOW -> URI.create(system.url() + "/api/now/table/change_request?sysparm_query="
          + URLEncoder.encode("number=" + reference, StandardCharsets.UTF_8) + "&sysparm_fields=number,state,approval");
      case JIRA -> URI.create(system.url() + "/rest/api/3/issue/" + ref + "?fields=status");
    };
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(system.requestTimeout())
        .header("Accept", "application/json").GET();
    String token = ItsmSettings.present(system.tokenSecret()) ? secret(system.tokenSecret(), "token")
        : system.token();
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token);
    } else if (system.username() != null && !system.username().isBlank()) {
      String password = ItsmSettings.present(system.passwordSecret()) ? secret(system.passwordSecret(), "password")
          : system.password();
      String pair = system.username() + ":" + (password == null ? "" : password);
      request.header("Authorization", "Basic "
          + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<InputStream> response;
    String text;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        byte[] read = in.readNBytes(BODY_LIMIT + 1);
        if (read.length > BODY_LIMIT) {
          throw new ItsmException("the ITSM server answered with more than 1 MiB (HTTP " + response.statusCode()
              + " from " + uri.getPath() + "); an answer about one change is far smaller, so it is not read");
        }
        text = new String(read, StandardCharsets.UTF_8);
      }
    } catch (HttpTimeoutException e) {
      throw new ItsmException("no answer from " + uri.getHost() + ":" + uri.getPort() + " within "
          + system.requestTimeout());
    } catch (IOException e) {
      throw new ItsmException("could not reach " + uri.getHost() + ":" + uri.getPort() + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ItsmException("interrupted while asking " + uri.getHost());
    }
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      throw new ItsmException("the credentials were refused (HTTP " + response.statusCode() + ")");
    }
    if (response.statusCode() == 404) {
      throw new ItsmException(reference + " was not found (HTTP 404)");
    }
    if (response.statusCode() / 100 != 2) {
      throw new ItsmException("HTTP " + response.statusCode() + " from " + uri.getPath());
    }
    JsonNode body;
    try {
      body = JSON.readTree(text);
    } catch (JacksonException e) {
      throw new ItsmException("the answer is not JSON: " + e.getOriginalMessage());
    }
    return switch (system.type()) {
      case SERVICENOW -> {
        JsonNode result = body.path("result");
        if (!result.isArray() || result.isEmpty()) {
          throw new ItsmException("no change_request numbered " + reference);
        }
        String number = result.get(0).path("number").asString("");
        if (result.size() != 1 || !number.equals(reference)) {
          throw new ItsmException("the answer is about change_request " + (number.isBlank() ? "(no number)" : number)
              + (result.size() > 1 ? " and " + (result.size() - 1) + " more" : "") + ", not " + reference
              + "; it is not taken");
        }
        String approval = result.get(0).path("approval").asString("");
        if (approval.isBlank()) {
          throw new ItsmException("change_request " + reference + " has no approval field in the answer");
        }
        yield approval;
      }
      case JIRA -> {
        String key = body.path("key").asString("");
        if (!key.equals(reference)) {
          throw new ItsmException("the answer is about issue " + (key.isBlank() ? "(no key)" : key) + ", not "
              + reference + "; it is not taken");
        }
        String status = body.path("fields").path("status").path("name").asString("");
        if (status.isBlank()) {
          throw new ItsmException("issue " + reference + " has no status in the answer");
        }
        yield status;
      }
    };
  }

  /**
   * The value of the secret named as the tool's {@code what} (password or token), read now so that a
   * secret set again is used from the next request on; a secret that cannot be given is this request's failure.
   */
  private String secret(String secret, String what) throws ItsmException {
    try {
      return secrets.apply(secret);
    } catch (RuntimeException e) {
      throw new ItsmException("the " + what + " for " + name + " is the secret \"" + secret + "\" (gantry.itsm.systems."
          + name + "." + what + "-secret), which cannot be given: " + e.getMessage());
    }
  }

  /** The tool could not be asked, or its answer made no sense; the message says which. */
  static final class ItsmException extends Exception {
    ItsmException(String message) {
      super(message);
    }
  }
}
