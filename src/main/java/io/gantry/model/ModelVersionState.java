package io.gantry.model;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where a model version stands: proposed (awaiting its owner's and reviewers' agreement; the deployments follow the
 * version in force), in force, superseded (a later version came into force), rejected (an owner or reviewer said
 * no), or withdrawn (a later proposal, or the model's retirement, replaced it before it was decided).
 */
public enum ModelVersionState {
  PROPOSED, IN_FORCE, SUPERSEDED, REJECTED, WITHDRAWN;

  private static final Map<ModelVersionState, Set<ModelVersionState>> ALLOWED = Map.of(
      PROPOSED, EnumSet.of(IN_FORCE, REJECTED, WITHDRAWN),
      IN_FORCE, EnumSet.of(SUPERSEDED),
      SUPERSEDED, EnumSet.noneOf(ModelVersionState.class),
      REJECTED, EnumSet.noneOf(ModelVersionState.class),
      WITHDRAWN, EnumSet.noneOf(ModelVersionState.class));

  /** Whether a version in this state may move to {@code next}. */
  public boolean mayBecome(ModelVersionState next) {
    return ALLOWED.get(this).contains(next);
  }

  /** The state's id in the API, CLI and database: {@code in-force}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  static ModelVersionState fromId(String id) {
    return Arrays.stream(values()).filter(s -> s.id().equals(id)).findFirst()
        .orElseThrow(() -> new IllegalStateException("unknown model version state " + id));
  }
}
