package io.gantry.console;

import io.gantry.identity.RoleBindings;
import io.gantry.identity.Role;
import io.gantry.identity.User;
import io.gantry.identity.Users;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/** The console's landing page: who is signed in, with what roles, where. */
@Controller
class HomeController {

  private final Users users;
  private final RoleBindings bindings;

  HomeController(Users users, RoleBindings bindings) {
    this.users = users;
    this.bindings = bindings;
  }

  @GetMapping("/")
  String home(Authentication signedIn, CsrfToken csrf, Model model) {
    // the console's chain lets no one here unsigned; its session filter has just read the user again
    User user = users.find(signedIn.getName()).orElseThrow();
    var page = new HomePage(user.name(), user.displayName(), user.roles().stream().sorted().map(Role::id).toList(),
        bindings.of(user.name()).stream().map(b -> new HomePage.Binding(b.role().id(), b.scope().toString(),
            b.group())).sorted(java.util.Comparator.comparing(HomePage.Binding::scope)
                .thenComparing(HomePage.Binding::role)).toList(),
        users.groups(user.name()));
    csrf.getToken();
    model.addAttribute("page", page);
    model.addAttribute("csrf", csrf);
    return "home";
  }
}
