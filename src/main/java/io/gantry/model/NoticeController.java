package io.gantry.model;

import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The caller's inbox of model update notices: each is the caller's own; nobody reads another's. */
@RestController
@RequestMapping("/api/v1/me/notices")
@Tag(name = "Deployment models", description = "Deployment models, their versions and diffs")
class NoticeController {

  private final ModelNotices notices;

  NoticeController(ModelNotices notices) {
    this.notices = notices;
  }

  @GetMapping
  @Operation(summary = "Your notices of model versions that came into force (the diff, the reason and the agreement "
      + "comments), newest first")
  Page<ModelNotices.Notice> mine(@RequestParam(defaultValue = "false") boolean unread,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size, Principal principal) {
    return notices.inbox(principal.getName(), unread, new PageRequest(page, size));
  }

  @GetMapping("/{id}")
  @Operation(summary = "One of your notices")
  ModelNotices.Notice one(@PathVariable long id, Principal principal) {
    return notices.notice(principal.getName(), id);
  }

  @PostMapping("/{id}/read")
  @Operation(summary = "Mark one of your notices read (the first reading's time is kept)")
  ModelNotices.Notice read(@PathVariable long id, Principal principal) {
    return notices.read(principal.getName(), id);
  }
}
