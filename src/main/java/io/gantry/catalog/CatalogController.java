package io.gantry.catalog;

import jakarta.validation.constraints.Size;
import io.gantry.shared.InvalidInputException;
import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.io.InputStream;
import io.gantry.identity.Access;
import io.gantry.identity.Role;
import io.gantry.identity.Scope;
import java.security.Principal;
import java.util.EnumSet;
import java.util.Set;
import org.springframework.security.access.AccessDeniedException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

@RestController
@RequestMapping("/api/v1")
@Tag(name = "Catalog and library", description = "Services, components and their versions in the definitive media library")
class CatalogController {

  private static final JsonMapper MANIFEST = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private final Services services;
  private final Components components;
  private final ComponentVersions versions;
  private final Library library;

  private final Access access;

  /** Those who push versions, in the component's service. */
  static final Set<Role> PUSHERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.DEPLOYMENT_PRACTITIONER,
      Role.TECHNICAL_SPECIALIST, Role.SUPPLIER);

  /** Those who approve or withdraw versions, in the component's service. */
  static final Set<Role> APPROVERS = EnumSet.of(Role.DEPLOYMENT_MANAGER, Role.SERVICE_OWNER);

  private final long supplierQuotaBytes;

  CatalogController(Services services, Components components, ComponentVersions versions, Library library,
      Access access,
      @org.springframework.beans.factory.annotation.Value("${gantry.library.supplier-quota-bytes:#{10L * 1024 * 1024 * 1024}}")
      long supplierQuotaBytes) {
    if (supplierQuotaBytes <= 0) {
      throw new io.gantry.shared.StartupProblem("gantry.library.supplier-quota-bytes must be a positive number of "
          + "bytes, not " + supplierQuotaBytes);
    }
    this.supplierQuotaBytes = supplierQuotaBytes;
    this.access = access;
    this.services = services;
    this.components = components;
    this.versions = versions;
    this.library = library;
  }

  record ServiceView(String name, String description, String owner, Map<String, String> labels, long rowVersion) {
    static ServiceView of(Service s) {
      var d = s.definition();
      return new ServiceView(d.name(), d.description(), d.owner(), d.labels(), s.rowVersion());
    }
  }

  record ComponentView(String service, String name, String type, String model, String description,
      List<ComponentDefinition.Requirement> requires, List<String> requiredAttributes, Map<String, String> labels,
      long rowVersion) {
    static ComponentView of(Component c) {
      var d = c.definition();
      return new ComponentView(d.service(), d.name(), d.type().id(), d.model(), d.description(), d.requires(),
          d.requiredAttributes(), d.labels(), c.rowVersion());
    }
  }

  record ArtifactView(String path, String digest, Long size, String url) {}

  record VersionView(String service, String component, String version, String status, String contentDigest,
      Map<String, String> attributes, List<ArtifactView> artifacts, String createdBy, Instant createdAt,
      String statusChangedBy, Instant statusChangedAt, String statusReason, long rowVersion) {
    static VersionView of(ComponentVersion v) {
      return new VersionView(v.component().service(), v.component().component(), v.version().value(),
          v.status().id(), v.contentDigest().value(), v.attributes(),
          v.artifacts().stream().map(a -> new ArtifactView(a.path(), a.digest().value(), a.size(), a.url())).toList(),
          v.createdBy(), v.createdAt(), v.statusChangedBy(), v.statusChangedAt(), v.statusReason(), v.rowVersion());
    }
  }

  record SbomView(String path, String format, String specVersion, List<SbomComponent> components) {
    static SbomView of(Sbom s) {
      return new SbomView(s.path(), s.format().id(), s.specVersion(), s.components());
    }
  }

  record VersionSbomsView(String service, String component, String version, List<SbomView> sboms) {}

  record ExternalBody(String path, String url, String digest) {}

  record Manifest(String version, Map<String, String> attributes, List<ExternalBody> external) {}

  record StatusChange(@NotBlank @Size(max = 20) String status, @NotBlank @Size(max = 2000) String reason,
      @NotNull Long rowVersion) {}

  @GetMapping("/services")
  @Operation(summary = "List services")
  Page<ServiceView> services(@RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size,
      Principal principal) {
    PageRequest request = new PageRequest(page, size);
    Access.Reach reach = reach(principal);
    if (reach.everywhere()) {
      return services.page(request).map(ServiceView::of);
    }
    return Page.of(services.all().stream().filter(s -> reach.seesService(s.definition().name())).toList(), request)
        .map(ServiceView::of);
  }

  /** Where the caller may read the library: every role reads it, in the scopes it holds them. */
  private Access.Reach reach(Principal principal) {
    return access.reach(principal.getName(), EnumSet.allOf(Role.class));
  }

  /** Refused unless the caller's roles reach {@code service}. */
  private void requireSees(String service, Principal principal) {
    if (!reach(principal).seesService(service)) {
      throw new AccessDeniedException("service " + service + " is outside the scopes of your roles");
    }
  }

  @GetMapping("/services/{service}")
  @Operation(summary = "One service")
  ServiceView service(@PathVariable String service, Principal principal) {
    requireSees(service, principal);
    return ServiceView.of(services.find(service).orElseThrow(() -> new NotFoundException("service", service)));
  }

  @GetMapping("/components")
  @Operation(summary = "List components, optionally of one service")
  Page<ComponentView> components(@RequestParam(required = false) String service,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size, Principal principal) {
    PageRequest request = new PageRequest(page, size);
    if (service != null) {
      requireSees(service, principal);
    }
    if (service != null && services.find(service).isEmpty()) {
      throw new NotFoundException("service", service);
    }
    Access.Reach reach = reach(principal);
    if (reach.everywhere() || service != null) {
      return components.page(service, request).map(ComponentView::of);
    }
    return Page.of(components.all().stream().filter(c -> reach.seesService(c.definition().service())).toList(), request)
        .map(ComponentView::of);
  }

  @GetMapping("/services/{service}/components/{component}")
  @Operation(summary = "One component")
  ComponentView component(@PathVariable String service, @PathVariable String component, Principal principal) {
    requireSees(service, principal);
    return ComponentView.of(find(service, component));
  }

  @GetMapping("/services/{service}/components/{component}/versions")
  @Operation(summary = "List the versions of a component, newest first")
  Page<VersionView> versions(@PathVariable String service, @PathVariable String component,
      @RequestParam(required = false) String status, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size, Principal principal) {
    requireSees(service, principal);
    Component c = find(service, component);
    VersionStatus filter = status == null ? null : VersionStatus.fromId("status", status);
    return versions.page(c.ref(), filter, new PageRequest(page, size)).map(VersionView::of);
  }

  @GetMapping("/services/{service}/components/{component}/versions/{version}")
  @Operation(summary = "One version")
  VersionView version(@PathVariable String service, @PathVariable String component, @PathVariable String version,
      Principal principal) {
    requireSees(service, principal);
    return VersionView.of(library.get(new ComponentRef(service, component), version));
  }

  @GetMapping("/services/{service}/components/{component}/versions/{version}/sbom")
  @Operation(summary = "The SBOMs pushed with a version (CycloneDX or SPDX JSON) and the components each lists, "
      + "as their format's library read them when the version was pushed")
  VersionSbomsView sbom(@PathVariable String service, @PathVariable String component, @PathVariable String version,
      Principal principal) {
    requireSees(service, principal);
    ComponentVersion v = library.get(new ComponentRef(service, component), version);
    return new VersionSbomsView(service, component, v.version().value(),
        library.sboms(v).stream().map(SbomView::of).toList());
  }

  @PostMapping(path = "/services/{service}/components/{component}/versions",
      consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
  @Operation(summary = "Push a version: files, external references pinned by digest, or identifying attributes; "
      + "needs one of the roles deployment-manager, deployment-practitioner, technical-specialist, supplier in the "
      + "service")
  ResponseEntity<VersionView> push(@PathVariable String service, @PathVariable String component,
      @RequestPart("manifest") String manifestJson,
      @RequestPart(name = "artifact", required = false) List<MultipartFile> artifacts, Principal principal) {
    access.require(principal.getName(), PUSHERS, Scope.service(service), "pushing a version");
    // one who pushes only as a supplier here pushes within its quota; those inside the organization do not
    Set<Role> held = access.rolesIn(principal.getName(), Scope.service(service));
    Long quota = held.stream().anyMatch(r -> PUSHERS.contains(r) && r != Role.SUPPLIER) ? null : supplierQuotaBytes;
    Manifest manifest;
    try {
      manifest = MANIFEST.readValue(manifestJson, Manifest.class);
    } catch (JacksonException e) {
      throw InvalidInputException.of("manifest", "the manifest part is not valid: " + e.getOriginalMessage());
    }
    if (manifest == null || manifest.version() == null) {
      throw InvalidInputException.of("manifest.version", "missing required field \"version\"");
    }
    List<Library.Upload> uploads = artifacts == null ? List.of() : artifacts.stream()
        .map(f -> new Library.Upload(f.getOriginalFilename(), (Library.InputStreamSource) f::getInputStream))
        .toList();
    List<Library.External> external = manifest.external() == null ? List.of() : manifest.external().stream()
        .map(e -> new Library.External(e.path(), e.url(), e.digest())).toList();
    Library.Pushed pushed = library.push(new Library.Push(new ComponentRef(service, component), manifest.version(),
        manifest.attributes(), uploads, external), principal.getName(), quota);
    return ResponseEntity.status(pushed.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(VersionView.of(pushed.version()));
  }

  @PutMapping("/services/{service}/components/{component}/versions/{version}/status")
  @Operation(summary = "Approve or withdraw a version, with a reason; 409 if rowVersion is stale; needs the role "
      + "deployment-manager or service-owner in the service")
  VersionView changeStatus(@PathVariable String service, @PathVariable String component,
      @PathVariable String version, @Valid @RequestBody StatusChange change, Principal principal) {
    access.require(principal.getName(), APPROVERS, Scope.service(service), "approving or withdrawing a version");
    VersionStatus next = VersionStatus.fromId("status", change.status());
    return VersionView.of(library.changeStatus(new ComponentRef(service, component), version, next, change.reason(),
        change.rowVersion(), principal.getName()));
  }

  record PruneBody(@NotNull Boolean dryRun) {}

  @PostMapping("/library/prune")
  @PreAuthorize("hasRole('DEPLOYMENT_MANAGER')")
  @Operation(summary = "Remove the library files no version (and no evidence) references, and staged uploads left "
      + "for over a day; with dryRun only list them")
  Library.Pruned prune(@Valid @RequestBody PruneBody body) {
    return library.prune(body.dryRun());
  }

  @GetMapping("/services/{service}/components/{component}/versions/{version}/artifacts/**")
  @Operation(summary = "Download an artifact; its digest is checked first")
  ResponseEntity<StreamingResponseBody> artifact(@PathVariable String service, @PathVariable String component,
      @PathVariable String version, HttpServletRequest request, Principal principal) {
    requireSees(service, principal);
    String marker = "/versions/" + version + "/artifacts/";
    String uri = request.getRequestURI();
    String path = java.net.URLDecoder.decode(uri.substring(uri.indexOf(marker) + marker.length()),
        java.nio.charset.StandardCharsets.UTF_8);
    ComponentVersion v = library.get(new ComponentRef(service, component), version);
    Artifact artifact = v.artifacts().stream().filter(a -> a.path().equals(path)).findFirst()
        .orElseThrow(() -> new NotFoundException("artifact", service + "/" + component + "@" + version + ":" + path));
    library.verify(artifact);
    StreamingResponseBody body = out -> {
      try (InputStream in = library.open(artifact)) {
        in.transferTo(out);
      }
    };
    return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
        .header("Digest", artifact.digest().value()).contentLength(artifact.size()).body(body);
  }

  private Component find(String service, String component) {
    return components.find(new ComponentRef(service, component))
        .orElseThrow(() -> new NotFoundException("component", service + "/" + component));
  }
}
