package io.gantry.execution;

import io.gantry.model.Step;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders {@code ${name}} placeholders and writes the result in one rename. {@code $${name}} stays
 * as the literal text {@code ${name}}. The source is read from the current release, which the
 * install step has just verified, so a template is the file that was approved with the version.
 */
final class TemplateRenderer {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$?\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)}");

  private final Clock clock;

  TemplateRenderer(Clock clock) {
    this.clock = clock;
  }

  StepOutcome render(Step.Template step, StepContext ctx) throws IOException {
    return render(step, ctx, StepUser.SERVER);
  }

  /**
   * As {@link #render(Step.Template, StepContext)}; the file written (mode 600: it may hold a secret) and the
   * folders made for it are {@code user}'s, the user the target's commands run as, so they can read it.
   */
  StepOutcome render(Step.Template step, StepContext ctx, StepUser user) throws IOException {
    Deadline deadline = Deadline.of(step, clock);
    boolean hasSource = step.source() != null;
    boolean hasContent = step.content() != null;
    if (hasSource == hasContent) {
      throw new StepFailure("a template step needs either source or content" + (hasSource ? ", not both" : ""));
    }
    Path destination = TargetPaths.inside(ctx.targetRoot(), step.destination(), "destination");
    ctx.log().accept("rendering " + (hasSource ? step.source() : "inline content") + " to " + step.destination());
    String template = hasContent ? step.content() : readSource(step.source(), ctx);

    Map<String, String> variables = new HashMap<>(ctx.variables());
    if (step.variables() != null) {
      variables.putAll(step.variables());
    }
    String rendered = render(template, variables);

    user.createDirectories(destination.getParent());
    Path temp = Files.createTempFile(destination.getParent(), "." + destination.getFileName() + "-", ".tmp");
    try {
      Files.writeString(temp, rendered, StandardCharsets.UTF_8);
      user.own(temp);
      deadline.check("rendering", step.destination() + " was left as it was");
      Files.move(temp, destination, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temp);
    }
    String from = hasSource ? step.source() : "inline content";
    ctx.log().accept("rendered " + from + " to " + step.destination());
    return new StepOutcome.Succeeded("rendered " + from + " to " + step.destination());
  }

  static String render(String template, Map<String, String> variables) {
    Set<String> unknown = new TreeSet<>();
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String replacement;
      if (m.group().startsWith("$$")) {
        replacement = "${" + name + "}";
      } else if (variables.containsKey(name) && variables.get(name) != null) {
        replacement = variables.get(name);
      } else {
        unknown.add(name);
        replacement = "";
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    if (!unknown.isEmpty()) {
      throw new StepFailure("the template uses " + (unknown.size() == 1 ? "a variable" : "variables")
          + " with no value: " + String.join(", ", unknown) + " (known: " + String.join(", ", new TreeSet<>(
              variables.keySet())) + ")");
    }
    return out.toString();
  }

  private static String readSource(String source, StepContext ctx) throws IOException {
    Path current = ctx.targetRoot().resolve(ArtifactInstaller.CURRENT);
    if (!Files.isDirectory(current)) {
      throw new StepFailure("template source " + source + " is read from the current release, but "
          + current + " does not exist yet: install the version first");
    }
    Path file = TargetPaths.artifactPath(current, source);
    if (!Files.isRegularFile(file)) {
      throw new StepFailure("template source " + source + " is not in the current release ("
          + current.toRealPath() + ")");
    }
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
