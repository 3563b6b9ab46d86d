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
import dev.duplex.protocol.frame.FrameHeader;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One open connection on a socket, server or client end: the read loop that feeds the
 * protocol core and calls the handler, the sends that the application makes from any thread,
 * and the timers around them (keepalive, close timeout). Runs on a virtual thread of its own.
 *
 * <p>Row H2: messages reach the handler on a delivery thread while the read loop reads on;
 * {@link MessageDelivery} holds what is read meanwhile and keeps close frames in their turn.
 */
public final class SocketConnection implements WebSocket {
    private static final System.Logger LOG = System.getLogger("dev.duplex");
    /** Held while the connection waits for bytes: all an idle connection keeps for reading. */
    private static final int IDLE_READ_BUFFER = 1024;
    /** For {@link #send}: what is sent, a text or binary message or a ping, counted apart. */
    private static final int TEXT = 0;
    private static final int BINARY = 1;
    private static final int PING = 2;

    private final Socket socket;
    private final Connection core;
    private final ConnectionOptions options;
    private final WebSocketHandler handler;
    private final Handshake handshake;
    private final Timers timers;
    private final Consumer<SocketConnection> onTerminated;
    private final OutboundQueue outbound;
    private final ServerWide shared;
    private final MetricsRecorder metrics;
    /** Messages and bytes each way, counted under {@link #lock}. */
    private final ConnectionTraffic traffic;
    /** The flight event of this connection's life: begun when it opens, committed when it ends. */
    private final FlightEvents.Closed flight = new FlightEvents.Closed();
    /** Rates, the incomplete-message budget and completion deadlines (rows D3, F1, F4, H3, H5). */
    private final InboundGuard guard;

    /** Guards the core and the order in which its bytes enter the outbound queue. */
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean terminated = new AtomicBoolean();

    /** Row H2: the delivery thread and what is read while a message is with the handler. */
    private final MessageDelivery delivery;
    /** Pings on a timer; 1011 when the pong does not come. */
    private final Keepalive keepalive;

    private ByteBuffer leftover;
    /** A client's diagnostic tap, or null; set before {@link #run()} starts (see {@link #tap}). */
    private GuardedTap tap;
    private volatile boolean inHandler;
    private ScheduledFuture<?> closeDeadline;
    private volatile boolean readDone;
    private boolean sawEndOfStream;

    /**
     * How the connection ended, for onClose: the first cause recorded wins. {@code local} says,
     * for the metrics, whether this end closed or failed it first.
     */
    private record CloseRecord(int code, String reason, boolean local) {}

