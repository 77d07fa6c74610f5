package io.gantry.assessment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.capability.AssessmentPeriod;
import io.gantry.capability.Criterion;
import io.gantry.capability.Evidence;
import io.gantry.capability.EvidenceSource;
import io.gantry.capability.Judgement;
import io.gantry.shared.Finding;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.testing.MutableClock;
import io.gantry.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Capability self-assessments kept, judged, levelled and compared, on both databases. */
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
class AssessmentsContractTest {

  private final TestDatabase database;
  private final MutableClock clock = MutableClock.at("2026-04-10T00:00:00Z");
  private TestDatabase.Instance db;
  /** What the hand-built source answers for each criterion it judges. */
  private final Map<Criterion, Judgement> answers = new EnumMap<>(Criterion.class);

  AssessmentsContractTest(TestDatabase database) {
    this.database = database;
  }

  @BeforeEach
  void setUp() {
    db = database.create();
  }

  /** A source that judges every criterion with an answer, as told. */
  private final EvidenceSource handBuilt = new EvidenceSource() {
    @Override
    public Set<Criterion> criteria() {
      return Set.copyOf(answers.keySet());
    }

    @Override
    public Evidence evidence(Criterion c, AssessmentPeriod period) {
      return new Evidence(c, answers.get(c), "told " + answers.get(c).id(), List.of("fact of " + c.id()));
    }
  };

  private Assessments assessments(EvidenceSource... sources) {
    return new Assessments(db.jdbc(), new EvidenceSources(List.of(sources)), clock);
  }

  /** An assessment where every criterion up to {@code level} is met and every one above is not. */
  private Assessment upTo(int level, Criterion partly) {
    answers.clear();
    for (Criterion c : Criterion.values()) {
      answers.put(c, c.level() <= level ? Judgement.MET : Judgement.NOT_MET);
    }
    if (partly != null) {
      answers.put(partly, Judgement.PARTLY_MET);
    }
    return assessments(handBuilt).create(null, null, "dana");
  }

  @Test
  void each_level_is_reached_when_its_criteria_and_those_below_are_met_and_missed_by_one_partly_met_criterion() {
    assertThat(upTo(1, null).level()).isEqualTo(1);
    for (int level = 2; level <= 5; level++) {
      int n = level;
      assertThat(upTo(level, null).level()).as("all met up to level " + level).isEqualTo(level);
      Criterion ofLevel = Arrays.stream(Criterion.values()).filter(c -> c.level() == n).reduce((a, b) -> b)
          .orElseThrow();
      assertThat(upTo(level, ofLevel).level()).as(ofLevel + " partly met").isEqualTo(level - 1);
    }
    // a criterion of a lower level partly met holds the level down however much above is met
    assertThat(upTo(5, Criterion.DEPLOYED_SUCCESSFULLY).level()).isEqualTo(1);
  }

  @Test
  void an_assessment_of_the_default_period_keeps_each_criterion_and_leaves_the_unjudged_to_the_assessor() {
    answers.put(Criterion.DEPLOYED_SUCCESSFULLY, Judgement.MET);

    Assessment a = assessments(handBuilt).create(null, null, "dana");

    assertThat(a.from()).isEqualTo(clock.instant().minus(Duration.ofDays(90)));
    assertThat(a.to()).isEqualTo(clock.instant());
    assertThat(a.criteria()).extracting(CriterionAssessment::criterion).containsExactly(Criterion.values());
    assertThat(a.criterion(Criterion.DEPLOYED_SUCCESSFULLY)).extracting(CriterionAssessment::judgement,
        CriterionAssessment::reason, CriterionAssessment::facts, CriterionAssessment::decidedBy)
        .containsExactly(Judgement.MET, "told met", List.of("fact of deployed-successfully"), "gantry");
    assertThat(a.criterion(Criterion.COMPETENCIES)).extracting(CriterionAssessment::judgement,
        CriterionAssessment::reason, CriterionAssessment::decidedBy)
        .containsExactly(null, "not judged by Gantry: left to the assessor", "nobody");
    // deployed successfully is level 2's only criterion
    assertThat(a.level()).isEqualTo(2);
    assertThat(assessments(handBuilt).get(a.id())).isEqualTo(a);
  }

  @Test
  void a_period_that_ends_before_it_starts_or_starts_in_the_future_is_refused_and_nothing_is_kept() {
    Assessments made = assessments(handBuilt);
    assertThatThrownBy(() -> made.create(Instant.parse("2026-03-01T00:00:00Z"), Instant.parse("2026-02-01T00:00:00Z"),
        "dana")).isInstanceOf(InvalidInputException.class).hasMessageContaining("must start before it ends");
    assertThatThrownBy(() -> made.create(Instant.parse("2026-05-01T00:00:00Z"), Instant.parse("2026-06-01T00:00:00Z"),
        "dana")).isInstanceOf(InvalidInputException.class).hasMessageContaining("in the future");
    assertThat(db.count("assessments")).isZero();
    assertThat(db.count("assessment_criteria")).isZero();
  }

