package io.gantry.config;

import java.util.List;

/**
 * What an apply changes (or changed): each change, the counts, and notes on what waits beyond the apply (a model
 * version proposed and awaiting agreement).
 */
public record Plan(List<Change> changes, Summary summary, boolean applied, List<String> notes) {

  public Plan {
    notes = notes == null ? List.of() : List.copyOf(notes);
  }

  /** One object created, updated or deleted, with what differs. */
  public record Change(Action action, String kind, String name, List<String> details) {}

  /** What happens to an object. */
  public enum Action {
    @com.fasterxml.jackson.annotation.JsonProperty("create") CREATE,
    @com.fasterxml.jackson.annotation.JsonProperty("update") UPDATE,
    @com.fasterxml.jackson.annotation.JsonProperty("delete") DELETE
  }

  /** How many objects of each action, and how many stay as they are. */
  public record Summary(int create, int update, int delete, int unchanged) {}

  static Plan of(List<Change> changes, int unchanged, boolean applied, List<String> notes) {
    int create = (int) changes.stream().filter(c -> c.action() == Action.CREATE).count();
    int update = (int) changes.stream().filter(c -> c.action() == Action.UPDATE).count();
    int delete = (int) changes.stream().filter(c -> c.action() == Action.DELETE).count();
    return new Plan(List.copyOf(changes), new Summary(create, update, delete, unchanged), applied, notes);
  }
}
