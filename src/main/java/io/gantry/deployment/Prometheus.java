package io.gantry.deployment;

import io.gantry.model.Stage;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Prometheus an analysis's metrics are queried on ({@code gantry.analysis.prometheus.url}), through
 * its HTTP API's instant query ({@code GET /api/v1/query}). A query answers a verdict: passed when every
 * number it gives is within the metric's thresholds, failed when one is not, inconclusive when it gives
 * no number (no series, NaN, an error, no answer).
 */
final class Prometheus {

  /** No Prometheus: every query is inconclusive, saying so. */
  static final Prometheus NONE = new Prometheus(null, Duration.ofSeconds(10));

  private static final JsonMapper JSON = JsonMapper.builder().build();

  enum Verdict { PASSED, FAILED, INCONCLUSIVE }

  /**
   * What one query answered: {@code values} each series' labels and number as text (or the error),
   * {@code sampledAt} the time of the numbers as Prometheus evaluated them (null without numbers).
   */
  record Answer(Verdict verdict, String values, Instant sampledAt, String reason) {}

  private final URI base;
  private final Duration timeout;
  private final HttpClient http;

  Prometheus(URI base, Duration timeout) {
    this.base = base;
    this.timeout = timeout;
    this.http = base == null ? null : HttpClient.newBuilder().connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** From the server setting: none when blank. */
  static Prometheus of(String url, Duration timeout) {
    if (url == null || url.isBlank()) {
      return NONE;
    }
    URI uri = URI.create(url.endsWith("/") ? url : url + "/");
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("gantry.analysis.prometheus.url must be an http or https URL, not " + url);
    }
    return new Prometheus(uri, timeout);
  }

  /** At most this much of an answer is read: a query that selects too many series is not worth the server's memory. */
  static final int MAX_ANSWER_BYTES = 8 << 20;

  /** The answer's text, refused when larger than {@link #MAX_ANSWER_BYTES}. */
  static String bounded(java.io.InputStream in) throws java.io.IOException {
    try (in) {
      byte[] read = in.readNBytes(MAX_ANSWER_BYTES + 1);
      if (read.length > MAX_ANSWER_BYTES) {
        throw new java.io.IOException("its answer is larger than " + (MAX_ANSWER_BYTES >> 20) + " MB: narrow the "
            + "query (sum or filter its series)");
      }
      return new String(read, StandardCharsets.UTF_8);
    }
  }

  /** Why Prometheus gave no answer to use: not reached, not JSON, or the query refused. */
  static final class Unanswered extends Exception {
    Unanswered(String why) {
      super(why);
    }
  }

  /** Prometheus's answer to {@code path} (relative to its base URL), when it says {@code success}. */
  private JsonNode ask(String path) throws Unanswered {
    JsonNode body;
    try {
      HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET().build();
      HttpResponse<java.io.InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      try {
        body = JSON.readTree(bounded(response.body()));
      } catch (RuntimeException e) {
        throw new Unanswered("Prometheus answered HTTP " + response.statusCode() + " without JSON");
      }
    } catch (java.io.IOException e) {
      throw new Unanswered("Prometheus at " + base + " could not be asked: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Unanswered("interrupted while asking Prometheus");
    }
    if (!"success".equals(body.path("status").asString(""))) {
      throw new Unanswered("Prometheus refused the query: " + body.path("errorType").asString("") + " "
          + body.path("error").asString(""));
    }
    return body;
  }

  String where() {
    return base == null ? "no Prometheus" : base.toString();
  }

  /** Runs {@code query} (already rendered) and judges its numbers against the metric's thresholds. */
  Answer measure(Stage.Metric metric, String query) {
    if (base == null) {
      return new Answer(Verdict.INCONCLUSIVE, "", null, "no Prometheus is configured on this server "
          + "(gantry.analysis.prometheus.url)");
    }
    JsonNode body;
    try {
      body = ask("api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
    } catch (Unanswered e) {
      return new Answer(Verdict.INCONCLUSIVE, "", null, e.getMessage());
    }
    JsonNode data = body.path("data");
    String type = data.path("resultType").asString("");
    List<Sample> samples = new ArrayList<>();
    switch (type) {
      case "scalar" -> samples.add(sample(Map.of(), data.path("result")));
      case "vector" -> data.path("result").forEach(series -> {
        Map<String, String> labels = new TreeMap<>();
        series.path("metric").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString("")));
        samples.add(sample(labels, series.path("value")));
      });
      default -> {
        return new Answer(Verdict.INCONCLUSIVE, "", null, "the query answers a " + type + ", not a number or an "
            + "instant vector");
      }
    }
    return judge(metric, samples);
  }

