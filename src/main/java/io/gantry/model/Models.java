package io.gantry.model;

import io.gantry.shared.ConflictException;
import io.gantry.shared.InvalidInputException;
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
 * Deployment models and their versions. A model is never rewritten: each change adds a version with author, reason,
 * time and diff. The model's current version is the version in force, the one deployments follow; a version of a
 * model with an owner is proposed first and comes into force once agreed ({@link ModelAgreements}).
 */
@Repository
public class Models {

  private static final String SELECT = """
      select m.*, v.spec from deployment_models m
        join model_versions v on v.model_id = m.id and v.number = m.current_version
      """;

  private final JdbcClient jdbc;
  private final Clock clock;
  private final ModelNotices notices;

  /** With the notices kept in the same database, told to the users, stakeholders and service owners stored there. */
  public Models(JdbcClient jdbc, Clock clock) {
    this(jdbc, clock, new ModelNotices(jdbc, clock));
  }

  @org.springframework.beans.factory.annotation.Autowired
  public Models(JdbcClient jdbc, Clock clock, ModelNotices notices) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.notices = notices;
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

  /**
   * Creates a model at version 1, in force at once: there is no version in force to keep following, whether the
   * model has an owner or not. Who applied it is recorded, and its stakeholders and service owners are told.
   */
  public DeploymentModel create(ModelDefinition definition, String author, String reason) {
    Instant now = clock.instant();
    jdbc.sql("""
        insert into deployment_models (name, current_version, retired, created_at, updated_at, row_version)
        values (:name, 1, false, :now, :now, 0)
        """).param("name", definition.name()).param("now", Timestamp.from(now)).update();
    addVersion(definition.name(), 1, 0, null, ModelDocuments.render(definition), author, reason, now,
        ModelVersionState.IN_FORCE, "in force on apply: the first version of the model", List.of());
    DeploymentModel created = get(definition.name());
    notices.record(created, version(created.name(), 1), null, now);
    return created;
  }

  /**
   * Records a new version of an existing (possibly retired) model. When the version in force names an owner, the
   * new version is only proposed: the deployments keep following the version in force until the owner and every
   * reviewer (of the version in force and of the proposal) have agreed it ({@link ModelAgreements}); a proposal
   * still waiting is withdrawn, replaced by this one; applying the text of the waiting proposal again changes
   * nothing, and applying the text in force withdraws it. Otherwise (no owner, or a retired model, with no version in force to follow) the version is in force
   * at once. Refused when the author is one of those who must agree: nobody agrees their own proposal, so it could
   * never come into force.
   */
  public DeploymentModel update(ModelDefinition definition, long expectedRowVersion, String author, String reason) {
    DeploymentModel current = get(definition.name());
    Instant now = clock.instant();
    String text = ModelDocuments.render(definition);
    Optional<ModelVersion> waiting = proposal(current.name());
    if (waiting.isPresent() && text.equals(waiting.get().text())) {
      return current;
    }
    if (waiting.isPresent() && !current.retired() && text.equals(text(current))) {
      // the configuration went back to the version in force: the proposal is no longer wanted
      advance(current, expectedRowVersion, current.currentVersion(), false, now);
      end(current, waiting.get().number(), ModelVersionState.WITHDRAWN, now);
      return get(definition.name());
    }
    List<String> signers = signers(current.definition(), definition);
    int next = latest(current) + 1;
    if (signers.isEmpty()) {
      String note = current.retired()
          ? "in force on apply: the model was retired, so there was no version in force to keep following"
          : "in force on apply: the model has no owner";
      advance(current, expectedRowVersion, next, false, now);
      waiting.ifPresent(p -> end(current, p.number(), ModelVersionState.WITHDRAWN, now));
      supersede(current, now);
      addVersion(current.name(), next, current.currentVersion(), text(current), text, author, reason, now,
          ModelVersionState.IN_FORCE, note, List.of());
      DeploymentModel updated = get(definition.name());
      notices.record(updated, version(updated.name(), next), current.retired() ? null : current.currentVersion(),
          now);
      return updated;
    }
    if (signers.contains(author)) {
      throw InvalidInputException.of("DeploymentModel " + current.name(), author + " must agree a new version of "
          + "model " + current.name() + " (as its owner or a reviewer) and may not agree their own proposal, so "
          + "this one could never come into force: have someone else apply it");
    }
    advance(current, expectedRowVersion, current.currentVersion(), false, now);
    waiting.ifPresent(p -> end(current, p.number(), ModelVersionState.WITHDRAWN, now));
    addVersion(current.name(), next, current.currentVersion(), text(current), text, author, reason, now,
        ModelVersionState.PROPOSED, null, signers);
    return get(definition.name());
  }

