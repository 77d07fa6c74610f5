package io.gantry.deployment;

import io.gantry.catalog.ComponentRef;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The record of blue-green deployments: the slot each target of a deployment went to, with the slot
 * (and version) that was live before, and the slot that serves now on each target. A target's live
 * slot is written in the commit that records its switch, under the target's lock.
 */
final class BlueGreenRecords {

  /** The slot a deployment took on a target; {@code previousSlot} is null on a target's first one. */
  record SlotRun(long deployment, String target, String slot, String previousSlot, String previousVersion,
      Instant chosenAt, Instant switchedAt, Instant switchedBackAt) {}

  /** The slot that serves a component on a target now, and the version in it. */
  record Live(String target, ComponentRef component, String slot, String version, long deployment,
      Instant switchedAt) {}

  private final JdbcClient jdbc;

  BlueGreenRecords(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  Optional<SlotRun> slotRun(long deployment, String target) {
    return jdbc.sql("select * from slot_runs where deployment_id = :d and target = :t").param("d", deployment)
        .param("t", target).query(BlueGreenRecords::slotRun).optional();
  }

  List<SlotRun> slotRuns(long deployment) {
    return jdbc.sql("select * from slot_runs where deployment_id = :d order by target").param("d", deployment)
        .query(BlueGreenRecords::slotRun).list();
  }

  /** Records the slot the deployment takes on the target; a second engine's second choice is refused by the key. */
  void choose(long deployment, String target, String slot, Live before, Instant now) {
    Deployments.fence(jdbc, deployment);
    jdbc.sql("""
        insert into slot_runs (deployment_id, target, slot, previous_slot, previous_version, chosen_at)
        values (:d, :t, :slot, :prev, :prevVersion, :now)
        """).param("d", deployment).param("t", target).param("slot", slot)
        .param("prev", before == null ? null : before.slot())
        .param("prevVersion", before == null ? null : before.version()).param("now", Timestamp.from(now)).update();
  }

  Optional<Live> live(String target, ComponentRef component) {
    return jdbc.sql("select * from live_slots where target = :t and service = :s and component = :c")
        .param("t", target).param("s", component.service()).param("c", component.component())
        .query(BlueGreenRecords::live).optional();
  }

  /** Every target's live slot of the component, by target. */
  List<Live> live(ComponentRef component) {
    return jdbc.sql("select * from live_slots where service = :s and component = :c order by target")
        .param("s", component.service()).param("c", component.component()).query(BlueGreenRecords::live).list();
  }

  /** Writes the slot that serves now, with the deployment's switch (or switch back) time. */
  void switched(long deployment, String target, ComponentRef component, String slot, String version, boolean back,
      Instant now) {
    Deployments.fence(jdbc, deployment);
    jdbc.sql("update slot_runs set " + (back ? "switched_back_at" : "switched_at")
        + " = :now where deployment_id = :d and target = :t").param("now", Timestamp.from(now))
        .param("d", deployment).param("t", target).update();
    int updated = jdbc.sql("""
        update live_slots set slot = :slot, version = :v, deployment_id = :d, switched_at = :now
         where target = :t and service = :s and component = :c
        """).param("slot", slot).param("v", version).param("d", deployment).param("now", Timestamp.from(now))
        .param("t", target).param("s", component.service()).param("c", component.component()).update();
    if (updated == 0) {
      jdbc.sql("""
          insert into live_slots (target, service, component, slot, version, deployment_id, switched_at)
          values (:t, :s, :c, :slot, :v, :d, :now)
          """).param("t", target).param("s", component.service()).param("c", component.component())
          .param("slot", slot).param("v", version).param("d", deployment).param("now", Timestamp.from(now)).update();
    }
  }

  private static SlotRun slotRun(ResultSet rs, int n) throws SQLException {
    return new SlotRun(rs.getLong("deployment_id"), rs.getString("target"), rs.getString("slot"),
        rs.getString("previous_slot"), rs.getString("previous_version"), instant(rs, "chosen_at"),
        instant(rs, "switched_at"), instant(rs, "switched_back_at"));
  }

  private static Live live(ResultSet rs, int n) throws SQLException {
    return new Live(rs.getString("target"), new ComponentRef(rs.getString("service"), rs.getString("component")),
        rs.getString("slot"), rs.getString("version"), rs.getLong("deployment_id"), instant(rs, "switched_at"));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant().truncatedTo(ChronoUnit.MICROS);
  }
}
