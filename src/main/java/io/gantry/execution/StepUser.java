package io.gantry.execution;

import io.gantry.shared.StartupProblem;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The OS user commands on local targets run as: the server's own (the default), or the unprivileged user
 * {@code gantry.targets.run-as} names. With one named, each command is started through
 * {@code setpriv --reuid --regid --init-groups}, so it has that user's uid, gid and groups and nothing of
 * root's, in the same clean environment as otherwise (with {@code HOME}, {@code USER}, {@code LOGNAME} and
 * {@code SHELL} the user's); the component's folder on the target is given to that user, and the data
 * directory is kept from it (mode 700, checked by trying to enter it as that user).
 */
@Component
public final class StepUser {

  private static final Logger log = LoggerFactory.getLogger(StepUser.class);

  static final String SETTING = "gantry.targets.run-as";

  /** Commands run as the server's own user, as they always did. */
  public static final StepUser SERVER = new StepUser();

  private final String name;
  private final int uid;
  private final int gid;
  private final String home;
  private final String shell;
  private final String setpriv;

  private StepUser() {
    this.name = null;
    this.uid = -1;
    this.gid = -1;
    this.home = null;
    this.shell = null;
    this.setpriv = null;
  }

  /**
   * The user {@code name} names, or the server's own when it is null or blank.
   *
   * @param dataDir the data directory, which the user must not be able to enter: made (mode 700) when it is
   *     not there, and its group's and others' permissions taken away when it has any
   * @throws StartupProblem when the user does not exist or is root, when {@code setpriv} is not found, when the
   *     server is not running as root (it could not switch users), or when the user can still enter the data
   *     directory
   */
  @Autowired
  public StepUser(@Value("${gantry.targets.run-as:}") String name, @Value("${gantry.data-dir:./data}") Path dataDir) {
    if (name == null || name.isBlank()) {
      this.name = null;
      this.uid = -1;
      this.gid = -1;
      this.home = null;
      this.shell = null;
      this.setpriv = null;
      return;
    }
    String wanted = name.strip();
    if (!wanted.matches("[A-Za-z0-9_][A-Za-z0-9_.-]*\\$?")) {
      throw new StartupProblem(SETTING + " \"" + name + "\" is not an OS user name");
    }
    String[] entry = passwd(wanted);
    if (entry == null) {
      throw new StartupProblem(SETTING + " names the OS user \"" + wanted + "\", which does not exist on this host: "
          + "create it (e.g. useradd --system --no-create-home " + wanted + ") or unset " + SETTING);
    }
    int userId = Integer.parseInt(entry[2]);
    if (userId == 0) {
      throw new StartupProblem(SETTING + " names \"" + wanted + "\", which is root (uid 0): name an unprivileged user, "
          + "or unset " + SETTING + " to run local steps as the server's own user");
    }
    String tool = setprivPath();
    if (tool == null) {
      throw new StartupProblem(SETTING + " is set, but setpriv (util-linux) is not found in /usr/bin, /bin, "
          + "/usr/sbin or /sbin: install util-linux, or unset " + SETTING);
    }
    if (serverUid() != 0) {
      throw new StartupProblem(SETTING + " is set, but the server is not running as root, so it cannot start steps "
          + "as \"" + wanted + "\": start the server as root, or unset " + SETTING
          + " (steps then run as the server's user)");
    }
    this.name = entry[0];
    this.uid = userId;
    this.gid = Integer.parseInt(entry[3]);
    this.home = entry[5];
    this.shell = entry[6].isEmpty() ? "/bin/sh" : entry[6];
    this.setpriv = tool;
    keepOut(dataDir.toAbsolutePath().normalize());
  }

  /** Whether commands run as the server's own user. */
  public boolean isServer() {
    return name == null;
  }

  /** The user's name; null for the server's own. */
  public String name() {
    return name;
  }

  /** The user's uid; -1 for the server's own. */
  public int uid() {
    return uid;
  }

  /** {@code command} as this user starts it. */
  List<String> command(List<String> command) {
    if (isServer()) {
      return command;
    }
    List<String> out = new ArrayList<>(List.of(setpriv, "--reuid=" + uid, "--regid=" + gid, "--init-groups", "--"));
    out.addAll(command);
    return out;
  }

  /** Puts the user's own {@code HOME}, {@code USER}, {@code LOGNAME} and {@code SHELL} in a command's environment. */
  void environment(Map<String, String> environment) {
    if (isServer()) {
      return;
    }
    environment.put("HOME", home);
    environment.put("USER", name);
    environment.put("LOGNAME", name);
    environment.put("SHELL", shell);
  }

  /**
   * Makes {@code path} (a file, folder or link, never followed) this user's, so its commands may change it;
   * nothing for the server's own user.
   */
  void own(Path path) throws IOException {
    if (isServer()) {
      return;
    }
    Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
  }

