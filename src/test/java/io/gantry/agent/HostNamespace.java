package io.gantry.agent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of its own for an agent process, as a separate host would be: a veth pair with
 * {@code hostAddress} on this side and {@code agentAddress} inside; nothing else is reachable from inside.
 * Made with {@code ip netns add} (the tests run as root) and removed by {@link #close}.
 */
final class HostNamespace implements AutoCloseable {

  final String name;
  final String hostAddress;
  final String agentAddress;
  private final String hostLink;

  private HostNamespace(String name, String hostLink, String hostAddress, String agentAddress) {
    this.name = name;
    this.hostLink = hostLink;
    this.hostAddress = hostAddress;
    this.agentAddress = agentAddress;
  }

  static HostNamespace create() throws IOException, InterruptedException {
    int n = ThreadLocalRandom.current().nextInt(1, 250);
    String id = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    HostNamespace ns = new HostNamespace("gty-agent-" + id, "gtyh" + id, "10.158." + n + ".1", "10.158." + n + ".2");
    try {
      ip("netns", "add", ns.name);
      ip("link", "add", ns.hostLink, "type", "veth", "peer", "name", "gtya" + id);
      ip("link", "set", "gtya" + id, "netns", ns.name);
      ip("addr", "add", ns.hostAddress + "/30", "dev", ns.hostLink);
      ip("link", "set", ns.hostLink, "up");
      ip("netns", "exec", ns.name, "ip", "addr", "add", ns.agentAddress + "/30", "dev", "gtya" + id);
      ip("netns", "exec", ns.name, "ip", "link", "set", "gtya" + id, "up");
      ip("netns", "exec", ns.name, "ip", "link", "set", "lo", "up");
      return ns;
    } catch (IOException | RuntimeException e) {
      ns.close();
      throw e;
    }
  }

  /** The command run inside the namespace. */
  List<String> inside(List<String> command) {
    List<String> all = new ArrayList<>(List.of("/usr/sbin/ip", "netns", "exec", name));
    all.addAll(command);
    return all;
  }

  /** Takes the host's end of the pair down: the agent is cut off, as by a broken link, and still runs. */
  void cut() throws IOException, InterruptedException {
    ip("link", "set", hostLink, "down");
  }

  /** Brings the host's end of the pair up again. */
  void mend() throws IOException, InterruptedException {
    ip("link", "set", hostLink, "up");
  }

  @Override
  public void close() {
    // the peer goes with its pair; each is removed even when the other is gone already
    quietly("link", "del", hostLink);
    quietly("netns", "del", name);
  }

  private static void quietly(String... args) {
    try {
      ip(args);
    } catch (IOException | InterruptedException | RuntimeException e) {
      // already gone
    }
  }

  private static void ip(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("/usr/sbin/ip"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
  }
}
