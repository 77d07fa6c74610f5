package io.gantry.catalog;

import io.gantry.shared.Json;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The versions in the library with their artifacts. Versions are inserted once and never rewritten. */
@Repository
public class ComponentVersions {

  private static final String SELECT = """
      select v.*, c.name as component_name, s.name as service_name
        from component_versions v
        join components c on c.id = v.component_id
        join services s on s.id = c.service_id
      """;

  /**
   * The component's id by service and name, looked up first: the versions are then found through the
   * (component, version) key. Written as a subquery so that the plan stays linear even before the
   * database has statistics on freshly filled tables (a join on names alone can be planned as nested
   * scans of every component for every version).
   */
  private static final String COMPONENT_ID = """
      (select c2.id from components c2 join services s2 on s2.id = c2.service_id
        where s2.name = :service and c2.name = :component)
      """;

  private final JdbcClient jdbc;

  public ComponentVersions(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public Optional<ComponentVersion> find(ComponentRef ref, String version) {
    return withArtifacts(jdbc.sql(SELECT + " where v.component_id = " + COMPONENT_ID + " and v.version = :version")
        .param("service", ref.service()).param("component", ref.component()).param("version", version)
        .query(ComponentVersions::map).list()).stream().findFirst();
  }

  public Page<ComponentVersion> page(ComponentRef ref, VersionStatus status, PageRequest request) {
    String where = " where v.component_id = " + COMPONENT_ID
        + (status == null ? "" : " and v.status = :status");
    Map<String, Object> params = new HashMap<>(Map.of("service", ref.service(), "component", ref.component()));
    if (status != null) {
      params.put("status", status.name());
    }
    long total = jdbc.sql("select count(*) from (" + SELECT + where + ") x").params(params).query(Long.class).single();
    List<ComponentVersion> items = jdbc.sql(SELECT + where + " order by v.created_at desc, v.id desc limit :limit offset :offset")
        .params(params).param("limit", request.size()).param("offset", request.offset())
        .query(ComponentVersions::map).list();
    return new Page<>(withArtifacts(items), request.page(), request.size(), total);
  }

  /** The bytes of the files in the versions {@code user} pushed (what counts against a supplier's quota). */
  public long bytesPushedBy(String user) {
    return jdbc.sql("""
        select coalesce(sum(a.size_bytes), 0) from artifacts a
          join component_versions v on v.id = a.component_version_id
         where v.created_by = :user
        """).param("user", user).query(Long.class).single();
  }

  public long countFor(ComponentRef ref) {
    return jdbc.sql("""
        select count(*) from component_versions v where v.component_id = """ + COMPONENT_ID).param("service", ref.service()).param("component", ref.component()).query(Long.class).single();
  }

  /** Versions registered after {@code since}, oldest first. */
  public List<ComponentVersion> registeredSince(Instant since) {
    return withArtifacts(jdbc.sql(SELECT + " where v.created_at > :since order by v.created_at, v.id")
        .param("since", Timestamp.from(since)).query(ComponentVersions::map).list());
  }

  /** Versions approved after {@code since} and approved still, oldest approval first. */
  public List<ComponentVersion> approvedSince(Instant since) {
    return withArtifacts(jdbc.sql(SELECT + " where v.status = 'APPROVED' and v.status_changed_at > :since"
        + " order by v.status_changed_at, v.id").param("since", Timestamp.from(since))
        .query(ComponentVersions::map).list());
  }

  /** The version of a component registered last that is not withdrawn, if any. */
  public Optional<ComponentVersion> newest(ComponentRef ref) {
    return withArtifacts(jdbc.sql(SELECT + " where v.component_id = " + COMPONENT_ID
        + " and v.status <> 'WITHDRAWN' order by v.created_at desc, v.id desc limit 1")
        .param("service", ref.service()).param("component", ref.component()).query(ComponentVersions::map).list())
        .stream().findFirst();
  }

  /**
   * Locks the library for the rest of the transaction, across servers on the database: taken by a
   * push while it records a version and moves its files in, and by a prune while it removes files.
   */
  void lockLibrary() {
    jdbc.sql("select id from library_lock where id = 1 for update").query(Integer.class).single();
  }

  /** The digests of every artifact of every version (an external one's too: a file with its bytes is kept). */
  java.util.Set<Digest> artifactDigests() {
    return jdbc.sql("select distinct digest from artifacts").query(String.class).list().stream()
        .map(Digest::parse).collect(java.util.stream.Collectors.toSet());
  }

  /** Inserts a new version; the unique key on (component, version) refuses a second one. */
  public ComponentVersion insert(long componentId, ComponentRef ref, Version version, Digest contentDigest,
      Map<String, String> attributes, List<Artifact> artifacts, String actor, Instant now) {
    var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
    jdbc.sql("""
        insert into component_versions (component_id, version, status, content_digest, attributes, created_by,
                                         created_at, row_version)
        values (:component, :version, 'REGISTERED', :digest, :attributes, :actor, :now, 0)
        """)
        .param("component", componentId).param("version", version.value()).param("digest", contentDigest.value())
        .param("attributes", Json.write(attributes)).param("actor", actor).param("now", Timestamp.from(now))
        .update(keys, "id");
    long id = keys.getKeyAs(Number.class).longValue();
    for (Artifact a : artifacts) {
      jdbc.sql("""
          insert into artifacts (component_version_id, path, digest, size_bytes, url)
          values (:version, :path, :digest, :size, :url)
          """)
          .param("version", id).param("path", a.path()).param("digest", a.digest().value())
          .param("size", a.size()).param("url", a.url()).update();
    }
    return find(ref, version.value()).orElseThrow();
  }

  public ComponentVersion changeStatus(ComponentVersion current, VersionStatus next, String actor, String reason,
      long expectedRowVersion, Instant now) {
    int rows = jdbc.sql("""
        update component_versions set status = :status, status_changed_by = :actor, status_changed_at = :now,
               status_reason = :reason, row_version = row_version + 1
         where id = :id and row_version = :expected
        """)
        .param("status", next.name()).param("actor", actor).param("now", Timestamp.from(now))
        .param("reason", reason).param("id", current.id()).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("version", current.component() + "@" + current.version(), expectedRowVersion);
    }
    return find(current.component(), current.version().value()).orElseThrow();
  }

