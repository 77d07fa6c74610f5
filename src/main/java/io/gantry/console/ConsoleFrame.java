package io.gantry.console;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** Puts the page frame ({@link Frame}) in the model of every console page, for the layout template. */
@ControllerAdvice(basePackageClasses = ConsoleFrame.class)
class ConsoleFrame {

  @ModelAttribute("frame")
  Frame frame(Authentication signedIn, CsrfToken csrf, HttpServletRequest request) {
    if (signedIn == null || csrf == null) {
      return null;
    }
    String path = request.getRequestURI();
    String section = Frame.SECTIONS.stream().map(s -> s[0])
        .filter(p -> path.equals(p) || path.startsWith(p + "/")).findFirst().orElse(path);
    return new Frame(signedIn.getName(), section, csrf.getParameterName(), csrf.getHeaderName(), csrf.getToken());
  }
}
