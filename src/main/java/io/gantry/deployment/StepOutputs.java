package io.gantry.deployment;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import io.gantry.shared.Masking;
import java.util.function.Consumer;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * Where steps' output goes: all of it, as it is printed, to {@code <data>/output/<deployment>/<step-run>.log},
 * and its last {@code gantry.engine.output-tail} bytes to the step run's record. Neither holds more than the tail
 * in memory, however much a step prints. While a step runs on this server, its tail so far can be read
 * ({@link #runningTail}), for pages that follow a deployment live.
 */
@Component
class StepOutputs {

  static final int DEFAULT_TAIL = 64 * 1024;

  private final Path dataDir;
  private final int tail;
  /** The captures of the step runs running on this server now, by step run id; a capture leaves at its finish. */
  private final Map<Long, Capture> running = new ConcurrentHashMap<>();

  @org.springframework.beans.factory.annotation.Autowired
  StepOutputs(@Value("${gantry.data-dir:./data}") Path dataDir,
      @Value("${gantry.engine.output-tail:64KB}") DataSize tail) {
    this(dataDir, tail.toBytes());
  }

  StepOutputs(Path dataDir, long tailBytes) {
    if (tailBytes < 1 || tailBytes > 16 * 1024 * 1024) {
      throw new IllegalArgumentException("gantry.engine.output-tail must be between 1B and 16MB, not " + tailBytes
          + " bytes");
    }
    this.dataDir = dataDir.toAbsolutePath().normalize();
    this.tail = (int) tailBytes;
  }

  /**
   * Starts capturing the output of a step run; lines given to the capture go to its file (buffered) and to its
   * tail at once. The caller finishes it, whatever happens to the step.
   */
  Capture capture(long deployment, long stepRun) {
    Capture capture = new Capture(stepRun, "output/" + deployment + "/" + stepRun + ".log");
    running.put(stepRun, capture);
    return capture;
  }

  /**
   * The last {@code maxBytes} (at most) of what a step run running on this server has printed so far, masked as
   * its record will be; empty when it is not running here (finished, not started, or on another server).
   */
  Optional<String> runningTail(long stepRun, int maxBytes) {
    Capture capture = running.get(stepRun);
    return capture == null ? Optional.empty() : Optional.ofNullable(capture.tailSoFar(maxBytes));
  }

  /** The full output of a step run, as written; throws {@link NoSuchFileException} if it is gone. */
  InputStream open(StepRun run) throws IOException {
    if (run.outputFile() == null) {
      throw new NoSuchFileException("step run " + run.id() + " kept no output file");
    }
    Path file = dataDir.resolve(run.outputFile()).normalize();
    if (!file.startsWith(dataDir.resolve("output"))) {
      throw new IllegalStateException("step run " + run.id() + " names an output file outside the data folder: "
          + run.outputFile());
    }
    return Files.newInputStream(file);
  }

  /**
   * One step run's output being captured: each line (with a newline) is written to the file and into a
   * ring buffer of the tail's size. If the file cannot be written, the tail is still kept and says so.
   */
  final class Capture implements Consumer<String> {
    private final long stepRun;
    private final String relative;
    private final byte[] ring = new byte[tail];
    private final MessageDigest sha256;
    private OutputStream out;
    private String writeFailure;
    private long size;
    private StepOutput finished;

    private Capture(long stepRun, String relative) {
      this.stepRun = stepRun;
      this.relative = relative;
      try {
        sha256 = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      Path file = dataDir.resolve(relative);
      try {
        Files.createDirectories(file.getParent());
        out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
      } catch (IOException e) {
        writeFailure = "could not create " + file + ": " + e.getMessage();
      }
    }

    @Override
    public synchronized void accept(String line) {
      byte[] bytes = (Masking.mask(line) + "\n").getBytes(StandardCharsets.UTF_8);
      if (out != null) {
        try {
          out.write(bytes);
        } catch (IOException e) {
          writeFailure = "could not write " + dataDir.resolve(relative) + " after " + size + " bytes: "
              + e.getMessage();
          closeQuietly();
        }
      }
      sha256.update(bytes);
      int start = Math.max(0, bytes.length - ring.length);
      for (int i = start; i < bytes.length; i++) {
        ring[(int) ((size + i) % ring.length)] = bytes[i];
      }
      size += bytes.length;
    }

    /** Ends the capture (again, the same answer): the file is complete, and what the record keeps is returned. */
    synchronized StepOutput finish() {
      if (finished != null) {
        return finished;
      }
      running.remove(stepRun, this);
      if (out != null) {
        try {
          out.close();
        } catch (IOException e) {
          writeFailure = "could not write " + dataDir.resolve(relative) + ": " + e.getMessage();
        }
        out = null;
      }
      String kept = tail();
      if (writeFailure != null) {
        finished = new StepOutput(kept + "gantry: the full output was not kept: " + writeFailure + "\n", null,
            size, null);
      } else {
        finished = new StepOutput(kept, relative, size, HexFormat.of().formatHex(sha256.digest()));
      }
      return finished;
    }

    /** The last {@code maxBytes} (at most) printed so far; null once finished (the record holds it then). */
    synchronized String tailSoFar(int maxBytes) {
      return finished != null ? null : tail(maxBytes);
    }

    private String tail() {
      return tail(ring.length);
    }

    private String tail(int maxBytes) {
      int length = (int) Math.min(size, Math.min(ring.length, Math.max(0, maxBytes)));
      byte[] last = new byte[length];
      long first = size - length;
      for (int i = 0; i < length; i++) {
        last[i] = ring[(int) ((first + i) % ring.length)];
      }
      int from = 0;
      // A tail that starts inside a character starts at the next whole one.
      while (first > 0 && from < length && (last[from] & 0xC0) == 0x80) {
        from++;
      }
      return new String(last, from, length - from, StandardCharsets.UTF_8);
    }

    private void closeQuietly() {
      try {
        out.close();
      } catch (IOException ignored) {
        // the failure to write is what is reported
      }
      out = null;
    }
  }
}
