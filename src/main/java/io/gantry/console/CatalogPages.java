package io.gantry.console;

import io.gantry.catalog.Artifact;
import io.gantry.catalog.Component;
import io.gantry.catalog.ComponentRef;
import io.gantry.catalog.ComponentVersion;
import io.gantry.catalog.ComponentVersions;
import io.gantry.catalog.Components;
import io.gantry.catalog.Library;
import io.gantry.catalog.Services;
import io.gantry.catalog.Signatures;
import io.gantry.catalog.VersionApproval;
import io.gantry.catalog.VersionStatus;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.util.UriUtils;

/**
 * The service catalog and the definitive media library in the console: services and their components, a
 * component's versions with what they hold, downloads of their artifacts, and approving or withdrawing a
 * version. Reads see what the catalog API shows the same person; the status change goes through
 * {@link VersionApproval}, the API's own check and service method.
 */
@Controller
class CatalogPages {

  /** Versions per page: each page checks the signatures of the versions it shows. */
  static final int VERSIONS_PER_PAGE = 20;
  static final int MAX_REASON = 2000;

  private final Services services;
  private final Components components;
  private final ComponentVersions versions;
  private final Library library;
  private final Signatures signatures;
  private final VersionApproval approval;
  private final Access access;

  CatalogPages(Services services, Components components, ComponentVersions versions, Library library,
      Signatures signatures, VersionApproval approval, Access access) {
    this.services = services;
    this.components = components;
    this.versions = versions;
    this.library = library;
    this.signatures = signatures;
    this.approval = approval;
    this.access = access;
  }

  /** Where the reader may read the library: every role reads it, in the scopes it holds them (as the API). */
  private Access.Reach reach(String user) {
    return access.reach(user, EnumSet.allOf(Role.class));
  }

  private void requireSees(String user, String service) {
    if (!reach(user).seesService(service)) {
      throw new AccessDeniedException("service " + service + " is outside the scopes of your roles");
    }
  }

  @GetMapping("/console/catalog")
  String catalog(Authentication signedIn, Model model) {
    Access.Reach reach = reach(signedIn.getName());
    var byService = components.all().stream().filter(c -> reach.seesService(c.definition().service()))
        .collect(Collectors.groupingBy(c -> c.definition().service()));
    List<CatalogPage.ServiceRow> rows = services.all().stream().filter(s -> reach.seesService(s.name()))
        .sorted(Comparator.comparing(s -> s.name()))
        .map(s -> new CatalogPage.ServiceRow(s.name(), s.definition().description(), s.definition().owner(),
            byService.getOrDefault(s.name(), List.of()).stream().sorted(Comparator.comparing(c -> c.ref().component()))
                .map(this::row).toList()))
        .toList();
    model.addAttribute("page", new CatalogPage(rows));
    return "catalog/catalog";
  }

  private CatalogPage.ComponentRow row(Component c) {
    var d = c.definition();
    var newest = library.newest(c.ref());
    return new CatalogPage.ComponentRow(d.service(), d.name(), d.type().id(), d.model(), d.description(),
        versions.countFor(c.ref()), newest.map(v -> v.version().value()).orElse(null),
        newest.map(v -> v.status().id()).orElse(null), newest.map(ComponentVersion::createdAt).orElse(null));
  }

  @GetMapping("/console/catalog/{service}/{component}")
  String component(@PathVariable String service, @PathVariable String component,
      @RequestParam(defaultValue = "0") int page, @RequestParam(required = false) String changed,
      Authentication signedIn, Model model, HttpServletResponse response) {
    return CatalogRefusals.show(model, response, () -> {
      model.addAttribute("page", componentPage(signedIn.getName(), service, component, page, changed, null));
      return "catalog/component";
    });
  }

  private ComponentPage componentPage(String user, String service, String component, int page, String changed,
      ComponentPage.Refusal refusal) {
    requireSees(user, service);
    Component c = components.find(new ComponentRef(service, component))
        .orElseThrow(() -> new NotFoundException("component", service + "/" + component));
    Page<ComponentVersion> shown = versions.page(c.ref(), null, new PageRequest(page, VERSIONS_PER_PAGE));
    boolean mayChange = approval.mayChange(user, service);
    var d = c.definition();
    return new ComponentPage(service, component, d.type().id(), d.model(), d.description(),
        shown.items().stream().map(v -> versionRow(v, mayChange)).toList(), page, page > 0, shown.hasNext(),
        shown.total(), mayChange, changed, refusal);
  }

