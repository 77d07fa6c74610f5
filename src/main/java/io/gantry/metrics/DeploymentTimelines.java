package io.gantry.metrics;

import org.springframework.stereotype.Service;

/**
 * One deployment's value stream as a timeline of its lifecycle activities and waits, for those who read it
 * outside this module (the console): the same cut as {@code GET /api/v1/deployments/{id}/vsm}.
 */
@Service
public class DeploymentTimelines {

  private final ValueStreams valueStreams;

  DeploymentTimelines(ValueStreams valueStreams) {
    this.valueStreams = valueStreams;
  }

  /** The timeline of deployment {@code id}; its visibility is the caller's to check. */
  public ValueStreamMap.Timeline of(long id) {
    return valueStreams.timeline(id);
  }
}
