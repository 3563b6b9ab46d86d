package dev.duplex.internal.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that incomplete inbound messages hold across every connection of a server (row H5):
 * one shared counter that each connection's {@link Account} moves as its message grows, and
 * gives back when the message completes or the connection ends. Thread-safe.
 */
final class PartialMessageBudget {
    /** No budget: for clients, which have no server to share one with. */
    static final PartialMessageBudget UNLIMITED = new PartialMessageBudget(Long.MAX_VALUE);

    private final long limit;
    private final AtomicLong held = new AtomicLong();

    PartialMessageBudget(long limit) {
        this.limit = limit;
    }

    /** Bytes held by incomplete messages right now, across all connections. */
    long held() {
        return held.get();
    }

    long limit() {
        return limit;
    }

    Account newAccount() {
        return new Account();
    }

    /** One connection's share. Used from the connection's read loop only. */
    final class Account {
        private long charged;

        private Account() {}

        /**
         * Moves this connection's share to {@code bytes}. Returns false, and keeps what it held,
         * when growing to that would take the total past the limit; shrinking always succeeds.
         */
        boolean update(long bytes) {
            if (limit == Long.MAX_VALUE) {
                return true; // nothing to share: no counter for every client to contend on
            }
            long delta = bytes - charged;
            if (delta <= 0) {
                if (delta < 0) {
                    held.addAndGet(delta);
                    charged = bytes;
                }
                return true;
            }
            while (true) {
                long now = held.get();
                if (now + delta > limit) {
                    return false;
                }
                if (held.compareAndSet(now, now + delta)) {
                    charged = bytes;
                    return true;
                }
            }
        }

        /** Gives everything back; for the end of the connection. */
        void release() {
            update(0);
        }
    }
}
