package dev.duplex.internal.transport;

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

    private record Pending(List<ByteBuffer> buffers, long bytes, CompletableFuture<Void> done) {}

    private final Socket socket;
    /** The TCP socket: {@link #socket} itself, or the one a TLS socket is layered over. */
    private final Socket raw;
    private final OutputStream out;
    private final Timers timers;
    private final Duration stallTimeout;
    private final Runnable onStall;

    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
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
     */
    OutboundQueue(Socket socket, Socket raw, OutputStream out, Timers timers, Duration stallTimeout, Runnable onStall) {
        this.socket = socket;
        this.raw = raw;
        this.out = out;
        this.timers = timers;
        this.stallTimeout = stallTimeout;
        this.onStall = onStall;
    }

    /** Bytes queued and not yet written. */
    long queuedBytes() {
        lock.lock();
        try {
            return queuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues buffers to be written in order; {@code done}, if given, completes when they have
     * been written, or exceptionally when the connection ends first.
     */
    void enqueue(List<ByteBuffer> buffers, CompletableFuture<Void> done) {
        long bytes = 0;
        for (ByteBuffer b : buffers) {
            bytes += b.remaining();
        }
        boolean startWriter = false;
        lock.lock();
        try {
            if (failure != null || closeWhenDrained) {
                if (done != null) {
                    done.completeExceptionally(failure != null ? failure : new IOException("connection closing"));
                }
                return;
            }
            queue.add(new Pending(buffers, bytes, done));
            queuedBytes += bytes;
            if (!writerRunning) {
                writerRunning = true;
                startWriter = true;
            }
        } finally {
            lock.unlock();
        }
        if (startWriter) {
            WRITER_THREADS.newThread(this::drain).start();
        }
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
     * fails once the TCP socket is closed under it, so this may run on a shared thread.
     */
    void abort(IOException cause) {
        lock.lock();
        try {
            if (failure == null) {
                failure = cause;
            }
            failAllLocked();
        } finally {
            lock.unlock();
        }
        closeQuietly(raw); // no close_notify for an aborted connection
        closeSocket();
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
                } finally {
                    lock.unlock();
                }
                write(batch);
                long written = 0;
                for (Pending p : batch) {
                    written += p.bytes();
                }
                lock.lock();
                try {
                    for (int i = 0; i < batch.size(); i++) {
                        queue.poll();
                    }
                    queuedBytes -= written;
                } finally {
                    lock.unlock();
                }
                for (Pending p : batch) {
                    if (p.done() != null) {
                        p.done().complete(null);
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
                for (ByteBuffer b : p.buffers()) {
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
            for (ByteBuffer b : p.buffers()) {
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

    private void failAllLocked() {
        Pending p;
        while ((p = queue.poll()) != null) {
            queuedBytes -= p.bytes();
            if (p.done() != null) {
                p.done().completeExceptionally(failure);
            }
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
