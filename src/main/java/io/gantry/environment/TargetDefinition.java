package io.gantry.environment;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A target as configuration declares it: {@code path} is the folder for local targets and, on the
 * remote host, for SSH targets; {@code location} is where a site is; {@code ssh} says how to reach an
 * SSH target; {@code kubernetes} says which namespace of which cluster a kubernetes target is, and with
 * which credentials.
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
    Ssh ssh,
    Kubernetes kubernetes) {

  public TargetDefinition {
    facts = facts == null ? Map.of() : new TreeMap<>(facts);
    tags = tags == null ? List.of() : List.copyOf(tags);
    labels = labels == null ? Map.of() : new TreeMap<>(labels);
  }

  /** A target that is not a namespace of a Kubernetes cluster. */
  public TargetDefinition(String name, String description, String environment, TargetKind kind, String path,
      String location, Map<String, String> facts, List<String> tags, Map<String, String> labels, Ssh ssh) {
    this(name, description, environment, kind, path, location, facts, tags, labels, ssh, null);
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

  /**
   * Where a kubernetes target is (experimental): one namespace of one cluster, reached with a bearer token.
   * Nothing else configures the client: no kubeconfig file, environment variable or service account of
   * the Gantry host is read.
   *
   * @param cluster the API server's URL: {@code https://...}, or {@code http://} on a loopback address only
   *     (a token sent in clear text over a network is a token given away)
   * @param namespace the namespace everything is applied in; a manifest naming another one is refused
   * @param credentials the bearer token kept as a secret, as a reference {@code ${secret:NAME}}; a kubeconfig
   *     is refused
   */
  public record Kubernetes(String cluster, String namespace, String credentials) {

    private static final java.util.regex.Pattern NAMESPACE =
        java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /**
     * What is wrong with the cluster's URL and the namespace, by field ({@code cluster}, {@code namespace});
     * empty when nothing is. The credentials' form is checked with the other secret references.
     */
    public Map<String, String> problems() {
      Map<String, String> problems = new TreeMap<>();
      String url = clusterProblem(cluster);
      if (url != null) {
        problems.put("cluster", url);
      }
      if (namespace != null && !NAMESPACE.matcher(namespace).matches()) {
        problems.put("namespace", "\"" + namespace + "\" is not a namespace's name (1 to 63 lower-case letters, "
            + "digits and '-', starting and ending with a letter or digit)");
      }
      return problems;
    }

    private static String clusterProblem(String cluster) {
      if (cluster == null) {
        return null;
      }
      java.net.URI uri;
      try {
        uri = new java.net.URI(cluster);
      } catch (java.net.URISyntaxException e) {
        return "\"" + cluster + "\" is not a URL: " + e.getReason();
      }
      if (uri.getHost() == null || uri.getScheme() == null) {
        return "give the API server's URL as https://HOST[:PORT], not \"" + cluster + "\"";
      }
      if (uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null) {
        return "the API server's URL takes no user, query or fragment: the token is given by credentials";
      }
      String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
      if (scheme.equals("http") && !loopback(uri.getHost())) {
        return "http:// is accepted only on a loopback address: the bearer token would cross the network in clear "
            + "text; use https://";
      }
      if (!scheme.equals("http") && !scheme.equals("https")) {
        return "the API server's URL must start with https://, not " + uri.getScheme() + "://";
      }
      return null;
    }

    private static boolean loopback(String host) {
      String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
      return h.equals("localhost") || h.equals("::1") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }
  }
}