  /**
   * Retires a model: a last version with no text, in force at once (nothing can be deployed with it any more); a
   * proposal still waiting is withdrawn. Its history stays.
   */
  public void retire(String name, long expectedRowVersion, String author, String reason) {
    DeploymentModel current = get(name);
    Instant now = clock.instant();
    int next = latest(current) + 1;
    advance(current, expectedRowVersion, next, true, now);
    proposal(name).ifPresent(p -> end(current, p.number(), ModelVersionState.WITHDRAWN, now));
    supersede(current, now);
    addVersion(name, next, current.currentVersion(), text(current), null, author, reason, now,
        ModelVersionState.IN_FORCE, "in force on apply: the model is retired", List.of());
  }

  /** The owner and reviewers of the version in force and of the proposed one: none when none is in force or owned. */
  public static List<String> signers(ModelDefinition inForce, ModelDefinition proposed) {
    if (inForce == null || inForce.spec().owner() == null) {
      return List.of();
    }
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    out.add(inForce.spec().owner());
    out.addAll(inForce.spec().reviewers());
    if (proposed.spec().owner() != null) {
      out.add(proposed.spec().owner());
    }
    out.addAll(proposed.spec().reviewers());
    return List.copyOf(out);
  }

  /** The version of {@code name} awaiting agreement, if one is. */
  public Optional<ModelVersion> proposal(String name) {
    return jdbc.sql(VERSIONS + " where m.name = :name and s.state = 'proposed'").param("name", name)
        .query(Models::mapVersion).optional();
  }

  /** The proposals awaiting agreement, of every model, oldest first. */
  public List<ModelVersion> proposals() {
    return jdbc.sql(VERSIONS + " where s.state = 'proposed' order by v.created_at, m.name").query(Models::mapVersion)
        .list();
  }

  /** When version {@code version} of {@code model} came into force: empty while it never did. */
  public Optional<Instant> inForceSince(String model, int version) {
    return jdbc.sql(VERSIONS + " where m.name = :name and v.number = :number").param("name", model)
        .param("number", version).query(Models::mapVersion).optional().map(ModelVersion::inForceAt);
  }

  private static final String VERSIONS = """
      select v.*, m.name as model_name, s.state, s.signers, s.in_force_at, s.in_force_note, s.ended_at
        from model_versions v join deployment_models m on m.id = v.model_id
        join model_version_states s on s.model_id = v.model_id and s.number = v.number
      """;

  public List<ModelVersion> versions(String name) {
    get(name);
    return jdbc.sql(VERSIONS + " where m.name = :name order by v.number desc").param("name", name)
        .query(Models::mapVersion).list();
  }

