package dev.duplex.protocol.extension;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Writes DEFLATE blocks (RFC 1951 3.2): collects literal and match symbols, then emits each
 * block in whichever of the three block types is smallest, and ends a message with the sync
 * flush that RFC 7692 7.2.1 builds on. Output is collected per message and handed out as a
 * fresh buffer, so callers may keep it.
 */
final class DeflateBlockWriter {
    /** Symbols per block; like zlib's default, large enough to amortise a dynamic header. */
    static final int BLOCK_SYMBOLS = 1 << 14;

    private static final int END_OF_BLOCK = 256;
    private static final int LITLEN_CODES = 286;
    private static final int DIST_CODES = 30;
    private static final int MAX_CODE_BITS = 15;
    private static final int MAX_CODE_LENGTH_BITS = 7;
    private static final int MAX_STORED = 65_535;

    // RFC 1951 3.2.5: base value and extra bits of length codes 257..285 and distance codes.
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
    /** RFC 1951 3.2.7: the order in which code length code lengths are sent. */
    private static final int[] CODE_LENGTH_ORDER = {
        16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

    /** Length (3..258) to length code index (0..28). */
    private static final byte[] LENGTH_CODE = new byte[259];
    /** Distance (1..32768) to distance code (0..29). */
    private static final byte[] DIST_CODE = new byte[32_769];

    /** RFC 1951 3.2.6: the fixed literal/length and distance codes. */
    private static final HuffmanCode FIXED_LITLEN;
    private static final HuffmanCode FIXED_DIST;

    static {
        // The last range is 258 alone, which is length code 285.
        for (int code = 0; code < LENGTH_BASE.length; code++) {
            int end = code + 1 < LENGTH_BASE.length ? LENGTH_BASE[code + 1] : 259;
            for (int len = LENGTH_BASE[code]; len < end; len++) {
                LENGTH_CODE[len] = (byte) code;
            }
        }
        for (int code = 0; code < DIST_BASE.length; code++) {
            int end = code + 1 < DIST_BASE.length ? DIST_BASE[code + 1] : 32_769;
            for (int dist = DIST_BASE[code]; dist < end; dist++) {
                DIST_CODE[dist] = (byte) code;
            }
        }
        int[] lit = new int[288];
        Arrays.fill(lit, 0, 144, 8);
        Arrays.fill(lit, 144, 256, 9);
        Arrays.fill(lit, 256, 280, 7);
        Arrays.fill(lit, 280, 288, 8);
        FIXED_LITLEN = HuffmanCode.ofLengths(lit);
        int[] dist = new int[DIST_CODES];
        Arrays.fill(dist, 5);
        FIXED_DIST = HuffmanCode.ofLengths(dist);
    }

    // Pending symbols of the current block: a literal is its byte value; a match is
    // (distance << 16) | length, read back unsigned (distance 32768 sets the sign bit).
    private final int[] symbols = new int[BLOCK_SYMBOLS];
    private int symbolCount;
    private final int[] litLenFreq = new int[LITLEN_CODES];
    private final int[] distFreq = new int[DIST_CODES];

    private byte[] out = new byte[256];
    private int outLength;
    private long bitBuffer;
    private int bitCount;

    /** Whether the block is full and must be written before another symbol is added. */
    boolean blockFull() {
        return symbolCount == BLOCK_SYMBOLS;
    }

    boolean blockEmpty() {
        return symbolCount == 0;
    }

    void literal(int b) {
        symbols[symbolCount++] = b;
        litLenFreq[b]++;
    }

    /** A match of {@code length} (3..258) bytes, {@code distance} (1..32768) back. */
    void match(int length, int distance) {
        symbols[symbolCount++] = (distance << 16) | length;
        litLenFreq[257 + LENGTH_CODE[length]]++;
        distFreq[DIST_CODE[distance]]++;
    }

    /**
     * Writes the pending symbols as one non-final block. {@code raw} holds the bytes the block
     * encodes from {@code rawOffset}, or is null when they are no longer at hand, in which case
     * a stored block is not considered.
     */
    void writeBlock(byte[] raw, int rawOffset, int rawLength) {
        litLenFreq[END_OF_BLOCK]++;
        long extraBits = 0;
        for (int code = 0; code < LENGTH_EXTRA.length; code++) {
            extraBits += (long) litLenFreq[257 + code] * LENGTH_EXTRA[code];
        }
        for (int code = 0; code < DIST_CODES; code++) {
            extraBits += (long) distFreq[code] * DIST_EXTRA[code];
        }
        HuffmanCode litLen = HuffmanCode.build(litLenFreq, MAX_CODE_BITS);
        HuffmanCode dist = HuffmanCode.build(distFreq, MAX_CODE_BITS);
        DynamicHeader header = DynamicHeader.of(litLen, dist);

        long fixedBits = 3 + FIXED_LITLEN.cost(litLenFreq) + FIXED_DIST.cost(distFreq) + extraBits;
        long dynamicBits = 3 + header.bits + litLen.cost(litLenFreq) + dist.cost(distFreq) + extraBits;
        long storedBits = Long.MAX_VALUE;
        if (raw != null) {
            int blocks = Math.max(1, (rawLength + MAX_STORED - 1) / MAX_STORED);
            storedBits = (long) blocks * (3 + 7 + 32) + 8L * rawLength;
        }

        if (storedBits <= fixedBits && storedBits <= dynamicBits) {
            writeStored(raw, rawOffset, rawLength);
        } else if (fixedBits <= dynamicBits) {
            writeBits(0b010, 3); // BFINAL 0, BTYPE 01
            writeSymbols(FIXED_LITLEN, FIXED_DIST);
        } else {
            writeBits(0b100, 3); // BFINAL 0, BTYPE 10
            header.write(this);
            writeSymbols(litLen, dist);
        }
        symbolCount = 0;
        Arrays.fill(litLenFreq, 0);
        Arrays.fill(distFreq, 0);
    }

    /**
     * Ends the message with an empty stored block, which leaves the output byte-aligned and
     * ending in {@code 00 00 ff ff} (RFC 7692 7.2.1, zlib's Z_SYNC_FLUSH), and hands the
     * message's output over.
     */
    ByteBuffer syncFlush() {
        writeBits(0, 3);
        alignToByte();
        writeByte(0x00);
        writeByte(0x00);
        writeByte(0xff);
        writeByte(0xff);
        ByteBuffer result = ByteBuffer.wrap(out, 0, outLength);
        out = new byte[256];
        outLength = 0;
        return result;
    }

    private void writeStored(byte[] raw, int offset, int length) {
        do {
            int chunk = Math.min(length, MAX_STORED);
            writeBits(0, 3); // BFINAL 0, BTYPE 00
            alignToByte();
            writeByte(chunk & 0xff);
            writeByte(chunk >>> 8);
            writeByte(~chunk & 0xff);
            writeByte((~chunk >>> 8) & 0xff);
            ensureCapacity(chunk);
            System.arraycopy(raw, offset, out, outLength, chunk);
            outLength += chunk;
            offset += chunk;
            length -= chunk;
        } while (length > 0);
    }

    private void writeSymbols(HuffmanCode litLen, HuffmanCode dist) {
        for (int i = 0; i < symbolCount; i++) {
            int s = symbols[i];
            if ((s >>> 16) == 0) {
                writeBits(litLen.codes[s], litLen.lengths[s]);
                continue;
            }
            int length = s & 0xffff;
            int distance = s >>> 16;
            int lc = LENGTH_CODE[length];
            writeBits(litLen.codes[257 + lc], litLen.lengths[257 + lc]);
            writeBits(length - LENGTH_BASE[lc], LENGTH_EXTRA[lc]);
            int dc = DIST_CODE[distance];
            writeBits(dist.codes[dc], dist.lengths[dc]);
            writeBits(distance - DIST_BASE[dc], DIST_EXTRA[dc]);
        }
        writeBits(litLen.codes[END_OF_BLOCK], litLen.lengths[END_OF_BLOCK]);
    }

    /** Appends the low {@code count} (at most 16) bits of {@code value}, LSB first. */
    void writeBits(int value, int count) {
        bitBuffer |= (long) (value & ((1 << count) - 1)) << bitCount;
        bitCount += count;
        if (bitCount >= 32) {
            ensureCapacity(4);
            for (int i = 0; i < 4; i++) {
                out[outLength++] = (byte) bitBuffer;
                bitBuffer >>>= 8;
            }
            bitCount -= 32;
        }
    }

    private void alignToByte() {
        while (bitCount > 0) {
            ensureCapacity(1);
            out[outLength++] = (byte) bitBuffer;
            bitBuffer >>>= 8;
            bitCount = Math.max(0, bitCount - 8);
        }
        bitBuffer = 0;
    }

    private void writeByte(int b) {
        ensureCapacity(1);
        out[outLength++] = (byte) b;
    }

    private void ensureCapacity(int more) {
        if (outLength + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + more));
        }
    }

    /**
     * The header of a dynamic block (RFC 1951 3.2.7): the code lengths of both codes, run-length
     * encoded as one sequence and themselves Huffman coded.
     */
    private record DynamicHeader(int hlit, int hdist, int hclen, HuffmanCode lengthCode,
                                 int[] runs, int runCount, long bits) {

        static DynamicHeader of(HuffmanCode litLen, HuffmanCode dist) {
            int hlit = LITLEN_CODES;
            while (hlit > 257 && litLen.lengths[hlit - 1] == 0) {
                hlit--;
            }
            int hdist = DIST_CODES;
            while (hdist > 1 && dist.lengths[hdist - 1] == 0) {
                hdist--;
            }
            int[] seq = new int[hlit + hdist];
            System.arraycopy(litLen.lengths, 0, seq, 0, hlit);
            System.arraycopy(dist.lengths, 0, seq, hlit, hdist);

            // Each run entry is (extra value << 8) | symbol, symbol 0..18.
            int[] runs = new int[seq.length];
            int runCount = 0;
            int[] freq = new int[19];
            for (int i = 0; i < seq.length; ) {
                int value = seq[i];
                int run = 1;
                while (i + run < seq.length && seq[i + run] == value) {
                    run++;
                }
                i += run;
                if (value == 0) {
                    while (run >= 11) {
                        int n = Math.min(run, 138);
                        runs[runCount++] = ((n - 11) << 8) | 18;
                        freq[18]++;
                        run -= n;
                    }
                    if (run >= 3) {
                        runs[runCount++] = ((run - 3) << 8) | 17;
                        freq[17]++;
                        run = 0;
                    }
                } else {
                    runs[runCount++] = value;
                    freq[value]++;
                    run--;
                    while (run >= 3) {
                        int n = Math.min(run, 6);
                        runs[runCount++] = ((n - 3) << 8) | 16;
                        freq[16]++;
                        run -= n;
                    }
                }
                for (; run > 0; run--) {
                    runs[runCount++] = value;
                    freq[value]++;
                }
            }
            HuffmanCode lengthCode = HuffmanCode.build(freq, MAX_CODE_LENGTH_BITS);
            int hclen = 19;
            while (hclen > 4 && lengthCode.lengths[CODE_LENGTH_ORDER[hclen - 1]] == 0) {
                hclen--;
            }
            long bits = 5 + 5 + 4 + 3L * hclen + lengthCode.cost(freq)
                    + 2L * freq[16] + 3L * freq[17] + 7L * freq[18];
            return new DynamicHeader(hlit, hdist, hclen, lengthCode, runs, runCount, bits);
        }

        void write(DeflateBlockWriter w) {
            w.writeBits(hlit - 257, 5);
            w.writeBits(hdist - 1, 5);
            w.writeBits(hclen - 4, 4);
            for (int i = 0; i < hclen; i++) {
                w.writeBits(lengthCode.lengths[CODE_LENGTH_ORDER[i]], 3);
            }
            for (int i = 0; i < runCount; i++) {
                int symbol = runs[i] & 0xff;
                int extra = runs[i] >>> 8;
                w.writeBits(lengthCode.codes[symbol], lengthCode.lengths[symbol]);
                switch (symbol) {
                    case 16 -> w.writeBits(extra, 2);
                    case 17 -> w.writeBits(extra, 3);
                    case 18 -> w.writeBits(extra, 7);
                    default -> { }
                }
            }
        }
    }
}