  private List<ComponentVersion> withArtifacts(List<ComponentVersion> versions) {
    if (versions.isEmpty()) {
      return versions;
    }
    Map<Long, List<Artifact>> byVersion = new LinkedHashMap<>();
    jdbc.sql("select * from artifacts where component_version_id in (:ids) order by path")
        .param("ids", versions.stream().map(ComponentVersion::id).toList())
        .query((rs, n) -> {
          byVersion.computeIfAbsent(rs.getLong("component_version_id"), k -> new java.util.ArrayList<>())
              .add(new Artifact(rs.getString("path"), new Digest(rs.getString("digest")),
                  (Long) rs.getObject("size_bytes", Long.class), rs.getString("url")));
          return null;
        }).list();
    return versions.stream().map(v -> new ComponentVersion(v.id(), v.component(), v.version(), v.status(),
        v.contentDigest(), v.attributes(), List.copyOf(byVersion.getOrDefault(v.id(), List.of())), v.createdBy(),
        v.createdAt(), v.statusChangedBy(), v.statusChangedAt(), v.statusReason(), v.rowVersion())).toList();
  }

  /** Rows of SBOM components written by one statement: few round trips for a long list, few parameters each. */
  private static final int SBOM_ROWS_PER_INSERT = 200;

  /** Records the SBOMs read from a version's artifacts, with their components in the order listed. */
  public void insertSboms(long versionId, List<Sbom> sboms) {
    for (Sbom sbom : sboms) {
      var keys = new org.springframework.jdbc.support.GeneratedKeyHolder();
      jdbc.sql("""
          insert into sboms (component_version_id, path, format, spec_version)
          values (:version, :path, :format, :spec)
          """)
          .param("version", versionId).param("path", sbom.path()).param("format", sbom.format().name())
          .param("spec", sbom.specVersion()).update(keys, "id");
      long sbomId = keys.getKeyAs(Number.class).longValue();
      List<SbomComponent> components = sbom.components();
      for (int from = 0; from < components.size(); from += SBOM_ROWS_PER_INSERT) {
        int to = Math.min(components.size(), from + SBOM_ROWS_PER_INSERT);
        StringBuilder sql = new StringBuilder(
            "insert into sbom_components (sbom_id, position, name, version, purl, licence) values ");
        Map<String, Object> params = new HashMap<>();
        params.put("sbom", sbomId);
        for (int i = from; i < to; i++) {
          SbomComponent c = components.get(i);
          sql.append(i == from ? "" : ", ").append("(:sbom, :p").append(i).append(", :n").append(i).append(", :v")
              .append(i).append(", :u").append(i).append(", :l").append(i).append(")");
          params.put("p" + i, i);
          params.put("n" + i, c.name());
          params.put("v" + i, c.version());
          params.put("u" + i, c.purl());
          params.put("l" + i, c.licence());
        }
        var statement = jdbc.sql(sql.toString());
        for (var e : params.entrySet()) {
          statement = statement.param(e.getKey(), e.getValue(), e.getValue() == null ? java.sql.Types.VARCHAR
              : e.getValue() instanceof Integer ? java.sql.Types.INTEGER : e.getValue() instanceof Long
              ? java.sql.Types.BIGINT : java.sql.Types.VARCHAR);
        }
        statement.update();
      }
    }
  }

  /** The SBOMs recorded for a version when it was pushed, by path, each with its components in order. */
  public List<Sbom> sboms(long versionId) {
    record Row(long id, String path, String format, String spec) {}
    List<Row> rows = jdbc.sql("select id, path, format, spec_version from sboms where component_version_id = :v"
        + " order by path").param("v", versionId)
        .query((rs, n) -> new Row(rs.getLong("id"), rs.getString("path"), rs.getString("format"),
            rs.getString("spec_version"))).list();
    if (rows.isEmpty()) {
      return List.of();
    }
    Map<Long, List<SbomComponent>> components = new HashMap<>();
    jdbc.sql("select * from sbom_components where sbom_id in (:ids) order by sbom_id, position")
        .param("ids", rows.stream().map(Row::id).toList())
        .query((rs, n) -> components.computeIfAbsent(rs.getLong("sbom_id"), k -> new java.util.ArrayList<>())
            .add(new SbomComponent(rs.getString("name"), rs.getString("version"), rs.getString("purl"),
                rs.getString("licence")))).list();
    return rows.stream().map(r -> new Sbom(r.path(), SbomFormat.valueOf(r.format()), r.spec(),
        components.getOrDefault(r.id(), List.of()))).toList();
  }

  static ComponentVersion map(ResultSet rs, int row) throws SQLException {
    Timestamp changed = rs.getTimestamp("status_changed_at");
    return new ComponentVersion(rs.getLong("id"),
        new ComponentRef(rs.getString("service_name"), rs.getString("component_name")),
        new Version(rs.getString("version")), VersionStatus.valueOf(rs.getString("status")),
        new Digest(rs.getString("content_digest")), Json.readStringMap(rs.getString("attributes")), List.of(),
        rs.getString("created_by"), rs.getTimestamp("created_at").toInstant(), rs.getString("status_changed_by"),
        changed == null ? null : changed.toInstant(), rs.getString("status_reason"), rs.getLong("row_version"));
  }
}
