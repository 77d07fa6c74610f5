package io.gantry.assessment;

import io.gantry.capability.Criterion;
import io.gantry.capability.Judgement;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.gantry.shared.InvalidInputException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import java.security.Principal;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Capability self-assessments over the API. An assessment covers the whole organization: only those holding the
 * deployment manager's or the auditor's role everywhere (as their own role) make, read and judge them.
 */
@RestController
@RequestMapping("/api/v1/assessments")
@Tag(name = "Assessments", description = "Capability self-assessments against Table 7.1 and their reports")
class AssessmentController {

  /** Who assesses the practice's capability: deployment managers and auditors. */
  static final Set<Role> ASSESSORS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.AUDITOR);

  private final Assessments assessments;
  private final AssessmentReport report;
  private final Access access;

  AssessmentController(Assessments assessments, AssessmentReport report, Access access) {
    this.assessments = assessments;
    this.report = report;
    this.access = access;
  }

  /** The period to assess; each end optional (to: now; from: 90 days before to). */
  record NewAssessment(Instant from, Instant to) {}

  /** An assessor's judgement of one criterion. */
  record NewJudgement(String judgement, String reason, String evidence, List<String> links) {}

  /** Bodies are read refusing what would otherwise be ignored: an unknown field, a value of the wrong type. */
  private static final JsonMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private static <T> T read(String json, Class<T> type, String what) {
    try {
      return STRICT.readValue(json, type);
    } catch (JacksonException e) {
      throw InvalidInputException.of("body", "not a valid " + what + ": " + e.getOriginalMessage());
    }
  }

  record CriterionView(String criterion, int level, String psf, String dimension, String text, String judgement,
      String decidedBy, String gantryJudgement, String reason, List<String> facts, String assessorJudgement,
      String assessorReason, String assessorEvidence, List<String> assessorLinks, String judgedBy, Instant judgedAt) {

    static CriterionView of(CriterionAssessment c) {
      Criterion k = c.criterion();
      return new CriterionView(k.id(), k.level(), k.psf().name().toLowerCase(java.util.Locale.ROOT),
          k.dimension().text(), k.text(), id(c.judgement()), c.decidedBy(), id(c.gantryJudgement()), c.reason(),
          c.facts(), id(c.assessorJudgement()), c.assessorReason(), c.assessorEvidence(), c.assessorLinks(),
          c.judgedBy(), c.judgedAt());
    }
  }

  record AssessmentView(long id, Instant from, Instant to, String createdBy, Instant createdAt, int level, long met,
      List<CriterionView> criteria) {

    static AssessmentView of(Assessment a) {
      return new AssessmentView(a.id(), a.from(), a.to(), a.createdBy(), a.createdAt(), a.level(), a.met(),
          a.criteria().stream().map(CriterionView::of).toList());
    }
  }

  record ChangeView(String criterion, int level, String before, String after, String change) {}

  record ComparisonView(Assessments.Summary before, Assessments.Summary after, List<ChangeView> criteria) {}

  private void require(Principal principal, String what) {
    access.require(principal.getName(), ASSESSORS, Scope.NONE, what);
  }

  @PostMapping
  @Operation(summary = "Assess the capability over a period (default the last 90 days): each criterion judged from "
      + "Gantry's records now and kept so; deployment managers and auditors")
  ResponseEntity<AssessmentView> create(
      @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @io.swagger.v3.oas.annotations.media.Content(
          schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = NewAssessment.class)))
      @RequestBody(required = false) String json, Principal principal) {
    require(principal, "making a capability assessment");
    NewAssessment read = json == null || json.isBlank() ? null : read(json, NewAssessment.class, "assessment period");
    NewAssessment b = read == null ? new NewAssessment(null, null) : read;
    return ResponseEntity.status(HttpStatus.CREATED)
        .body(AssessmentView.of(assessments.create(b.from(), b.to(), principal.getName())));
  }

  @GetMapping
  @Operation(summary = "The assessments, newest first, with their period, level and criteria met")
  List<Assessments.Summary> list(Principal principal) {
    require(principal, "reading capability assessments");
    return assessments.list();
  }

  @GetMapping("/{id}")
  @Operation(summary = "One assessment: its level and each criterion with Gantry's and the assessor's evidence")
  AssessmentView get(@PathVariable long id, Principal principal) {
    require(principal, "reading a capability assessment");
    return AssessmentView.of(assessments.get(id));
  }

  @PutMapping("/{id}/criteria/{criterion}")
  @Operation(summary = "Judge one criterion as assessor (met, partly-met, not-met) with a reason, evidence and "
      + "links; the assessor's judgement decides over Gantry's")
  AssessmentView judge(@PathVariable long id, @PathVariable String criterion,
      @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @io.swagger.v3.oas.annotations.media.Content(
          schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = NewJudgement.class)))
      @RequestBody String json, Principal principal) {
    require(principal, "judging a capability criterion");
    NewJudgement body = read(json, NewJudgement.class, "judgement");
    if (body == null) {
      throw InvalidInputException.of("body", "the request body must be a JSON object");
    }
    return AssessmentView.of(assessments.judge(id, criterion, body.judgement(), body.reason(), body.evidence(),
        body.links(), principal.getName()));
  }

  @GetMapping("/compare")
  @Operation(summary = "Compare two assessments criterion by criterion, with the level before and after")
  ComparisonView compare(@RequestParam long before, @RequestParam long after, Principal principal) {
    require(principal, "reading capability assessments");
    Assessments.Comparison c = assessments.compare(before, after);
    return new ComparisonView(c.before(), c.after(), c.criteria().stream().map(x -> new ChangeView(
        x.criterion().id(), x.criterion().level(), id(x.before()), id(x.after()), x.change())).toList());
  }

  @GetMapping(value = "/{id}/report", produces = MediaType.TEXT_HTML_VALUE)
  @Operation(summary = "The assessment's report as one self-contained HTML document (Accept: text/html) or as PDF "
      + "(Accept: application/pdf)")
  ResponseEntity<String> html(@PathVariable long id, Principal principal) {
    require(principal, "reading a capability assessment's report");
    return ResponseEntity.ok().contentType(new MediaType(MediaType.TEXT_HTML, java.nio.charset.StandardCharsets.UTF_8))
        .body(report.html(assessments.get(id)));
  }

  @GetMapping(value = "/{id}/report", produces = MediaType.APPLICATION_PDF_VALUE)
  @Operation(summary = "The assessment's report as PDF")
  ResponseEntity<byte[]> pdf(@PathVariable long id, Principal principal) {
    require(principal, "reading a capability assessment's report");
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_PDF)
        .header(HttpHeaders.CONTENT_DISPOSITION, "inline; filename=\"assessment-" + id + ".pdf\"")
        .body(report.pdf(assessments.get(id)));
  }

  private static String id(Judgement j) {
    return j == null ? null : j.id();
  }
}
