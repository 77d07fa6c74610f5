package io.gantry.audit;

import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Seals new history rows every {@code gantry.audit.seal-every}, from start-up on, and writes the head to
 * {@code gantry.audit.head-file} when one is set and the head has moved.
 */
@Component
class SealLoop {

  private static final Logger log = LoggerFactory.getLogger(SealLoop.class);

  private final Sealer sealer;
  private final AuditSettings settings;
  private final Optional<HeadFile> headFile;
  private Sealer.Head exported;
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gantry-audit");
    t.setDaemon(true);
    return t;
  });

  SealLoop(Sealer sealer, AuditSettings settings) {
    this.sealer = sealer;
    this.settings = settings;
    this.headFile = Optional.ofNullable(settings.headFile).map(HeadFile::new);
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    loop.scheduleWithFixedDelay(this::sealOnce, 0, settings.sealEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  void sealOnce() {
    try {
      sealer.sealAll();
      if (headFile.isPresent()) {
        Optional<Sealer.Head> head = sealer.head();
        if (head.isPresent() && !head.get().equals(exported)) {
          export(headFile.get(), head.get());
        }
      }
    } catch (RuntimeException e) {
      log.error("sealing the audit chain failed; it goes on at the next period", e);
    }
  }

  /**
   * Moves the exported head on, unless the chain no longer holds the head exported before (after a
   * restart too): the file then stays as it is, for verifications to report.
   */
  private void export(HeadFile file, Sealer.Head head) {
    Optional<Sealer.Head> before = file.read();
    if (before.isPresent() && !sealer.hashAt(before.get().seq()).equals(Optional.of(before.get().hash()))) {
      log.error("the audit chain no longer holds entry {} as exported to {}: the chain was rewritten; the file is "
          + "left as it is (gantry audit verify names it)", before.get().seq(), file.path());
      return;
    }
    file.write(head);
    exported = head;
  }

  @jakarta.annotation.PreDestroy
  void stop() {
    loop.shutdownNow();
  }
}