    private static final CloseRecord NOT_RECORDED = new CloseRecord(CloseStatus.ABNORMAL_CLOSURE, "", false);
    /** Set when this end starts the close handshake, so the peer's echo counts as a local close. */
    private volatile boolean closeStartedHere;
    /** Lock-free, since another connection's send may record an eviction here (row H8). */
    private final AtomicReference<CloseRecord> closeRecord = new AtomicReference<>(NOT_RECORDED);
    /** Row H10: a failed send is logged once per connection, not once per message. */
    private final AtomicBoolean sendFailureLogged = new AtomicBoolean();

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
                ServerWide.forClient(new MetricsRecorder()));
    }

    /** @param shared what the server's connections share: budgets, the log throttle, the metrics */
    SocketConnection(Socket socket, Socket raw, Connection core, ConnectionOptions options,
                     WebSocketHandler handler, Handshake handshake, Timers timers,
                     ByteBuffer leftover, Consumer<SocketConnection> onTerminated,
                     ServerWide shared) throws IOException {
        this.shared = shared;
        this.metrics = shared.metrics();
        this.traffic = new ConnectionTraffic(!handshake.extensions().isEmpty());
        this.socket = socket;
        this.core = core;
        this.options = options;
        this.handler = handler;
        this.handshake = handshake;
        this.timers = timers;
        this.leftover = leftover;
        this.onTerminated = onTerminated;
        this.outbound = new OutboundQueue(socket, raw,
                core.masksOnWrite() ? new MaskingOutputStream(socket.getOutputStream()) : socket.getOutputStream(), timers,
                options.writeStallTimeout(), this::writeStalled, shared.outbound(), this::evicted,
                options.outboundSoftLimit());
        // The TCP socket: closing it is what an abort does, and a TLS socket does not see that.
        this.guard = new InboundGuard(raw, options, shared.partialMessages().newAccount(), timers, () -> inHandler,
                this::fail, shared.log(), metrics);
        this.delivery = new MessageDelivery(lock, core, guard, outbound, options.inboundQueueLimit(),
                handler, this, new DeliveryReader());
        this.keepalive = new Keepalive(lock, timers, options, handshake.remoteAddress(), this::pingIfOpenLocked,
                terminated::get, () -> inHandler || guard.holdingBack(), this::pongMissed, shared.log());
    }

    /** The read loop; returns when the connection is over and onClose has been called. */
    public void run() {
        try {
            metrics.connectionOpened(this, flight);
            keepalive.start();
            callHandler(() -> handler.onOpen(this));
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[IDLE_READ_BUFFER];
            if (leftover != null && leftover.hasRemaining()) {
                receive(leftover);
            }
            leftover = null;
            while (!readDone) {
                delivery.awaitRoomToRead();
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
            delivery.awaitDeliveries();
            lingerUntilPeerCloses(in, buffer);
        } catch (IOException e) {
            recordRemoteClose(CloseStatus.ABNORMAL_CLOSURE, "connection lost");
            delivery.awaitDeliveries();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "read loop failed", e);
            recordClose(CloseStatus.ABNORMAL_CLOSURE, "internal error");
            outbound.abort(new IOException("internal error", e));
            delivery.awaitDeliveries();
        } finally {
            terminate();
        }
    }

    /** Row H2, for tests: the bytes held for a busy handler. */
    long heldBytes() {
        return delivery.heldBytes();
    }

    /** Row H2, for tests: whether the read loop waits for the handler before it reads on. */
    boolean readingStopped() {
        return delivery.readingStopped();
    }

    /**
     * A full small read means more is probably waiting: reads what the socket already holds
     * into a buffer lent by {@link BurstBuffers} and gives it back once the socket is drained,
     * so a connection that waits for bytes holds only the small one (idle memory, issue 8).
     * The core copies what it keeps (and a binary payload goes straight into its message).
     */
    private void readBurst(InputStream in) throws IOException {
        byte[] burst = null;
        try {
            int available;
            while (!readDone && !delivery.full() && (available = in.available()) > 0) {
                if (burst == null) {
                    burst = BurstBuffers.take();
                }
                // A little more room than what waits tells a drained socket (a short read)
                // from one that filled the room, so a burst ends without asking again.
                int room = Math.min(available + IDLE_READ_BUFFER, burst.length);
                int n = in.read(burst, 0, room); // does not block: bytes are waiting
                if (n < 0) {
                    return; // the loop's next read sees the end of the stream too
                }
                receive(ByteBuffer.wrap(burst, 0, n));
                if (n < room) {
                    return; // drained: the loop's next read waits for more
                }
                // A read that finds bytes waiting does not park, so a connection with a lot to
                // read would keep this carrier thread from every other one: let them run
                // between bursts (HardeningRowsTest's 200 readers: the canaries' p99 about
                // halves with this).
                Thread.yield();
            }
        } finally {
            if (burst != null) {
                BurstBuffers.release(burst);
            }
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
                traffic.wireIn(data.remaining());
                guard.afterRead(data.remaining());
            }
            // Row H2: while a message is with the handler, the bytes wait for the delivery thread.
            process = !delivery.holdIfDelivering(data);
            if (process && data == null) {
                core.receiveEof();
            } else if (process) {
                core.receiveData(data);
            }
        } finally {
            lock.unlock();
        }
        if (process) {
            processEvents(true);
        }
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
                countReceivedLocked(event);
                guard.chargeInflation(core); // row H3: before the message is delivered
                flushLocked();
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
                keepalive.pongReceived();
            }
            boolean allowed = switch (event) {
                case Event.CloseReceived c -> true;
                case Event.Failure f -> true;
                case Event.EndOfStream e -> true;
                case Event.Ping p -> guard.beforeControlEvent();
                case Event.Pong p -> guard.beforeControlEvent();
                default -> guard.beforeEvent();
            };
            if (!allowed) {
                return; // over a rate: failed with 1008, the rest is not delivered
            }
            Message message = switch (event) {
                case Event.Text text -> new Message.Text(text.text());
                case Event.Binary binary -> new Message.Binary(binary.data());
                default -> null;
            };
            if (message != null) {
                if (onReadLoop) {
                    delivery.start(message);
                    return;
                }
                delivery.deliverInTurn(message);
                continue;
            }
            switch (event) {
                case Event.Ping ping -> callHandler(() -> handler.onPing(this, ping.payload()));
                case Event.Pong pong -> callHandler(() -> handler.onPong(this, pong.payload()));
                case Event.CloseReceived close -> closeReceived(close);
                case Event.Failure failure -> {
                    recordClose(failure.code(), failure.reason());
                    shared.log().log(System.Logger.Level.INFO, "failing connection from {0}: {1} {2}",
                            handshake.remoteAddress(), failure.code(), failure.reason());
                    outbound.closeWhenDrained();
                    readDone = true;
                    if (!onReadLoop) {
                        startCloseDeadline(); // the read loop may be blocked on a silent peer
                    }
                }
                case Event.EndOfStream end -> {
                    recordRemoteClose(CloseStatus.ABNORMAL_CLOSURE, "connection closed without a close frame");
                    readDone = true;
                }
                default -> throw new IllegalStateException("unexpected event " + event);
            }
        }
    }

    private void closeReceived(Event.CloseReceived close) {
        if (closeStartedHere) {
            recordClose(close.code(), close.reason());
        } else {
            recordRemoteClose(close.code(), close.reason());
        }
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

    /**
     * Moves the protocol's own output (answers to what was read, keepalive pings, close
     * frames) to the queue; the lock keeps it in the core's order.
     */
    private void flushLocked() {
        flushLocked(null);
    }

    /** As above; {@code done}, when given, completes once the output is written. */
    private void flushLocked(CompletableFuture<Void> done) {
        int pong = core.pongIndex();
        List<ByteBuffer> bytes = core.takeOutbound();
        if (!bytes.isEmpty()) {
            countWireOut(bytes);
            if (tap != null) {
                bytes.forEach(tap::sent); // under the lock: in the order they will be written
            }
            outbound.enqueueProtocol(bytes, pong, done);
        } else if (done != null) {
            done.complete(null);
        }
    }

    /**
     * Moves what the application just queued in the core to the queue, with the future of its
     * send. Returns false when the server's outbound budget refused it (row H8).
     */
    private void flushSendLocked(CompletableFuture<Void> done, long reserved) {
        List<ByteBuffer> bytes = core.takeOutbound();
        if (bytes.isEmpty()) {
            outbound.unreserve(reserved);
            done.complete(null);
            return;
        }
        countWireOut(bytes);
        if (tap != null) {
            bytes.forEach(tap::sent);
        }
        outbound.enqueueReserved(bytes, done, reserved);
    }

    private void countWireOut(List<ByteBuffer> bytes) {
        long n = 0;
        for (ByteBuffer b : bytes) {
            n += b.remaining();
        }
        traffic.wireOut(n);
    }

    /** Counts a message the core just gave out; under the lock. */
    private void countReceivedLocked(Event event) {
        if (event instanceof Event.Text || event instanceof Event.Binary) {
            traffic.messageIn(event instanceof Event.Text, core.lastMessageSize());
        }
    }

    /** Adds this connection's traffic to {@code sums}, for {@link MetricsRecorder#traffic()}. */
    void addTrafficTo(long[] sums) {
        lock.lock();
        try {
            traffic.addTo(sums);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- sending

    @Override
    public CompletableFuture<Void> sendText(String text, SendOption... options) {
        byte[] utf8 = Connection.encodeText(text);
        boolean compress = allowsCompression(options);
        return send(TEXT, utf8.length, () -> core.sendMessage(dev.duplex.protocol.frame.Opcode.TEXT, ByteBuffer.wrap(utf8), compress));
    }

    @Override
    public CompletableFuture<Void> sendBinary(ByteBuffer data, SendOption... options) {
        // Copied, as documented, so a caller reusing its buffer cannot change bytes not yet
        // written (row H6): into the frame itself, behind its header, while this call holds
        // the lock; a client's frame is masked into a fresh array the same way (row B8).
        ByteBuffer payload = data.duplicate();
        boolean compress = allowsCompression(options);
        return send(BINARY, payload.remaining(), () -> core.sendMessageCopy(dev.duplex.protocol.frame.Opcode.BINARY, payload, compress));
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
        return send(PING, p.remaining(), () -> core.sendPing(p));
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
            flushLocked();
            closeStartedHere = true;
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
            flushLocked();
        } finally {
            lock.unlock();
        }
        outbound.closeWhenDrained();
        startCloseDeadline(); // the reader may be blocked on a peer that will never speak again
    }

    /**
     * Queues a send made by {@code action}. Row H10: a send that cannot be queued fails its
     * future, never in silence. When it fails because the peer is not keeping up (the
     * connection's backlog is past its hard limit, or the server's outbound budget is spent
     * and this connection holds the most), the connection is also closed with 1013: a message
     * has been lost, and the peer must not read on as if none were.
     */
    private CompletableFuture<Void> send(int type, long payloadSize, Runnable action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        String overLimit = null;
        lock.lock();
        try {
            // CLOSED without a close sent: the peer's stream ended, and the core takes no more sends.
            if (terminated.get() || core.isCloseSent() || core.state() == Connection.State.CLOSED) {
                done.completeExceptionally(new IllegalStateException("connection is closed or closing"));
                logSendFailure("the connection is closed or closing");
                return done;
            }
            // The hard limit bounds a backlog, not one message: any message may be queued when
            // nothing waits, and otherwise only while the backlog stays within the limit. The
            // queue holds whole frames, so the header counts too.
            long size = payloadSize + FrameHeader.lengthOf(payloadSize, core.role() == Role.CLIENT);
            long queued = outbound.queuedBytes();
            if (queued > 0 && queued + size > options.outboundHardLimit()) {
                overLimit = "outbound queue holds " + queued + " bytes; " + size
                        + " more would pass the limit of " + options.outboundHardLimit();
                done.completeExceptionally(new OutboundLimitException(overLimit));
            } else if (!outbound.reserve(size)) {
                // Before the frame is made: a refused send costs no copy of its payload (row H8).
                overLimit = "the server's outbound budget is spent and this connection holds the most";
                done.completeExceptionally(outbound.budgetRefusal());
            } else {
                try {
                    flushLocked();
                    action.run();
                } catch (RuntimeException | Error e) {
                    outbound.unreserve(size);
                    throw e;
                }
                flushSendLocked(done, size);
                if (type == PING) {
                    metrics.pingSent();
                } else {
                    traffic.messageOut(type == TEXT, payloadSize);
                }
            }
        } finally {
            lock.unlock();
        }
        if (overLimit != null) {
            logSendFailure(overLimit);
            fail(CloseStatus.TRY_AGAIN_LATER, "peer not reading fast enough");
        }
        return done;
    }

    /** Row H10: one line per connection however many of its sends fail. */
    private void logSendFailure(String why) {
        if (sendFailureLogged.compareAndSet(false, true)) {
            shared.log().log(System.Logger.Level.INFO, "send to {0} failed: {1}", handshake.remoteAddress(), why);
        }
    }

    /** The stall watchdog aborted the connection: the peer stopped reading (row H1). */
    private void writeStalled() {
        recordClose(CloseStatus.ABNORMAL_CLOSURE, "write stalled");
        shared.log().log(System.Logger.Level.INFO, "connection from {0} aborted: the peer read nothing for {1} ms",
                handshake.remoteAddress(), options.writeStallTimeout().toMillis());
    }

    /** Row H8: the server's outbound budget evicted this connection; its queue is aborted. */
    private void evicted() {
        recordClose(CloseStatus.TRY_AGAIN_LATER, "server outbound budget exceeded");
        shared.log().log(System.Logger.Level.INFO, "connection from {0} closed with 1013: the server''s outbound budget is spent and it held the most",
                handshake.remoteAddress());
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

    /** The keepalive's ping, queued only while the connection is open. Under the lock. */
    private boolean pingIfOpenLocked(ByteBuffer payload) {
        if (core.state() != Connection.State.OPEN) {
            return false;
        }
        core.sendPing(payload);
        flushLocked();
        metrics.pingSent();
        return true;
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
            shared.log().log(System.Logger.Level.INFO, "close handshake with {0} timed out; aborting", handshake.remoteAddress());
            recordClose(CloseStatus.ABNORMAL_CLOSURE, "close handshake timed out");
            outbound.abort(new IOException("close handshake timed out"));
        }
    }

    // ---------------------------------------------------------------- the end

    /** Records a close this end caused: a close or failure of its own, an abort, a timeout. */
    private void recordClose(int code, String reason) {
        closeRecord.compareAndSet(NOT_RECORDED, new CloseRecord(code, reason == null ? "" : reason, true));
    }

    /** Records a close the peer caused: its close frame first, or its end of the connection. */
    private void recordRemoteClose(int code, String reason) {
        closeRecord.compareAndSet(NOT_RECORDED, new CloseRecord(code, reason == null ? "" : reason, false));
    }

    /** Keepalive: the pong did not come in time (counted), so the connection fails with 1011. */
    private void pongMissed(int code, String reason) {
        metrics.pongMissed();
        fail(code, reason);
    }

    private void terminate() {
        if (!terminated.compareAndSet(false, true)) {
            return;
        }
        keepalive.stop();
        Timers.cancel(closeDeadline);
        guard.release();
        // The read side is done; the writer finishes what is queued, then the socket goes.
        outbound.closeSocketWhenDrained();
        long in;
        long out;
        lock.lock();
        try {
            core.release();
            in = traffic.wireIn();
            out = traffic.wireOut();
        } finally {
            lock.unlock();
        }
        CloseRecord record = closeRecord.get();
        metrics.connectionClosed(this, flight, record.code(), record.local(), in, out);
        callHandler(() -> handler.onClose(this, record.code(), record.reason()));
        onTerminated.accept(this);
    }

    /** Gives a client connection its wire tap; called before {@link #run()} starts, or never. */
    void tap(GuardedTap tap) {
        this.tap = tap;
    }

    /** "server" or "client", for the flight events. */
    String role() {
        return core.role() == Role.SERVER ? "server" : "client";
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

    /** This connection as its {@link MessageDelivery} sees it; kept off the public type. */
    private final class DeliveryReader implements MessageDelivery.Reader {
        @Override
        public void flushLocked() {
            SocketConnection.this.flushLocked();
        }

        @Override
        public void callHandler(Runnable callback) {
            SocketConnection.this.callHandler(callback);
        }

        @Override
        public void processEvents() {
            SocketConnection.this.processEvents(false);
        }

        @Override
        public void pongReceived() {
            keepalive.pongReceived();
        }

        @Override
        public void recordClose(int code, String reason) {
            SocketConnection.this.recordClose(code, reason);
        }

        @Override
        public boolean readDone() {
            return readDone;
        }

        @Override
        public void stopReading() {
            readDone = true;
        }
    }
}
