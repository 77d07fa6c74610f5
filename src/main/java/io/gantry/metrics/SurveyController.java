package io.gantry.metrics;

import io.gantry.shared.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import java.security.Principal;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The alignment survey: its questions, and each user's answer for a month (any signed-in user, partners too). */
@RestController
@Tag(name = "Alignment survey", description = "Partners' and consumers' alignment, asked monthly")
class SurveyController {

  private final AlignmentSurvey survey;

  SurveyController(AlignmentSurvey survey) {
    this.survey = survey;
  }

  /** Each answer 1 (not at all) to 5 (fully). */
  record NewAnswer(Integer informed, Integer needsMet, Integer paceFits, @Size(max = 2000) String comment) {}

  @GetMapping("/api/v1/alignment-survey")
  @Operation(summary = "The questions of the alignment survey, by the field that answers them")
  Map<String, String> questions() {
    return AlignmentSurvey.QUESTIONS;
  }

  @PutMapping("/api/v1/alignment-survey/{period}/answer")
  @Operation(summary = "Answer (or replace your answer to) the alignment survey of a month, e.g. 2026-11")
  AlignmentSurvey.Answer answer(@PathVariable String period, @Valid @RequestBody NewAnswer body, Principal principal) {
    return survey.answer(period, body.informed(), body.needsMet(), body.paceFits(), body.comment(),
        principal.getName());
  }

  @GetMapping("/api/v1/alignment-survey/{period}/answer")
  @Operation(summary = "Your answer to the alignment survey of a month")
  AlignmentSurvey.Answer mine(@PathVariable String period, Principal principal) {
    return survey.find(period, principal.getName())
        .orElseThrow(() -> new NotFoundException("answer to the alignment survey of", period));
  }
}