  /**
   * Compares the canary's samples of a metric with the baseline's over {@code [start, end]} ({@code GET
   * /api/v1/query_range}, about 100 steps, at least a second apart; every series' values together): a
   * one-sided Mann-Whitney U test (Apache Commons Statistics) fails the canary when it is worse at the
   * baseline's alpha; fewer than 3 samples on a side is inconclusive.
   */
  Answer compare(Stage.Metric metric, String canaryQuery, String baselineQuery, Instant start, Instant end) {
    if (base == null) {
      return new Answer(Verdict.INCONCLUSIVE, "", null, "no Prometheus is configured on this server "
          + "(gantry.analysis.prometheus.url)");
    }
    long seconds = Math.max(1, Duration.between(start, end).toSeconds());
    long step = Math.max(1, seconds / 100);
    List<Double> canary = new ArrayList<>();
    List<Double> baseline = new ArrayList<>();
    String failed = range(canaryQuery, start, end, step, canary);
    if (failed == null) {
      failed = range(baselineQuery, start, end, step, baseline);
    }
    if (failed != null) {
      return new Answer(Verdict.INCONCLUSIVE, "", null, failed);
    }
    String values = "canary n=" + canary.size() + " median " + median(canary) + "; baseline n=" + baseline.size()
        + " median " + median(baseline);
    if (canary.size() < 3 || baseline.size() < 3) {
      return new Answer(Verdict.INCONCLUSIVE, values, end, "too few samples to compare (at least 3 on each side)");
    }
    Stage.Baseline b = metric.baseline();
    boolean higher = b.worse() == Stage.Worse.HIGHER;
    double[] x = canary.stream().mapToDouble(Double::doubleValue).toArray();
    double[] y = baseline.stream().mapToDouble(Double::doubleValue).toArray();
    String worse = higher ? "higher" : "lower";
    if (canary.stream().distinct().count() == 1 && baseline.stream().distinct().count() == 1
        && canary.getFirst().equals(baseline.getFirst())) {
      return new Answer(Verdict.PASSED, values, end, "every sample is " + number(canary.getFirst())
          + ": the canary is no " + worse + " than the baseline");
    }
    var result = org.apache.commons.statistics.inference.MannWhitneyUTest.withDefaults()
        .with(higher ? org.apache.commons.statistics.inference.AlternativeHypothesis.GREATER_THAN
            : org.apache.commons.statistics.inference.AlternativeHypothesis.LESS_THAN)
        .test(x, y);
    double p = result.getPValue();
    String stats = values + "; U=" + number(result.getStatistic()) + ", p=" + String.format(java.util.Locale.ROOT,
        "%.3g", p);
    if (Double.isNaN(p)) {
      return new Answer(Verdict.INCONCLUSIVE, stats, end, "the test gave no p-value");
    }
    if (p < b.alpha()) {
      return new Answer(Verdict.FAILED, stats, end, "the canary is significantly " + worse + " than the baseline "
          + "(Mann-Whitney U, one-sided, p " + String.format(java.util.Locale.ROOT, "%.3g", p) + " < alpha "
          + number(b.alpha()) + ")");
    }
    return new Answer(Verdict.PASSED, stats, end, "the canary is not significantly " + worse + " than the baseline "
        + "(Mann-Whitney U, one-sided, p " + String.format(java.util.Locale.ROOT, "%.3g", p) + " >= alpha "
        + number(b.alpha()) + ")");
  }

  /** Adds every number of a range query's series to {@code into}, NaN left out; answers why it failed, or null. */
  private String range(String query, Instant start, Instant end, long step, List<Double> into) {
    JsonNode body;
    try {
      body = ask("api/v1/query_range?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&start="
          + seconds(start) + "&end=" + seconds(end) + "&step=" + step);
    } catch (Unanswered e) {
      return e.getMessage();
    }
    for (JsonNode series : body.path("data").path("result")) {
      for (JsonNode pair : series.path("values")) {
        double v = sample(Map.of(), pair).value();
        if (!Double.isNaN(v)) {
          into.add(v);
        }
      }
    }
    return null;
  }

  private static String seconds(Instant t) {
    return java.math.BigDecimal.valueOf(t.toEpochMilli()).movePointLeft(3).toPlainString();
  }

  private static String median(List<Double> values) {
    if (values.isEmpty()) {
      return "-";
    }
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return number(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
  }

  record Sample(Map<String, String> labels, Instant at, double value) {
    String text() {
      String number = Double.isNaN(value) ? "NaN" : Double.isInfinite(value) ? (value > 0 ? "+Inf" : "-Inf")
          : java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
      if (labels.isEmpty()) {
        return number;
      }
      List<String> pairs = new ArrayList<>();
      labels.forEach((k, v) -> pairs.add(k + "=\"" + v + "\""));
      return "{" + String.join(",", pairs) + "} " + number;
    }
  }

  private static Sample sample(Map<String, String> labels, JsonNode pair) {
    Instant at = Instant.ofEpochMilli(Math.round(pair.path(0).asDouble(0) * 1000));
    double value;
    try {
      value = Double.parseDouble(pair.path(1).asString("NaN"));
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    return new Sample(labels, at, value);
  }

  /** Failed when a number is beyond a threshold; otherwise inconclusive when there is none or one is NaN. */
  static Answer judge(Stage.Metric metric, List<Sample> samples) {
    String values = String.join(", ", samples.stream().map(Sample::text).toList());
    Instant at = samples.stream().map(Sample::at).max(Instant::compareTo).orElse(null);
    List<String> beyond = new ArrayList<>();
    for (Sample s : samples) {
      if (Double.isNaN(s.value())) {
        continue;
      }
      if (metric.max() != null && s.value() > metric.max()) {
        beyond.add(s.text() + " is above max " + number(metric.max()));
      }
      if (metric.min() != null && s.value() < metric.min()) {
        beyond.add(s.text() + " is below min " + number(metric.min()));
      }
    }
    if (!beyond.isEmpty()) {
      return new Answer(Verdict.FAILED, values, at, String.join("; ", beyond));
    }
    if (samples.isEmpty()) {
      return new Answer(Verdict.INCONCLUSIVE, values, null, "the query found no data");
    }
    if (samples.stream().anyMatch(s -> Double.isNaN(s.value()))) {
      return new Answer(Verdict.INCONCLUSIVE, values, at, "the query answered NaN");
    }
    return new Answer(Verdict.PASSED, values, at, "within " + bounds(metric));
  }

  static String bounds(Stage.Metric metric) {
    return metric.min() == null ? "max " + number(metric.max()) : metric.max() == null ? "min " + number(metric.min())
        : "min " + number(metric.min()) + " and max " + number(metric.max());
  }

  private static String number(double d) {
    return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }
}
