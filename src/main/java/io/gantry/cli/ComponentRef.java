package io.gantry.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code SERVICE/COMPONENT} or {@code SERVICE/COMPONENT@VERSION}, as typed on the command line. */
record ComponentRef(String service, String component, String version) {

  private static final String NAME = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
  private static final Pattern REF = Pattern.compile("(" + NAME + ")/(" + NAME + ")(?:@(.*))?");
  private static final Pattern VERSION =
      Pattern.compile("\\d+(\\.\\d+){0,3}(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?");

  static ComponentRef parse(String text, boolean versionRequired) {
    String expected = versionRequired ? "SERVICE/COMPONENT@VERSION (e.g. shop/web@1.4.0)"
        : "SERVICE/COMPONENT (e.g. shop/web)";
    Matcher m = REF.matcher(text);
    if (!m.matches()) {
      throw new CliException(ExitCode.USAGE, "\"" + text + "\" is not " + expected
          + "; names are 1-63 lower-case letters, digits and '-'");
    }
    String version = m.group(3);
    if (versionRequired && version == null) {
      throw new CliException(ExitCode.USAGE, "\"" + text + "\" has no version: expected " + expected);
    }
    if (!versionRequired && version != null) {
      throw new CliException(ExitCode.USAGE, "\"" + text + "\" names a version: expected " + expected);
    }
    if (version != null && !VERSION.matcher(version).matches()) {
      throw new CliException(ExitCode.USAGE, "\"" + version + "\" is not a version: use MAJOR[.MINOR[.PATCH[.BUILD]]] "
          + "with an optional -prerelease and +build (e.g. 1.4.0, 2.0.0-rc.1+b45)");
    }
    return new ComponentRef(m.group(1), m.group(2), version);
  }

  String componentPath() {
    return "/services/" + ApiClient.segment(service) + "/components/" + ApiClient.segment(component);
  }

  String versionPath() {
    return componentPath() + "/versions/" + ApiClient.segment(version);
  }

  @Override
  public String toString() {
    return service + "/" + component + (version == null ? "" : "@" + version);
  }
}
