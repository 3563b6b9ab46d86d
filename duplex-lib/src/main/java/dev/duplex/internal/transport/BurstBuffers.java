package dev.duplex.internal.transport;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A few read buffers for bursts, shared by every connection in the JVM. A connection that
 * waits for bytes holds only its small read buffer (idle memory, issue 8), so a burst needs a
 * bigger one for a moment; taking it from here rather than allocating it each time saves
 * clearing a fresh array and keeps the few in use warm in cache. Bounded: at most
 * {@link #SLOTS} buffers of {@link #SIZE} bytes are kept; when all are out, a caller gets a
 * fresh one, which is simply dropped if there is no slot for it on return. Safe for any thread.
 */
final class BurstBuffers {
    /** The size of each buffer: the most one read of a burst takes. */
    static final int SIZE = 64 * 1024;
    /** How many buffers are kept: 1 MiB in all. */
    private static final int SLOTS = 16;
    private static final AtomicReferenceArray<byte[]> FREE = new AtomicReferenceArray<>(SLOTS);

    private BurstBuffers() {}

    /** A buffer of {@link #SIZE} bytes, to be given back with {@link #release} once read from. */
    static byte[] take() {
        int start = (int) (Thread.currentThread().threadId() & (SLOTS - 1));
        for (int i = 0; i < SLOTS; i++) {
            int slot = (start + i) & (SLOTS - 1);
            if (FREE.getPlain(slot) != null) {
                byte[] buffer = FREE.getAndSet(slot, null);
                if (buffer != null) {
                    return buffer;
                }
            }
        }
        return new byte[SIZE];
    }

    /** Gives a buffer back; nothing may use it afterwards. */
    static void release(byte[] buffer) {
        int start = (int) (Thread.currentThread().threadId() & (SLOTS - 1));
        for (int i = 0; i < SLOTS; i++) {
            int slot = (start + i) & (SLOTS - 1);
            if (FREE.getPlain(slot) == null && FREE.compareAndSet(slot, null, buffer)) {
                return;
            }
        }
    }
}
