package io.gantry.deployment;

import io.gantry.shared.NotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Reading a deployment's record for people who watch it: its step runs without their output (a page of a
 * deployment to a hundred targets must not read every step's output), the output of its latest steps, and
 * the full output of one step run, each in one query.
 */
@Service
public class DeploymentRecords {

  private static final String WITHOUT_OUTPUT = """
      select s.id, s.target_run_id, s.phase, s.step_index, s.step_name, s.step_type, s.idempotent, s.attempt,
             s.state, s.started_at, s.finished_at, cast(null as varchar(1)) as output, s.outcome, s.output_file,
             s.output_size, s.output_sha256
        from step_runs s join target_runs t on t.id = s.target_run_id
       where t.deployment_id = :deployment order by s.id
      """;

  private final JdbcClient jdbc;
  private final StepOutputs outputs;

  public DeploymentRecords(JdbcClient jdbc, StepOutputs outputs) {
    this.jdbc = jdbc;
    this.outputs = outputs;
  }

  /** Every step run of the deployment in the order they started, with {@code output} left null. */
  public List<StepRun> stepRunsWithoutOutput(long deployment) {
    return jdbc.sql(WITHOUT_OUTPUT).param("deployment", deployment).query(Deployments::mapStep).list();
  }

  /** The {@code limit} latest step runs of the deployment that printed something, newest first, with their tails. */
  public List<StepRun> latestOutputs(long deployment, int limit) {
    return jdbc.sql("""
        select s.* from step_runs s join target_runs t on t.id = s.target_run_id
         where t.deployment_id = :deployment and s.output is not null and s.output <> ''
         order by s.id desc limit :limit
        """).param("deployment", deployment).param("limit", limit).query(Deployments::mapStep).list();
  }

  /**
   * What a running step run has printed so far, its last {@code maxBytes} at most, when it runs on this server;
   * empty otherwise (finished: its record holds its output; or run by another server).
   */
  public java.util.Optional<String> outputSoFar(StepRun run, int maxBytes) {
    return run.state() == StepRunState.RUNNING ? outputs.runningTail(run.id(), maxBytes) : java.util.Optional.empty();
  }

  /** The last {@code limit} entries of the deployment's record, in order. */
  public List<DeploymentEvent> latestEvents(long deployment, int limit) {
    List<DeploymentEvent> newestFirst = jdbc.sql("""
        select * from deployment_events where deployment_id = :id order by id desc limit :limit
        """).param("id", deployment).param("limit", limit).query(Deployments::mapEvent).list();
    return newestFirst.reversed();
  }

  /** The entries of the record that tell of conflicts found with other deployments or the schedule. */
  public List<DeploymentEvent> conflicts(long deployment) {
    return jdbc.sql("""
        select * from deployment_events where deployment_id = :id and kind = 'CONFLICT' order by id
        """).param("id", deployment).query(Deployments::mapEvent).list();
  }

  /**
   * Everything one step run printed, as {@code GET /api/v1/deployments/{id}/steps/{run}/output} sends it;
   * not found when the run is not the deployment's or kept no full output.
   */
  public InputStream output(long deployment, long stepRun) throws IOException {
    StepRun run = jdbc.sql("""
        select s.* from step_runs s join target_runs t on t.id = s.target_run_id
         where t.deployment_id = :deployment and s.id = :run
        """).param("deployment", deployment).param("run", stepRun).query(Deployments::mapStep).optional()
        .orElseThrow(() -> new NotFoundException("step run of deployment #" + deployment, String.valueOf(stepRun)));
    if (run.outputFile() == null) {
      throw NotFoundException.because("step run " + stepRun + " of deployment #" + deployment
          + " has no full output file yet: it is still running, or its file could not be written");
    }
    try {
      return outputs.open(run);
    } catch (java.nio.file.NoSuchFileException e) {
      throw NotFoundException.because("the full output of step run " + stepRun + " of deployment #" + deployment
          + " is gone from the data folder");
    }
  }
}
