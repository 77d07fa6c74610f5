package io.gantry.agent;

import io.gantry.environment.Target;
import io.gantry.environment.TargetKind;
import io.gantry.environment.Targets;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.io.OutputStream;
import java.security.Principal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The agents' API: a deployment manager's registration tokens, approvals and revocations under
 * {@code /api/v1/agents}, and the calls of the agents themselves under {@code /api/v1/agent}, which carry
 * no API token but a registration token ({@value #REGISTRATION}) or the agent's own credential
 * ({@value #CREDENTIAL}). An unknown, used-up, expired or revoked one gets 401 with an empty body.
 */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "Agents", description = "Pull agents on hosts Gantry cannot reach")
class AgentController {

  static final String REGISTRATION = "Gantry-Registration-Token";
  static final String CREDENTIAL = "Gantry-Agent-Credential";
  private static final Set<Role> MANAGERS = Set.of(Role.DEPLOYMENT_MANAGER);

  private final AgentRegistry registry;
  private final Targets targets;
  private final Access access;
  private final io.gantry.catalog.Library library;
  private final WorkSecrets secrets;

  AgentController(AgentRegistry registry, Targets targets, Access access, io.gantry.catalog.Library library,
      WorkSecrets secrets) {
    this.registry = registry;
    this.targets = targets;
    this.access = access;
    this.library = library;
    this.secrets = secrets;
  }

  // --- a deployment manager's

  record TokenRequest(String name, Integer uses, Integer expiresInHours) {}

  record TokenView(long id, String name, String prefix, int usesAllowed, int uses, String createdBy, Instant createdAt,
      Instant expiresAt, Instant revokedAt, String revokedBy, String token) {
    static TokenView of(RegistrationToken t, String secret) {
      return new TokenView(t.id(), t.name(), t.prefix(), t.usesAllowed(), t.uses(), t.createdBy(), t.createdAt(),
          t.expiresAt(), t.revokedAt(), t.revokedBy(), secret);
    }
  }

  record AgentView(String name, String state, String target, Map<String, String> facts, Instant registeredAt,
      String registeredFrom, Instant approvedAt, String approvedBy, Instant revokedAt, String revokedBy,
      Instant lastHeardAt, String lost) {}

  private AgentView view(Agent a) {
    return new AgentView(a.name(), a.state().id(), a.target(), a.facts(), a.registeredAt(), a.registeredFrom(),
        a.approvedAt(), a.approvedBy(), a.revokedAt(), a.revokedBy(), a.lastHeardAt(),
        a.state() == AgentState.APPROVED ? registry.lost(a) : null);
  }

  @PostMapping("/agent-registration-tokens")
  @Operation(summary = "Create a registration token for agents (deployment managers); its secret is shown once")
  ResponseEntity<TokenView> createToken(@RequestBody TokenRequest request, Principal principal) {
    access.require(principal.getName(), MANAGERS, Scope.NONE, "creating an agent registration token");
    if (request == null || request.name() == null) {
      throw InvalidInputException.of("name", "give the token a name (what it is for)");
    }
    int hours = request.expiresInHours() == null ? 24 : request.expiresInHours();
    var created = registry.createToken(request.name(), request.uses() == null ? 1 : request.uses(),
        Duration.ofHours(hours), principal.getName());
    return ResponseEntity.status(HttpStatus.CREATED).body(TokenView.of(created.token(), created.secret()));
  }

  @GetMapping("/agent-registration-tokens")
  @Operation(summary = "The registration tokens (never their secret)")
  List<TokenView> tokens(Principal principal) {
    access.require(principal.getName(), MANAGERS, Scope.NONE, "reading the agent registration tokens");
    return registry.tokens().stream().map(t -> TokenView.of(t, null)).toList();
  }

  @DeleteMapping("/agent-registration-tokens/{id}")
  @Operation(summary = "Revoke a registration token; agents already registered with it stay")
  TokenView revokeToken(@PathVariable long id, Principal principal) {
    access.require(principal.getName(), MANAGERS, Scope.NONE, "revoking an agent registration token");
    return TokenView.of(registry.revokeToken(id, principal.getName()), null);
  }

  @GetMapping("/agents")
  @Operation(summary = "The registered agents, with their state, target, facts and when they were last heard")
  List<AgentView> agents(Principal principal) {
    Access.Reach reach = access.reach(principal.getName(), Access.INSIDERS);
    return registry.all().stream().filter(a -> reach.everywhere() || a.target() != null
        && targets.find(a.target()).map(t -> reach.sees(new Scope(null, t.definition().environment()))).orElse(false))
        .map(this::view).toList();
  }

  record Approval(String target) {}

  @PostMapping("/agents/{name}/approve")
  @Operation(summary = "Approve a pending agent and bind it to a target of kind agent (deployment managers of the "
      + "target's environment)")
  AgentView approve(@PathVariable String name, @RequestBody Approval approval, Principal principal) {
    if (approval == null || approval.target() == null || approval.target().isBlank()) {
      throw InvalidInputException.of("target", "name the target of kind agent the agent works for");
    }
    Target target = targets.find(approval.target()).orElseThrow(() -> new NotFoundException("target",
        approval.target()));
    access.require(principal.getName(), MANAGERS, new Scope(null, target.definition().environment()),
        "approving an agent for target " + target.name());
    if (target.definition().kind() != TargetKind.AGENT) {
      throw InvalidInputException.of("target", "target " + target.name() + " is of kind "
          + target.definition().kind().id() + "; an agent works only for a target of kind agent");
    }
    return view(registry.approve(name, target.name(), principal.getName()));
  }

  @PostMapping("/agents/{name}/revoke")
  @Operation(summary = "Revoke an agent for good: its credential is refused from now on and its target freed")
  AgentView revoke(@PathVariable String name, Principal principal) {
    Agent agent = registry.get(name);
    Scope scope = agent.target() == null ? Scope.NONE : targets.find(agent.target())
        .map(t -> new Scope(null, t.definition().environment())).orElse(Scope.NONE);
    access.require(principal.getName(), MANAGERS, scope, "revoking agent " + name);
    return view(registry.revoke(name, principal.getName()));
  }

  // --- the agents' own

  record Registration(String name, Map<String, String> facts) {}

  record Registered(String name, String state, String credential) {}

  record Heartbeat(Map<String, String> facts) {}

  record Standing(String name, String state, String target) {}

  @PostMapping("/agent/registrations")
  @Operation(summary = "An agent registers with a registration token; it gets its own credential, shown once")
  ResponseEntity<Registered> register(@RequestHeader(name = REGISTRATION, required = false) String token,
      @RequestBody Registration registration, HttpServletRequest request) {
    if (registration == null) {
      throw InvalidInputException.of("name", "give the agent's name and facts");
    }
    var registered = registry.register(token, registration.name(), registration.facts(), request.getRemoteAddr());
    return ResponseEntity.status(HttpStatus.CREATED).body(new Registered(registered.agent().name(),
        registered.agent().state().id(), registered.credential()));
  }

  @PostMapping("/agent/heartbeat")
  @Operation(summary = "An agent says it is alive, with the host's facts; it learns whether it is approved")
  Standing heartbeat(@RequestHeader(name = CREDENTIAL, required = false) String credential,
      @RequestBody(required = false) Heartbeat heartbeat) {
    Agent agent = registry.authenticate(credential).orElseThrow(AgentRegistry.Unauthorized::new);
    Agent heard = registry.heard(agent, heartbeat == null ? null : heartbeat.facts());
    return new Standing(heard.name(), heard.state().id(), heard.target());
  }

  static final String CLAIM = "Gantry-Work-Claim";
  static final int MAX_WAIT_SECONDS = 25;

  /**
   * A piece of work under its claim, with the values of the secrets its step names (this answer alone holds them);
   * {@code started}: whether it is started already (taken in a session), else the agent starts it under the claim.
   */
  record Work(long id, String claim, String payload, Map<String, String> secrets, boolean started) {}

  /** An agent process's session: 16 to 64 letters, digits and '-'. */
  static final java.util.regex.Pattern SESSION = java.util.regex.Pattern.compile("[A-Za-z0-9-]{16,64}");

  record LogLines(List<String> lines) {}

  /** How work ended; {@code lines}: its last log lines, not sent before (optional, at most 1000). */
  record Outcome(String outcome, String text, List<String> lines) {}

  @GetMapping("/agent/work")
  @Operation(summary = "An approved agent takes its next piece of work, waiting up to waitSeconds (at most 25) "
      + "for one; 204 when none came. Without a session the piece is claimed for a short lease, in which the agent "
      + "starts it (POST .../start); in a session (one per agent process, which asks only once it has reported all "
      + "it was given) the answer starts it (started: true), and a piece whose answer was lost is given to that "
      + "session again, never to another")
  ResponseEntity<Work> claim(@RequestHeader(name = CREDENTIAL, required = false) String credential,
      @org.springframework.web.bind.annotation.RequestParam(defaultValue = "0") int waitSeconds,
      @org.springframework.web.bind.annotation.RequestParam(required = false) String session)
      throws InterruptedException {
    Agent agent = registry.authenticate(credential).orElseThrow(AgentRegistry.Unauthorized::new);
    checkWait(waitSeconds);
    checkSession(session);
    return next(agent, session, waitSeconds);
  }

  private static void checkWait(int waitSeconds) {
    if (waitSeconds < 0 || waitSeconds > MAX_WAIT_SECONDS) {
      throw InvalidInputException.of("waitSeconds", "wait 0 to " + MAX_WAIT_SECONDS + " seconds, not " + waitSeconds);
    }
  }

  private static void checkSession(String session) {
    if (session != null && !SESSION.matcher(session).matches()) {
      throw InvalidInputException.of("session", "a session is 16 to 64 letters, digits and '-'");
    }
  }

  /** The agent's next piece of work, claimed for it, waiting up to {@code waitSeconds} for one; 204 when none came. */
  private ResponseEntity<Work> next(Agent agent, String session, int waitSeconds) throws InterruptedException {
    long until = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
    while (true) {
      var item = registry.next(agent, session, Duration.ofNanos(Math.max(0, until - System.nanoTime())));
      if (item.isEmpty()) {
        return ResponseEntity.noContent().build();
      }
      var given = secrets.forLease(() -> registry.get(agent.name()), item.get());
      if (given.isPresent()) {
        return ResponseEntity.ok().cacheControl(org.springframework.http.CacheControl.noStore())
            .body(new Work(item.get().id(), item.get().claimId(), item.get().payload(), given.get(),
                item.get().state() == WorkQueue.State.STARTED));
      }
      // that piece failed for want of its secrets: the next one, if any comes within the wait
      if (System.nanoTime() >= until) {
        return ResponseEntity.noContent().build();
      }
    }
  }

  /** The agent whose credential this is and the work {@code id} it holds under {@code claim}. */
  private record Held(Agent agent, WorkQueue.Item item) {}

  /** The work {@code id} when the agent holds its claim; 401 for anything else, so nothing is learnt. */
  private Held claimed(String credential, long id, String claim) {
    return claimed(credential, id, claim, false);
  }

  /** As {@link #claimed(String, long, String)}, the item with its payload when {@code payload}. */
  private Held claimed(String credential, long id, String claim, boolean payload) {
    Agent agent = registry.authenticate(credential).orElseThrow(AgentRegistry.Unauthorized::new);
    WorkQueue.Item item = (payload ? registry.work().get(id) : registry.work().look(id)).orElse(null);
    if (item == null || !item.agent().equals(agent.name()) || claim == null || !claim.equals(item.claimId())) {
      throw new AgentRegistry.Unauthorized();
    }
    return new Held(registry.heard(agent, null), item);
  }

  @PostMapping("/agent/work/{id}/start")
  @Operation(summary = "An agent starts the work it claimed, within the claim's lease; from then on the work is "
      + "never handed out again. 409: do not run it")
  ResponseEntity<Void> start(@RequestHeader(name = CREDENTIAL, required = false) String credential,
      @RequestHeader(name = CLAIM, required = false) String claim, @PathVariable long id) {
    claimed(credential, id, claim);
    if (!registry.work().start(id, claim)) {
      throw new io.gantry.shared.ConflictException("work " + id + " cannot be started under this claim: its lease "
          + "passed, or it was started already; do not run it");
    }
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/agent/work/{id}/log")
  @Operation(summary = "An agent sends log lines of the work it holds")
  ResponseEntity<Void> log(@RequestHeader(name = CREDENTIAL, required = false) String credential,
      @RequestHeader(name = CLAIM, required = false) String claim, @PathVariable long id,
      @RequestBody LogLines lines) {
    claimed(credential, id, claim);
    if (lines == null || lines.lines() == null || lines.lines().size() > 1000) {
      throw InvalidInputException.of("lines", "send 0 to 1000 log lines at a time");
    }
    if (!registry.work().log(id, claim, lines.lines())) {
      throw new io.gantry.shared.ConflictException("work " + id + " has ended: " + registry.work().look(id)
          .map(WorkQueue.Item::outcomeText).orElse(""));
    }
    return ResponseEntity.noContent().build();
  }

  @PostMapping("/agent/work/{id}/outcome")
  @Operation(summary = "An agent reports how the work it holds ended: succeeded, failed or needs-person, with the "
      + "log lines it had not sent yet. With waitSeconds (at most 25) the answer is the agent's next piece of work "
      + "as GET /agent/work gives it (in the session given, if any), waited for that long (204 when none came); "
      + "without it, 204")
  ResponseEntity<Work> outcome(@RequestHeader(name = CREDENTIAL, required = false) String credential,
      @RequestHeader(name = CLAIM, required = false) String claim, @PathVariable long id,
      @org.springframework.web.bind.annotation.RequestParam(defaultValue = "0") int waitSeconds,
      @org.springframework.web.bind.annotation.RequestParam(required = false) String session,
      @RequestBody Outcome outcome) throws InterruptedException {
    Held held = claimed(credential, id, claim);
    checkWait(waitSeconds);
    checkSession(session);
    String kind = outcome == null || outcome.outcome() == null ? "" : switch (outcome.outcome()) {
      case "succeeded" -> "SUCCEEDED";
      case "failed" -> "FAILED";
      case "needs-person" -> "NEEDS_PERSON";
      default -> "";
    };
    if (kind.isEmpty()) {
      throw InvalidInputException.of("outcome", "the outcome is succeeded, failed or needs-person");
    }
    if (outcome.lines() != null && outcome.lines().size() > 1000) {
      throw InvalidInputException.of("lines", "send 0 to 1000 log lines with the outcome");
    }
    if (outcome.lines() != null && !outcome.lines().isEmpty() && !registry.work().log(id, claim, outcome.lines())) {
      throw new io.gantry.shared.ConflictException("work " + id + " has ended already: " + registry.work().look(id)
          .map(WorkQueue.Item::outcomeText).orElse(""));
    }
    if (!registry.work().finish(id, claim, kind, outcome.text())) {
      throw new io.gantry.shared.ConflictException("work " + id + " has ended already: " + registry.work().look(id)
          .map(WorkQueue.Item::outcomeText).orElse(""));
    }
    return waitSeconds == 0 ? ResponseEntity.noContent().build() : next(held.agent(), session, waitSeconds);
  }

  @GetMapping("/agent/work/{id}/artifacts/{index}")
  @Operation(summary = "An agent downloads an artifact of the work it holds; a Range of bytes=N- resumes a cut "
      + "transfer (206)")
  void artifact(@RequestHeader(name = CREDENTIAL, required = false) String credential,
      @RequestHeader(name = CLAIM, required = false) String claim, @PathVariable long id, @PathVariable int index,
      @RequestHeader(name = "Range", required = false) String range, HttpServletRequest request,
      jakarta.servlet.http.HttpServletResponse response) throws java.io.IOException {
    WorkQueue.Item item = claimed(credential, id, claim, true).item();
    var artifacts = io.gantry.execution.AgentWork.artifacts(item.payload());
    if (index < 0 || index >= artifacts.size()) {
      throw new NotFoundException("artifact", String.valueOf(index));
    }
    var artifact = artifacts.get(index);
    long from = 0;
    if (range != null) {
      var m = java.util.regex.Pattern.compile("bytes=(\\d{1,18})-").matcher(range.strip());
      if (!m.matches()) {
        throw InvalidInputException.of("Range", "only a range bytes=N- (the rest from byte N) is served");
      }
      from = Long.parseLong(m.group(1));
    }
    java.nio.file.Path file = library.fileForCheckingReceiver(artifact);
    long stored = java.nio.file.Files.size(file);
    long end = artifact.size() == null ? stored : artifact.size();
    if (from > end) {
      response.setStatus(416);
      response.setHeader("Content-Range", "bytes */" + end);
      return;
    }
    response.setContentType("application/octet-stream");
    response.setHeader("Accept-Ranges", "bytes");
    response.setHeader("X-Checksum-Sha256", artifact.digest().value());
    if (from > 0) {
      response.setStatus(206);
      response.setHeader("Content-Range", "bytes " + from + "-" + (end - 1) + "/" + end);
    }
    response.setContentLengthLong(end - from);
    // sent as stored, not hashed on the way: the agent checks every byte against the version's digest before
    // anything switches (the server could only cut a transfer already under way on a mismatch; the library's copy
    // was checked when the deployment began). Where the connector can, the kernel sends the file (sendfile): no copy
    // through this process (Tomcat's request attributes for it, as its DefaultServlet sets them)
    if (stored == end && end > from
        && Boolean.TRUE.equals(request.getAttribute(org.apache.catalina.Globals.SENDFILE_SUPPORTED_ATTR))) {
      request.setAttribute(org.apache.catalina.Globals.SENDFILE_FILENAME_ATTR, file.toAbsolutePath().toString());
      request.setAttribute(org.apache.catalina.Globals.SENDFILE_FILE_START_ATTR, from);
      request.setAttribute(org.apache.catalina.Globals.SENDFILE_FILE_END_ATTR, end);
      return;
    }
    try (var channel = java.nio.channels.FileChannel.open(file)) {
      // a file shorter than recorded ends the transfer short, a longer one is cut at the recorded size: the agent's
      // check refuses either
      channel.position(from);
      java.io.InputStream in = java.nio.channels.Channels.newInputStream(channel);
      OutputStream out = response.getOutputStream();
      byte[] buffer = new byte[256 * 1024];
      for (long left = end - from; left > 0; ) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          break;
        }
        out.write(buffer, 0, n);
        left -= n;
      }
    }
  }

  @ExceptionHandler(AgentRegistry.Unauthorized.class)
  ResponseEntity<Void> unauthorized() {
    return ResponseEntity.status(HttpStatus.UNAUTHORIZED).build();
  }
}