  public ModelVersion version(String name, int number) {
    return jdbc.sql(VERSIONS + " where m.name = :name and v.number = :number").param("name", name)
        .param("number", number).query(Models::mapVersion).optional()
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

  /** The highest version number of the model, proposals included. */
  int latest(DeploymentModel model) {
    return jdbc.sql("select max(number) from model_versions where model_id = :id").param("id", model.id())
        .query(Integer.class).single();
  }

  /** Moves the model's version in force (or keeps it) under optimistic locking. */
  private void advance(DeploymentModel current, long expectedRowVersion, int inForce, boolean retired,
      Instant now) {
    int rows = jdbc.sql("""
        update deployment_models set current_version = :next, retired = :retired, updated_at = :now,
               row_version = row_version + 1
         where id = :id and row_version = :expected
        """).param("next", inForce).param("retired", retired).param("now", Timestamp.from(now))
        .param("id", current.id()).param("expected", expectedRowVersion).update();
    if (rows == 0) {
      throw new StaleUpdateException("model", current.name(), expectedRowVersion);
    }
  }

  /** The version in force stops being so. */
  private void supersede(DeploymentModel model, Instant now) {
    move(model, model.currentVersion(), ModelVersionState.IN_FORCE, ModelVersionState.SUPERSEDED, now);
  }

  /** A proposal ends without coming into force. */
  void end(DeploymentModel model, int number, ModelVersionState state, Instant now) {
    move(model, number, ModelVersionState.PROPOSED, state, now);
    jdbc.sql("update model_version_states set ended_at = :now where model_id = :id and number = :number")
        .param("now", Timestamp.from(now)).param("id", model.id()).param("number", number).update();
  }

  /**
   * A proposal, agreed by all, comes into force: the version before is superseded, the model follows the new one,
   * and the people it concerns are told.
   */
  void bringIntoForce(DeploymentModel model, int number, String note, Instant now) {
    supersede(model, now);
    move(model, number, ModelVersionState.PROPOSED, ModelVersionState.IN_FORCE, now);
    jdbc.sql("""
        update model_version_states set in_force_at = :now, in_force_note = :note
         where model_id = :id and number = :number
        """).param("now", Timestamp.from(now)).param("note", note).param("id", model.id()).param("number", number)
        .update();
    jdbc.sql("""
        update deployment_models set current_version = :number, updated_at = :now, row_version = row_version + 1
         where id = :id
        """).param("number", number).param("now", Timestamp.from(now)).param("id", model.id()).update();
    notices.record(get(model.name()), version(model.name(), number), model.currentVersion(), now);
  }

  /** The one place a version's state changes, along {@link ModelVersionState}'s table. */
  private void move(DeploymentModel model, int number, ModelVersionState from, ModelVersionState to, Instant now) {
    if (!from.mayBecome(to)) {
      throw new IllegalStateException("a model version does not go from " + from.id() + " to " + to.id());
    }
    int rows = jdbc.sql("""
        update model_version_states set state = :to where model_id = :id and number = :number and state = :from
        """).param("to", to.id()).param("from", from.id()).param("id", model.id()).param("number", number).update();
    if (rows == 0) {
      throw new ConflictException("version " + number + " of model " + model.name() + " is no longer "
          + from.id());
    }
  }

  private void addVersion(String name, int number, int base, String previous, String text, String author,
      String reason, Instant now, ModelVersionState state, String note, List<String> signers) {
    jdbc.sql("""
        insert into model_versions (model_id, number, spec, spec_digest, author, reason, created_at, diff)
        values ((select id from deployment_models where name = :name), :number, :spec, :digest, :author, :reason,
                :now, :diff)
        """)
        .param("name", name).param("number", number).param("spec", text)
        .param("digest", text == null ? null : ModelDocuments.digest(text)).param("author", author)
        .param("reason", reason).param("now", Timestamp.from(now))
        .param("diff", ModelDocuments.diff(name, "v" + base, previous, "v" + number, text)).update();
    jdbc.sql("""
        insert into model_version_states (model_id, number, state, signers, in_force_at, in_force_note)
        values ((select id from deployment_models where name = :name), :number, :state, :signers, :inForceAt, :note)
        """)
        .param("name", name).param("number", number).param("state", state.id())
        .param("signers", signers.isEmpty() ? null : String.join(",", signers))
        .param("inForceAt", state == ModelVersionState.IN_FORCE ? Timestamp.from(now) : null)
        .param("note", note).update();
  }

  static DeploymentModel map(ResultSet rs, int row) throws SQLException {
    String name = rs.getString("name");
    String text = rs.getString("spec");
    return new DeploymentModel(rs.getLong("id"), name, rs.getInt("current_version"), rs.getBoolean("retired"),
        text == null ? null : ModelDocuments.parse(name, text), rs.getLong("row_version"),
        rs.getTimestamp("created_at").toInstant(), rs.getTimestamp("updated_at").toInstant());
  }

  static ModelVersion mapVersion(ResultSet rs, int row) throws SQLException {
    String signers = rs.getString("signers");
    return new ModelVersion(rs.getString("model_name"), rs.getInt("number"), rs.getString("spec"),
        rs.getString("spec_digest"), rs.getString("author"), rs.getString("reason"),
        rs.getTimestamp("created_at").toInstant(), rs.getString("diff"),
        ModelVersionState.fromId(rs.getString("state")), instant(rs, "in_force_at"), rs.getString("in_force_note"),
        signers == null ? List.of() : List.of(signers.split(",")), instant(rs, "ended_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
