package io.gantry.events;

import io.gantry.catalog.ComponentVersions;
import io.gantry.change.DeploymentChanges;
import io.gantry.deployment.AwaitedActions;
import io.gantry.deployment.Deployments;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The outbox and the CDEvents listener over a test database, for fixtures that wire the engine by hand: handed to
 * the repositories as their publisher, it calls the listener's {@code @EventListener} method for an event's type on
 * the publishing thread, in its transaction, as Spring does.
 */
public final class EventsForTests implements ApplicationEventPublisher {

  private final JdbcClient jdbc;
  private final Outbox outbox;
  private volatile CdEvents listener;
  private final List<Method> methods = new ArrayList<>();

  private EventsForTests(JdbcClient jdbc) {
    this.jdbc = jdbc;
    this.outbox = new Outbox(jdbc, "/gantry");
    for (Method m : CdEvents.class.getDeclaredMethods()) {
      if (m.isAnnotationPresent(EventListener.class)) {
        m.setAccessible(true);
        methods.add(m);
      }
    }
  }

  /** A publisher whose events reach no listener until {@link #connect} is called. */
  public static EventsForTests over(JdbcClient jdbc) {
    return new EventsForTests(jdbc);
  }

  /** From now on, events are written to the outbox as the server writes them. */
  public EventsForTests connect(Deployments deployments, ComponentVersions versions, AwaitedActions awaited,
      DeploymentChanges changes, String publicUrl) {
    listener = new CdEvents(outbox, deployments, changes, versions, awaited, publicUrl);
    return this;
  }

  @Override
  public void publishEvent(Object event) {
    CdEvents to = listener;
    if (to == null) {
      return;
    }
    for (Method m : methods) {
      if (m.getParameterTypes()[0].isInstance(event)) {
        try {
          m.invoke(to, event);
        } catch (InvocationTargetException e) {
          if (e.getCause() instanceof RuntimeException r) {
            throw r;
          }
          throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
  }

  /** Every event written to the outbox (and committed), oldest first. */
  public List<StoredEvent> written() {
    return outbox.since(0, 100_000);
  }

  /** The outbox's count of events, read straight from its table. */
  public long count() {
    return jdbc.sql("select count(*) from outbox_events").query(Long.class).single();
  }
}
