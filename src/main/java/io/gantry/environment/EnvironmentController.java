package io.gantry.environment;

import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Environments", description = "Environments and their targets")
class EnvironmentController {

  private final Environments environments;
  private final Targets targets;

  EnvironmentController(Environments environments, Targets targets) {
    this.environments = environments;
    this.targets = targets;
  }

  record EnvironmentView(String name, String description, String purpose, boolean controlled, String owner,
      List<String> promotesTo, Map<String, String> labels, long rowVersion) {
    static EnvironmentView of(Environment e) {
      var d = e.definition();
      return new EnvironmentView(d.name(), d.description(), d.purpose().id(), d.controlled(), d.owner(),
          d.promotesTo(), d.labels(), e.rowVersion());
    }
  }

  record TargetView(String name, String description, String environment, String kind, String path, String location,
      Map<String, String> facts, List<String> tags, Map<String, String> labels, long rowVersion) {
    static TargetView of(Target t) {
      var d = t.definition();
      return new TargetView(d.name(), d.description(), d.environment(), d.kind().id(), d.path(), d.location(),
          d.facts(), d.tags(), d.labels(), t.rowVersion());
    }
  }

  @GetMapping("/environments")
  @Operation(summary = "List environments")
  Page<EnvironmentView> environments(@RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size) {
    return environments.page(new PageRequest(page, size)).map(EnvironmentView::of);
  }

  @GetMapping("/environments/{name}")
  @Operation(summary = "One environment")
  EnvironmentView environment(@PathVariable String name) {
    return EnvironmentView.of(environments.find(name).orElseThrow(() -> new NotFoundException("environment", name)));
  }

  @GetMapping("/targets")
  @Operation(summary = "List targets, optionally of one environment")
  Page<TargetView> targets(@RequestParam(required = false) String environment,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    if (environment != null && environments.find(environment).isEmpty()) {
      throw new NotFoundException("environment", environment);
    }
    return targets.page(environment, new PageRequest(page, size)).map(TargetView::of);
  }

  @GetMapping("/targets/{name}")
  @Operation(summary = "One target")
  TargetView target(@PathVariable String name) {
    return TargetView.of(targets.find(name).orElseThrow(() -> new NotFoundException("target", name)));
  }
}
