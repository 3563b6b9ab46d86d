package dev.duplex.benchmarks.load;

import java.util.concurrent.CountDownLatch;

/** The timeline the main thread sets and every worker follows. */
final class Control {
    static final int CONNECT = 0;
    static final int PRIME = 1;     // idle mode: one echo on every connection
    static final int RUN = 2;
    static final int CLOSE = 3;

    volatile int phase = CONNECT;
    volatile long connectDeadline;
    /** Echoes that complete in [measureStart, measureEnd) are counted. */
    volatile long measureStart;
    volatile long measureEnd;
    /** No new message is sent at or after this time (duration mode). */
    volatile long sendUntil;
    volatile long drainDeadline;
    volatile long closeDeadline;

    final CountDownLatch connected;
    final CountDownLatch primed;
    final CountDownLatch drained;
    final CountDownLatch closed;

    Control(int workers) {
        connected = new CountDownLatch(workers);
        primed = new CountDownLatch(workers);
        drained = new CountDownLatch(workers);
        closed = new CountDownLatch(workers);
    }
}
