package dev.duplex.internal.transport;

/**
 * One connection's traffic counts: plain fields, changed and read only under the connection's
 * lock, which every path that moves a message or a byte already holds. A shared atomic counter
 * bumped several times per message cost measurable CPU on the echo benchmark; these cost an
 * addition each. {@link MetricsRecorder} adds them up when asked, and folds them into its
 * totals once, when the connection ends.
 */
final class ConnectionTraffic {
    // Indexes into the sums MetricsRecorder keeps and reads.
    static final int TEXT_IN = 0;
    static final int BINARY_IN = 1;
    static final int TEXT_OUT = 2;
    static final int BINARY_OUT = 3;
    static final int PAYLOAD_IN = 4;
    static final int PAYLOAD_OUT = 5;
    static final int WIRE_IN = 6;
    static final int WIRE_OUT = 7;
    static final int DEFLATE_PAYLOAD_IN = 8;
    static final int DEFLATE_PAYLOAD_OUT = 9;
    static final int DEFLATE_WIRE_IN = 10;
    static final int DEFLATE_WIRE_OUT = 11;
    static final int COUNT = 12;

    /** Whether permessage-deflate was agreed, so the bytes also count as compressed traffic. */
    private final boolean deflate;
    private final long[] counts = new long[DEFLATE_PAYLOAD_IN];

    ConnectionTraffic(boolean deflate) {
        this.deflate = deflate;
    }

    /** A message received whole; {@code bytes} is its payload, inflated. */
    void messageIn(boolean text, long bytes) {
        counts[text ? TEXT_IN : BINARY_IN]++;
        counts[PAYLOAD_IN] += bytes;
    }

    /** A message queued; {@code bytes} is its payload before compression. */
    void messageOut(boolean text, long bytes) {
        counts[text ? TEXT_OUT : BINARY_OUT]++;
        counts[PAYLOAD_OUT] += bytes;
    }

    void wireIn(long bytes) {
        counts[WIRE_IN] += bytes;
    }

    void wireOut(long bytes) {
        counts[WIRE_OUT] += bytes;
    }

    long wireIn() {
        return counts[WIRE_IN];
    }

    long wireOut() {
        return counts[WIRE_OUT];
    }

    /** Adds these counts to {@code sums}, indexed by the constants above. */
    void addTo(long[] sums) {
        for (int i = 0; i < counts.length; i++) {
            sums[i] += counts[i];
        }
        if (deflate) {
            sums[DEFLATE_PAYLOAD_IN] += counts[PAYLOAD_IN];
            sums[DEFLATE_PAYLOAD_OUT] += counts[PAYLOAD_OUT];
            sums[DEFLATE_WIRE_IN] += counts[WIRE_IN];
            sums[DEFLATE_WIRE_OUT] += counts[WIRE_OUT];
        }
    }
}
