package io.gantry.execution;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.Version;
import io.gantry.execution.SshConnections.Session;
import io.gantry.execution.SshConnections.SshFailure;
import io.gantry.model.Step;
import io.gantry.model.TargetRequirement;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Runs the steps that change a target (artifact.install, template, shell) on a host reached over SSH,
 * with the same layout and guarantees as a local target: releases under {@code <path>/<destination>/},
 * files hashed with SHA-256 on the host itself before anything is switched, {@code current} replaced
 * in one rename ({@code mv -T}), the previous release kept. The host needs a POSIX shell and GNU
 * coreutils ({@code sha256sum}, {@code mv -T}, {@code timeout}, {@code df}); nothing else is installed
 * (OpenSSL's {@code openssl dgst}, where the host has it, hashes faster than {@code sha256sum}).
 *
 * <p>Paths a step names are checked against the target folder by their text (relative, no climbing
 * out with {@code ..}); symbolic links on the host are not followed by that check.
 */
final class SshStepRunner {

  private final SshConnections connections;

  SshStepRunner(SshConnections connections) {
    this.connections = connections;
  }

  StepOutcome run(Step step, StepContext ctx, Duration timeout) throws SshFailure, InterruptedException {
    SshEndpoint endpoint = ctx.ssh();
    try (Session session = connections.open(endpoint)) {
      return switch (step) {
        case Step.ArtifactInstall install -> install(session, install, ctx, timeout);
        case Step.ArtifactRemove remove -> remove(session, remove, ctx, timeout);
        case Step.Template template -> template(session, template, ctx, timeout);
        case Step.Shell command -> shell(session, command, ctx, timeout);
        default -> throw new IllegalArgumentException(step.name() + " does not run over SSH");
      };
    }
  }

  // --- artifact.install

  private StepOutcome install(Session session, Step.ArtifactInstall step, StepContext ctx, Duration timeout)
      throws SshFailure, InterruptedException {
    String root = root(ctx);
    String destination = step.destination() == null ? ArtifactInstaller.DEFAULT_DESTINATION : step.destination();
    int keep = step.keepReleases() == null ? ArtifactInstaller.DEFAULT_KEEP_RELEASES : step.keepReleases();
    if (keep < 1) {
      throw new StepFailure("keepReleases must be at least 1, not " + keep);
    }
    String releases = inside(root, destination, "destination");
    if (releases.equals(root) || releases.equals(root + "/" + ArtifactInstaller.CURRENT)
        || releases.startsWith(root + "/" + ArtifactInstaller.CURRENT + "/")) {
      throw new StepFailure("destination \"" + destination + "\" must be a folder of its own under the target "
          + "(e.g. releases), not the target folder itself or current");
    }
    String version = ctx.versionName();
    List<Artifact> artifacts = chosenArtifacts(step, ctx);
    String staging = releases + "/.staging-" + version + "-" + UUID.randomUUID();
    String release = releases + "/" + version;
    String relRelease = relative(root, release);
    String publish = publishScript(root, releases, release, staging, artifacts, keep);

    boolean published = false;
    try {
      // the files go to the host once, as the library reads them, each written by its size and then hashed there;
      // files of a recorded size share one command, which then waits for Gantry's word to switch the release
      Map<String, String> onHost = new HashMap<>();
      long bytes = 0;
      List<List<Artifact>> batches = batches(artifacts);
      // a file of unknown size is read to the end of the input: a command that ends with one cannot wait for a word
      boolean oneCommand = batches.getLast().getLast().size() != null;
      Session.Result switched = null;
      List<String> removing = null;
      // what the command printed after the switch, up to the releases it listed: which old ones it is to remove
      java.util.function.Function<List<String>, List<String>> toRemove = lines -> {
        int at = lines.lastIndexOf("releases:");
        return beyondKept(root, releases, at < 0 ? List.of() : lines.subList(at + 1, lines.size() - 1), keep,
            relRelease, previous(lines));
      };
      for (int b = 0; b < batches.size(); b++) {
        boolean last = b == batches.size() - 1;
        Upload upload = upload(session, batches.get(b), b == 0 ? notALink(root) : "", staging, ctx, timeout, onHost,
            last && oneCommand ? artifacts : null, publish, toRemove);
        bytes += upload.sent();
        switched = upload.result();
        removing = upload.removing();
      }
      // the check that counts: the bytes as they arrived on the host, hashed there, before anything switches
      String mismatch = mismatch(artifacts, onHost, ctx);
      if (mismatch != null) {
        throw new StepFailure(mismatch);
      }
      ctx.log().accept("copied " + artifacts.size() + " file(s), " + bytes + " bytes, to " + ctx.ssh()
          + "; SHA-256 checked on the host");
      if (!oneCommand) {
        switched = expectZero(session, publish, timeout, "publish the release");
      } else if (switched.exit() != 0) {
        throw new StepFailure("could not publish the release on the host (exit " + switched.exit() + ")"
            + (published(switched.output()).isBlank() ? "" : ": " + published(switched.output()).strip()));
      }
      published = true;
      List<String> said = published(switched.output()).lines().toList();
      String previous = previous(said);
      ctx.log().accept("current -> " + relRelease + (previous.isEmpty() ? "" : " (was " + previous + ")"));
      int listed = said.lastIndexOf("releases:");
      int end = said.indexOf(LISTED);
      List<String> removed;
      if (said.contains(PRUNED) && removing != null) {
        // removed by the same command
        removed = removing.stream().map(v -> relative(root, releases + "/" + v)).toList();
      } else if (said.contains(NOT_PRUNED)) {
        String why = String.join("\n", said.subList(end + 1, said.indexOf(NOT_PRUNED))).strip();
        throw new StepFailure("could not remove old releases on the host" + (why.isEmpty() ? "" : ": " + why));
      } else {
        List<String> installed = listed < 0 ? List.of() : said.subList(listed + 1, end > listed ? end : said.size());
        removed = prune(session, root, releases, installed, keep, relRelease, previous, timeout);
      }
      for (String pruned : removed) {
        ctx.log().accept("removed old release " + pruned);
      }
      return new StepOutcome.Succeeded("installed " + ctx.version().component() + "@" + version + " ("
          + artifacts.size() + " file(s)) in " + relRelease + " on " + ctx.ssh() + "; current points to it");
    } finally {
      // once published, the staging folder is gone (renamed to the release, or removed by the same command)
      if (!published && !Thread.currentThread().isInterrupted()) {
        try {
          session.exec("rm -rf " + q(staging), Duration.ofSeconds(30));
        } catch (SshFailure e) {
          ctx.log().accept("could not remove " + staging + ": " + e.getMessage());
        }
      }
    }
  }

  /**
   * The versions among {@code listed} (newest first, as {@code ls -1t} printed them) beyond the {@code keep} most
   * recently installed, never the current or previous one: the old releases to remove.
   */
  static List<String> beyondKept(String root, String releases, List<String> listed, int keep, String current,
      String previous) {
    List<String> versions = listed.stream().filter(Version::isValid).toList();
    Set<String> protectedOnes = new LinkedHashSet<>(List.of(current, previous));
    List<String> removed = new ArrayList<>();
    for (int i = keep; i < versions.size(); i++) {
      if (!protectedOnes.contains(relative(root, releases + "/" + versions.get(i)))) {
        removed.add(versions.get(i));
      }
    }
    return removed;
  }

  /** Removes the old releases {@link #beyondKept} names, in one command of their own, only when there is any. */
  private static List<String> prune(Session session, String root, String releases, List<String> listed, int keep,
      String current, String previous, Duration timeout) throws SshFailure, InterruptedException {
    List<String> removed = beyondKept(root, releases, listed, keep, current, previous);
    if (!removed.isEmpty()) {
      StringBuilder rm = new StringBuilder("rm -rf --");
      removed.forEach(v -> rm.append(' ').append(q(releases + "/" + v)));
      expectZero(session, rm.toString(), timeout, "remove old releases");
    }
    return removed.stream().map(v -> relative(root, releases + "/" + v)).toList();
  }

  /** The line an install's command prints after the releases it listed, before it waits for those to remove. */
  static final String LISTED = "gantry: listed";
  /** The line an install's command prints once it removed the old releases Gantry named. */
  static final String PRUNED = "gantry: pruned";
  /** The line an install's command prints when it could not remove them. */
  static final String NOT_PRUNED = "gantry: not pruned";

  /** What {@code current} pointed to before the switch, as the publishing command printed it ("" for nothing). */
  private static String previous(List<String> printed) {
    return printed.stream().filter(l -> l.startsWith("previous=")).map(l -> l.substring("previous=".length()))
        .reduce((a, b) -> b).orElse("");
  }

  /** The line an install prints once its files are hashed, before it waits for the word to switch. */
  static final String HASHED = "gantry: hashed";
  /** The word Gantry sends an install that may switch; anything else, or the end of its input, removes its files. */
  static final String SWITCH = "switch";

  /** What the install's one command printed from the switch on (the files' digests come before). */
  private static String published(String output) {
    int at = output.indexOf(HASHED + "\n");
    return at < 0 ? output : output.substring(at + HASHED.length() + 1);
  }

  /** Why the files as the host hashed them are not the version's, naming the first that differs; null when they are. */
  private static String mismatch(List<Artifact> artifacts, Map<String, String> onHost, StepContext ctx) {
    for (Artifact artifact : artifacts) {
      String hex = onHost.get(artifactPath(artifact.path()));
      if (!artifact.digest().hex().equals(hex)) {
        return "artifact " + artifact.path() + " arrived on " + ctx.ssh() + " as sha256:" + hex
            + " but the version records " + artifact.digest() + "; nothing was switched";
      }
    }
    return null;
  }

  /**
   * The commands that make the staging folder the release and point {@code current} at it in one rename, printing
   * what current pointed to before ({@code previous=}) and, when there are more than {@code keep}, the releases
   * newest first (after {@code releases:}).
   */
  private static String publishScript(String root, String releases, String release, String staging,
      List<Artifact> artifacts, int keep) {
    String relRelease = relative(root, release);
    String relStaging = relative(root, staging);
    StringBuilder publish = new StringBuilder("set -e\ncd " + q(root) + "\n");
    publish.append("if [ -e ").append(q(relRelease)).append(" ] || [ -L ").append(q(relRelease)).append(" ]; then\n")
        .append("  if [ -L ").append(q(relRelease)).append(" ] || [ ! -d ").append(q(relRelease)).append(" ]; then ")
        .append("printf '%s\\n' ").append(q(release + " exists and is not a release folder")).append(" >&2; exit 3; fi\n");
    for (Artifact artifact : artifacts) {
      String p = artifactPath(artifact.path());
      publish.append("  mkdir -p ").append(q(parent(relRelease + "/" + p))).append(" && mv -f ")
          .append(q(relStaging + "/" + p)).append(' ').append(q(relRelease + "/" + p)).append('\n');
    }
    // a release folder made now is newer than the others already; one installed again is made the newest
    publish.append("  rm -rf ").append(q(relStaging)).append("\n  touch ").append(q(relRelease)).append('\n')
        .append("else\n  mv ").append(q(relStaging)).append(' ').append(q(relRelease)).append("\nfi\n");
    StringBuilder executables = new StringBuilder();
    for (Artifact artifact : artifacts) {
      String p = artifact.path();
      if (p.endsWith(".sh") || p.startsWith("bin/") || p.contains("/bin/")) {
        executables.append(' ').append(q(relRelease + "/" + artifactPath(p)));
      }
    }
    if (!executables.isEmpty()) {
      publish.append("chmod +x --").append(executables).append('\n');
    }
    return publish.append("if [ -e current ] && [ ! -L current ]; then printf '%s\\n' ")
        .append(q(root + "/current exists and is not a symbolic link; move it away so it can point to releases"))
        .append(" >&2; exit 4; fi\n")
        .append("printf previous=\nreadlink current || echo\n")
        .append("link=.current-$$\nln -s ").append(q(relRelease)).append(" \"$link\"\nmv -T \"$link\" current\n")
        // the releases are listed only when there are more folders than are kept: else there is nothing to remove
        .append("set -- ").append(q(releases)).append("/*/\nif [ $# -gt ").append(keep).append(" ]; then echo releases:; ")
        .append("ls -1t -- ").append(q(releases)).append("\n")
        // the same command removes those Gantry names (versions: no space, slash or pattern in them); a command given
        // no input (a release published by a command of its own) removes nothing, and Gantry removes them by another
        .append("  printf '%s\\n' ").append(q(LISTED)).append("\n  read -r remove || remove=\n")
        .append("  if [ -n \"$remove\" ]; then\n    set -f; set --\n    for v in $remove; do set -- \"$@\" ")
        .append(q(releases)).append("/\"$v\"; done\n")
        .append("    if rm -rf -- \"$@\"; then printf '%s\\n' ").append(q(PRUNED)).append("; else printf '%s\\n' ")
        .append(q(NOT_PRUNED)).append("; fi\n  fi\nfi\n").toString();
  }

  /**
   * The artifacts in the groups one command each receives: files of a recorded size one after another, read
   * on the host by their sizes ({@code head -c}), and at most one of unknown size (an external artifact) last,
   * read to the end of the input.
   */
  static List<List<Artifact>> batches(List<Artifact> artifacts) {
    List<List<Artifact>> batches = new ArrayList<>();
    List<Artifact> batch = new ArrayList<>();
    for (Artifact artifact : artifacts) {
      batch.add(artifact);
      if (artifact.size() == null) {
        batches.add(batch);
        batch = new ArrayList<>();
      }
    }
    if (!batch.isEmpty()) {
      batches.add(batch);
    }
    return batches;
  }

  /**
   * The host's SHA-256 of the files it is given, one line each in their order, the digest first on its line:
   * OpenSSL's where the host has it (it uses the CPU's SHA instructions, four times coreutils' speed here), else
   * coreutils'.
   */
  static final String DIGEST = "if command -v openssl >/dev/null 2>&1; then digest() { openssl dgst -sha256 -r \"$@\"; }; "
      + "else digest() { sha256sum \"$@\"; }; fi\n";

  /**
   * What one command of an install sent, how it ended, and the old releases Gantry named for the same command to
   * remove (null when it named none).
   */
  private record Upload(long sent, Session.Result result, List<String> removing) {}

  /**
   * A file of at most this many bytes that is UTF-8 text without a NUL travels inside the install's command and is
   * written by the shell's own {@code printf}: no process is started on the host for it, where each file streamed
   * takes a {@code head} of its own (a release's scripts and configuration are such files).
   */
  static final int INLINE_FILE = 16 * 1024;
  /**
   * At most this many characters of the command, as quoted for the host, carry inlined files: the command is one
   * argument of a process on the host, and Linux takes at most 128 KiB for one.
   */
  static final int INLINE_BUDGET = 48 * 1024;

  /**
   * The files of {@code batch} (by their index) that go inside the command, with their text: each read whole from the
   * library, exactly its recorded size and passing the library's own check at its end. Any other file (longer,
   * shorter, unreadable, binary, or past the budget) streams as before, where what goes wrong with it is told.
   */
  static Map<Integer, String> inlined(List<Artifact> batch, StepContext ctx) {
    Map<Integer, String> inline = new HashMap<>();
    int budget = INLINE_BUDGET;
    for (int i = 0; i < batch.size(); i++) {
      Artifact artifact = batch.get(i);
      if (artifact.size() == null || artifact.size() > INLINE_FILE) {
        continue;
      }
      String text = text(artifact, ctx);
      if (text == null) {
        continue;
      }
      // quoted once for the script, once more for the account's shell (SshConnections.underSh)
      int cost = q(q(text)).length();
      if (cost <= budget) {
        inline.put(i, text);
        budget -= cost;
      }
    }
    return inline;
  }

  /** The file's bytes as text when they are exactly its recorded size, valid UTF-8 without a NUL; else null. */
  private static String text(Artifact artifact, StepContext ctx) {
    try (InputStream in = open(artifact, ctx)) {
      byte[] bytes = in.readNBytes((int) (long) artifact.size() + 1);
      if (bytes.length != artifact.size() || in.read() >= 0) {
        return null; // read to its end, where the library checks what it read against the digest
      }
      for (byte b : bytes) {
        if (b == 0) {
          return null;
        }
      }
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (IOException | RuntimeException e) {
      return null; // streamed instead, where the failure is told as it is
    }
  }

  /**
   * Sends {@code batch} to the staging folder in one command, each file written by its size and then all hashed on
   * the host (one process for each file streamed, none for a small text file carried in the command ({@link
   * #inlined}), and one for all digests: on a host where starting a process is dear, that is most of an install's
   * cost); puts what the host computed into {@code onHost} (path to SHA-256). With {@code all}
   * given (every file of the install, the batch last), the same command then waits for Gantry's word: Gantry sends it
   * when every file's digest is the version's, and the command goes on with {@code publish}; without the word it
   * removes the staging folder and exits 7.
   */
  private static Upload upload(Session session, List<Artifact> batch, String before, String staging, StepContext ctx,
      Duration timeout, Map<String, String> onHost, List<Artifact> all, String publish,
      java.util.function.Function<List<String>, List<String>> toRemove) throws SshFailure, InterruptedException {
    StringBuilder script = new StringBuilder(before).append("mkdir -p ").append(q(staging));
    Set<String> folders = new LinkedHashSet<>();
    for (Artifact artifact : batch) {
      String folder = parent(artifactPath(artifact.path()));
      if (!folder.equals(".")) {
        folders.add(staging + "/" + folder);
      }
    }
    folders.forEach(f -> script.append(' ').append(q(f)));
    script.append(" && cd ").append(q(staging)).append(" || exit 5\n").append(DIGEST);
    Map<Integer, String> inline = inlined(batch, ctx);
    StringBuilder files = new StringBuilder();
    long[] sent = {0};
    for (int i = 0; i < batch.size(); i++) {
      Artifact artifact = batch.get(i);
      String file = "./" + artifactPath(artifact.path());
      if (inline.containsKey(i)) {
        script.append("printf '%s' ").append(q(inline.get(i)));
        sent[0] += artifact.size();
      } else {
        script.append(artifact.size() == null ? "cat" : "head -c " + artifact.size());
      }
      script.append(" > ").append(q(file)).append(" || exit 5\n");
      files.append(' ').append(q(file));
    }
    // the digests are of the files as they are on the host's disk: a file written short or changed is told by its digest
    script.append("digest").append(files).append(" || exit 5\n");
    if (all != null) {
      script.append("printf '%s\\n' ").append(q(HASHED)).append('\n')
          .append("read -r word || word=\n")
          .append("if [ \"$word\" != ").append(SWITCH).append(" ]; then cd / && rm -rf -- ").append(q(staging))
          .append("; exit 7; fi\n").append(publish);
    }
    String[] failure = {null};
    int[] longer = {-1};
    var removing = new java.util.concurrent.atomic.AtomicReference<List<String>>();
    long deadline = System.nanoTime() + timeout.toNanos();
    Session.Result r = session.send(script.toString(), (in, replies) -> {
      byte[] buffer = new byte[256 * 1024];
      for (int i = 0; i < batch.size(); i++) {
        if (inline.containsKey(i)) {
          continue; // in the command already
        }
        Artifact artifact = batch.get(i);
        long left = artifact.size() == null ? Long.MAX_VALUE : artifact.size();
        InputStream from;
        try {
          from = open(artifact, ctx);
          // the host hashes every byte it wrote before anything switches: the library's copy is not hashed on the way
          // as well (the deployment checked it when it began)
          if (from instanceof io.gantry.catalog.CheckedStream checked) {
            from = checked.forCheckingReceiver();
          }
        } catch (StepFailure e) {
          failure[0] = e.getMessage();
          return;
        }
        try {
          while (left > 0) {
            if (Cancellation.asked()) {
              throw new InterruptedException("stopped while copying " + artifact.path() + " to " + ctx.ssh());
            }
            if (System.nanoTime() > deadline) {
              failure[0] = "copying " + artifact.path() + " to " + ctx.ssh() + " did not finish within "
                  + timeout.toSeconds() + "s";
              return;
            }
            int n;
            try {
              n = from.read(buffer, 0, (int) Math.min(buffer.length, left));
            } catch (IOException | RuntimeException e) {
              failure[0] = "could not read artifact " + artifact.path() + " from the library: " + e.getMessage();
              return; // the input ends here: what arrived is short, and nothing is switched
            }
            if (n < 0) {
              if (artifact.size() != null) {
                return; // fewer bytes than recorded: the input ends here, and the host's digest says so
              }
              break;
            }
            in.write(buffer, 0, n); // into the channel's packet: the only copy
            sent[0] += n;
            left -= n;
          }
          if (artifact.size() != null) {
            // one byte more tells a library copy longer than the version records (a stream of the test's own, not the
            // library's, may also check its digest at its end)
            try {
              if (from.read(buffer, 0, 1) >= 0) {
                longer[0] = i;
                return; // the host's digest of what was sent decides how this is told
              }
            } catch (IOException | RuntimeException e) {
              failure[0] = "could not read artifact " + artifact.path() + " from the library: " + e.getMessage();
              return;
            }
          }
        } finally {
          try {
            from.close();
          } catch (IOException | RuntimeException e) {
            // read to its end or abandoned: nothing more to do with it
          }
        }
      }
      if (all != null) {
        in.flush();
        List<String> said = replies.until(HASHED);
        if (said != null) {
          Map<String, String> hashed = new HashMap<>(onHost);
          digests(said, batch, hashed);
          if (mismatch(all, hashed, ctx) == null) {
            in.write((SWITCH + "\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
            // published, it lists the releases when there are more than are kept, and removes those named
            List<String> listed = replies.until(LISTED);
            if (listed != null) {
              removing.set(toRemove.apply(listed));
              in.write((String.join(" ", removing.get()) + "\n").getBytes(StandardCharsets.US_ASCII));
              in.flush();
            }
          }
        }
      }
    }, timeout);
    if (failure[0] != null) {
      throw new StepFailure(failure[0]);
    }
    int cut = all == null ? -1 : r.output().indexOf(HASHED + "\n");
    String hashedPart = cut < 0 ? r.output() : r.output().substring(0, cut);
    if (r.exit() == 5 || (r.exit() != 0 && cut < 0)) {
      throw new StepFailure("could not write the files to " + staging + " on " + ctx.ssh() + " (exit " + r.exit()
          + ")" + (hashedPart.isBlank() ? "" : ": " + hashedPart.strip()));
    }
    digests(hashedPart.lines().toList(), batch, onHost);
    if (longer[0] >= 0) {
      Artifact artifact = batch.get(longer[0]);
      if (artifact.digest().hex().equals(onHost.get(artifactPath(artifact.path())))) {
        throw new StepFailure("artifact " + artifact.path() + " in the library is longer than the " + artifact.size()
            + " bytes the version records; nothing was switched");
      }
    }
    return new Upload(sent[0], r, removing.get());
  }

  /** Puts the digests the host printed ({@link #DIGEST}'s lines, in the batch's order) into {@code onHost}. */
  private static void digests(List<String> printed, List<Artifact> batch, Map<String, String> onHost) {
    int i = 0;
    for (String line : printed) {
      // sha256sum marks a name it had to escape with a backslash before the digest
      String l = line.startsWith("\\") ? line.substring(1) : line;
      if (i < batch.size() && l.length() > 65 && l.charAt(64) == ' ' && l.substring(0, 64).matches("[0-9a-f]{64}")) {
        onHost.put(artifactPath(batch.get(i).path()), l.substring(0, 64));
        i++;
      }
    }
  }

  private static List<Artifact> chosenArtifacts(Step.ArtifactInstall step, StepContext ctx) {
    List<Artifact> all = ctx.version().artifacts() == null ? List.of() : ctx.version().artifacts();
    if (step.artifact() == null) {
      if (all.isEmpty()) {
        throw new StepFailure("version " + ctx.version().component() + "@" + ctx.versionName()
            + " has no artifacts to install");
      }
      return all;
    }
    return all.stream().filter(a -> a.path().equals(step.artifact())).findFirst().map(List::of)
        .orElseThrow(() -> new StepFailure("version " + ctx.version().component() + "@" + ctx.versionName()
            + " has no artifact \"" + step.artifact() + "\""));
  }

  private static InputStream open(Artifact artifact, StepContext ctx) {
    try {
      return ctx.artifacts().apply(artifact);
    } catch (RuntimeException e) {
      throw new StepFailure("could not open artifact " + artifact.path() + ": " + e.getMessage());
    }
  }

  // --- artifact.remove

  private StepOutcome remove(Session session, Step.ArtifactRemove step, StepContext ctx, Duration timeout)
      throws SshFailure, InterruptedException {
    String root = root(ctx);
    String releases = inside(root, step.destination() == null ? ArtifactInstaller.DEFAULT_DESTINATION
        : step.destination(), "destination");
    if (releases.equals(root) || releases.startsWith(root + "/" + ArtifactInstaller.CURRENT)) {
      throw new StepFailure("destination \"" + step.destination() + "\" must be a folder of its own under the target");
    }
    String script = notALink(root) + "cd " + q(root) + " 2>/dev/null || { echo absent; exit 0; }\n"
        + "if [ -e current ] && [ ! -L current ]; then printf '%s\\n' " + q(root + "/current is not a symbolic link made by "
        + "Gantry; it was left alone") + " >&2; exit 3; fi\n"
        + "rm -f current && rm -rf -- " + q(releases) + " && echo removed\n";
    Session.Result r = expectZero(session, script, timeout, "remove the component");
    String summary = r.output().contains("absent") ? "nothing to remove: " + root + " does not exist on " + ctx.ssh()
        : "removed current and " + relative(root, releases) + "/ on " + ctx.ssh();
    ctx.log().accept(summary);
    return new StepOutcome.Succeeded(summary);
  }

  // --- template

  private StepOutcome template(Session session, Step.Template step, StepContext ctx, Duration timeout)
      throws SshFailure, InterruptedException {
    boolean hasSource = step.source() != null;
    if (hasSource == (step.content() != null)) {
      throw new StepFailure("a template step needs either source or content" + (hasSource ? ", not both" : ""));
    }
    String root = root(ctx);
    String destination = inside(root, step.destination(), "destination");
    String nonce = UUID.randomUUID().toString();
    Map<String, String> variables = new HashMap<>(ctx.variables());
    if (step.variables() != null) {
      variables.putAll(step.variables());
    }
    String temp = parent(destination) + "/." + Path.of(destination).getFileName() + "-" + UUID.randomUUID() + ".tmp";
    String write = "{ [ -d " + q(parent(destination)) + " ] || mkdir -p " + q(parent(destination)) + "; } && ";
    Session.Result r;
    if (!hasSource) {
      byte[] rendered = TemplateRenderer.render(step.content(), variables).getBytes(StandardCharsets.UTF_8);
      r = session.exec(rootCheck(root, nonce) + write + "cat > " + q(temp) + " && mv -f " + q(temp) + " "
          + q(destination) + " || { rm -f " + q(temp) + "; exit 1; }", new ByteArrayInputStream(rendered), timeout,
          l -> {});
    } else {
      // one command: it prints the source from the current release and a line of its own, then writes the size
      // of what Gantry rendered from it and those bytes; an input that ends without a size writes nothing
      String source = root + "/" + ArtifactInstaller.CURRENT + "/" + artifactPath(step.source());
      String end = "gantry: end of template " + nonce;
      boolean[] tooLarge = {false};
      r = session.send(rootCheck(root, nonce) + "if [ ! -d " + q(root + "/current") + " ]; then exit 3; fi; if [ ! -f "
          + q(source) + " ]; then exit 4; fi\ncat " + q(source) + " && printf '\\n%s\\n' " + q(end) + " || exit 5\n"
          + "read -r size || exit 6\n" + write + "head -c \"$size\" > " + q(temp) + " && mv -f " + q(temp) + " "
          + q(destination) + " || { rm -f " + q(temp) + "; exit 1; }", (in, replies) -> {
            if (replies.until(end) == null) {
              return; // the command ended first: its exit status says why
            }
            String printed = replies.printed();
            if (printed == null) {
              tooLarge[0] = true;
              return; // no size: the command writes nothing
            }
            String template = printed.substring(0, printed.lastIndexOf("\n" + end + "\n"));
            byte[] rendered = TemplateRenderer.render(template, variables).getBytes(StandardCharsets.UTF_8);
            in.write((rendered.length + "\n").getBytes(StandardCharsets.US_ASCII));
            in.write(rendered);
            in.flush();
          }, timeout);
      refusedFolder(r, nonce, ctx);
      if (r.exit() == 3) {
        throw new StepFailure("template source " + step.source() + " is read from the current release, but "
            + root + "/current does not exist yet on " + ctx.ssh() + ": install the version first");
      }
      if (r.exit() == 4 || r.exit() == 5) {
        throw new StepFailure("template source " + step.source() + " is not in the current release on " + ctx.ssh());
      }
      if (tooLarge[0]) {
        throw new StepFailure("template source " + step.source() + " on " + ctx.ssh()
            + " is too large: Gantry reads at most 1 MiB of a template");
      }
    }
    refusedFolder(r, nonce, ctx);
    if (r.exit() != 0) {
      throw new StepFailure("could not write " + destination + " on " + ctx.ssh() + ": " + written(r, hasSource).strip());
    }
    String from = hasSource ? step.source() : "inline content";
    ctx.log().accept("rendered " + from + " to " + step.destination() + " on " + ctx.ssh());
    return new StepOutcome.Succeeded("rendered " + from + " to " + step.destination());
  }

  /** What a template's command printed of its writing: after the source it printed, when it printed one. */
  private static String written(Session.Result r, boolean hasSource) {
    if (!hasSource) {
      return r.output();
    }
    int end = r.output().lastIndexOf("\ngantry: end of template ");
    int line = end < 0 ? -1 : r.output().indexOf('\n', end + 1);
    return line < 0 ? r.output() : r.output().substring(line + 1);
  }

  // --- shell

  /**
   * Runs the command under {@code timeout} on the host. Its output goes to a file on the host that is
   * shown when it ends, so a process it leaves in the background does not hold the step open.
   */
  private StepOutcome shell(Session session, Step.Shell step, StepContext ctx, Duration timeout)
      throws SshFailure, InterruptedException {
    if (step.command() == null || step.command().isBlank()) {
      throw new StepFailure("a shell step needs a command");
    }
    String root = root(ctx);
    String dir = inside(root, step.workingDirectory() == null ? "." : step.workingDirectory(), "workingDirectory");
    int expected = step.expectExitCode() == null ? 0 : step.expectExitCode();
    long seconds = Math.max(1, timeout.toSeconds());
    String nonce = UUID.randomUUID().toString();
    StringBuilder script = new StringBuilder(rootCheck(root, nonce));
    script.append("cd ").append(q(dir)).append(" 2>/dev/null || { printf '%s\\n' ").append(q("working directory " + dir
        + " does not exist")).append("; exit 197; }\n");
    Map<String, String> env = new java.util.TreeMap<>();
    if (step.environment() != null) {
      env.putAll(step.environment());
    }
    env.putAll(ctx.gantryEnvironment(root));
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
        throw new StepFailure("environment variable name \"" + e.getKey() + "\" is not valid");
      }
      script.append("export ").append(e.getKey()).append('=').append(q(e.getValue())).append('\n');
    }
    // the command runs in a process group of its own (timeout makes one), whose id is written where a stop finds it
    String group = "${TMPDIR:-/tmp}/gantry-step-" + UUID.randomUUID() + ".pgid";
    script.append("out=$(mktemp) || exit 198\n")
        .append("timeout -k 5 ").append(seconds).append(" /bin/sh -c ").append(q(step.command()))
        .append(" >\"$out\" 2>&1 </dev/null &\npid=$!\necho \"$pid\" >").append(group)
        .append("\nwait \"$pid\"\ncode=$?\ncat \"$out\"\nrm -f \"$out\" ").append(group)
        .append("\nexit $code\n");
    String stop = "g=" + group + "; if [ -s \"$g\" ]; then p=$(cat \"$g\"); kill -s TERM -- -\"$p\" 2>/dev/null;"
        + " (sleep 5; kill -s KILL -- -\"$p\" 2>/dev/null) >/dev/null 2>&1 </dev/null & fi; rm -f \"$g\"";
    Session.Result r = session.exec(script.toString(), new ByteArrayInputStream(new byte[0]),
        timeout.plusSeconds(15), line -> {
          if (!line.startsWith(nonce)) {
            ctx.log().accept(line);
          }
        }, stop);
    refusedFolder(r, nonce, ctx);
    List<String> lines = r.lastLines();
    String last = lines.isEmpty() ? "; it printed nothing" : "; its last lines were:\n" + String.join("\n", lines);
    if (r.exit() == 197) {
      throw new StepFailure("working directory " + dir + " does not exist on " + ctx.ssh());
    }
    if (r.exit() == 124 || r.exit() == 137) {
      return new StepOutcome.Failed("command did not finish within " + seconds + "s on " + ctx.ssh()
          + " and was killed" + last);
    }
    if (r.exit() != expected) {
      return new StepOutcome.Failed("command exited with " + r.exit() + " (expected " + expected + ") on "
          + ctx.ssh() + last);
    }
    return new StepOutcome.Succeeded("command exited with " + r.exit() + " on " + ctx.ssh());
  }

  // --- verification of the target environment

  /** Null when the host is reachable, its folder usable and every requirement met; else what is wrong. */
  String check(SshEndpoint endpoint, String root, List<TargetRequirement> requirements) throws InterruptedException {
    return check(endpoint, root, requirements, null);
  }

  /**
   * As {@link #check(SshEndpoint, String, List)}, before a deployment of {@code component} (null: none): the same
   * command also looks whether the component's folder is ready as it is (a real folder, and no {@code current} of an
   * earlier Gantry's shared layout at the top), changing nothing; if so, {@link #prepare} within {@link #LOOKED_FRESH}
   * runs no command of its own. Each step's command checks the folder again before it acts.
   */
  String check(SshEndpoint endpoint, String root, List<TargetRequirement> requirements,
      io.gantry.catalog.ComponentRef component) throws InterruptedException {
    if (root == null || !root.startsWith("/")) {
      return "the folder of an SSH target must be an absolute path on the host, not " + root;
    }
    String componentFolder = component == null ? null : root + "/" + ComponentFolder.of(component);
    try (Session session = connections.open(endpoint)) {
      Session.Result folder = session.exec("{ [ -d " + q(root) + " ] || mkdir -p " + q(root) + "; } && test -w "
          + q(root) + " || exit 1" + (componentFolder == null ? "" : "\nif [ ! -L " + q(root + "/current") + " ] && [ -d "
          + q(componentFolder) + " ] && [ ! -L " + q(componentFolder) + " ]; then printf '%s\\n' " + q(FOLDER_READY)
          + "; fi"), Duration.ofSeconds(30));
      if (folder.exit() != 0) {
        return "folder " + root + " on " + endpoint + " cannot be created or is not writable"
            + (folder.output().isBlank() ? "" : ": " + folder.output().strip());
      }
      if (componentFolder != null && folder.output().lines().anyMatch(FOLDER_READY::equals)) {
        long now = System.nanoTime();
        looked.values().removeIf(at -> now - at > LOOKED_FRESH.toNanos());
        looked.put(new Looked(endpoint, componentFolder), now);
      }
      for (TargetRequirement requirement : requirements) {
        String problem = switch (requirement) {
          case TargetRequirement.Fact f -> null; // facts are declared, checked by SshFolder
          case TargetRequirement.FreeDisk f -> {
            Session.Result df = session.exec("df -Pk " + q(root) + " | awk 'NR==2 {print $4}'",
                Duration.ofSeconds(30));
            try {
              long mb = Long.parseLong(df.output().strip()) / 1024;
              yield mb >= f.minimumMb() ? null : "only " + mb + " MB free, the model requires " + f.minimumMb() + " MB";
            } catch (NumberFormatException e) {
              yield "free disk space unknown: df printed \"" + df.output().strip() + "\"";
            }
          }
          case TargetRequirement.Tool t -> session.exec("command -v " + q(t.name()), Duration.ofSeconds(30)).exit() == 0
              ? null : "tool " + t.name() + " is not on the PATH";
          case TargetRequirement.Command c -> {
            Session.Result r = session.exec("cd " + q(root) + " && timeout -k 5 30 /bin/sh -c " + q(c.command())
                + " >/dev/null 2>&1 </dev/null", Duration.ofSeconds(45));
            yield r.exit() == 0 ? null : r.exit() == 124 ? "check command did not finish within 30s: " + c.command()
                : "check command exited " + r.exit() + ": " + c.command();
          }
        };
        if (problem != null) {
          return problem;
        }
      }
      return null;
    } catch (SshFailure e) {
      return "not reachable: " + e.getMessage();
    }
  }

  // --- the component's folder

  /** The line the verification's command prints when the component's folder needs no preparation. */
  static final String FOLDER_READY = "gantry: component folder ready";
  /** How long what the verification saw of a component's folder stands in for the preparation's own look. */
  static final Duration LOOKED_FRESH = Duration.ofSeconds(30);

  /** A component's folder on a host, as the verification looked at it. */
  private record Looked(SshEndpoint endpoint, String folder) {}

  /** The component folders the verification found ready, and when (System.nanoTime). */
  private final Map<Looked, Long> looked = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A shell line that stops (exit 3, saying why) when {@code folder} is a symbolic link or a file: a
   * link in place of a component's folder would take every write somewhere else.
   */
  static String notALink(String folder) {
    return "if [ -L " + q(folder) + " ]; then printf '%s\\n' " + q(folder + " is a symbolic link, not a folder: Gantry works "
        + "only in a real folder of each component's own, so nothing was changed; remove the link") + " >&2; exit 3; "
        + "elif [ -e " + q(folder) + " ] && [ ! -d " + q(folder) + " ]; then printf '%s\\n' " + q(folder + " is a file, not a "
        + "folder: Gantry keeps a component's files there, so nothing was changed; move the file away")
        + " >&2; exit 3; fi\n";
  }

  /**
   * {@link TargetAccess#prepare} on the host: one session; one command when the target already has the
   * layout of a folder per component, a second when the shared layout of an earlier Gantry is moved.
   */
  Preparation prepare(SshEndpoint endpoint, String targetName, String root, io.gantry.catalog.ComponentRef component,
      java.util.function.Supplier<List<io.gantry.catalog.ComponentRef>> workedHere)
      throws SshFailure, InterruptedException {
    String name = ComponentFolder.of(component);
    if (root == null || !root.startsWith("/")) {
      return Preparation.refused("the folder of an SSH target must be an absolute path on the host, not " + root);
    }
    String folder = root + "/" + name;
    Long seen = looked.remove(new Looked(endpoint, folder));
    if (seen != null && System.nanoTime() - seen < LOOKED_FRESH.toNanos()) {
      return Preparation.READY; // the verification just found it ready, and each step's command checks it again
    }
    String ensure = notALink(folder) + "[ -d " + q(folder) + " ] || mkdir -p " + q(folder) + "\n";
    try (Session session = connections.open(endpoint)) {
      Session.Result first = session.exec("cd " + q(root) + " 2>/dev/null || { echo absent; exit 0; }\n"
          + "if [ -L current ]; then echo old; exit 0; fi\n" + ensure + "echo ready\n",
          new ByteArrayInputStream(new byte[0]), Duration.ofMinutes(1), l -> {});
      if (first.exit() != 0) {
        return Preparation.refused(first.output().strip() + " (on " + endpoint + ")");
      }
      if (!first.output().contains("old")) {
        return Preparation.READY; // ready, or no target folder yet: the steps make or require what they need
      }
      List<io.gantry.catalog.ComponentRef> worked = workedHere.get();
      String refused = LocalLayout.oldLayoutOwner(targetName, root, worked);
      if (refused != null) {
        return Preparation.refused(refused);
      }
      io.gantry.catalog.ComponentRef owner = worked.getFirst();
      String ownerName = ComponentFolder.of(owner);
      // one rename per entry, current last: a stop half-way leaves current at the top, and the next
      // deployment to the target moves the rest
      String move = "set -e\ncd " + q(root) + "\n"
          + "if [ -L current ]; then\n"
          + notALink(ownerName) + "mkdir -p " + q(ownerName) + "\n"
          + "moved=\n"
          + "for f in * .[!.]* ..?*; do\n"
          + "  if [ ! -e \"$f\" ] && [ ! -L \"$f\" ]; then continue; fi\n"
          + "  if [ \"$f\" = current ]; then continue; fi\n"
          + "  if [ \"$f\" = " + q(ownerName) + " ]; then continue; fi\n"
          + "  if [ -e " + q(ownerName) + "/\"$f\" ] || [ -L " + q(ownerName) + "/\"$f\" ]; then printf "
          + "'%s%s%s%s%s\\n' " + q("target " + targetName + ": moving the shared layout of an earlier Gantry found both "
              + root + "/") + " \"$f\" " + q(" and " + root + "/" + ownerName + "/") + " \"$f\" "
          + q("; nothing more was moved: keep the one that belongs, remove the other, then deploy again")
          + " >&2; exit 5; fi\n"
          + "  mv -- \"$f\" " + q(ownerName) + "/\"$f\"\n"
          + "  printf 'moved=%s\\n' \"$f\"\n"
          + "done\n"
          + "if [ -e " + q(ownerName + "/current") + " ] || [ -L " + q(ownerName + "/current") + " ]; then printf '%s\\n' "
          + q("target " + targetName + ": moving the shared layout of an earlier Gantry found both " + root
              + "/current and " + root + "/" + ownerName + "/current; keep the one that belongs, remove the other, "
              + "then deploy again") + " >&2; exit 5; fi\n"
          + "mv -T current " + q(ownerName + "/current") + "\n"
          + "fi\n"
          + ensure;
      Session.Result moved = session.exec(move, new ByteArrayInputStream(new byte[0]), Duration.ofMinutes(5), l -> {});
      if (moved.exit() != 0) {
        return Preparation.refused(moved.output().strip() + " (on " + endpoint + ")");
      }
      List<String> names = moved.output().lines().filter(l -> l.startsWith("moved="))
          .map(l -> l.substring("moved=".length())).toList();
      return new Preparation(null, LocalLayout.movedNote(targetName, owner, root + "/" + ownerName + " on " + endpoint,
          names));
    }
  }

  // --- blue-green switch

  /**
   * Points {@code <folder>/live} at the slot's folder on the host in one rename ({@code mv -T});
   * answers what it pointed to before (empty when there was no link).
   */
  String pointLive(StepContext folderContext, String slot, Duration timeout) throws SshFailure, InterruptedException {
    String folder = root(folderContext);
    try (Session session = connections.open(folderContext.ssh())) {
      Session.Result r = session.exec(notALink(folder) + "cd " + q(folder) + " || exit 4\n"
          + "if [ ! -d " + q(slot) + " ] || [ -L " + q(slot) + " ]; then printf '%s\\n' " + q("there is no slot folder " + folder
          + "/" + slot + " to make live (or it is not a real folder): nothing was switched") + "; exit 3; fi\n"
          + "if [ -e live ] && [ ! -L live ]; then printf '%s\\n' " + q(folder + "/live exists and is not a symbolic link: "
          + "nothing was switched; move it away") + "; exit 3; fi\n"
          + "was=$(readlink live 2>/dev/null || true)\n"
          + "ln -s " + q(slot) + " .live-$$ && mv -T .live-$$ live || { rm -f .live-$$; exit 5; }\n"
          + "printf '%s' \"$was\"\n", timeout);
      if (r.exit() == 3) {
        throw new StepFailure(r.output().strip() + " (on " + folderContext.ssh() + ")");
      }
      if (r.exit() != 0) {
        throw new StepFailure("could not switch " + folder + "/live to " + slot + " on " + folderContext.ssh() + ": "
            + r.output().strip());
      }
      return r.output().strip();
    }
  }

  /** Puts {@code <folder>/live} back to {@code was} on the host (empty or null: removes it). */
  void restoreLive(StepContext folderContext, String was, Duration timeout) throws SshFailure, InterruptedException {
    String folder = root(folderContext);
    try (Session session = connections.open(folderContext.ssh())) {
      String command = was == null || was.isEmpty() ? "rm -f " + q(folder + "/live")
          : "cd " + q(folder) + " && ln -s " + q(was) + " .live-$$ && mv -T .live-$$ live";
      Session.Result r = session.exec(command, timeout);
      if (r.exit() != 0) {
        throw new StepFailure(r.output().strip());
      }
    }
  }

  // --- helpers

  private static String root(StepContext ctx) {
    String root = ctx.targetRoot().toString();
    if (!root.startsWith("/")) {
      throw new StepFailure("the folder of an SSH target must be an absolute path on the host, not " + root);
    }
    return root;
  }

  /**
   * Shell lines that stop the command before it does anything (exit 196, printing {@code nonce} and why) when the
   * target folder is a symbolic link, a file or missing: the check a step makes in its own command, not one more.
   */
  private static String rootCheck(String root, String nonce) {
    return "if [ -L " + q(root) + " ] || { [ -e " + q(root) + " ] && [ ! -d " + q(root) + " ]; } || [ ! -d "
        + q(root) + " ]; then printf '%s\\n' " + q(nonce) + "; " + notALink(root).replace("exit 3", "exit 196")
        .replace(" >&2", "").replace("\n", " ").strip() + "; exit 196; fi\n";
  }

  /** Throws the refusal {@link #rootCheck} printed, if it printed one. */
  private static void refusedFolder(Session.Result r, String nonce, StepContext ctx) {
    if (r.exit() != 196 || !r.output().startsWith(nonce)) {
      return;
    }
    String why = r.output().substring(nonce.length()).strip();
    if (why.isEmpty()) {
      throw new StepFailure("the target folder " + root(ctx) + " does not exist on " + ctx.ssh());
    }
    throw new StepFailure(why + " (on " + ctx.ssh() + ")");
  }

  private static Session.Result expectZero(Session session, String command, Duration timeout, String what)
      throws SshFailure, InterruptedException {
    Session.Result r = session.exec(command, new ByteArrayInputStream(new byte[0]), timeout, l -> {});
    if (r.exit() != 0) {
      throw new StepFailure("could not " + what + " on the host (exit " + r.exit() + ")"
          + (r.output().isBlank() ? "" : ": " + r.output().strip()));
    }
    return r;
  }

  /** The remote path {@code relative} names under {@code root}, refusing absolute paths and climbing out. */
  static String inside(String root, String relative, String field) {
    if (relative == null || relative.isBlank()) {
      throw new StepFailure(field + " is empty");
    }
    Path given = Path.of(relative);
    if (given.isAbsolute()) {
      throw new StepFailure(field + " \"" + relative + "\" must be relative to the target folder");
    }
    Path base = Path.of(root);
    Path resolved = base.resolve(given).normalize();
    if (!resolved.startsWith(base)) {
      throw new StepFailure(field + " \"" + relative + "\" escapes the target folder " + root);
    }
    return resolved.toString();
  }

  private static String artifactPath(String path) {
    String problem = io.gantry.catalog.ArtifactPaths.problem(path);
    if (problem != null) {
      throw new StepFailure(problem);
    }
    return path;
  }

  private static String relative(String root, String path) {
    return Path.of(root).relativize(Path.of(path)).toString();
  }

  private static String parent(String path) {
    Path parent = Path.of(path).getParent();
    return parent == null ? "." : parent.toString();
  }

  /** Quotes a word for the POSIX shell. */
  static String q(String s) {
    return "'" + s.replace("'", "'\"'\"'") + "'";
  }
}
