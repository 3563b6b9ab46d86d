package dev.duplex.internal.transport;

import dev.duplex.ClientOptions;
import dev.duplex.Handshake;
import dev.duplex.HandshakeFailedException;
import dev.duplex.Message;
import dev.duplex.ReconnectPolicy;
import dev.duplex.SendOption;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.random.RandomGenerator;

/**
 * A client connection that comes back after it drops, as its {@link ReconnectPolicy} says. The
 * application sees one {@link WebSocket} per underlying connection, a thin wrapper that notes
 * whether the application itself closed it: such a close, and the server's codes that say not
 * to retry, end the cycle. Attempts run through {@link ClientConnector} like any connect, so
 * the connecting gate (row B7) keeps them one at a time per host.
 */
final class Reconnector {
    private static final System.Logger LOG = System.getLogger("dev.duplex");

    private final URI uri;
    private final ClientOptions options;
    private final ReconnectPolicy policy;
    private final WebSocketHandler handler;
    private final SecureRandom random;
    private final MetricsRecorder metrics;
    private final RandomGenerator jitter;
    private final Timers timers = Timers.shared();

    private Reconnector(URI uri, ClientOptions options, WebSocketHandler handler, SecureRandom random,
                        MetricsRecorder metrics) {
        this.metrics = metrics;
        this.uri = uri;
        this.options = options;
        this.policy = options.reconnect();
        this.handler = handler;
        this.random = random;
        this.jitter = policy.random() != null ? policy.random() : new SplittableRandom(random.nextLong());
    }

    /** The first connection, as a plain connect gives it; reconnection starts once it is open. */
    static CompletableFuture<WebSocket> connect(URI uri, ClientOptions options, WebSocketHandler handler,
                                                SecureRandom random, MetricsRecorder metrics) {
        Reconnector reconnector = new Reconnector(uri, options, handler, random, metrics);
        Session first = reconnector.new Session();
        CompletableFuture<WebSocket> connecting = ClientConnector.connectOnce(uri, options, first, random, metrics);
        CompletableFuture<WebSocket> wrapped = connecting.thenApply(first::wrap);
        wrapped.whenComplete((socket, error) -> {
            if (wrapped.isCancelled()) {
                connecting.cancel(true); // abandons the attempt and closes its socket
            }
        });
        return wrapped;
    }

    /** Schedules attempt {@code attempt}, {@code cause} being why the last connection or attempt ended. */
    private void schedule(int attempt, Duration minimum, String cause) {
        if (attempt > policy.maxAttempts()) {
            policy.listener().gaveUp("no connection after " + policy.maxAttempts() + " attempts; last: " + cause);
            return;
        }
        Duration delay = policy.delay(attempt, jitterSource());
        if (minimum != null && minimum.compareTo(delay) > 0) {
            delay = minimum; // RFC 9110 10.2.3: the server said when to come back
        }
        LOG.log(System.Logger.Level.DEBUG, "reconnect attempt {0} in {1} ms: {2}", attempt, delay.toMillis(), cause);
        policy.listener().attemptScheduled(attempt, delay, cause);
        timers.schedule(() -> attempt(attempt), delay);
    }

    /** A policy's own random source may be shared by many connections: it is used under its lock. */
    private RandomGenerator jitterSource() {
        return policy.random() == null ? jitter : new LockedRandom(policy.random());
    }

    private void attempt(int attempt) {
        policy.listener().attemptStarting(attempt);
        Session session = new Session();
        CompletableFuture<WebSocket> connecting;
        try {
            connecting = ClientConnector.connectOnce(uri, options, session, random, metrics);
        } catch (RuntimeException e) {
            policy.listener().gaveUp("cannot connect: " + e.getMessage());
            return;
        }
        connecting.whenComplete((socket, error) -> {
            if (error == null) {
                policy.listener().reconnected(session.wrap(socket), attempt);
                return;
            }
            Throwable cause = error instanceof CompletionException || error instanceof ExecutionException
                    ? error.getCause() : error;
            schedule(attempt + 1, retryAfter(cause), String.valueOf(cause));
        });
    }

