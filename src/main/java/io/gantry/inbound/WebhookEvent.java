package io.gantry.inbound;

import io.gantry.catalog.Version;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * What a verified webhook delivery says, read from the payload shapes GitHub and GitLab document: a
 * version to register (from a tag), a ping, or something Gantry does not register versions from.
 */
sealed interface WebhookEvent {

  /** The repository the payload says it is about (null for a ping without one). */
  String repository();

  /** A tag that names a version, with what is known of its commit and build. */
  record Register(String repository, String tag, String version, String commitSha, Instant commitTime,
      String buildUrl) implements WebhookEvent {

    /** The version's attributes: only what the payload gave. */
    Map<String, String> attributes(HookProvider provider) {
      Map<String, String> a = new LinkedHashMap<>();
      a.put("sourceRepository", provider.id() + ":" + repository);
      a.put("gitTag", tag);
      if (commitSha != null) {
        a.put("commitSha", commitSha);
      }
      if (commitTime != null) {
        a.put("commitTime", commitTime.toString());
      }
      if (buildUrl != null) {
        a.put("buildUrl", buildUrl);
      }
      return a;
    }
  }

  /** Nothing to register, and why. */
  record Ignored(String repository, String reason) implements WebhookEvent {}

  Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  /** The version a tag names: the tag itself, or without a leading {@code v}; null when it names none. */
  static String versionOf(String tag) {
    if (tag == null) {
      return null;
    }
    if (Version.isValid(tag) && Character.isDigit(tag.charAt(0))) {
      return tag;
    }
    if ((tag.startsWith("v") || tag.startsWith("V")) && tag.length() > 1 && Version.isValid(tag.substring(1))) {
      return tag.substring(1);
    }
    return null;
  }

  static String text(JsonNode node, String... path) {
    JsonNode n = node;
    for (String p : path) {
      n = n.path(p);
    }
    return n.isString() && !n.asString().isBlank() ? n.asString() : null;
  }

  static Instant time(String value) {
    if (value == null) {
      return null;
    }
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      // GitLab writes some times as "2026-03-01 09:15:00 UTC" or "2026-03-01 09:15:00 +0100"
      try {
        String v = value.replace(" UTC", " +0000");
        return OffsetDateTime.parse(v, java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z",
            Locale.ROOT)).toInstant();
      } catch (DateTimeParseException again) {
        return null;
      }
    }
  }

  static String sha(String value) {
    return value != null && SHA.matcher(value).matches() ? value : null;
  }

  static WebhookEvent fromTag(String repository, String tag, String sha, Instant commitTime, String buildUrl) {
    String version = versionOf(tag);
    if (version == null) {
      return new Ignored(repository, "tag \"" + tag + "\" does not name a version (1.4.0 or v1.4.0)");
    }
    return new Register(repository, tag, version, sha(sha), commitTime, buildUrl);
  }

  /**
   * A GitHub delivery by its {@code X-GitHub-Event}: {@code release} (action published), {@code push} of a
   * tag ({@code refs/tags/...}, not a deletion), {@code workflow_run} (action completed, conclusion success,
   * run for a tag: its {@code head_branch} is the tag), and {@code ping}.
   */
  static WebhookEvent github(String event, JsonNode p) {
    String repository = text(p, "repository", "full_name");
    switch (event == null ? "" : event) {
      case "ping" -> {
        return new Ignored(repository, "ping");
      }
      case "release" -> {
        if (!"published".equals(text(p, "action"))) {
          return new Ignored(repository, "release " + text(p, "action") + ": only a published release registers");
        }
        // a release names its tag and page; its target_commitish is a branch unless it is a commit id
        return fromTag(repository, text(p, "release", "tag_name"), text(p, "release", "target_commitish"), null,
            text(p, "release", "html_url"));
      }
      case "push" -> {
        String ref = text(p, "ref");
        if (ref == null || !ref.startsWith("refs/tags/")) {
          return new Ignored(repository, "push to " + ref + ": only the push of a tag registers");
        }
        if (p.path("deleted").asBoolean(false)) {
          return new Ignored(repository, "tag " + ref.substring(10) + " was deleted");
        }
        return fromTag(repository, ref.substring("refs/tags/".length()), text(p, "after"),
            time(text(p, "head_commit", "timestamp")), text(p, "head_commit", "url"));
      }
      case "workflow_run" -> {
        JsonNode run = p.path("workflow_run");
        if (!"completed".equals(text(p, "action")) || !"success".equals(text(run, "conclusion"))) {
          return new Ignored(repository, "workflow run " + text(p, "action") + " (" + text(run, "conclusion")
              + "): only a successful completed run registers");
        }
        String tag = text(run, "head_branch");
        if (versionOf(tag) == null) {
          return new Ignored(repository, "workflow run on \"" + tag + "\", not on a version tag");
        }
        return fromTag(repository, tag, text(run, "head_sha"), time(text(run, "head_commit", "timestamp")),
            text(run, "html_url"));
      }
      default -> {
        return new Ignored(repository, "GitHub event \"" + event + "\" registers nothing (release, push of a "
            + "tag and workflow_run do)");
      }
    }
  }

  /**
   * A GitLab delivery by its {@code object_kind}: {@code tag_push} (not a deletion), {@code pipeline}
   * (status success, run for a tag), {@code release} (action create).
   */
  static WebhookEvent gitlab(JsonNode p) {
    String repository = text(p, "project", "path_with_namespace");
    String kind = text(p, "object_kind");
    switch (kind == null ? "" : kind) {
      case "tag_push" -> {
        String ref = text(p, "ref");
        String after = text(p, "after");
        if (ref == null || !ref.startsWith("refs/tags/")) {
          return new Ignored(repository, "tag push to " + ref + ": not a tag");
        }
        if (after != null && after.matches("0{40}")) {
          return new Ignored(repository, "tag " + ref.substring(10) + " was deleted");
        }
        String sha = text(p, "checkout_sha") != null ? text(p, "checkout_sha") : after;
        Instant time = null;
        String url = null;
        for (JsonNode c : p.path("commits")) {
          if (sha != null && sha.equals(text(c, "id"))) {
            time = time(text(c, "timestamp"));
            url = text(c, "url");
          }
        }
        return fromTag(repository, ref.substring("refs/tags/".length()), sha, time, url);
      }
      case "pipeline" -> {
        JsonNode a = p.path("object_attributes");
        if (!"success".equals(text(a, "status"))) {
          return new Ignored(repository, "pipeline " + text(a, "status") + ": only a successful pipeline registers");
        }
        if (!a.path("tag").asBoolean(false)) {
          return new Ignored(repository, "pipeline on branch " + text(a, "ref") + ", not on a tag");
        }
        String url = text(a, "url");
        if (url == null && text(p, "project", "web_url") != null && a.path("id").isNumber()) {
          url = text(p, "project", "web_url") + "/-/pipelines/" + a.path("id").asLong();
        }
        return fromTag(repository, text(a, "ref"), text(a, "sha"), time(text(p, "commit", "timestamp")), url);
      }
      case "release" -> {
        if (!"create".equals(text(p, "action"))) {
          return new Ignored(repository, "release " + text(p, "action") + ": only a created release registers");
        }
        return fromTag(repository, text(p, "tag"), text(p, "commit", "id"), time(text(p, "commit", "timestamp")),
            text(p, "url"));
      }
      default -> {
        return new Ignored(repository, "GitLab event \"" + kind + "\" registers nothing (tag_push, pipeline and "
            + "release do)");
      }
    }
  }
}
