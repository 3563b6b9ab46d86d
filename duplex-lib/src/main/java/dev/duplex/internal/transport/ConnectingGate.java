package dev.duplex.internal.transport;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * RFC 6455 4.1, step 2 (row B7): a client has at most one connection per remote address and
 * port in the CONNECTING state; another attempt to the same place waits until the first has
 * finished its opening handshake or failed. Keeps a reconnecting application from flooding a
 * server with handshakes. Process-wide, and holds nothing for addresses nobody is connecting to.
 */
final class ConnectingGate {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final Condition RELEASED = LOCK.newCondition();
    private static final Map<InetSocketAddress, Boolean> CONNECTING = new HashMap<>();

    private ConnectingGate() {}

    /**
     * Waits until no other attempt to {@code address} is connecting, then marks this one as
     * connecting. Returns false when the wait passed {@code timeoutNanos}.
     */
    static boolean enter(InetSocketAddress address, long timeoutNanos) throws InterruptedException {
        LOCK.lock();
        try {
            long left = timeoutNanos;
            while (CONNECTING.containsKey(address)) {
                if (left <= 0) {
                    return false;
                }
                left = RELEASED.awaitNanos(left);
            }
            CONNECTING.put(address, Boolean.TRUE);
            return true;
        } finally {
            LOCK.unlock();
        }
    }

    /** Ends this attempt's CONNECTING state; the next waiting attempt may go. */
    static void leave(InetSocketAddress address) {
        LOCK.lock();
        try {
            CONNECTING.remove(address);
            RELEASED.signalAll();
        } finally {
            LOCK.unlock();
        }
    }
}
