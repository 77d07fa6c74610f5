package io.gantry.change;

import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Service;

/**
 * The changes that authorize a deployment: the change created for it by an approval stage, and the changes
 * linked to it when it was let through. For those who show a deployment outside this module (the console).
 */
@Service
public class DeploymentChanges {

  private final ChangeRecords records;

  DeploymentChanges(ChangeRecords records) {
    this.records = records;
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
