package io.gantry.execution;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and as whom an SSH target is reached.
 *
 * @param host name or address
 * @param port SSH port
 * @param user the account steps run as
 * @param identityFile the private key on the Gantry host; null when {@code identity} gives it
 * @param identity the private key kept as a secret, as a reference {@code ${secret:NAME}} resolved only
 *     when a connection is made; null when {@code identityFile} gives it
 * @param passphrase the key's passphrase kept as a secret, as a reference {@code ${secret:NAME}}; null
 *     for a key without one
 * @param hostKey the expected SHA-256 fingerprint of the host key ({@code SHA256:...}); null means the
 *     host must be listed in Gantry's known_hosts file
 * @param target the name of the target reached this way, for messages; may be null
 */
public record SshEndpoint(String host, int port, String user, Path identityFile, String identity, String passphrase,
    String hostKey, String target) {

  public SshEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    if ((identityFile == null) == (identity == null)) {
      throw new IllegalArgumentException("give the private key as a file or as a secret, exactly one of them");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, not " + port);
    }
  }

  /** Reached with a key file without a passphrase. */
  public SshEndpoint(String host, int port, String user, Path identityFile, String hostKey) {
    this(host, port, user, identityFile, null, null, hostKey, null);
  }

  /** How the private key is named in messages: its file, or the secret that holds it. */
  String key() {
    return identityFile != null ? identityFile.toString() : "from " + identity;
  }

  @Override
  public String toString() {
    return user + "@" + host + (port == 22 ? "" : ":" + port);
  }
}
