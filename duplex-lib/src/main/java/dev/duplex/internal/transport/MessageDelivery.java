package dev.duplex.internal.transport;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Role;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Row H2: a message goes to the handler on a delivery thread, so that the read loop goes on
 * reading while the handler is busy. What it reads meanwhile is held here, up to
 * {@link dev.duplex.ConnectionOptions#inboundQueueLimit()} bytes, and then the read loop stops
 * until the handler is done (TCP backpressure). A well-formed ping or pong at the front of what
 * is held is given to the core at once, so the pong goes out and the keepalive sees the peer's
 * pong while the handler is still busy; everything else waits its turn, so a close reply or a
 * failure still goes out after whatever the handler sends in answer to the messages before it
 * (RFC 6455 5.5.1 allows the delay; Autobahn 7.1.6 expects that order).
 *
 * <p>One per {@link SocketConnection}. Its state is guarded by the connection's lock, the one
 * that guards the core and the order of outbound bytes; the delivery thread, while it runs,
 * owns the core's events.
 */
final class MessageDelivery {
    private static final System.Logger LOG = System.getLogger("dev.duplex");
    /** Nothing held: shared, since an empty buffer has no bytes to share (idle memory, issue 8). */
    private static final ByteBuffer NOTHING_HELD = ByteBuffer.allocate(0).asReadOnlyBuffer();
    /** One per message: a shared factory, not a new builder each time. */
    private static final ThreadFactory DELIVERY_THREADS =
            Thread.ofVirtual().name("duplex-delivery").factory();
    /** Row H2: at most this many pings and pongs taken from {@link #held} wait for their callbacks. */
    private static final int MAX_HELD_CALLBACKS = 64;

    /** What delivery needs from the connection it serves. */
    interface Reader {
        /** Moves the core's output to the outbound queue; called under the lock. */
        void flushLocked();

        /** Calls the handler, keeping what it throws from the calling thread. */
        void callHandler(Runnable callback);

        /** On the delivery thread: takes the core's events; messages go to {@link MessageDelivery#deliverInTurn}. */
        void processEvents();

        /** A pong arrived: the peer is alive, as far as the keepalive goes. */
        void pongReceived();

        /** Records why the connection ends, if nothing was recorded before. */
        void recordClose(int code, String reason);

        /** Whether the read loop is done reading. */
        boolean readDone();

        /** Ends the read loop's reading. */
        void stopReading();
    }

    private final ReentrantLock lock;
    private final Connection core;
    private final InboundGuard guard;
    private final OutboundQueue outbound;
    private final long inboundQueueLimit;
    private final WebSocketHandler handler;
    private final WebSocket webSocket;
    private final Reader reader;

    /** Bytes read while a message is being delivered, not yet given to the core (under lock). */
    private ByteBuffer held = NOTHING_HELD;
    private boolean heldEndOfStream;
    private volatile boolean readingStopped;
    /** onPing and onPong calls for frames taken from {@link #held}, in order (under lock). */
    private final ArrayDeque<Runnable> heldCallbacks = new ArrayDeque<>(1);
    /** A delivery thread owns the core's events (under lock). */
    private boolean delivering;
    /** The delivery thread is inside a handler callback (under lock). */
    private boolean handlerBusy;
    /** Signalled when the delivery thread takes what is held, and when it ends. */
    private final Condition deliveryProgress;

    /**
     * @param lock the connection's lock: it guards the core, the order of outbound bytes, and
     *     this object's state
     * @param webSocket the connection, as the handler's callbacks name it
     */
    MessageDelivery(ReentrantLock lock, Connection core, InboundGuard guard, OutboundQueue outbound,
                    long inboundQueueLimit, WebSocketHandler handler, WebSocket webSocket, Reader reader) {
        this.lock = lock;
        this.core = core;
        this.guard = guard;
        this.outbound = outbound;
        this.inboundQueueLimit = inboundQueueLimit;
        this.handler = handler;
        this.webSocket = webSocket;
        this.reader = reader;
        this.deliveryProgress = lock.newCondition();
    }

    /** Stops reading while the bytes held for a busy handler reach the limit. */
    void awaitRoomToRead() {
        lock.lock();
        try {
            while (!reader.readDone() && full()) {
                readingStopped = true;
                deliveryProgress.awaitUninterruptibly();
            }
        } finally {
            readingStopped = false;
            lock.unlock();
        }
    }

    /** For tests: the bytes held for a busy handler. */
    long heldBytes() {
        lock.lock();
        try {
            return held.remaining();
        } finally {
            lock.unlock();
        }
    }

    /** For tests: whether the read loop waits for the handler before it reads on. */
    boolean readingStopped() {
        return readingStopped;
    }

    /** Whether a message is with the handler and the bytes held for it reach the limit. */
    boolean full() {
        lock.lock();
        try {
            return delivering && held.remaining() >= inboundQueueLimit;
        } finally {
            lock.unlock();
        }
    }

    /** Messages already read reach the handler before onClose. */
    void awaitDeliveries() {
        lock.lock();
        try {
            while (delivering) {
                deliveryProgress.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Bytes (or, for null, the end of the stream) from the read loop: while a message is with
     * the handler, keeps them and returns true; otherwise returns false and the caller gives
     * them to the core. Under the lock.
     */
    boolean holdIfDelivering(ByteBuffer data) {
        if (!delivering) {
            return false;
        }
        hold(data);
        takeHeldControlFrames();
        return true;
    }

    /** Keeps what was read while a message is with the handler. Under the lock. */
    private void hold(ByteBuffer data) {
        if (data == null) {
            heldEndOfStream = true;
            return;
        }
        if (!data.hasRemaining()) {
            return;
        }
        if (held.capacity() - held.limit() < data.remaining()) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(held.remaining() + data.remaining(), 2 * held.remaining()));
            held = bigger.put(held).flip();
        }
        int start = held.limit();
        held.limit(start + data.remaining());
        held.put(start, data, data.position(), data.remaining());
        data.position(data.limit());
    }

    /**
     * While the handler is busy and the core holds no bytes, gives it each well-formed ping or
     * pong at the front of what is held, so that the pong goes out now (RFC 6455 5.5.2: as
     * soon as practical) and a keepalive pong counts; their callbacks wait for the handler.
     * Anything else at the front stops this: it may fail the connection or close it, and that
     * must come after the handler's answers to earlier messages. Under the lock.
     */
    private void takeHeldControlFrames() {
        while (handlerBusy && !heldEndOfStream && heldCallbacks.size() < MAX_HELD_CALLBACKS
                && core.state() == Connection.State.OPEN && !core.isFrameIncomplete()) {
            int length = heldControlFrameLength();
            if (length < 0 || !guard.tryBeforeControlEvent()) {
                return;
            }
            core.receiveData(held.slice(held.position(), length));
            held.position(held.position() + length);
            Event event = core.nextEvent();
            reader.flushLocked();
            guard.observe(core);
            switch (event) {
                case Event.Ping ping -> heldCallbacks.add(() -> handler.onPing(webSocket, ping.payload()));
                case Event.Pong pong -> {
                    reader.pongReceived();
                    heldCallbacks.add(() -> handler.onPong(webSocket, pong.payload()));
                }
                case null, default -> {
                    // Checked above not to happen; fail safe rather than lose an event.
                    LOG.log(System.Logger.Level.ERROR, "unexpected event from a held control frame: {0}", event);
                    outbound.abort(new IOException("internal error"));
                    return;
                }
            }
        }
    }

    /**
     * The length of the frame at the front of {@link #held} if all of it is there and it is a
     * ping or pong the core will take without complaint: FIN set, no RSV bits, masked exactly
     * when it comes from a client (RFC 6455 5.1, 5.2, 5.5); otherwise -1.
     */
    private int heldControlFrameLength() {
        if (held.remaining() < 2) {
            return -1;
        }
        int b0 = held.get(held.position()) & 0xFF;
        int b1 = held.get(held.position() + 1) & 0xFF;
        if (b0 != (0x80 | 0x9) && b0 != (0x80 | 0xA)) {
            return -1;
        }
        boolean masked = (b1 & 0x80) != 0;
        int length = b1 & 0x7F;
        if (masked != (core.role() == Role.SERVER) || length > 125) {
            return -1;
        }
        int total = 2 + (masked ? 4 : 0) + length;
        return held.remaining() >= total ? total : -1;
    }

    /** The handler gets this message on a thread of its own; the read loop reads on. */
    void start(Message first) {
        lock.lock();
        try {
            delivering = true;
        } finally {
            lock.unlock();
        }
        DELIVERY_THREADS.newThread(() -> deliver(first)).start();
    }

    /** On the delivery thread: gives the handler a message that came after the first. */
    void deliverInTurn(Message message) {
        callHandlerBusy(() -> handler.onMessage(webSocket, message));
    }

    /**
     * The delivery thread: delivers the message, then what the read loop held meanwhile, until
     * nothing is left; the read loop then takes the core's events again.
     */
    private void deliver(Message first) {
        boolean done = false;
        try {
            callHandlerBusy(() -> handler.onMessage(webSocket, first));
            while (true) {
                Runnable callback;
                while (true) {
                    lock.lock();
                    try {
                        callback = heldCallbacks.poll();
                    } finally {
                        lock.unlock();
                    }
                    if (callback == null) {
                        break;
                    }
                    callHandlerBusy(callback);
                }
                lock.lock();
                try {
                    if (held.hasRemaining()) {
                        core.receiveData(held);
                    }
                    held = NOTHING_HELD;
                    if (heldEndOfStream) {
                        core.receiveEof();
                    }
                    heldEndOfStream = false;
                    deliveryProgress.signalAll(); // room to read again
                } finally {
                    lock.unlock();
                }
                reader.processEvents();
                lock.lock();
                try {
                    if (!held.hasRemaining() && !heldEndOfStream && heldCallbacks.isEmpty()) {
                        delivering = false;
                        deliveryProgress.signalAll();
                        done = true;
                        return;
                    }
                } finally {
                    lock.unlock();
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "delivery failed", e);
            reader.recordClose(CloseStatus.ABNORMAL_CLOSURE, "internal error");
            outbound.abort(new IOException("internal error", e));
        } finally {
            if (!done) {
                lock.lock();
                try {
                    delivering = false;
                    reader.stopReading();
                    deliveryProgress.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** A handler call on the delivery thread, during which the read loop may take held pings. */
    private void callHandlerBusy(Runnable callback) {
        lock.lock();
        try {
            handlerBusy = true;
        } finally {
            lock.unlock();
        }
        try {
            reader.callHandler(callback);
        } finally {
            lock.lock();
            try {
                handlerBusy = false;
            } finally {
                lock.unlock();
            }
        }
    }
}
