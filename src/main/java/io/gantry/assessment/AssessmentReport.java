package io.gantry.assessment;

import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import io.gantry.capability.Criterion;
import io.gantry.capability.Judgement;
import io.gantry.capability.ReportSection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * An assessment as a report to hand to an auditor: one self-contained XHTML document (inline CSS, no external
 * resource) with the level, every criterion's judgement, reason, facts and the assessor's evidence, then the
 * sections other modules add ({@link ReportSection}, in their order); and the same laid out as PDF.
 */
@Component
public class AssessmentReport {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
      .withZone(ZoneOffset.UTC);
  private static final String CSS = """
      body { font-family: sans-serif; font-size: 10pt; color: #222; margin: 1.5em; }
      h1 { font-size: 18pt; margin-bottom: 0.2em; }
      h2 { font-size: 13pt; margin-top: 1.4em; border-bottom: 1px solid #999; }
      table { border-collapse: collapse; width: 100%; margin: 0.5em 0; }
      th, td { border: 1px solid #bbb; padding: 3px 5px; text-align: left; vertical-align: top; }
      th { background: #eee; }
      caption { text-align: left; font-weight: bold; padding: 4px 0; }
      .met { color: #176117; font-weight: bold; }
      .partly-met { color: #8a5a00; font-weight: bold; }
      .not-met, .unjudged { color: #a11; font-weight: bold; }
      .level { font-size: 14pt; font-weight: bold; }
      .note, .meta { color: #555; }
      ul { margin: 0; padding-left: 1.2em; }
      """;

  private final Supplier<List<ReportSection>> sections;
  private final Clock clock;

  @Autowired
  AssessmentReport(ObjectProvider<ReportSection> sections, Clock clock) {
    this(() -> sections.stream().sorted(Comparator.comparingInt(ReportSection::order)).toList(), clock);
  }

  AssessmentReport(Supplier<List<ReportSection>> sections, Clock clock) {
    this.sections = sections;
    this.clock = clock;
  }

