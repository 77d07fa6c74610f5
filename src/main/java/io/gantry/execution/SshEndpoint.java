package io.gantry.execution;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where and as whom an SSH target is reached.
 *
 * @param host name or address
 * @param port SSH port
 * @param user the account steps run as
 * @param identityFile the private key on the Gantry host
 * @param hostKey the expected SHA-256 fingerprint of the host key ({@code SHA256:...}); null means the
 *     host must be listed in Gantry's known_hosts file
 */
public record SshEndpoint(String host, int port, String user, Path identityFile, String hostKey) {

  public SshEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(identityFile, "identityFile");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, not " + port);
    }
  }

  @Override
  public String toString() {
    return user + "@" + host + (port == 22 ? "" : ":" + port);
  }
}
