package dev.duplex.protocol.fuzz;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A fuzz input read as a few option bytes followed by the data the target is fed. Options come
 * first so that a seed is easy to write by hand ({@link SeedCorpus} writes them in this
 * layout) and so that the fuzzer can flip an option without touching the data. Option bytes
 * past the end of the input read as zero, so every input, the empty one included, is valid.
 */
final class FuzzInput {
    private final byte[] bytes;
    private int position;

    FuzzInput(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The next option byte, 0..255. */
    int nextByte() {
        return position < bytes.length ? bytes[position++] & 0xff : 0;
    }

    /** Whether bytes remain past those read so far. */
    boolean hasMore() {
        return position < bytes.length;
    }

    /** Everything after the option bytes read so far. */
    byte[] rest() {
        return Arrays.copyOfRange(bytes, Math.min(position, bytes.length), bytes.length);
    }

    /**
     * Cuts {@code data} into consecutive pieces as {@code plan} says: 0 keeps it whole, 1 cuts
     * it into single bytes, and any other value cuts it into pieces of 1 to {@code plan} bytes
     * whose sizes are drawn from a generator seeded with {@code plan}, so the same input always
     * splits the same way.
     */
    static byte[][] split(byte[] data, int plan) {
        if (plan == 0 || data.length == 0) {
            return new byte[][] {data};
        }
        SplittableRandom sizes = new SplittableRandom(plan);
        byte[][] pieces = new byte[data.length][];
        int count = 0;
        for (int offset = 0; offset < data.length; ) {
            int size = plan == 1 ? 1 : Math.min(data.length - offset, 1 + sizes.nextInt(plan));
            pieces[count++] = Arrays.copyOfRange(data, offset, offset + size);
            offset += size;
        }
        return Arrays.copyOf(pieces, count);
    }
}
