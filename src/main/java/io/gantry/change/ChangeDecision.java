package io.gantry.change;

import java.time.Instant;
import java.util.List;

/** An approval or a rejection of a change, with the roles the approver held when deciding. */
public record ChangeDecision(long id, long change, String approver, List<String> roles, Verdict verdict, String reason,
    Instant at) {

  public enum Verdict { APPROVE, REJECT }
}
