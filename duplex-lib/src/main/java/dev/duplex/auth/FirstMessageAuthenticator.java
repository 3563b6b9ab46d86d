package dev.duplex.auth;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.protocol.CloseStatus;
import java.security.Principal;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Authentication by the first message instead of at the handshake (row J), for clients that
 * can put a credential neither in a header nor in the URL: the connection opens, and its first
 * message must carry a credential the verifier accepts within the deadline. Until then the
 * application's handler does not exist for that connection and sees nothing; a refused
 * credential, or none by the deadline, closes the connection with 1008 (policy violation).
 * Messages after a refusal are dropped.
 *
 * <p>A wrapper around the application's handlers, so it needs nothing from the transport:
 * <pre>{@code
 * .route("/feed", new FirstMessageAuthenticator(Duration.ofSeconds(5),
 *         message -> tokens.verify(message),          // Optional<Principal>
 *         principal -> new FeedHandler(principal)))   // one handler per connection
 * }</pre>
 *
 * <p>Prefer tickets or bearer tokens where the client allows: they refuse before any WebSocket
 * state exists, while this holds an open connection for up to the deadline.
 */
public final class FirstMessageAuthenticator implements WebSocketHandler {
    public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

    private static final int WAITING = 0;
    private static final int AUTHENTICATED = 1;
    private static final int REFUSED = 2;

    private final Duration deadline;
    private final Function<Message, Optional<Principal>> verifier;
    private final Function<Principal, WebSocketHandler> handlers;
    private final Map<WebSocket, Session> sessions = new ConcurrentHashMap<>();

    private static final class Session {
        final AtomicInteger state = new AtomicInteger(WAITING);
        volatile WebSocketHandler handler;
        volatile ScheduledFuture<?> timer;
    }

    /**
     * @param deadline how long after the connection opens the credential may take
     * @param verifier the principal the first message proves, or empty; runs on the connection's
     *     thread and may block, but the deadline keeps running meanwhile
     * @param handlers makes the handler for an authenticated connection; its {@code onOpen} is
     *     called once the credential is accepted
     */
    public FirstMessageAuthenticator(Duration deadline, Function<Message, Optional<Principal>> verifier,
                                     Function<Principal, WebSocketHandler> handlers) {
        if (deadline == null || deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline must be positive");
        }
        this.deadline = deadline;
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.handlers = Objects.requireNonNull(handlers, "handlers");
    }

    @Override
    public void onOpen(WebSocket socket) {
        Session session = new Session();
        sessions.put(socket, session);
        session.timer = Deadlines.TIMER.schedule(() -> {
            if (session.state.compareAndSet(WAITING, REFUSED)) {
                socket.close(CloseStatus.POLICY_VIOLATION, "authentication timed out");
            }
        }, deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void onMessage(WebSocket socket, Message message) {
        Session session = sessions.get(socket);
        if (session == null) {
            return;
        }
        switch (session.state.get()) {
            case AUTHENTICATED -> session.handler.onMessage(socket, message);
            case WAITING -> authenticate(socket, session, message);
            default -> { } // refused: the close is under way and nobody listens
        }
    }

    private void authenticate(WebSocket socket, Session session, Message message) {
        Optional<Principal> principal = verifier.apply(message);
        if (principal == null || principal.isEmpty()) {
            if (session.state.compareAndSet(WAITING, REFUSED)) {
                session.timer.cancel(false);
                socket.close(CloseStatus.POLICY_VIOLATION, "authentication failed");
            }
            return;
        }
        WebSocketHandler handler = handlers.apply(principal.get());
        session.handler = handler;
        // Set before the state, so that whoever sees AUTHENTICATED sees the handler too.
        if (session.state.compareAndSet(WAITING, AUTHENTICATED)) {
            session.timer.cancel(false);
            handler.onOpen(socket);
        }
    }

    @Override
    public void onPing(WebSocket socket, byte[] payload) {
        WebSocketHandler handler = authenticated(socket);
        if (handler != null) {
            handler.onPing(socket, payload);
        }
    }

    @Override
    public void onPong(WebSocket socket, byte[] payload) {
        WebSocketHandler handler = authenticated(socket);
        if (handler != null) {
            handler.onPong(socket, payload);
        }
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
        Session session = sessions.remove(socket);
        if (session == null) {
            return;
        }
        session.timer.cancel(false);
        if (session.state.get() == AUTHENTICATED) {
            session.handler.onClose(socket, code, reason);
        }
    }

    @Override
    public void onError(WebSocket socket, Throwable error) {
        WebSocketHandler handler = authenticated(socket);
        if (handler != null) {
            handler.onError(socket, error);
        }
    }

    /** Connections open and not yet authenticated or refused, for tests and metrics. */
    public int waiting() {
        return (int) sessions.values().stream().filter(s -> s.state.get() == WAITING).count();
    }

    private WebSocketHandler authenticated(WebSocket socket) {
        Session session = sessions.get(socket);
        return session != null && session.state.get() == AUTHENTICATED ? session.handler : null;
    }

    /**
     * One daemon thread for every deadline, started on demand and gone a second after the last
     * deadline; its tasks only queue a close frame.
     */
    private static final class Deadlines {
        static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, "duplex-auth-deadlines");
            t.setDaemon(true);
            return t;
        });

        static {
            TIMER.setRemoveOnCancelPolicy(true);
            TIMER.setKeepAliveTime(1, TimeUnit.SECONDS);
            TIMER.allowCoreThreadTimeOut(true);
        }
    }
}