  /** {@link Files#createDirectories}, giving this user each folder it makes. */
  void createDirectories(Path folder) throws IOException {
    Path absolute = folder.toAbsolutePath().normalize();
    List<Path> missing = new ArrayList<>();
    for (Path p = absolute; !isServer() && p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
        p = p.getParent()) {
      missing.add(p);
    }
    Files.createDirectories(absolute);
    for (Path made : missing.reversed()) {
      own(made);
    }
  }

  /**
   * Makes {@code folder} and what is in it this user's, going down only into folders the user does not own
   * yet: those the user owns, the user could have changed (a folder swapped for a link while it is walked
   * would lead the walk elsewhere), and what is in them is the user's already or was put there by Gantry,
   * which gives the user what it puts there. Links are given, never followed.
   */
  void ownAll(Path folder) throws IOException {
    if (isServer() || owns(folder)) {
      return;
    }
    own(folder);
    if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        ownAll(entry);
      }
    }
  }

  private boolean owns(Path path) throws IOException {
    return ((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)) == uid;
  }

  /**
   * Null when this user may enter and write in {@code folder} (as its commands will), else why not; tried
   * by running {@code test} as the user, so every folder above, ACLs and groups count.
   */
  String cannotWork(Path folder) {
    if (isServer()) {
      return null;
    }
    if (runs("test -d \"$1\" && test -x \"$1\" && test -w \"$1\"", folder)) {
      return null;
    }
    return "the OS user " + name + " (" + SETTING + ") cannot enter or write in " + folder + ": every folder above "
        + "it must be searchable by that user (e.g. chmod o+x), and the folder the user's";
  }

  /** Whether {@code script} (with the path as {@code $1}) exits 0 when run as this user. */
  private boolean runs(String script, Path path) {
    try {
      ProcessBuilder builder = new ProcessBuilder(command(List.of("/bin/sh", "-c", script, "sh", path.toString())))
          .directory(Path.of("/").toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      StepEnvironment.reset(builder.environment());
      environment(builder.environment());
      Process p = builder.start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Keeps the user out of the data directory (the database file on H2, the secrets key, the first
   * administrator's token, step output): made with mode 700 when it is not there yet, else its group's and
   * others' permissions taken away; then entering it as the user must fail.
   */
  private void keepOut(Path dataDir) {
    try {
      if (!Files.exists(dataDir)) {
        Files.createDirectories(dataDir.getParent());
        Files.createDirectory(dataDir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(dataDir);
        Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
        now.stream().filter(p -> p.name().startsWith("OWNER_")).forEach(owner::add);
        if (!owner.equals(now)) {
          Files.setPosixFilePermissions(dataDir, owner);
          log.warn("{} is set: the data directory {} was {}, so {} could have read it; it is {} now", SETTING, dataDir,
              PosixFilePermissions.toString(now), name, PosixFilePermissions.toString(owner));
        }
      }
    } catch (IOException | UnsupportedOperationException e) {
      throw new StartupProblem(SETTING + " is set, but the data directory " + dataDir + " could not be kept from "
          + name + ": " + e.getMessage());
    }
    if (runs("cd \"$1\"", dataDir) || runs("ls \"$1\"", dataDir)) {
      throw new StartupProblem(SETTING + " is set, but the OS user " + name + " can enter the data directory " + dataDir
          + " (through its group or an ACL): make it readable by the server's user only (chmod 700, no ACL)");
    }
  }

  /** The fields of the user's passwd entry ({@code getent passwd}, so users from LDAP count), or null. */
  private static String[] passwd(String name) {
    for (String getent : List.of("/usr/bin/getent", "/bin/getent")) {
      if (Files.isExecutable(Path.of(getent))) {
        try {
          Process p = new ProcessBuilder(getent, "passwd", name).redirectErrorStream(true).start();
          String out;
          try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
          }
          if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return null;
          }
          return entry(out.lines().findFirst().orElse(""));
        } catch (IOException e) {
          break;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StartupProblem("interrupted while looking up " + SETTING + " " + name);
        }
      }
    }
    try {
      return Files.readAllLines(Path.of("/etc/passwd")).stream().map(StepUser::entry)
          .filter(e -> e != null && e[0].equals(name)).findFirst().orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  private static String[] entry(String line) {
    String[] fields = line.split(":", -1);
    if (fields.length < 7 || !fields[2].matches("\\d+") || !fields[3].matches("\\d+")) {
      return null;
    }
    return fields;
  }

  private static String setprivPath() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path candidate = Path.of(dir, "setpriv");
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  /** The server's effective uid: the owner of {@code /proc/self}, or -1 when it cannot be told. */
  private static int serverUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name")) ? 0 : -1;
    }
  }

  @Override
  public String toString() {
    return isServer() ? "the server's user" : name + " (uid " + uid + ")";
  }
}