  @Test
  void two_sources_claiming_one_criterion_are_refused_naming_both() {
    answers.put(Criterion.AUTOMATED, Judgement.MET);
    EvidenceSource other = new EvidenceSource() {
      @Override
      public Set<Criterion> criteria() {
        return Set.of(Criterion.AUTOMATED);
      }

      @Override
      public Evidence evidence(Criterion c, AssessmentPeriod period) {
        return new Evidence(c, Judgement.NOT_MET, "other", List.of());
      }
    };

    assertThatThrownBy(() -> new EvidenceSources(List.of(handBuilt, other)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("automated is claimed by two evidence sources")
        .hasMessageContaining(handBuilt.getClass().getName()).hasMessageContaining(other.getClass().getName());
  }

  @Test
  void stored_evidence_stays_as_judged_when_the_records_change_later() {
    // a source that judges from the records: met once a service is registered
    EvidenceSource fromRecords = new EvidenceSource() {
      @Override
      public Set<Criterion> criteria() {
        return Set.of(Criterion.TRACKED);
      }

      @Override
      public Evidence evidence(Criterion c, AssessmentPeriod period) {
        long services = db.jdbc().sql("select count(*) from services").query(Long.class).single();
        return new Evidence(c, services > 0 ? Judgement.MET : Judgement.NOT_MET, services + " services",
            List.of(services + " services registered"));
      }
    };
    Assessment before = assessments(fromRecords).create(null, null, "dana");
    db.jdbc().sql("""
        insert into services (name, owner, labels, created_at, updated_at) values ('shop', 'team', '{}', :t, :t)
        """).param("t", java.sql.Timestamp.from(clock.instant())).update();

    Assessment after = assessments(fromRecords).create(null, null, "dana");

    assertThat(after.criterion(Criterion.TRACKED).judgement()).isEqualTo(Judgement.MET);
    CriterionAssessment kept = assessments(fromRecords).get(before.id()).criterion(Criterion.TRACKED);
    assertThat(kept).extracting(CriterionAssessment::judgement, CriterionAssessment::reason,
        CriterionAssessment::facts).containsExactly(Judgement.NOT_MET, "0 services", List.of("0 services registered"));
  }

  @Test
  void the_assessors_judgement_decides_and_both_are_kept() {
    Assessment a = upTo(2, null);
    assertThat(a.level()).isEqualTo(2);
    clock.advance(Duration.ofHours(1));

    Assessment judged = assessments(handBuilt).judge(a.id(), "deployed-successfully", "partly-met",
        "two releases failed in production", "post-incident reviews PIR-7, PIR-9",
        List.of("https://wiki.example.com/pir-7"), "audrey");

    CriterionAssessment c = judged.criterion(Criterion.DEPLOYED_SUCCESSFULLY);
    assertThat(c).extracting(CriterionAssessment::judgement, CriterionAssessment::gantryJudgement,
        CriterionAssessment::decidedBy, CriterionAssessment::assessorReason, CriterionAssessment::assessorEvidence,
        CriterionAssessment::assessorLinks, CriterionAssessment::judgedBy, CriterionAssessment::judgedAt)
        .containsExactly(Judgement.PARTLY_MET, Judgement.MET, "assessor", "two releases failed in production",
            "post-incident reviews PIR-7, PIR-9", List.of("https://wiki.example.com/pir-7"), "audrey",
            clock.instant());
    assertThat(judged.level()).isEqualTo(1);

    // the assessor also judges what Gantry cannot see, and raises the level with it
    Assessment raised = assessments(handBuilt).judge(a.id(), "deployed-successfully", "met", "failures were "
        + "outside the deployment", null, null, "audrey");
    assertThat(raised.criterion(Criterion.DEPLOYED_SUCCESSFULLY).assessorLinks()).isEmpty();
    assertThat(raised.level()).isEqualTo(2);
  }

  @Test
  void a_bad_judgement_is_refused_naming_each_problem_and_changes_nothing() {
    Assessment a = upTo(2, null);

    assertThatThrownBy(() -> assessments(handBuilt).judge(a.id(), "speed", "great", " ", null,
        List.of("javascript:alert(1)"), "audrey"))
        .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.findings())
            .extracting(Finding::field).containsExactly("criterion", "judgement", "reason", "links[0]"));
    assertThatThrownBy(() -> assessments(handBuilt).judge(a.id() + 1, "automated", "met", "ok", null, null, "x"))
        .isInstanceOf(NotFoundException.class);
    assertThat(assessments(handBuilt).get(a.id())).isEqualTo(a);
  }

  @Test
  void two_assessments_compare_criterion_by_criterion_with_the_level_before_and_after() {
    Assessment before = upTo(2, Criterion.TRACKED);
    clock.advance(Duration.ofDays(30));
    Assessment after = upTo(3, null);
    answers.put(Criterion.DEPLOYED_SUCCESSFULLY, Judgement.NOT_MET);
    Assessment worse = assessments(handBuilt).create(null, null, "dana");

    Assessments.Comparison c = assessments(handBuilt).compare(before.id(), after.id());

    assertThat(c.before().level()).isEqualTo(2);
    assertThat(c.after().level()).isEqualTo(3);
    assertThat(c.criteria()).hasSize(14);
    assertThat(c.criteria()).filteredOn(x -> x.criterion() == Criterion.TRACKED).singleElement()
        .extracting(Assessments.CriterionChange::before, Assessments.CriterionChange::after,
            Assessments.CriterionChange::change).containsExactly(Judgement.PARTLY_MET, Judgement.MET, "better");
    assertThat(c.criteria()).filteredOn(x -> x.criterion() == Criterion.AUTOMATED).singleElement()
        .extracting(Assessments.CriterionChange::change).isEqualTo("better");
    assertThat(c.criteria()).filteredOn(x -> x.criterion() == Criterion.APPROACH_IMPROVED).singleElement()
        .extracting(Assessments.CriterionChange::change).isEqualTo("same");
    assertThat(assessments(handBuilt).compare(after.id(), worse.id()).criteria())
        .filteredOn(x -> x.criterion() == Criterion.DEPLOYED_SUCCESSFULLY).singleElement()
        .extracting(Assessments.CriterionChange::change).isEqualTo("worse");
    assertThat(assessments(handBuilt).list()).extracting(Assessments.Summary::id)
        .containsExactly(worse.id(), after.id(), before.id());
  }
}
