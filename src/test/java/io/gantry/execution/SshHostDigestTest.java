package io.gantry.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The host's hashing of an installed file, by the host's own tools, as an SSH install runs it. */
class SshHostDigestTest {

  // SHA-256 of "gantry\n"
  private static final String EXPECTED = "81fde2561ba93999448e2c27574714a31339dc8d3bdb1ed8ba8f13a7d7c82146";
  // SHA-256 of nothing
  private static final String EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "sha256sum"})
  void the_host_hashes_with_openssl_where_it_has_it_and_with_coreutils_where_it_does_not(String tool,
      @TempDir Path bin) throws Exception {
    // a PATH that holds the shell's tools and only one of the two hashers
    for (String name : List.of(tool)) {
      Files.createSymbolicLink(bin.resolve(name), Path.of("/usr/bin", name));
    }
    Path files = Files.createDirectories(bin.resolve("files"));
    Files.writeString(files.resolve("a.txt"), "gantry\n");
    Files.writeString(files.resolve("-b.txt"), "");
    var builder = new ProcessBuilder("/bin/sh", "-c", SshStepRunner.DIGEST
        + "command -v openssl >/dev/null 2>&1 && echo with openssl >&2\n"
        + "digest ./a.txt ./-b.txt").directory(files.toFile());
    builder.environment().put("PATH", bin.toString());
    Process p = builder.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(p.waitFor()).isZero();
    // one line per file, in the order given, the digest first
    assertThat(out.lines().map(l -> l.substring(0, 65))).containsExactly(EXPECTED + " ", EMPTY + " ");
    assertThat(err).isEqualTo(tool.equals("openssl") ? "with openssl" : "");
  }
}
