package io.gantry.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The facts an agent reports about its host: {@code os.name}, {@code os.version}, {@code os.arch},
 * {@code host.name}, {@code java.version}, {@code agent.version}, {@code disk.free-mb} (where its work
 * folder is) and {@code tools} (those of {@link #TOOLS} on its PATH, comma-separated).
 */
final class HostFacts {

  /** The tools an agent looks for on its PATH; a model's tool requirement names one of them. */
  static final List<String> TOOLS = List.of("sh", "bash", "tar", "gzip", "unzip", "curl", "wget", "java", "python3",
      "systemctl", "docker", "git", "sudo", "ssh");

  private HostFacts() {}

  static Map<String, String> of(Path workDir, String agentVersion) {
    Map<String, String> facts = new TreeMap<>();
    facts.put("os.name", System.getProperty("os.name"));
    facts.put("os.version", System.getProperty("os.version"));
    facts.put("os.arch", System.getProperty("os.arch"));
    facts.put("java.version", System.getProperty("java.version"));
    facts.put("agent.version", agentVersion);
    try {
      facts.put("host.name", InetAddress.getLocalHost().getHostName());
    } catch (IOException e) {
      facts.put("host.name", "unknown");
    }
    try {
      facts.put("disk.free-mb", String.valueOf(Files.getFileStore(workDir).getUsableSpace() / (1024 * 1024)));
    } catch (IOException e) {
      // left out: a free-disk requirement then fails, saying the agent reported none
    }
    List<String> found = new ArrayList<>();
    String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
    for (String tool : TOOLS) {
      for (String dir : path.split(":")) {
        if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
          found.add(tool);
          break;
        }
      }
    }
    facts.put("tools", String.join(",", found));
    return facts;
  }
}
