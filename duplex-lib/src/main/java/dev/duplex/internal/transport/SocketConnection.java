package dev.duplex.internal.transport;

import dev.duplex.ConnectionOptions;
import dev.duplex.Handshake;
import dev.duplex.Message;
import dev.duplex.OutboundLimitException;
import dev.duplex.SendOption;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Role;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One open connection on a socket, server or client end: the read loop that feeds the
 * protocol core and calls the handler, the sends that the application makes from any thread,
 * and the timers around them (keepalive, close timeout). Runs on a virtual thread of its own.
 *
 * <p>Row H2: a message goes to the handler on a delivery thread, so that the read loop goes on
 * reading while the handler is busy. What it reads meanwhile is held, up to
 * {@link ConnectionOptions#inboundQueueLimit()} bytes, and then it stops reading until the
 * handler is done (TCP backpressure). A well-formed ping or pong at the front of what is held
 * is given to the core at once, so the pong goes out and the keepalive sees the peer's pong
 * while the handler is still busy; everything else waits its turn, so a close reply or a
 * failure still goes out after whatever the handler sends in answer to the messages before it
 * (RFC 6455 5.5.1 allows the delay; Autobahn 7.1.6 expects that order).
 */
public final class SocketConnection implements WebSocket {
    private static final System.Logger LOG = System.getLogger("dev.duplex");
    /** Held while the connection waits for bytes: all an idle connection keeps for reading. */
    private static final int IDLE_READ_BUFFER = 1024;
    /** The most one read of a burst takes, into a buffer dropped once the burst is read. */
    private static final int BURST_READ_BUFFER = 64 * 1024;

    private final Socket socket;
    private final Connection core;
    private final ConnectionOptions options;
    private final WebSocketHandler handler;
    private final Handshake handshake;
    private final Timers timers;
    private final Consumer<SocketConnection> onTerminated;
    private final OutboundQueue outbound;
    /** Rates, the incomplete-message budget and completion deadlines (rows D3, F1, F4, H3, H5). */
    private final InboundGuard guard;

    /** Guards the core and the order in which its bytes enter the outbound queue. */
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean terminated = new AtomicBoolean();

    private ByteBuffer leftover;
    /** Nothing held: shared, since an empty buffer has no bytes to share (idle memory, issue 8). */
    private static final ByteBuffer NOTHING_HELD = ByteBuffer.allocate(0).asReadOnlyBuffer();
    /** Row H2: at most this many pings and pongs taken from {@link #held} wait for their callbacks. */
    private static final int MAX_HELD_CALLBACKS = 64;
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
    private final Condition deliveryProgress = lock.newCondition();
    /** A client's diagnostic tap, or null; set before {@link #run()} starts (see {@link #tap}). */
    private GuardedTap tap;
    private volatile boolean inHandler;
    private volatile boolean awaitingPong;
    private ScheduledFuture<?> keepaliveTask;
    private ScheduledFuture<?> pongDeadline;
    private ScheduledFuture<?> closeDeadline;
    private volatile boolean readDone;
    private boolean sawEndOfStream;

    // How the connection ended, for onClose: the first cause recorded wins.
    private int closeCode = CloseStatus.ABNORMAL_CLOSURE;
    private String closeReason = "";
    private boolean closeRecorded;

    /**
     * @param socket the socket to speak WebSocket on: a TLS socket for wss
     * @param raw the TCP socket {@code socket} is layered over, or {@code socket} itself for
     *     ws; an abort closes this one, since closing a TLS socket can block (row H1)
     * @param leftover bytes that arrived after the handshake head, handed to the frame
     *     decoder before anything else is read (rows A17, B5)
     */
    public SocketConnection(Socket socket, Socket raw, Connection core, ConnectionOptions options,
                            WebSocketHandler handler, Handshake handshake, Timers timers,
                            ByteBuffer leftover, Consumer<SocketConnection> onTerminated) throws IOException {
        this(socket, raw, core, options, handler, handshake, timers, leftover, onTerminated,
                PartialMessageBudget.UNLIMITED);
    }

    /** @param budget the server's budget for incomplete messages, shared by its connections */
    SocketConnection(Socket socket, Socket raw, Connection core, ConnectionOptions options,
                     WebSocketHandler handler, Handshake handshake, Timers timers,
                     ByteBuffer leftover, Consumer<SocketConnection> onTerminated,
                     PartialMessageBudget budget) throws IOException {
        this.socket = socket;
        this.core = core;
        this.options = options;
        this.handler = handler;
        this.handshake = handshake;
        this.timers = timers;
        this.leftover = leftover;
        this.onTerminated = onTerminated;
        this.outbound = new OutboundQueue(socket, raw, socket.getOutputStream(), timers,
                options.writeStallTimeout(), () -> recordClose(CloseStatus.ABNORMAL_CLOSURE, "write stalled"));
        // The TCP socket: closing it is what an abort does, and a TLS socket does not see that.
        this.guard = new InboundGuard(raw, options, budget.newAccount(), timers, () -> inHandler, this::fail);
    }

    /** The read loop; returns when the connection is over and onClose has been called. */
    public void run() {
        try {
            startKeepalive();
            callHandler(() -> handler.onOpen(this));
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[IDLE_READ_BUFFER];
            if (leftover != null && leftover.hasRemaining()) {
                receive(leftover);
            }
            leftover = null;
            while (!readDone) {
                awaitRoomToRead();
                if (readDone) {
                    break;
                }
                int n = in.read(buffer, 0, guard.beforeRead(buffer.length)); // may wait: row H3
                if (n < 0) {
                    sawEndOfStream = true;
                    readDone = true;
                    receive(null);
                } else {
                    receive(ByteBuffer.wrap(buffer, 0, n));
                    if (n == buffer.length && guard.allowsBurstReads()) {
                        readBurst(in);
                    }
                }
            }
            awaitDeliveries();
            lingerUntilPeerCloses(in, buffer);
        } catch (IOException e) {
            recordClose(CloseStatus.ABNORMAL_CLOSURE, "connection lost");
            awaitDeliveries();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "read loop failed", e);
            recordClose(CloseStatus.ABNORMAL_CLOSURE, "internal error");
            outbound.abort(new IOException("internal error", e));
            awaitDeliveries();
        } finally {
            terminate();
        }
    }

    /** Row H2: stops reading while the bytes held for a busy handler reach the limit. */
    private void awaitRoomToRead() {
        lock.lock();
        try {
            while (!readDone && heldFull()) {
                readingStopped = true;
                deliveryProgress.awaitUninterruptibly();
            }
        } finally {
            readingStopped = false;
            lock.unlock();
        }
    }

    /** Row H2, for tests: the bytes held for a busy handler. */
    long heldBytes() {
        lock.lock();
        try {
            return held.remaining();
        } finally {
            lock.unlock();
        }
    }

    /** Row H2, for tests: whether the read loop waits for the handler before it reads on. */
    boolean readingStopped() {
        return readingStopped;
    }

    private boolean heldFull() {
        lock.lock();
        try {
            return delivering && held.remaining() >= options.inboundQueueLimit();
        } finally {
            lock.unlock();
        }
    }

    /** Messages already read reach the handler before onClose. */
    private void awaitDeliveries() {
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
     * A full small read means more is probably waiting: reads what the socket already holds
     * with a buffer sized to it and drops that buffer once the socket is drained, so a
     * connection that waits for bytes holds only the small one (idle memory, issue 8).
     */
    private void readBurst(InputStream in) throws IOException {
        byte[] burst = null;
        int available;
        while (!readDone && !heldFull() && (available = in.available()) > 0) {
            int size = Math.min(Math.max(available, 8 * 1024), BURST_READ_BUFFER);
            if (burst == null || burst.length < Math.min(available, BURST_READ_BUFFER)) {
                burst = new byte[size];
            }
            int n = in.read(burst); // does not block: bytes are waiting
            if (n < 0) {
                return; // the loop's next read sees the end of the stream too
            }
            receive(ByteBuffer.wrap(burst, 0, n));
        }
    }

    /**
     * After the last frame, waits for the peer to close its side, discarding what it still
     * sends, so that our close frame is read before the socket goes (see
     * {@link OutboundQueue#closeWhenDrained()}). Bounded by the close timeout.
     */
    private void lingerUntilPeerCloses(InputStream in, byte[] buffer) throws IOException {
        if (sawEndOfStream) {
            return;
        }
        ScheduledFuture<?> linger = timers.schedule(() -> outbound.abort(new IOException("linger timed out")),
                options.closeTimeout());
        try {
            while (in.read(buffer) >= 0) {
                // discard: the connection is closed as far as the protocol is concerned
            }
        } finally {
            Timers.cancel(linger);
        }
    }

    /** Bytes (or, for null, the end of the stream) from the read loop. */
    private void receive(ByteBuffer data) {
        boolean process;
        lock.lock();
        try {
            if (data != null) {
                if (tap != null) {
                    tap.received(data);
                }
                guard.afterRead(data.remaining());
            }
            process = !delivering;
            if (!process) {
                hold(data);
                takeHeldControlFrames();
            } else if (data == null) {
                core.receiveEof();
            } else {
                core.receiveData(data);
            }
        } finally {
            lock.unlock();
        }
        if (process) {
            processEvents(true);
        }
    }

    /** Keeps what was read while a message is with the handler (row H2). Under the lock. */
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
            flushLocked(null);
            guard.observe(core);
            switch (event) {
                case Event.Ping ping -> heldCallbacks.add(() -> handler.onPing(this, ping.payload()));
                case Event.Pong pong -> {
                    pongReceived();
                    heldCallbacks.add(() -> handler.onPong(this, pong.payload()));
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

    /**
     * Takes the core's events and handles them. On the read loop ({@code onReadLoop}) a message
     * is handed to a delivery thread and this returns at once; on the delivery thread messages
     * are delivered here, one after the other.
     */
    private void processEvents(boolean onReadLoop) {
        while (true) {
            Event event;
            lock.lock();
            try {
                event = core.nextEvent();
                flushLocked(null);
                if (event == null) {
                    guard.observe(core); // every complete frame is taken: what is left is partial
                }
            } finally {
                lock.unlock();
            }
            if (event == null) {
                return;
            }
            if (event instanceof Event.Pong) {
                // The peer is alive, even if the pong's callback now waits for the message rate.
                pongReceived();
            }
            if (!(event instanceof Event.CloseReceived || event instanceof Event.Failure
                    || event instanceof Event.EndOfStream) && !guard.beforeEvent()) {
                return; // over the message rate: failed with 1008, the rest is not delivered
            }
            Message message = switch (event) {
                case Event.Text text -> new Message.Text(text.text());
                case Event.Binary binary -> new Message.Binary(binary.data());
                default -> null;
            };
            if (message != null) {
                if (onReadLoop) {
                    startDelivery(message);
                    return;
                }
                callHandlerBusy(() -> handler.onMessage(this, message));
                continue;
            }
            switch (event) {
                case Event.Ping ping -> callHandler(() -> handler.onPing(this, ping.payload()));
                case Event.Pong pong -> callHandler(() -> handler.onPong(this, pong.payload()));
                case Event.CloseReceived close -> closeReceived(close);
                case Event.Failure failure -> {
                    recordClose(failure.code(), failure.reason());
                    LOG.log(System.Logger.Level.INFO, "failing connection from {0}: {1} {2}",
                            handshake.remoteAddress(), failure.code(), failure.reason());
                    outbound.closeWhenDrained();
                    readDone = true;
                    if (!onReadLoop) {
                        startCloseDeadline(); // the read loop may be blocked on a silent peer
                    }
                }
                case Event.EndOfStream end -> {
                    recordClose(CloseStatus.ABNORMAL_CLOSURE, "connection closed without a close frame");
                    readDone = true;
                }
                default -> throw new IllegalStateException("unexpected event " + event);
            }
        }
    }

    /** Row H2: the handler gets this message on a thread of its own; the read loop reads on. */
    private void startDelivery(Message first) {
        lock.lock();
        try {
            delivering = true;
        } finally {
            lock.unlock();
        }
        Thread.ofVirtual().name("duplex-delivery").start(() -> deliver(first));
    }

    /**
     * The delivery thread: delivers the message, then what the read loop held meanwhile, until
     * nothing is left; the read loop then takes the core's events again.
     */
    private void deliver(Message first) {
        boolean done = false;
        try {
            callHandlerBusy(() -> handler.onMessage(this, first));
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
                processEvents(false);
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
            recordClose(CloseStatus.ABNORMAL_CLOSURE, "internal error");
            outbound.abort(new IOException("internal error", e));
        } finally {
            if (!done) {
                lock.lock();
                try {
                    delivering = false;
                    readDone = true;
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
            callHandler(callback);
        } finally {
            lock.lock();
            try {
                handlerBusy = false;
            } finally {
                lock.unlock();
            }
        }
    }

    private void closeReceived(Event.CloseReceived close) {
        recordClose(close.code(), close.reason());
        boolean closeNow;
        lock.lock();
        try {
            closeNow = core.closeExpected();
        } finally {
            lock.unlock();
        }
        if (closeNow) {
            // RFC 6455 7.1.1: the server closes TCP first, once its close frame is out.
            outbound.closeWhenDrained();
            readDone = true;
            startCloseDeadline(); // bounds a read loop still blocked on the peer (row H2)
        } else {
            // A client waits for the server to close TCP, but not forever.
            startCloseDeadline();
        }
    }

    private void callHandler(Runnable callback) {
        inHandler = true;
        try {
            callback.run();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "handler threw", e);
            try {
                handler.onError(this, e);
            } catch (RuntimeException | Error again) {
                LOG.log(System.Logger.Level.WARNING, "onError threw", again);
            }
        } finally {
            inHandler = false;
        }
    }

    /** Moves the core's output to the queue; the lock keeps it in the core's order. */
    private void flushLocked(CompletableFuture<Void> done) {
        List<ByteBuffer> bytes = core.takeOutbound();
        if (!bytes.isEmpty()) {
            if (tap != null) {
                bytes.forEach(tap::sent); // under the lock: in the order they will be written
            }
            outbound.enqueue(bytes, done);
        } else if (done != null) {
            done.complete(null);
        }
    }

    // ---------------------------------------------------------------- sending

    @Override
    public CompletableFuture<Void> sendText(String text, SendOption... options) {
        byte[] utf8 = Connection.encodeText(text);
        boolean compress = allowsCompression(options);
        return send(utf8.length, () -> core.sendMessage(dev.duplex.protocol.frame.Opcode.TEXT, ByteBuffer.wrap(utf8), compress));
    }

    @Override
    public CompletableFuture<Void> sendBinary(ByteBuffer data, SendOption... options) {
        // Copied, as documented: a large unmasked frame is queued by reference, so without
        // the copy a caller reusing its buffer would change bytes not yet written (row H6).
        ByteBuffer payload = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
        boolean compress = allowsCompression(options);
        return send(payload.remaining(), () -> core.sendMessage(dev.duplex.protocol.frame.Opcode.BINARY, payload, compress));
    }

    /** Row G6: the application may keep any message out of a negotiated compression. */
    private static boolean allowsCompression(SendOption... options) {
        for (SendOption option : options) {
            if (option == SendOption.UNCOMPRESSED) {
                return false;
            }
        }
        return true;
    }

    @Override
    public CompletableFuture<Void> ping(ByteBuffer payload) {
        ByteBuffer p = payload.duplicate();
        return send(p.remaining(), () -> core.sendPing(p));
    }

    @Override
    public CompletableFuture<Void> close(int code, String reason) {
        dev.duplex.protocol.frame.ClosePayload.encode(code, reason); // refuses bad codes and reasons
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (terminated.get() || core.isCloseSent()) {
                done.complete(null);
                return done;
            }
            core.close(code, reason);
            flushLocked(done);
        } finally {
            lock.unlock();
        }
        startCloseDeadline();
        return done;
    }

    /** Fails the connection from outside the protocol (keepalive, shutdown, rate limits). */
    public void fail(int code, String reason) {
        lock.lock();
        try {
            if (terminated.get()) {
                return;
            }
            recordClose(code, reason);
            core.fail(code, reason);
            flushLocked(null);
        } finally {
            lock.unlock();
        }
        outbound.closeWhenDrained();
        startCloseDeadline(); // the reader may be blocked on a peer that will never speak again
    }

    private CompletableFuture<Void> send(long payloadSize, Runnable action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        lock.lock();
        try {
            if (terminated.get() || core.isCloseSent()) {
                done.completeExceptionally(new IllegalStateException("connection is closed or closing"));
                return done;
            }
            // The queue holds whole frames, so the header counts against the limit too.
            long size = payloadSize + dev.duplex.protocol.frame.FrameHeader.lengthOf(payloadSize, core.role() == Role.CLIENT);
            long queued = outbound.queuedBytes();
            if (queued + size > options.outboundHardLimit()) {
                done.completeExceptionally(new OutboundLimitException("outbound queue holds " + queued
                        + " bytes; " + size + " more would pass the limit of " + options.outboundHardLimit()));
                return done;
            }
            action.run();
            flushLocked(done);
        } finally {
            lock.unlock();
        }
        return done;
    }

    @Override
    public void abort() {
        recordClose(CloseStatus.ABNORMAL_CLOSURE, "aborted");
        outbound.abort(new IOException("aborted"));
    }

    @Override
    public long bufferedAmount() {
        return outbound.queuedBytes();
    }

    @Override
    public boolean isWritable() {
        return outbound.queuedBytes() < options.outboundSoftLimit();
    }

    @Override
    public boolean isOpen() {
        lock.lock();
        try {
            return !terminated.get() && !core.isCloseSent();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Handshake handshake() {
        return handshake;
    }

    // ---------------------------------------------------------------- timers

    private void startKeepalive() {
        if (!options.pingInterval().isZero()) {
            keepaliveTask = timers.scheduleRepeating(this::sendKeepalivePing, options.pingInterval());
        }
    }

    private void sendKeepalivePing() {
        if (awaitingPong || terminated.get()) {
            return;
        }
        lock.lock();
        try {
            if (core.state() != Connection.State.OPEN) {
                return;
            }
            core.sendPing(ByteBuffer.wrap("duplex-keepalive".getBytes(StandardCharsets.US_ASCII)));
            flushLocked(null);
            awaitingPong = true;
            pongDeadline = timers.schedule(this::pongTimedOut, options.pongTimeout());
        } finally {
            lock.unlock();
        }
    }

    private void pongReceived() {
        awaitingPong = false;
        Timers.cancel(pongDeadline);
    }

    private void pongTimedOut() {
        if (!awaitingPong || terminated.get()) {
            return;
        }
        if (inHandler || guard.holdingBack()) {
            // While the handler runs a pong may wait behind a message held for it (row H2), and
            // while the read loop holds the peer back for its rate (row H3) it reads nothing: a
            // pong not yet seen proves nothing about the peer. Look again later; the rate's
            // grace bounds the wait, and a flood then gets its 1008, not this 1011.
            pongDeadline = timers.schedule(this::pongTimedOut, options.pongTimeout());
            return;
        }
        LOG.log(System.Logger.Level.INFO, "no pong from {0} within {1} ms; failing with 1011",
                handshake.remoteAddress(), options.pongTimeout().toMillis());
        fail(CloseStatus.INTERNAL_ERROR, "keepalive timeout");
    }

    private void startCloseDeadline() {
        lock.lock();
        try {
            if (closeDeadline == null && !terminated.get()) {
                closeDeadline = timers.schedule(this::closeTimedOut, options.closeTimeout());
            }
        } finally {
            lock.unlock();
        }
    }

    private void closeTimedOut() {
        if (!terminated.get()) {
            LOG.log(System.Logger.Level.INFO, "close handshake with {0} timed out; aborting", handshake.remoteAddress());
            recordClose(CloseStatus.ABNORMAL_CLOSURE, "close handshake timed out");
            outbound.abort(new IOException("close handshake timed out"));
        }
    }

    // ---------------------------------------------------------------- the end

    private void recordClose(int code, String reason) {
        lock.lock();
        try {
            if (!closeRecorded) {
                closeRecorded = true;
                closeCode = code;
                closeReason = reason == null ? "" : reason;
            }
        } finally {
            lock.unlock();
        }
    }

    private void terminate() {
        if (!terminated.compareAndSet(false, true)) {
            return;
        }
        Timers.cancel(keepaliveTask);
        Timers.cancel(pongDeadline);
        Timers.cancel(closeDeadline);
        guard.release();
        // The read side is done; the writer finishes what is queued, then the socket goes.
        outbound.closeSocketWhenDrained();
        lock.lock();
        try {
            core.release();
        } finally {
            lock.unlock();
        }
        int code;
        String reason;
        lock.lock();
        try {
            code = closeCode;
            reason = closeReason;
        } finally {
            lock.unlock();
        }
        callHandler(() -> handler.onClose(this, code, reason));
        onTerminated.accept(this);
    }

    /** Gives a client connection its wire tap; called before {@link #run()} starts, or never. */
    void tap(GuardedTap tap) {
        this.tap = tap;
    }

    /** Whether the read loop has ended. */
    public boolean isTerminated() {
        return terminated.get();
    }

    /** Gives the peer 1001 (going away), as a server does when it shuts down. */
    public void goingAway(String reason) {
        try {
            close(CloseStatus.GOING_AWAY, reason);
        } catch (RuntimeException e) {
            abort();
        }
    }
}
