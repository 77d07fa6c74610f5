package io.gantry.environment;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A target as configuration declares it: {@code path} is the folder for local targets and, on the
 * remote host, for SSH targets; {@code location} is where a site is; {@code ssh} says how to reach an
 * SSH target.
 */
public record TargetDefinition(
    String name,
    String description,
    String environment,
    TargetKind kind,
    String path,
    String location,
    Map<String, String> facts,
    List<String> tags,
    Map<String, String> labels,
    Ssh ssh) {

  public TargetDefinition {
    facts = facts == null ? Map.of() : new TreeMap<>(facts);
    tags = tags == null ? List.of() : List.copyOf(tags);
    labels = labels == null ? Map.of() : new TreeMap<>(labels);
  }

  /** A target that is not reached over SSH. */
  public TargetDefinition(String name, String description, String environment, TargetKind kind, String path,
      String location, Map<String, String> facts, List<String> tags, Map<String, String> labels) {
    this(name, description, environment, kind, path, location, facts, tags, labels, null);
  }

  /**
   * How to reach an SSH target: agentless, key authentication, the host's key checked.
   *
   * @param host name or address of the host
   * @param port its SSH port; null means 22
   * @param user the account steps run as
   * @param identityFile the private key on the Gantry host (absolute, or relative to the data folder);
   *     null when {@code identity} gives it
   * @param identity the private key kept as a secret, as a reference {@code ${secret:NAME}}; null when
   *     {@code identityFile} gives it
   * @param passphrase the passphrase of the private key kept as a secret, as a reference
   *     {@code ${secret:NAME}}; null for a key without one
   * @param hostKey the host key's SHA-256 fingerprint as {@code ssh-keygen -lf} prints it
   *     ({@code SHA256:...}); null means the host must be in Gantry's known_hosts file
   */
  public record Ssh(String host, Integer port, String user, String identityFile, String identity, String passphrase,
      String hostKey) {

    /** A key file without a passphrase. */
    public Ssh(String host, Integer port, String user, String identityFile, String hostKey) {
      this(host, port, user, identityFile, null, null, hostKey);
    }

    public int portOrDefault() {
      return port == null ? 22 : port;
    }
  }
}
