package dev.duplex.internal.transport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes queued for writing across every connection of a server (row H8): one counter that
 * each {@link OutboundQueue} moves as bytes enter and leave it. Each connection's own hard
 * limit bounds one backlog; this bounds their sum, since two hundred peers that never read
 * can each stay under their own limit and still hold more than the heap.
 *
 * <p>When bytes would take the total past the budget, the connection holding the most is
 * evicted: its queue is failed and its socket closed, which gives its bytes back at once, and
 * the connection reports 1013 (try again later). When the one holding the most is the one
 * queueing, its bytes are refused instead. Thread-safe.
 */
final class OutboundBudget {
    /** No budget: for clients, which have no server to share one with. */
    static final OutboundBudget UNLIMITED = new OutboundBudget(Long.MAX_VALUE);

    private final long limit;
    private final AtomicLong queued = new AtomicLong();
    private final Set<OutboundQueue> queues = ConcurrentHashMap.newKeySet();

    OutboundBudget(long limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the outbound budget must be at least one byte");
        }
        this.limit = limit;
    }

    long limit() {
        return limit;
    }

    void register(OutboundQueue queue) {
        if (limit != Long.MAX_VALUE) {
            queues.add(queue);
        }
    }

    void unregister(OutboundQueue queue) {
        queues.remove(queue);
    }

    /**
     * Takes {@code bytes} for {@code requester}, evicting the connections that hold the most
     * until they fit. Returns false, taking nothing, when {@code requester} itself holds the
     * most: it is the one to go. Called without the requester's queue lock held, since an
     * eviction takes the evicted queue's lock.
     */
    boolean reserve(OutboundQueue requester, long bytes) {
        if (limit == Long.MAX_VALUE) {
            return true; // no counter for every client to contend on
        }
        while (true) {
            long now = queued.get();
            if (now + bytes <= limit) {
                if (queued.compareAndSet(now, now + bytes)) {
                    return true;
                }
                continue;
            }
            OutboundQueue largest = requester;
            long most = requester.queuedBytes() + bytes;
            for (OutboundQueue q : queues) {
                long held = q.queuedBytes();
                if (held > most) {
                    largest = q;
                    most = held;
                }
            }
            if (largest == requester) {
                return false;
            }
            // Gives its bytes back through release() before it returns.
            largest.evict();
            unregister(largest);
        }
    }

    /**
     * Takes bytes that may not be refused: the protocol's own frames, each bounded per
     * connection (one close frame, one waiting pong).
     */
    void force(long bytes) {
        if (limit != Long.MAX_VALUE) {
            queued.addAndGet(bytes);
        }
    }

    /** Gives back bytes that were written or dropped. */
    void release(long bytes) {
        if (limit != Long.MAX_VALUE && bytes != 0) {
            queued.addAndGet(-bytes);
        }
    }
}
