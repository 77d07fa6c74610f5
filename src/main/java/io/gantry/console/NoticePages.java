package io.gantry.console;

import io.gantry.model.ModelNotices;
import io.gantry.shared.NotFoundException;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * A notice of a model version in force (practice guide Table 3.2) in the console: shown to the person it was told
 * to, and to nobody else (another person's notice is not found, as in the API); reading the page does not mark it
 * read, the person does, with the page's button, and the first reading is kept.
 */
@Controller
class NoticePages {

  private final ModelNotices notices;

  NoticePages(ModelNotices notices) {
    this.notices = notices;
  }

  @GetMapping("/console/notices/{id}")
  String notice(@PathVariable String id, Authentication signedIn, Model model, HttpServletResponse response) {
    return CatalogRefusals.show(model, response, () -> {
      ModelNotices.Notice n = notices.notice(signedIn.getName(), number(id));
      model.addAttribute("page", new NoticePage(n.id(), n.model(), n.version(), n.why(), When.at(n.createdAt()),
          n.readAt() == null ? null : When.at(n.readAt()), n.author(), n.reason(), n.decisions().stream()
              .map(d -> new NoticePage.Decision(d.user(), d.decision(), d.comment(), When.at(d.decidedAt())))
              .toList(), n.diff()));
      return "notice";
    });
  }

  @PostMapping("/console/notices/{id}/read")
  String read(@PathVariable String id, Authentication signedIn, RedirectAttributes flash) {
    try {
      notices.read(signedIn.getName(), number(id));
      flash.addFlashAttribute("notice", "Marked read.");
    } catch (NotFoundException e) {
      flash.addFlashAttribute("refusal", e.getMessage());
    }
    return "redirect:/console/notices/" + id.replaceAll("[^0-9]", "");
  }

  private static long number(String id) {
    try {
      return Long.parseLong(id);
    } catch (NumberFormatException e) {
      throw new NotFoundException("notice", id);
    }
  }
}
