package io.gantry.observability;

import io.gantry.deployment.Deployment;
import io.gantry.deployment.DeploymentGate;
import io.gantry.deployment.DeploymentState;
import io.gantry.deployment.EngineObserver;
import io.gantry.model.Stage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.MDC;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Traces of deployments: one trace per deployment, whose root span ({@code deployment}) runs from its
 * request to its end, with a span for each pass of an activity ({@code planning}, {@code execution}...),
 * under it a span for the steps of each phase on each target, and under that a span for each attempt
 * of a step.
 *
 * <p>A deployment can be carried on by another server, or by this one after a restart, so no span
 * lives across processes: the trace id and the root's span id are derived from the deployment (its id
 * and request time), each process starts and ends spans around the work it does, as children of that
 * root, and the root itself is sent by the process in which the deployment ends, with the recorded
 * request and end times. While engine work runs, the logs' MDC carries {@code trace_id} and
 * {@code span_id}.
 */
public final class DeploymentTraces implements EngineObserver, DeploymentGate, AutoCloseable {

  static final String SCOPE = "io.gantry.engine";
  static final String TRACE_ID = "trace_id";
  static final String SPAN_ID = "span_id";

  static final AttributeKey<String> ENVIRONMENT = AttributeKey.stringKey("deployment.environment.name");
  static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");
  static final AttributeKey<String> VERSION = AttributeKey.stringKey("service.version");
  static final AttributeKey<Long> DEPLOYMENT = AttributeKey.longKey("gantry.deployment.id");
  static final AttributeKey<String> COMPONENT = AttributeKey.stringKey("gantry.component");
  static final AttributeKey<String> KIND = AttributeKey.stringKey("gantry.deployment.kind");
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("gantry.model");
  static final AttributeKey<String> STAGE = AttributeKey.stringKey("gantry.stage");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("gantry.deployment.outcome");
  static final AttributeKey<String> STATE = AttributeKey.stringKey("gantry.deployment.state");
  static final AttributeKey<String> ACTIVITY = AttributeKey.stringKey("gantry.activity");
  static final AttributeKey<String> TARGET = AttributeKey.stringKey("gantry.target");
  static final AttributeKey<String> PHASE = AttributeKey.stringKey("gantry.phase");
  static final AttributeKey<String> STEP = AttributeKey.stringKey("gantry.step");
  static final AttributeKey<String> STEP_TYPE = AttributeKey.stringKey("gantry.step.type");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("gantry.step.attempt");
  static final AttributeKey<String> WAITING = AttributeKey.stringKey("gantry.waiting.for");

  private final FixedIds ids = new FixedIds();
  private final SdkTracerProvider provider;
  private final Tracer tracer;

  /** Spans go to {@code processor}; the resource names Gantry ({@code service.name} gantry) as their source. */
  public DeploymentTraces(SpanProcessor processor) {
    String version = DeploymentTraces.class.getPackage().getImplementationVersion();
    Resource gantry = Resource.getDefault().merge(Resource.create(version == null
        ? Attributes.of(SERVICE, "gantry") : Attributes.of(SERVICE, "gantry", VERSION, version)));
    this.provider = SdkTracerProvider.builder().setResource(gantry).setIdGenerator(ids)
        .addSpanProcessor(processor).build();
    this.tracer = provider.get(SCOPE);
  }

