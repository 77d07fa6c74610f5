package io.gantry.model;

import io.gantry.shared.NotFoundException;
import io.gantry.shared.Page;
import io.gantry.shared.PageRequest;
import io.gantry.shared.StaleUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Deployment models and their versions. A model is never rewritten: each change adds a version with
 * author, reason, time and diff, and moves the model's current version forward.
 */
@Repository
public class Models {

  private static final String SELECT = """
      select m.*, v.spec from deployment_models m
        join model_versions v on v.model_id = m.id and v.number = m.current_version
      """;

  private final JdbcClient jdbc;
  private final Clock clock;

  public Models(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  public List<DeploymentModel> all() {
    return jdbc.sql(SELECT + " order by m.name").query(Models::map).list();
  }

  public Page<DeploymentModel> page(PageRequest request) {
    long total = jdbc.sql("select count(*) from deployment_models").query(Long.class).single();
    return new Page<>(jdbc.sql(SELECT + " order by m.name limit :limit offset :offset")
        .param("limit", request.size()).param("offset", request.offset()).query(Models::map).list(),
        request.page(), request.size(), total);
  }

  public Optional<DeploymentModel> find(String name) {
    return jdbc.sql(SELECT + " where m.name = :name").param("name", name).query(Models::map).optional();
  }

  public DeploymentModel get(String name) {
    return find(name).orElseThrow(() -> new NotFoundException("model", name));
  }

  /** Creates a model at version 1. */
  public DeploymentModel create(ModelDefinition definition, String author, String reason) {
    Instant now = clock.instant();
    jdbc.sql("""
        insert into deployment_models (name, current_version, retired, created_at, updated_at, row_version)
        values (:name, 1, false, :now, :now, 0)
        """).param("name", definition.name()).param("now", Timestamp.from(now)).update();
    addVersion(definition.name(), 1, null, ModelDocuments.render(definition), author, reason, now);
    return get(definition.name());
  }

  /** Records a new version of an existing (possibly retired) model; it is active again afterwards. */
  public DeploymentModel update(ModelDefinition definition, long expectedRowVersion, String author, String reason) {
    DeploymentModel current = get(definition.name());
    Instant now = clock.instant();
    int next = advance(current, expectedRowVersion, false, now);
    addVersion(current.name(), next, text(current), ModelDocuments.render(definition), author, reason, now);
    return get(definition.name());
  }

  /** Retires a model: a last version with no text; its history stays. */
  public void retire(String name, long expectedRowVersion, String author, String reason) {
    DeploymentModel current = get(name);
    Instant now = clock.instant();
    int next = advance(current, expectedRowVersion, true, now);
    addVersion(name, next, text(current), null, author, reason, now);
  }

  public List<ModelVersion> versions(String name) {
    get(name);
    return jdbc.sql("""
        select v.*, m.name as model_name from model_versions v join deployment_models m on m.id = v.model_id
         where m.name = :name order by v.number desc
        """).param("name", name).query(Models::mapVersion).list();
  }

  public ModelVersion version(String name, int number) {
    return jdbc.sql("""
        select v.*, m.name as model_name from model_versions v join deployment_models m on m.id = v.model_id
         where m.name = :name and v.number = :number
        """).param("name", name).param("number", number).query(Models::mapVersion).optional()
        .orElseThrow(() -> new NotFoundException("model version", name + " v" + number));
  }

  /** The unified diff between two versions of a model. */
  public String diff(String name, int from, int to) {
    ModelVersion a = version(name, from);
    ModelVersion b = version(name, to);
    return ModelDocuments.diff(name, "v" + from, a.text(), "v" + to, b.text());
  }

  private String text(DeploymentModel current) {
    return version(current.name(), current.currentVersion()).text();
  }

  private int advance(DeploymentModel current, long expectedRowVersion, boolean retired, Instant now) {
    int next = current.currentVersion() + 1;
    int rows = jdbc.sql("""
        update deployment_models set current_version = :next, retired = :retired, updated_at = :now,
               row_version = row_version + 1
         where id = :id and row_version = :expected
        """).param("next", next).param("retired", retired).param("now", Timestamp.from(now))
        .param("id", current.id()).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("model", current.name(), expectedRowVersion);
    }
    return next;
  }

  private void addVersion(String name, int number, String previous, String text, String author, String reason,
      Instant now) {
    jdbc.sql("""
        insert into model_versions (model_id, number, spec, spec_digest, author, reason, created_at, diff)
        values ((select id from deployment_models where name = :name), :number, :spec, :digest, :author, :reason,
                :now, :diff)
        """)
        .param("name", name).param("number", number).param("spec", text)
        .param("digest", text == null ? null : ModelDocuments.digest(text)).param("author", author)
        .param("reason", reason).param("now", Timestamp.from(now))
        .param("diff", ModelDocuments.diff(name, "v" + (number - 1), previous, "v" + number, text)).update();
  }

  static DeploymentModel map(ResultSet rs, int row) throws SQLException {
    String name = rs.getString("name");
    String text = rs.getString("spec");
    return new DeploymentModel(rs.getLong("id"), name, rs.getInt("current_version"), rs.getBoolean("retired"),
        text == null ? null : ModelDocuments.parse(name, text), rs.getLong("row_version"),
        rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
  }

  static ModelVersion mapVersion(ResultSet rs, int row) throws SQLException {
    return new ModelVersion(rs.getString("model_name"), rs.getInt("number"), rs.getString("spec"),
        rs.getString("spec_digest"), rs.getString("author"), rs.getString("reason"),
        rs.getTimestamp("created_at").toInstant(), rs.getString("diff"));
  }
}
