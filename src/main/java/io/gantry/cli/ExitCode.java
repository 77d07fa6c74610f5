package io.gantry.cli;

/** The exit codes of every command, and the HTTP statuses they stand for. */
final class ExitCode {

  static final int OK = 0;
  static final int UNEXPECTED = 1;
  static final int USAGE = 2;
  static final int INVALID_INPUT = 3;
  static final int NOT_FOUND = 4;
  static final int CONFLICT = 5;
  static final int NOT_AUTHORIZED = 6;
  static final int UNREACHABLE = 7;
  static final int DEPLOYMENT_FAILED = 8;
  static final int SERVER_NOT_STARTED = 9;
  static final int AUDIT_FAILED = 10;

  static final String FOOTER = """

      Exit codes:
        0  success
        1  unexpected error
        2  usage error (unknown command or option, bad argument syntax)
        3  invalid input (HTTP 400, 413, 422, or a missing local file)
        4  not found (HTTP 404)
        5  conflict (HTTP 409, e.g. a stale update)
        6  not authenticated or not allowed (HTTP 401, 403)
        7  server unreachable
        8  the deployment followed ended FAILED, ROLLED_BACK or CANCELLED
        9  the server could not start (its port or its database is in use)
        10 the audit chain does not verify: a record was edited, deleted or inserted out of order""";

  private ExitCode() {}

  static int forStatus(int status) {
    return switch (status) {
      case 400, 413, 422 -> INVALID_INPUT;
      case 404 -> NOT_FOUND;
      case 409 -> CONFLICT;
      case 401, 403 -> NOT_AUTHORIZED;
      default -> UNEXPECTED;
    };
  }
}
