package io.gantry.change;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * The changes that authorize a deployment: the change created for it by an approval stage, and the changes
 * linked to it when it was let through. For those who show a deployment outside this module (the console).
 */
@Service
public class DeploymentChanges {

  private final ChangeRecords records;
  private final JdbcClient jdbc;

  DeploymentChanges(ChangeRecords records, JdbcClient jdbc) {
    this.records = records;
    this.jdbc = jdbc;
  }

  /** Which of {@code ids} are inside a change: one created for them or one that let them through. */
  public Set<Long> covered(Collection<Long> ids) {
    Set<Long> covered = new HashSet<>();
    List<Long> all = List.copyOf(ids);
    for (int i = 0; i < all.size(); i += 500) {
      List<Long> batch = all.subList(i, Math.min(all.size(), i + 500));
      covered.addAll(jdbc.sql("""
          select for_deployment from changes where for_deployment in (:ids)
          union
          select deployment_id from change_deployments where deployment_id in (:ids)
          """).param("ids", batch).query(Long.class).list());
    }
    return covered;
  }

  /** The changes of deployment {@code id}, each once, the one created for it first. */
  public List<Change> of(long id) {
    List<Change> changes = new ArrayList<>();
    records.forDeployment(id).ifPresent(changes::add);
    records.linkedTo(id).stream().filter(c -> changes.stream().noneMatch(x -> x.id() == c.id()))
        .forEach(changes::add);
    return changes;
  }
}