    /** The wait a 429 or 503 refusal asked for with {@code Retry-After}, or null. */
    static Duration retryAfter(Throwable failure) {
        if (!(failure instanceof HandshakeFailedException refused)
                || (refused.status() != 429 && refused.status() != 503)) {
            return null;
        }
        String value = refused.headers().first("Retry-After").map(String::trim).orElse(null);
        return value == null ? null : parseRetryAfter(value, Instant.now());
    }

    /** RFC 9110 10.2.3: delay-seconds or an HTTP-date; null when it is neither. */
    static Duration parseRetryAfter(String value, Instant now) {
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return value.length() > 9 ? Duration.ofSeconds(999_999_999L) : Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration left = Duration.between(now, at);
            return left.isNegative() ? Duration.ZERO : left;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** One connection's handler: passes everything on, then decides whether to come back. */
    private final class Session implements WebSocketHandler {
        private final AtomicReference<ClientSocket> wrapper = new AtomicReference<>();

        /** The one wrapper of this session's connection, made at its first callback or at open. */
        WebSocket wrap(WebSocket connection) {
            wrapper.compareAndSet(null, new ClientSocket(connection));
            return wrapper.get();
        }

        @Override
        public void onOpen(WebSocket socket) {
            handler.onOpen(wrap(socket));
        }

        @Override
        public void onMessage(WebSocket socket, Message message) {
            handler.onMessage(wrap(socket), message);
        }

        @Override
        public void onPing(WebSocket socket, byte[] payload) {
            handler.onPing(wrap(socket), payload);
        }

        @Override
        public void onPong(WebSocket socket, byte[] payload) {
            handler.onPong(wrap(socket), payload);
        }

        @Override
        public void onError(WebSocket socket, Throwable error) {
            handler.onError(wrap(socket), error);
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason) {
            ClientSocket closed = (ClientSocket) wrap(socket);
            try {
                handler.onClose(closed, code, reason);
            } finally {
                if (closed.closedByApplication) {
                    policy.listener().gaveUp("closed by the application");
                } else if (!ReconnectPolicy.isRetryable(code)) {
                    policy.listener().gaveUp("the server closed with " + code + ", which is not retried");
                } else {
                    schedule(1, null, "closed with " + code + (reason.isEmpty() ? "" : " " + reason));
                }
            }
        }
    }

    /** The application's view of one connection: the connection itself, noting a close it asks for. */
    private static final class ClientSocket implements WebSocket {
        private final WebSocket connection;
        private volatile boolean closedByApplication;

        ClientSocket(WebSocket connection) {
            this.connection = connection;
        }

        @Override
        public CompletableFuture<Void> sendText(String text, SendOption... sendOptions) {
            return connection.sendText(text, sendOptions);
        }

        @Override
        public CompletableFuture<Void> sendBinary(ByteBuffer data, SendOption... sendOptions) {
            return connection.sendBinary(data, sendOptions);
        }

        @Override
        public CompletableFuture<Void> ping(ByteBuffer payload) {
            return connection.ping(payload);
        }

        @Override
        public CompletableFuture<Void> close(int code, String reason) {
            closedByApplication = true;
            return connection.close(code, reason);
        }

        @Override
        public void abort() {
            closedByApplication = true;
            connection.abort();
        }

        @Override
        public long bufferedAmount() {
            return connection.bufferedAmount();
        }

        @Override
        public boolean isWritable() {
            return connection.isWritable();
        }

        @Override
        public boolean isOpen() {
            return connection.isOpen();
        }

        @Override
        public Handshake handshake() {
            return connection.handshake();
        }

        @Override
        public String toString() {
            return connection.toString();
        }
    }

    /** A shared {@link RandomGenerator} used by one thread at a time. */
    private record LockedRandom(RandomGenerator shared) implements RandomGenerator {
        private static final ReentrantLock LOCK = new ReentrantLock();

        @Override
        public long nextLong() {
            LOCK.lock();
            try {
                return shared.nextLong();
            } finally {
                LOCK.unlock();
            }
        }
    }
}
