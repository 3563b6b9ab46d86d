package dev.duplex.protocol.extension;

import java.util.Arrays;

/**
 * A small, slow RFC 1951 decoder for tests. Unlike {@link java.util.zip.Inflater} it reports the
 * largest match distance it met, so tests can check that a stream stays inside a window. It
 * keeps all earlier output, so a stream of several messages decodes with context takeover.
 */
final class ReferenceInflater {
    private static final int[] LENGTH_BASE = {
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
        35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
    private static final int[] DIST_BASE = {
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
        257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DIST_EXTRA = {
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
    private static final int[] ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    private byte[] history = new byte[1024];
    private int historyLength;
    private int maxDistance;
    private int blockTypesSeen;

    private byte[] in;
    private long bitPos;

    int maxDistance() {
        return maxDistance;
    }

    /** Bit set of the block types met so far: 1 stored, 2 fixed, 4 dynamic. */
    int blockTypesSeen() {
        return blockTypesSeen;
    }

    /** Decodes whole blocks until the input ends; returns this call's output. */
    byte[] inflate(byte[] input) {
        in = input;
        bitPos = 0;
        int start = historyLength;
        while (bitPos < 8L * input.length) {
            bits(1); // BFINAL: the streams under test never set it
            int type = bits(2);
            blockTypesSeen |= 1 << type;
            switch (type) {
                case 0 -> stored();
                case 1 -> huffman(fixedLitLen(), fixedDist());
                case 2 -> dynamic();
                default -> throw new IllegalStateException("block type 3");
            }
        }
        return Arrays.copyOfRange(history, start, historyLength);
    }

    private void stored() {
        bitPos = (bitPos + 7) & ~7L;
        int len = bits(16);
        int nlen = bits(16);
        if ((len ^ 0xffff) != nlen) {
            throw new IllegalStateException("stored length check");
        }
        for (int i = 0; i < len; i++) {
            put((byte) bits(8));
        }
    }

    private void dynamic() {
        int hlit = bits(5) + 257;
        int hdist = bits(5) + 1;
        int hclen = bits(4) + 4;
        int[] clLengths = new int[19];
        for (int i = 0; i < hclen; i++) {
            clLengths[ORDER[i]] = bits(3);
        }
        Code cl = new Code(clLengths);
        int[] lengths = new int[hlit + hdist];
        for (int i = 0; i < lengths.length; ) {
            int sym = cl.decode(this);
            if (sym < 16) {
                lengths[i++] = sym;
            } else {
                int repeat;
                int value = 0;
                if (sym == 16) {
                    value = lengths[i - 1];
                    repeat = 3 + bits(2);
                } else if (sym == 17) {
                    repeat = 3 + bits(3);
                } else {
                    repeat = 11 + bits(7);
                }
                for (int r = 0; r < repeat; r++) {
                    lengths[i++] = value;
                }
            }
        }
        huffman(new Code(Arrays.copyOf(lengths, hlit)), new Code(Arrays.copyOfRange(lengths, hlit, lengths.length)));
    }

    private void huffman(Code litLen, Code dist) {
        while (true) {
            int sym = litLen.decode(this);
            if (sym < 256) {
                put((byte) sym);
            } else if (sym == 256) {
                return;
            } else {
                int length = LENGTH_BASE[sym - 257] + bits(LENGTH_EXTRA[sym - 257]);
                int dc = dist.decode(this);
                int distance = DIST_BASE[dc] + bits(DIST_EXTRA[dc]);
                if (distance > historyLength) {
                    throw new IllegalStateException("distance before the start of the stream");
                }
                maxDistance = Math.max(maxDistance, distance);
                for (int i = 0; i < length; i++) {
                    put(history[historyLength - distance]);
                }
            }
        }
    }

    private void put(byte b) {
        if (historyLength == history.length) {
            history = Arrays.copyOf(history, history.length * 2);
        }
        history[historyLength++] = b;
    }

    int bits(int count) {
        int value = 0;
        for (int i = 0; i < count; i++) {
            if (bitPos >= 8L * in.length) {
                throw new IllegalStateException("input ended inside a block");
            }
            int bit = (in[(int) (bitPos >>> 3)] >>> (bitPos & 7)) & 1;
            value |= bit << i;
            bitPos++;
        }
        return value;
    }

    private static Code fixedLitLen() {
        int[] lengths = new int[288];
        Arrays.fill(lengths, 0, 144, 8);
        Arrays.fill(lengths, 144, 256, 9);
        Arrays.fill(lengths, 256, 280, 7);
        Arrays.fill(lengths, 280, 288, 8);
        return new Code(lengths);
    }

    private static Code fixedDist() {
        int[] lengths = new int[30];
        Arrays.fill(lengths, 5);
        return new Code(lengths);
    }

    /** A canonical code decoded one bit at a time: codes of each length are consecutive. */
    private static final class Code {
        final int[] count = new int[16];
        final int[] symbols;

        Code(int[] lengths) {
            for (int len : lengths) {
                count[len]++;
            }
            int[] offset = new int[16];
            for (int len = 1; len < 15; len++) {
                offset[len + 1] = offset[len] + count[len];
            }
            symbols = new int[lengths.length];
            for (int s = 0; s < lengths.length; s++) {
                if (lengths[s] != 0) {
                    symbols[offset[lengths[s]]++] = s;
                }
            }
        }

        int decode(ReferenceInflater r) {
            int code = 0;
            int first = 0;
            int index = 0;
            for (int len = 1; len <= 15; len++) {
                code |= r.bits(1);
                int n = count[len];
                if (code - first < n) {
                    return symbols[index + code - first];
                }
                index += n;
                first = (first + n) << 1;
                code <<= 1;
            }
            throw new IllegalStateException("no such code");
        }
    }
}
