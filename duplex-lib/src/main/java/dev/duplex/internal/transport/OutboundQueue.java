package dev.duplex.internal.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bytes waiting to be written to one socket, and the writer that drains them. Sends only
 * enqueue; a virtual thread, started when the queue fills and ending when it empties, does
 * the blocking writes, so no sender ever blocks on a slow peer. A write that makes no progress
 * for the stall timeout aborts the connection, since socket writes have no timeout of their
 * own.
 */
final class OutboundQueue {
    /** Large buffers are written in pieces of this size, so progress is seen while they go. */
    private static final int WRITE_CHUNK = 64 * 1024;

    private record Pending(List<ByteBuffer> buffers, long bytes, CompletableFuture<Void> done) {}

    private final Socket socket;
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

    OutboundQueue(Socket socket, OutputStream out, Timers timers, Duration stallTimeout, Runnable onStall) {
        this.socket = socket;
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
            Thread.ofVirtual().name("duplex-writer").start(this::drain);
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

    /** Fails everything queued and closes the socket. */
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
        closeSocket();
    }

    private void drain() {
        lastProgressNanos = System.nanoTime();
        scheduleStallCheck(stallTimeout);
        try {
            while (true) {
                Pending next;
                lock.lock();
                try {
                    next = queue.peek();
                    if (next == null || failure != null) {
                        writerRunning = false;
                        Timers.cancel(stallCheck);
                        if (failure != null || releaseWhenDrained) {
                            closeSocket();
                        } else if (closeWhenDrained) {
                            endOutput();
                        }
                        return;
                    }
                } finally {
                    lock.unlock();
                }
                write(next.buffers());
                lock.lock();
                try {
                    queue.poll();
                    queuedBytes -= next.bytes();
                } finally {
                    lock.unlock();
                }
                if (next.done() != null) {
                    next.done().complete(null);
                }
            }
        } catch (IOException e) {
            lock.lock();
            try {
                writerRunning = false;
                Timers.cancel(stallCheck);
            } finally {
                lock.unlock();
            }
            abort(e);
        }
    }

    private void write(List<ByteBuffer> buffers) throws IOException {
        writing = true;
        try {
            for (ByteBuffer b : buffers) {
                ByteBuffer src = b.duplicate();
                if (src.hasArray()) {
                    byte[] array = src.array();
                    int offset = src.arrayOffset() + src.position();
                    int end = offset + src.remaining();
                    while (offset < end) {
                        int n = Math.min(WRITE_CHUNK, end - offset);
                        out.write(array, offset, n);
                        offset += n;
                        lastProgressNanos = System.nanoTime();
                    }
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
            out.flush();
        } finally {
            writing = false;
        }
    }

    private void scheduleStallCheck(Duration delay) {
        lock.lock();
        try {
            if (writerRunning) {
                stallCheck = timers.schedule(this::checkStall, delay);
            }
        } finally {
            lock.unlock();
        }
    }

    private void checkStall() {
        long idle = System.nanoTime() - lastProgressNanos;
        if (writing && idle >= stallTimeout.toNanos()) {
            abort(new IOException("write stalled for " + stallTimeout.toMillis() + " ms"));
            onStall.run();
        } else {
            scheduleStallCheck(stallTimeout.minusNanos(writing ? idle : 0));
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

    private void endOutput() {
        try {
            if (socket instanceof javax.net.ssl.SSLSocket) {
                socket.close(); // TLS has its own close_notify; a half-close is not supported
            } else if (!socket.isOutputShutdown() && !socket.isClosed()) {
                socket.shutdownOutput();
            }
        } catch (IOException e) {
            closeSocket();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing is best effort: the connection is over either way.
        }
    }
}
