package dev.duplex.internal.transport;

import dev.duplex.OutboundLimitException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bytes waiting to be written to one socket, and the writer that drains them. Sends only
 * enqueue; a virtual thread, started when the queue fills and ending when it empties, does
 * the blocking writes, so no sender ever blocks on a slow peer. A write that makes no progress
 * for the stall timeout aborts the connection, since socket writes have no timeout of their
 * own.
 *
 * <p>Over TLS two sockets are involved: the {@link javax.net.ssl.SSLSocket} that is written to
 * and the TCP socket under it. Closing the TLS socket sends close_notify, a write that waits
 * for the record lock a stalled writer holds and can itself block on a full socket; so an abort
 * closes the TCP socket, which fails the stuck write at once, and the orderly TLS close runs on
 * a thread of its own, cut short by closing the TCP socket when it makes no progress. No shared
 * thread (the timers, a server's stop) ever waits on a peer.
 */
final class OutboundQueue {
    /** Large buffers are written in pieces of this size, so progress is seen while they go. */
    private static final int WRITE_CHUNK = 64 * 1024;
    /** Buffers up to this size are copied into one write with their neighbours. */
    private static final int COALESCE_LIMIT = 8 * 1024;

    /** A writer starts whenever the queue fills: a shared factory, not a new builder each time. */
    private static final ThreadFactory WRITER_THREADS = Thread.ofVirtual().name("duplex-writer").factory();

    /** Buffers queued together, and the future of the send they came from, if any. */
    private static final class Pending {
        final List<ByteBuffer> buffers;
        final long bytes;
        CompletableFuture<Void> done;

        Pending(List<ByteBuffer> buffers, long bytes, CompletableFuture<Void> done) {
            this.buffers = buffers;
            this.bytes = bytes;
            this.done = done;
        }
    }

    private final Socket socket;
    /** The TCP socket: {@link #socket} itself, or the one a TLS socket is layered over. */
    private final Socket raw;
    private final OutputStream out;
    private final Timers timers;
    private final Duration stallTimeout;
    private final Runnable onStall;
    private final OutboundBudget budget;
    private final Runnable onEvicted;
    /** The backlog past which a new pong replaces the one waiting (the soft limit). */
    private final long pongReplaceThreshold;

    private final ReentrantLock lock = new ReentrantLock();
    /** Waiting to be written; the writer moves them to {@link #inFlight} as it takes them. */
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** The batch the writer is writing now. */
    private List<Pending> inFlight = List.of();
    /** The last pong in {@link #queue}, which the writer has not taken yet, or null (row H7). */
    private Pending unsentPong;
    /** Bytes in {@link #queue} and {@link #inFlight}: everything not yet written. */
    private long queuedBytes;
    private boolean writerRunning;
    private boolean closeWhenDrained;
    private boolean releaseWhenDrained;
    private IOException failure;

    private volatile long lastProgressNanos;
    private volatile boolean writing;
    private ScheduledFuture<?> stallCheck;
    private final AtomicBoolean tlsCloseStarted = new AtomicBoolean();

    /**
     * @param raw the TCP socket {@code socket} is layered over, or {@code socket} itself when
     *     it is not a TLS socket
     * @param budget the server's budget for queued bytes, shared by its connections
     * @param onEvicted told when the budget evicts this queue (row H8), just before it is aborted
     * @param pongReplaceThreshold the backlog past which a pong replaces the one waiting (row H7)
     */
    OutboundQueue(Socket socket, Socket raw, OutputStream out, Timers timers, Duration stallTimeout, Runnable onStall,
                  OutboundBudget budget, Runnable onEvicted, long pongReplaceThreshold) {
        this.pongReplaceThreshold = pongReplaceThreshold;
        this.socket = socket;
        this.raw = raw;
        this.out = out;
        this.timers = timers;
        this.stallTimeout = stallTimeout;
        this.onStall = onStall;
        this.budget = budget;
        this.onEvicted = onEvicted;
        budget.register(this);
    }

    /** Bytes queued and not yet written, the batch being written included. */
    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code bytes} of the server's outbound budget for a send about to be framed, before
     * its frame is allocated: a send the budget refuses then costs no copy of its payload, and
     * two hundred refused sends cannot hold two hundred copies at once (row H8). False when this
     * connection holds the most and must go; {@link #enqueueReserved} or {@link #unreserve}
     * settles a reservation that was granted.
     */
    boolean reserve(long bytes) {
        return budget.reserve(this, bytes);
    }

    /** Gives back a reservation that no frames came of. */
    void unreserve(long bytes) {
        budget.release(bytes);
    }

    /**
     * Queues an application's frames to be written in order, for which {@code reserved} bytes
     * of the budget were taken (the frames may come out larger or smaller once compressed: the
     * difference is settled here). {@code done} completes when they have been written, or
     * exceptionally when the connection ends first.
     */
    void enqueueReserved(List<ByteBuffer> buffers, CompletableFuture<Void> done, long reserved) {
        long bytes = byteCount(buffers);
        if (bytes > reserved) {
            budget.force(bytes - reserved);
        } else {
            budget.release(reserved - bytes);
        }
        add(new Pending(buffers, bytes, done), false);
    }

    /** The refusal a send gets when {@link #reserve} said no. */
    OutboundLimitException budgetRefusal() {
        return new OutboundLimitException("the server's outbound budget of " + budget.limit()
                + " bytes is spent, and this connection holds the most");
    }

    /**
     * Queues the protocol's own frames (close frames, keepalive pings, pongs), which are not
     * refused: each connection sends one close frame, and pongs are bounded as follows. When
     * {@code pong} is at or above zero, the buffer at that index is a pong. Once the backlog
     * has reached the threshold (the connection's soft limit: the peer is not keeping up), it
     * replaces the pong that waits, since RFC 6455 5.5.3 lets an endpoint answer only the
     * latest ping: a peer that pings and never reads holds one pong, not one per ping (row
     * H7). Below it, pongs wait side by side, so a peer that reads gets an answer to every
     * ping of a burst (Autobahn 2.10). A new pong goes last, not into the old one's place, so
     * it overtakes nothing. {@code done}, when given, completes once the frames after the pong
     * are written (a close frame's, for instance).
     */
    void enqueueProtocol(List<ByteBuffer> buffers, int pong, CompletableFuture<Void> done) {
        if (pong < 0) {
            long bytes = byteCount(buffers);
            budget.force(bytes);
            add(new Pending(buffers, bytes, done), false);
            return;
        }
        if (pong > 0) {
            enqueueProtocol(buffers.subList(0, pong), -1, null);
        }
        List<ByteBuffer> frame = List.of(buffers.get(pong));
        long bytes = byteCount(frame);
        budget.force(bytes);
        add(new Pending(frame, bytes, null), true);
        if (pong + 1 < buffers.size()) {
            enqueueProtocol(buffers.subList(pong + 1, buffers.size()), -1, done);
        } else if (done != null) {
            done.complete(null); // only a pong, which may yet be replaced: nothing of the caller's waits
        }
    }

    private void add(Pending pending, boolean isPong) {
        boolean startWriter = false;
        IOException refused = null;
        long dropped = 0;
        lock.lock();
        try {
            if (failure != null || closeWhenDrained) {
                refused = failure != null ? failure : new IOException("connection closing");
                dropped = pending.bytes;
            } else {
                if (isPong && unsentPong != null && queuedBytes >= pongReplaceThreshold) {
                    queue.removeLastOccurrence(unsentPong); // by identity: Pending has no equals
                    queuedBytes -= unsentPong.bytes;
                    dropped = unsentPong.bytes;
                }
                if (isPong) {
                    unsentPong = pending;
                }
                queue.add(pending);
                queuedBytes += pending.bytes;
                if (!writerRunning) {
                    writerRunning = true;
                    startWriter = true;
                }
            }
        } finally {
            lock.unlock();
        }
        budget.release(dropped);
        if (refused != null && pending.done != null) {
            pending.done.completeExceptionally(refused);
        }
        if (startWriter) {
            WRITER_THREADS.newThread(this::drain).start();
        }
    }

    private static long byteCount(List<ByteBuffer> buffers) {
        long bytes = 0;
        for (ByteBuffer b : buffers) {
            bytes += b.remaining();
        }
        return bytes;
    }

    /**
     * Ends the output once everything queued has been written; nothing more is queued. The
     * socket is half-closed (FIN), not closed: closing a socket with unread input makes TCP
     * send a reset, which can destroy the close frame before the peer reads it. The reader
     * closes the socket when the peer's FIN arrives, or its linger deadline passes.
     */
    void closeWhenDrained() {
        boolean endNow;
        lock.lock();
        try {
            closeWhenDrained = true;
            endNow = !writerRunning;
        } finally {
            lock.unlock();
        }
        if (endNow) {
            endOutput();
        }
    }

    /**
     * Closes the socket for good once everything queued has been written (the stall watchdog
     * still bounds that), or at once when nothing is.
     */
    void closeSocketWhenDrained() {
        boolean closeNow;
        lock.lock();
        try {
            closeWhenDrained = true;
            releaseWhenDrained = true;
            closeNow = !writerRunning;
        } finally {
            lock.unlock();
        }
        if (closeNow) {
            closeSocket();
        }
    }

    /**
     * Fails everything queued and closes the socket. Never blocks: a write stuck on the socket
     * fails once the TCP socket is closed under it, so this may run on a shared thread. The
     * futures are failed after the lock is let go, so no callback of theirs runs under it, and
     * before the socket is closed, so they have failed by the time the read loop sees the end
     * and the handler's onClose runs.
     */
    void abort(IOException cause) {
        List<Pending> failed = new ArrayList<>();
        IOException reason;
        long released;
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            reason = failure;
            failed.addAll(inFlight);
            failed.addAll(queue);
            queue.clear();
            inFlight = List.of();
            unsentPong = null;
            released = queuedBytes;
            queuedBytes = 0;
        } finally {
            lock.unlock();
        }
        budget.release(released);
        for (Pending p : failed) {
            if (p.done != null) {
                p.done.completeExceptionally(reason);
            }
        }
        closeQuietly(raw); // no close_notify for an aborted connection
        closeSocket();
    }

    /**
     * Row H8: the server's outbound budget is spent and this connection holds the most. Its
     * peer is not reading what it already has, so a close frame queued behind that would not
     * reach it either: the connection is aborted, which gives its bytes back at once.
     */
    void evict() {
        onEvicted.run(); // first, so the read loop that the abort ends finds the reason recorded
        abort(new OutboundLimitException("the server's outbound budget is spent and this connection held the most"));
    }

    private void drain() {
        lastProgressNanos = System.nanoTime();
        boolean armed = false;
        try {
            while (true) {
                // Everything queued so far goes out together: many small messages queued while
                // the writer was starting cost one socket write, not one each.
                List<Pending> batch;
                lock.lock();
                try {
                    if (!armed) {
                        // Under the lock taken anyway: one acquisition per message, not two.
                        armStallCheckLocked();
                        armed = true;
                    }
                    if (queue.isEmpty() || failure != null) {
                        // The stall check stays armed: it disarms itself when it finds no
                        // writer, so a busy connection does not schedule and cancel a timer
                        // for every message.
                        writerRunning = false;
                        if (failure != null || releaseWhenDrained) {
                            closeSocket();
                        } else if (closeWhenDrained) {
                            endOutput();
                        }
                        return;
                    }
                    batch = new ArrayList<>(queue);
                    queue.clear();
                    unsentPong = null; // taken: a later pong no longer replaces it
                    inFlight = batch;
                } finally {
                    lock.unlock();
                }
                write(batch);
                long written = 0;
                for (Pending p : batch) {
                    written += p.bytes;
                }
                lock.lock();
                try {
                    if (inFlight != batch) {
                        writerRunning = false;
                        return; // aborted meanwhile: its futures are failed, its bytes given back
                    }
                    inFlight = List.of();
                    queuedBytes -= written;
                } finally {
                    lock.unlock();
                }
                budget.release(written);
                for (Pending p : batch) {
                    if (p.done != null) {
                        p.done.complete(null);
                    }
                }
            }
        } catch (IOException e) {
            lock.lock();
            try {
                writerRunning = false;
            } finally {
                lock.unlock();
            }
            abort(e);
        }
    }

    /**
     * Writes a batch in order. Buffers up to {@link #COALESCE_LIMIT} are copied together and
     * written as one, so a burst of small frames takes one system call; larger ones are
     * written from where they are, without a copy.
     */
    private void write(List<Pending> batch) throws IOException {
        writing = true;
        try {
            byte[] gather = null;
            int gathered = 0;
            for (Pending p : batch) {
                for (ByteBuffer b : p.buffers) {
                    int n = b.remaining();
                    if (n <= COALESCE_LIMIT) {
                        if (gather != null && gathered + n > gather.length) {
                            writeChunked(gather, 0, gathered);
                            gathered = 0;
                        }
                        if (gather == null) {
                            gather = new byte[(int) Math.min(WRITE_CHUNK, Math.max(n, smallBytes(batch)))];
                        }
                        b.duplicate().get(gather, gathered, n);
                        gathered += n;
                    } else {
                        if (gathered > 0) {
                            writeChunked(gather, 0, gathered);
                            gathered = 0;
                        }
                        write(b);
                    }
                }
            }
            if (gathered > 0) {
                writeChunked(gather, 0, gathered);
            }
            out.flush();
        } finally {
            writing = false;
        }
    }

    private static long smallBytes(List<Pending> batch) {
        long total = 0;
        for (Pending p : batch) {
            for (ByteBuffer b : p.buffers) {
                if (b.remaining() <= COALESCE_LIMIT) {
                    total += b.remaining();
                }
            }
        }
        return total;
    }

    private void write(ByteBuffer b) throws IOException {
        ByteBuffer src = b.duplicate();
        if (src.hasArray()) {
            writeChunked(src.array(), src.arrayOffset() + src.position(), src.remaining());
        } else {
            byte[] chunk = new byte[Math.min(WRITE_CHUNK, src.remaining())];
            while (src.hasRemaining()) {
                int n = Math.min(chunk.length, src.remaining());
                src.get(chunk, 0, n);
                out.write(chunk, 0, n);
                lastProgressNanos = System.nanoTime();
            }
        }
    }

    private void writeChunked(byte[] array, int offset, int length) throws IOException {
        int end = offset + length;
        while (offset < end) {
            int n = Math.min(WRITE_CHUNK, end - offset);
            out.write(array, offset, n);
            offset += n;
            lastProgressNanos = System.nanoTime();
        }
    }

    /** Starts the stall check unless one is already pending. Under the lock. */
    private void armStallCheckLocked() {
        if (stallCheck == null) {
            stallCheck = timers.schedule(this::checkStall, stallTimeout);
        }
    }

    private void checkStall() {
        long idle = System.nanoTime() - lastProgressNanos;
        if (writing && idle >= stallTimeout.toNanos()) {
            abort(new IOException("write stalled for " + stallTimeout.toMillis() + " ms"));
            onStall.run();
            return;
        }
        lock.lock();
        try {
            // Looks again exactly when a write that is stuck now would pass the timeout.
            stallCheck = writerRunning
                    ? timers.schedule(this::checkStall, stallTimeout.minusNanos(writing ? idle : 0))
                    : null;
        } finally {
            lock.unlock();
        }
    }

    /** May run on a shared thread (a timer's fail): never waits on the peer. */
    private void endOutput() {
        if (socket != raw) {
            closeSocket(); // TLS has its own close_notify; a half-close is not supported
            return;
        }
        try {
            if (!socket.isOutputShutdown() && !socket.isClosed()) {
                socket.shutdownOutput();
            }
        } catch (IOException e) {
            closeSocket();
        }
    }

    /** Closes the socket for good; never waits on the peer. */
    private void closeSocket() {
        budget.unregister(this);
        lock.lock();
        try {
            // A pending check would keep this connection reachable until it fires.
            Timers.cancel(stallCheck);
            stallCheck = null;
        } finally {
            lock.unlock();
        }
        if (socket == raw) {
            closeQuietly(socket); // a plain close does not block
        } else if (tlsCloseStarted.compareAndSet(false, true)) {
            // RFC 8446 6.1: close_notify goes out as the TLS socket closes. That write may wait
            // for a stalled writer or a full socket, so it runs here, bounded by the stall
            // timeout, after which closing the TCP socket under it ends the wait.
            Thread.ofVirtual().name("duplex-tls-close").start(() -> {
                ScheduledFuture<?> cutoff = timers.schedule(() -> closeQuietly(raw), stallTimeout);
                try {
                    closeQuietly(socket);
                } finally {
                    Timers.cancel(cutoff);
                    closeQuietly(raw);
                }
            });
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Closing is best effort: the connection is over either way.
        }
    }
}