  private ComponentPage.VersionRow versionRow(ComponentVersion v, boolean mayChange) {
    Set<String> paths = v.artifacts().stream().map(Artifact::path).collect(Collectors.toSet());
    List<ComponentPage.ArtifactRow> artifacts = v.artifacts().stream()
        .map(a -> new ComponentPage.ArtifactRow(a.path(), a.digest().value(), a.size(), a.url(),
            a.external() ? null : download(v, a), isSignature(a.path(), paths)))
        .toList();
    boolean signed = artifacts.stream().anyMatch(ComponentPage.ArtifactRow::signature);
    String problem = signed ? signatures.problem(v) : null;
    return new ComponentPage.VersionRow(v.version().value(), v.status().id(), v.contentDigest().value(),
        v.createdBy(), v.createdAt(), v.statusChangedBy(), v.statusChangedAt(), v.statusReason(), v.rowVersion(),
        artifacts, library.sboms(v).stream().map(s -> new ComponentPage.SbomRow(s.path(), s.format().title(),
            s.specVersion(), s.components().size())).toList(),
        new ComponentPage.Signing(signed, signed && problem == null, problem),
        mayChange ? VersionApproval.next(v.status()).stream().map(VersionStatus::id).toList() : List.of());
  }

  /** A detached signature {@code X.asc} or {@code X.sig} beside an artifact {@code X} of the same version. */
  private static boolean isSignature(String path, Set<String> paths) {
    return (path.endsWith(".asc") || path.endsWith(".sig")) && paths.contains(path.substring(0, path.length() - 4));
  }

  private static String download(ComponentVersion v, Artifact a) {
    return "/console/catalog/" + segment(v.component().service()) + "/" + segment(v.component().component())
        + "/versions/" + segment(v.version().value()) + "/artifacts/"
        + Arrays.stream(a.path().split("/", -1)).map(CatalogPages::segment).collect(Collectors.joining("/"));
  }

  private static String segment(String s) {
    return UriUtils.encodePathSegment(s, StandardCharsets.UTF_8);
  }

  /** Approves or withdraws a version, as PUT .../versions/{version}/status does; refusals stay on the page. */
  @PostMapping("/console/catalog/{service}/{component}/versions/{version}/status")
  String changeStatus(@PathVariable String service, @PathVariable String component, @PathVariable String version,
      @RequestParam(required = false) String status, @RequestParam(required = false) String reason,
      @RequestParam(required = false) Long rowVersion, Authentication signedIn, Model model,
      HttpServletResponse response) {
    String user = signedIn.getName();
    return CatalogRefusals.show(model, response, () -> {
      try {
        if (status == null || status.isBlank()) {
          throw InvalidInputException.of("status", "choose the status the version should have");
        }
        if (reason == null || reason.isBlank()) {
          throw InvalidInputException.of("reason", "a reason is required to change the status of a version");
        }
        if (reason.length() > MAX_REASON) {
          throw InvalidInputException.of("reason", "a reason may be at most " + MAX_REASON + " characters");
        }
        if (rowVersion == null) {
          throw InvalidInputException.of("rowVersion", "the form lacks the version's row version; reload the page");
        }
        approval.change(user, new ComponentRef(service, component), version,
            VersionStatus.fromId("status", status), reason, rowVersion);
      } catch (AccessDeniedException | ConflictException | InvalidInputException e) {
        response.setStatus(e instanceof AccessDeniedException ? 403 : e instanceof ConflictException ? 409 : 400);
        model.addAttribute("page", componentPage(user, service, component, 0, null,
            new ComponentPage.Refusal(version, e.getMessage())));
        return "catalog/component";
      }
      return "redirect:/console/catalog/" + segment(service) + "/" + segment(component) + "?changed="
          + UriUtils.encodeQueryParam(version, StandardCharsets.UTF_8);
    });
  }

  /** An artifact's bytes, with the API's checks: the reader sees the service, and the digest is checked first. */
  @GetMapping("/console/catalog/{service}/{component}/versions/{version}/artifacts/**")
  ResponseEntity<StreamingResponseBody> artifact(@PathVariable String service, @PathVariable String component,
      @PathVariable String version, HttpServletRequest request, Authentication signedIn) {
    requireSees(signedIn.getName(), service);
    String marker = "/versions/" + segment(version) + "/artifacts/";
    String uri = request.getRequestURI();
    int at = uri.indexOf(marker);
    if (at < 0) {
      throw new NotFoundException("artifact", service + "/" + component + "@" + version);
    }
    String path = URLDecoder.decode(uri.substring(at + marker.length()).replace("+", "%2B"), StandardCharsets.UTF_8);
    ComponentVersion v = library.get(new ComponentRef(service, component), version);
    Artifact artifact = v.artifacts().stream().filter(a -> a.path().equals(path)).findFirst()
        .orElseThrow(() -> new NotFoundException("artifact", service + "/" + component + "@" + version + ":" + path));
    library.verify(artifact);
    StreamingResponseBody body = out -> {
      try (InputStream in = library.open(artifact)) {
        in.transferTo(out);
      }
    };
    String name = path.substring(path.lastIndexOf('/') + 1);
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
        .header("Digest", artifact.digest().value())
        .header("Content-Disposition", org.springframework.http.ContentDisposition.attachment()
            .filename(name, StandardCharsets.UTF_8).build().toString())
        .contentLength(artifact.size()).body(body);
  }
}