  /** The activity of the value stream map that a deployment in this state is in; see docs/metrics.md. */
  static String activity(DeploymentState state) {
    return switch (state) {
      case REQUESTED -> "planning";
      case PLANNED -> "component-verification";
      case COMPONENTS_VERIFIED -> "environment-verification";
      case ENVIRONMENT_VERIFIED -> "execution-start";
      case EXECUTING -> "execution";
      case VERIFYING -> "deployment-verification";
      case ROLLING_BACK -> "rollback";
      case SUCCEEDED, FAILED, ROLLED_BACK, CANCELLED -> state.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** The 32 hex digits of the deployment's trace id, the same in every process that works on it. */
  static String traceId(Deployment d) {
    return digest(d).substring(0, 32);
  }

  /** The 16 hex digits of the span id of the deployment's root span. */
  static String rootSpanId(Deployment d) {
    return digest(d).substring(32, 48);
  }

  // a deployment's number alone repeats across databases; with its request time it names one deployment
  private static String digest(Deployment d) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(("gantry deployment " + d.id() + " requested "
          + d.requestedAt().toEpochMilli()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Attributes of(Deployment d) {
    return Attributes.builder().put(DEPLOYMENT, d.id()).put(SERVICE, d.component().service())
        .put(VERSION, d.version()).put(ENVIRONMENT, d.environment()).put(COMPONENT, d.component().component())
        .put(KIND, d.kind().id()).put(MODEL, d.model()).put(STAGE, d.stage()).build();
  }

  /** The deployment's root span as a remote parent: it is sent by the process in which the deployment ends. */
  private static Context root(Deployment d) {
    return Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(traceId(d), rootSpanId(d),
        TraceFlags.getSampled(), TraceState.getDefault())));
  }

  /** The span open on this thread when it belongs to the deployment's trace, else the deployment's root. */
  private static Context parent(Deployment d) {
    Context current = Context.current();
    return Span.fromContext(current).getSpanContext().getTraceId().equals(traceId(d)) ? current : root(d);
  }

  @Override
  public Work activity(Deployment d) {
    String activity = activity(d.state());
    return open(tracer.spanBuilder(activity).setParent(root(d)).setAllAttributes(of(d))
        .setAttribute(ACTIVITY, activity).setAttribute(STATE, d.state().name()));
  }

  @Override
  public Work target(Deployment d, String target, String phase) {
    return open(tracer.spanBuilder("target " + target).setParent(parent(d)).setAllAttributes(of(d))
        .setAttribute(TARGET, target).setAttribute(PHASE, phase));
  }

  @Override
  public Work step(Deployment d, String target, String phase, String step, String type, int attempt) {
    return open(tracer.spanBuilder("step " + step).setParent(parent(d)).setAllAttributes(of(d))
        .setAttribute(TARGET, target).setAttribute(PHASE, phase).setAttribute(STEP, step)
        .setAttribute(STEP_TYPE, type).setAttribute(ATTEMPT, (long) attempt));
  }

  private Work open(SpanBuilder builder) {
    Span span = builder.startSpan();
    Scope scope = span.makeCurrent();
    Logs logs = Logs.of(span.getSpanContext());
    return new Work() {
      @Override
      public void failed(String reason) {
        span.setStatus(StatusCode.ERROR, brief(reason));
      }

      @Override
      public void waiting(String what) {
        span.setAttribute(WAITING, what);
      }

      @Override
      public void close() {
        span.end();
        scope.close();
        logs.close();
      }
    };
  }

  /** The trace and span ids in the logs' MDC, until closed: then those before are back. */
  private record Logs(String traceBefore, String spanBefore) implements AutoCloseable {
    static Logs of(SpanContext span) {
      Logs before = new Logs(MDC.get(TRACE_ID), MDC.get(SPAN_ID));
      if (span.isValid()) {
        MDC.put(TRACE_ID, span.getTraceId());
        MDC.put(SPAN_ID, span.getSpanId());
      }
      return before;
    }

    @Override
    public void close() {
      put(TRACE_ID, traceBefore);
      put(SPAN_ID, spanBefore);
    }

    private static void put(String key, String value) {
      if (value == null) {
        MDC.remove(key);
      } else {
        MDC.put(key, value);
      }
    }
  }

  /**
   * A reason as a span tells it: its first line, at most {@link #BRIEF} characters. The lines a failed
   * command printed stay in Gantry's record (they can hold what a step should not have echoed); a
   * tracing service may be read by more people than the deployment is.
   */
  static String brief(String reason) {
    if (reason == null) {
      return null;
    }
    int end = reason.indexOf('\n');
    String first = end < 0 ? reason : reason.substring(0, end);
    int output = first.indexOf("; its last lines were:");
    first = output < 0 ? first : first.substring(0, output);
    return first.length() <= BRIEF ? first : first.substring(0, BRIEF - 3) + "...";
  }

  static final int BRIEF = 300;

  @Override
  public ExecutorService carrying(ExecutorService executor) {
    return new Carrying(executor);
  }

  /** Runs each task within the context (and so the logs' ids) of the thread that submitted it. */
  private static final class Carrying extends AbstractExecutorService {
    private final ExecutorService delegate;

    Carrying(ExecutorService delegate) {
      this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
      Context context = Context.current();
      delegate.execute(() -> {
        try (Scope scope = context.makeCurrent(); Logs logs = Logs.of(Span.fromContext(context).getSpanContext())) {
          task.run();
        }
      });
    }

    @Override
    public void shutdown() {
      delegate.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
      return delegate.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }
  }

  @Override
  public Verdict check(Deployment deployment, Stage stage, Instant now) {
    return Verdict.PASS;
  }

  /** Sends the deployment's root span, once its end is committed when this is called inside that transaction. */
  @Override
  public void finished(Deployment d, Instant now) {
    Runnable send = () -> sendRoot(d, now);
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
        @Override
        public void afterCommit() {
          send.run();
        }
      });
    } else {
      send.run();
    }
  }

  private void sendRoot(Deployment d, Instant now) {
    Span root = ids.with(traceId(d), rootSpanId(d), () -> tracer.spanBuilder("deployment").setNoParent()
        .setStartTimestamp(d.requestedAt()).setAllAttributes(of(d))
        .setAttribute(OUTCOME, d.state().name().toLowerCase(java.util.Locale.ROOT)).startSpan());
    if (d.state() == DeploymentState.FAILED || d.state() == DeploymentState.ROLLED_BACK) {
      root.setStatus(StatusCode.ERROR, d.outcome() == null ? d.state().name() : brief(d.outcome()));
    }
    root.end(d.finishedAt() == null ? now : d.finishedAt());
  }

  /** Sends what is still buffered and stops. */
  @Override
  public void close() {
    provider.close();
  }

  /**
   * Random ids, except for the span started inside {@link #with}: the root span of a deployment, whose
   * ids are derived from the deployment so that spans sent by other processes can name it as parent.
   */
  private static final class FixedIds implements IdGenerator {
    private final IdGenerator random = IdGenerator.random();
    private final ThreadLocal<String[]> next = new ThreadLocal<>();

    <T> T with(String traceId, String spanId, Supplier<T> start) {
      next.set(new String[] {traceId, spanId});
      try {
        return start.get();
      } finally {
        next.remove();
      }
    }

    @Override
    public String generateSpanId() {
      String[] fixed = next.get();
      return fixed == null ? random.generateSpanId() : fixed[1];
    }

    @Override
    public String generateTraceId() {
      String[] fixed = next.get();
      return fixed == null ? random.generateTraceId() : fixed[0];
    }
  }
}