  /** The report as one XHTML document. */
  public String html(Assessment a) {
    StringBuilder h = new StringBuilder(16_384);
    h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head><meta charset=\"utf-8\"/>")
        .append("<title>Deployment management capability assessment ").append(a.id()).append("</title><style>")
        .append(CSS).append("</style></head><body>\n");
    h.append("<h1>Deployment management capability assessment #").append(a.id()).append("</h1>\n");
    h.append("<p class=\"meta\">Period ").append(time(a.from())).append(" to ").append(time(a.to()))
        .append(". Made by ").append(esc(a.createdBy())).append(" on ").append(time(a.createdAt()))
        .append(". Report written ").append(time(clock.instant())).append(".</p>\n");
    h.append("<p class=\"level\">Capability level ").append(a.level()).append(" of ").append(CapabilityLevel.HIGHEST)
        .append("</p>\n<p>").append(a.met()).append(" of ").append(a.criteria().size())
        .append(" criteria are met. By section 7.2 of the practice guide a level is reached when every criterion of ")
        .append("that level and of every level below is met; partly met counts as not met. Where an assessor ")
        .append("judged a criterion, their judgement decides; Gantry's judgement from its records is shown beside it.")
        .append("</p>\n");
    h.append("<h2>Criteria (Table 7.1)</h2>\n<table><tr><th style=\"width:6%\">Level</th>")
        .append("<th style=\"width:20%\">Criterion</th><th style=\"width:11%\">Judgement</th>")
        .append("<th style=\"width:33%\">Gantry's evidence</th><th style=\"width:30%\">Assessor's evidence</th>")
        .append("</tr>\n");
    for (CriterionAssessment c : a.criteria()) {
      Criterion k = c.criterion();
      h.append("<tr><td>").append(k.level()).append("</td><td>").append(esc(k.text())).append("<br/><span class=\"note\">")
          .append(esc(k.psf() == Criterion.Psf.APPROACHES ? "PSF 1" : "PSF 2")).append(", ")
          .append(esc(k.dimension().text())).append("</span></td><td>").append(judgement(c.judgement()))
          .append("<br/><span class=\"note\">decided by ").append(c.decidedBy()).append("</span></td><td>")
          .append(judgement(c.gantryJudgement())).append(": ").append(esc(c.reason()));
      list(h, c.facts());
      h.append("</td><td>");
      if (c.assessorJudgement() == null) {
        h.append("<span class=\"note\">none</span>");
      } else {
        h.append(judgement(c.assessorJudgement())).append(": ").append(esc(c.assessorReason()));
        if (c.assessorEvidence() != null) {
          h.append("<br/>").append(esc(c.assessorEvidence()));
        }
        list(h, c.assessorLinks());
        h.append("<span class=\"note\">").append(esc(c.judgedBy())).append(", ").append(time(c.judgedAt()))
            .append("</span>");
      }
      h.append("</td></tr>\n");
    }
    h.append("</table>\n");
    for (ReportSection s : sections.get()) {
      h.append("<h2>").append(esc(s.title())).append("</h2>\n");
      List<ReportSection.Table> tables = s.tables(a.period());
      if (tables.isEmpty()) {
        h.append("<p class=\"note\">Nothing to show for this period.</p>\n");
      }
      for (ReportSection.Table t : tables) {
        h.append("<table><caption>").append(esc(t.caption())).append("</caption><tr>");
        t.headers().forEach(x -> h.append("<th>").append(esc(x)).append("</th>"));
        h.append("</tr>\n");
        for (List<String> row : t.rows()) {
          h.append("<tr>");
          row.forEach(x -> h.append("<td>").append(esc(x)).append("</td>"));
          h.append("</tr>\n");
        }
        if (t.rows().isEmpty()) {
          h.append("<tr><td colspan=\"").append(t.headers().size()).append("\">none</td></tr>\n");
        }
        h.append("</table>\n");
        if (t.note() != null) {
          h.append("<p class=\"note\">").append(esc(t.note())).append("</p>\n");
        }
      }
    }
    h.append("</body></html>\n");
    return h.toString();
  }

  /**
   * The assessment as a plain-text table for a terminal or a log: a line per criterion with its level, id, deciding
   * judgement and reason, under a heading line; the level first.
   */
  public List<String> table(Assessment a) {
    List<String> lines = new java.util.ArrayList<>();
    lines.add("Capability self-assessment #" + a.id() + " (" + time(a.from()) + " to " + time(a.to())
        + "): capability level " + a.level() + ", " + a.met() + " of " + a.criteria().size() + " criteria met");
    lines.add(String.format(java.util.Locale.ROOT, "%-5s  %-27s  %-10s  %s", "LEVEL", "CRITERION", "JUDGEMENT",
        "REASON"));
    for (CriterionAssessment c : a.criteria()) {
      lines.add(String.format(java.util.Locale.ROOT, "%-5d  %-27s  %-10s  %s", c.criterion().level(),
          c.criterion().id(), c.judgement() == null ? "not judged" : c.judgement().id(),
          c.assessorJudgement() != null ? "assessor: " + c.assessorReason() : c.reason()));
    }
    return lines;
  }

  /** Writes the HTML report to {@code assessment-ID.html} in {@code directory} (made if missing); its path. */
  public java.nio.file.Path write(Assessment a, java.nio.file.Path directory) {
    try {
      java.nio.file.Files.createDirectories(directory);
      java.nio.file.Path file = directory.resolve("assessment-" + a.id() + ".html");
      java.nio.file.Files.writeString(file, html(a), java.nio.charset.StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The report laid out as PDF. */
  public byte[] pdf(Assessment a) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PdfRendererBuilder builder = new PdfRendererBuilder();
      builder.useFastMode();
      builder.withHtmlContent(html(a), null);
      builder.toStream(out);
      builder.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void list(StringBuilder h, List<String> items) {
    if (!items.isEmpty()) {
      h.append("<ul>");
      items.forEach(x -> h.append("<li>").append(esc(x)).append("</li>"));
      h.append("</ul>");
    }
  }

  private static String judgement(Judgement j) {
    return j == null ? "<span class=\"unjudged\">not judged</span>"
        : "<span class=\"" + j.id() + "\">" + j.id().replace('-', ' ') + "</span>";
  }

  private static String time(java.time.Instant t) {
    return t == null ? "" : TIME.format(t);
  }

  /** The text escaped for XHTML, control characters (which XML cannot hold) dropped. */
  static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    s.codePoints().forEach(cp -> {
      switch (cp) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> {
          if (cp >= 0x20 || cp == '\n' || cp == '\t') {
            if (cp != 0xFFFE && cp != 0xFFFF && (cp < 0xD800 || cp > 0xDFFF)) {
              b.appendCodePoint(cp);
            }
          }
        }
      }
    });
    return b.toString();
  }
}
