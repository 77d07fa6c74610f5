package io.gantry.events;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.ShutdownSignalException;
import io.gantry.secret.Secrets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Publishes events to a RabbitMQ exchange (AMQP 0-9-1) as CloudEvents in structured mode: the body is the CloudEvent
 * as JSON, content type {@code application/cloudevents+json; charset=utf-8}, routing key the event type, message id
 * the event id, persistent. Every publish is mandatory and waits for the broker's confirm: a delivery is delivered
 * only once the broker acked it; a nack, a returned (unroutable) message, a timeout or a lost connection is a failure
 * tried again later. The exchange is looked up passively and, when missing, declared as a durable topic exchange.
 *
 * <p>One connection per address and credentials, kept open and shared by the senders (each takes a channel of its
 * own), opened again when the broker went away, closed after {@link #IDLE} unused and when the server stops.
 */
@Component
class AmqpSink implements Sink {

  private static final Logger log = LoggerFactory.getLogger(AmqpSink.class);

  static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";
  /** A connection no send used for this long is closed (it is opened again when needed). */
  static final Duration IDLE = Duration.ofMinutes(10);

  private final Secrets secrets;
  private final Duration timeout;
  private final Map<String, Broker> brokers = new ConcurrentHashMap<>();
  private volatile boolean stopped;

  AmqpSink(Secrets secrets, @Value("${gantry.events.amqp.timeout:10s}") Duration timeout) {
    this.secrets = secrets;
    this.timeout = timeout;
  }

  @Override
  public String channel() {
    return "amqp";
  }

  @Override
  public String send(StoredEvent event, Destination destination) throws DeliveryFailure {
    if (stopped) {
      throw new DeliveryFailure("the server is stopping", true);
    }
    Address address = Address.parse(destination.address());
    String exchange = destination.settings().getOrDefault("exchange", Subscriptions.DEFAULT_EXCHANGE);
    String secretName = destination.settings().get("secret");
    String[] credentials = credentials(secretName);
    String where = address.text() + " exchange " + exchange;
    String key = destination.address() + "\n" + secretName;
    String fingerprint = fingerprint(credentials);
    Broker broker = brokers.compute(key, (k, known) -> {
      if (known != null && known.fingerprint.equals(fingerprint)) {
        known.lastUsed = System.nanoTime();
        return known;
      }
      if (known != null) {
        known.close();
      }
      return new Broker(factory(address, credentials), fingerprint);
    });
    closeIdle();
    Lane lane = null;
    try {
      lane = broker.lane();
      broker.ensureExchange(exchange);
      AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder().contentType(CONTENT_TYPE)
          .messageId(event.eventId()).type(event.type()).appId("gantry").deliveryMode(2)
          .timestamp(java.util.Date.from(event.time())).build();
      lane.returned.clear();
      lane.channel.basicPublish(exchange, event.type(), true, properties,
          event.structured().getBytes(StandardCharsets.UTF_8));
      lane.channel.waitForConfirmsOrDie(timeout.toMillis());
      String returned = lane.returned.remove(event.eventId());
      if (returned != null) {
        throw new DeliveryFailure(where + ": the broker routed the event to no queue (" + returned + "): bind a "
            + "queue to the exchange with a key matching " + event.type(), true);
      }
      return "confirmed by " + address.text() + " (exchange " + exchange + ")";
    } catch (TimeoutException e) {
      throw new DeliveryFailure(where + ": the broker did not confirm the event within " + timeout.toMillis()
          + "ms", true);
    } catch (IOException | ShutdownSignalException e) {
      if ("nacks received".equals(e.getMessage())) {
        throw new DeliveryFailure(where + ": the broker refused the event (nack)", true);
      }
      if (isChannelError(e, 404)) {
        broker.forgetExchange(exchange);
      }
      throw new DeliveryFailure(where + ": " + describe(e), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DeliveryFailure(where + ": interrupted while waiting for the broker's confirm", true);
    } finally {
      if (lane != null) {
        broker.giveBack(lane);
      }
    }
  }

  /** Closes the connections no send used for {@link #IDLE} (e.g. of a removed subscription). */
  private void closeIdle() {
    long now = System.nanoTime();
    brokers.entrySet().removeIf(e -> {
      boolean idle = now - e.getValue().lastUsed > IDLE.toNanos();
      if (idle) {
        e.getValue().close();
      }
      return idle;
    });
  }

  /** Closes every connection (the server stops). */
  @jakarta.annotation.PreDestroy
  void stop() {
    stopped = true;
    brokers.values().forEach(Broker::close);
    brokers.clear();
  }

  /** How many connections are open now (for tests). */
  int openConnections() {
    return (int) brokers.values().stream().filter(Broker::isOpen).count();
  }

  private String[] credentials(String secretName) throws DeliveryFailure {
    if (secretName == null) {
      return null;
    }
    String value;
    try {
      value = secrets.value(secretName);
    } catch (RuntimeException e) {
      throw new DeliveryFailure("the secret " + secretName + " cannot be read: " + e.getMessage(), true);
    }
    int colon = value.indexOf(':');
    if (colon < 1) {
      throw new DeliveryFailure("the secret " + secretName + " does not hold user:password", true);
    }
    return new String[] {value.substring(0, colon), value.substring(colon + 1)};
  }

  private static String fingerprint(String[] credentials) {
    if (credentials == null) {
      return "-";
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest((credentials[0] + "\n" + credentials[1]).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private ConnectionFactory factory(Address address, String[] credentials) {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(address.host());
    factory.setPort(address.port());
    factory.setVirtualHost(address.vhost());
    if (credentials != null) {
      factory.setUsername(credentials[0]);
      factory.setPassword(credentials[1]);
    }
    if (address.tls()) {
      try {
        // the JVM's trust store, and the broker's name checked against its certificate
        factory.useSslProtocol(SSLContext.getDefault());
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("TLS is not available", e);
      }
      factory.enableHostnameVerification();
    }
    // a lost connection is opened again by the next send, which then sees the error itself
    factory.setAutomaticRecoveryEnabled(false);
    factory.setTopologyRecoveryEnabled(false);
    factory.setConnectionTimeout(5_000);
    factory.setHandshakeTimeout(10_000);
    factory.setChannelRpcTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    factory.setRequestedHeartbeat(30);
    return factory;
  }

  /** A channel in confirm mode, used by one send at a time, with the ids of the messages the broker returned. */
  private static final class Lane {
    final Channel channel;
    final Map<String, String> returned = new ConcurrentHashMap<>();

    Lane(Channel channel) throws IOException {
      this.channel = channel;
      channel.confirmSelect();
      // the broker returns an unroutable mandatory message before it confirms it
      channel.addReturnListener(r -> returned.put(String.valueOf(r.getProperties().getMessageId()),
          r.getReplyCode() + " " + r.getReplyText()));
    }
  }

  /** One broker address with one set of credentials: its connection, idle channels and the exchanges seen. */
  private static final class Broker {
    final ConnectionFactory factory;
    final String fingerprint;
    volatile long lastUsed = System.nanoTime();
    private Connection connection;
    private final BlockingQueue<Lane> idle = new LinkedBlockingQueue<>();
    private final Set<String> exchanges = ConcurrentHashMap.newKeySet();

    Broker(ConnectionFactory factory, String fingerprint) {
      this.factory = factory;
      this.fingerprint = fingerprint;
    }

    synchronized Connection connection() throws IOException, TimeoutException {
      if (connection == null || !connection.isOpen()) {
        idle.clear();
        exchanges.clear();
        connection = factory.newConnection("gantry events");
      }
      return connection;
    }

    synchronized boolean isOpen() {
      return connection != null && connection.isOpen();
    }

    Lane lane() throws IOException, TimeoutException {
      Connection current = connection();
      for (Lane lane; (lane = idle.poll()) != null; ) {
        if (lane.channel.isOpen() && lane.channel.getConnection() == current) {
          return lane;
        }
      }
      return new Lane(current.createChannel());
    }

    void giveBack(Lane lane) {
      if (lane.channel.isOpen()) {
        idle.offer(lane);
      }
    }

    void ensureExchange(String exchange) throws IOException, TimeoutException {
      if (exchanges.contains(exchange)) {
        return;
      }
      Connection current = connection();
      // a failed passive declaration closes its channel: it gets one of its own
      try (Channel probe = current.createChannel()) {
        probe.exchangeDeclarePassive(exchange);
      } catch (IOException e) {
        if (!isChannelError(e, 404)) {
          throw e;
        }
        try (Channel declare = current.createChannel()) {
          declare.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
        }
      }
      exchanges.add(exchange);
    }

    void forgetExchange(String exchange) {
      exchanges.remove(exchange);
    }

    synchronized void close() {
      idle.clear();
      if (connection != null && connection.isOpen()) {
        try {
          connection.close(2_000);
        } catch (IOException | RuntimeException e) {
          log.debug("closing the connection to {} failed", factory.getHost(), e);
        }
      }
      connection = null;
    }
  }

  /** Whether the failure is the broker closing a channel with this reply code (404: no such exchange). */
  static boolean isChannelError(Throwable e, int code) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ShutdownSignalException s && s.getReason() instanceof AMQP.Channel.Close close) {
        return close.getReplyCode() == code;
      }
    }
    return false;
  }

  /** What went wrong, in the broker's words where it said something. */
  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AuthenticationFailureException) {
        return "the broker refused the user and password (" + t.getMessage() + ")";
      }
      if (t instanceof ShutdownSignalException s) {
        if (s.getReason() instanceof AMQP.Connection.Close close) {
          return "the broker closed the connection: " + close.getReplyCode() + " " + close.getReplyText();
        }
        if (s.getReason() instanceof AMQP.Channel.Close close) {
          return "the broker closed the channel: " + close.getReplyCode() + " " + close.getReplyText();
        }
        return "the connection was lost" + (s.getCause() != null ? ": " + s.getCause().getMessage() : "");
      }
      if (t instanceof ConnectException || t instanceof UnknownHostException
          || t instanceof java.net.SocketTimeoutException) {
        return "cannot connect: " + t.getMessage();
      }
    }
    String message = e.getMessage();
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /**
   * An amqp subscription's address: {@code amqp://host[:port][/vhost]} ({@code amqps://} over TLS), the vhost
   * percent-decoded; none, or an empty one, is RabbitMQ's default vhost {@code /}.
   */
  record Address(boolean tls, String host, int port, String vhost) {

    static Address parse(String address) throws DeliveryFailure {
      URI uri;
      try {
        uri = new URI(address);
      } catch (java.net.URISyntaxException e) {
        throw new DeliveryFailure("\"" + address + "\" is not an amqp address: " + e.getReason(), false);
      }
      boolean tls = "amqps".equals(uri.getScheme());
      if (!tls && !"amqp".equals(uri.getScheme()) || uri.getHost() == null) {
        throw new DeliveryFailure("\"" + address + "\" is not an amqp:// or amqps:// address", false);
      }
      String path = uri.getRawPath() == null ? "" : uri.getRawPath();
      String vhost = path.length() <= 1 ? "/" : URLDecoder.decode(path.substring(1).replace("+", "%2B"),
          StandardCharsets.UTF_8);
      return new Address(tls, uri.getHost(), uri.getPort() > 0 ? uri.getPort() : tls ? 5671 : 5672, vhost);
    }

    String text() {
      return (tls ? "amqps://" : "amqp://") + host + ":" + port + "/" + java.net.URLEncoder.encode(vhost,
          StandardCharsets.UTF_8);
    }
  }
}
