package io.gantry.console;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import jakarta.servlet.http.HttpServletResponse;
import java.util.function.Supplier;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.ui.Model;

/**
 * Shows a page of the catalog, models or environments, or, when the services refuse (unknown name, outside
 * the reader's scopes, bad input), a page that says why with the status the API would answer, never a
 * stack trace.
 */
final class CatalogRefusals {

  static final String VIEW = "catalog/refused";

  private CatalogRefusals() {}

  static String show(Model model, HttpServletResponse response, Supplier<String> page) {
    try {
      return page.get();
    } catch (NotFoundException e) {
      return refused(model, response, HttpServletResponse.SC_NOT_FOUND, "Not found", e);
    } catch (AccessDeniedException e) {
      return refused(model, response, HttpServletResponse.SC_FORBIDDEN, "Not yours to see", e);
    } catch (InvalidInputException e) {
      return refused(model, response, HttpServletResponse.SC_BAD_REQUEST, "Cannot show that", e);
    } catch (ConflictException e) {
      return refused(model, response, HttpServletResponse.SC_CONFLICT, "Cannot show that", e);
    }
  }

  private static String refused(Model model, HttpServletResponse response, int status, String title,
      RuntimeException e) {
    response.setStatus(status);
    model.addAttribute("title", title);
    model.addAttribute("message", e.getMessage());
    return VIEW;
  }
}
