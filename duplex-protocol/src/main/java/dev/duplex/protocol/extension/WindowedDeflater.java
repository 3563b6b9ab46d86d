package dev.duplex.protocol.extension;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A pure-Java DEFLATE compressor (RFC 1951) whose matches never reach further back than
 * 2<sup>windowBits</sup> bytes. A peer may ask for a window below 15 bits with
 * {@code server_max_window_bits} or {@code client_max_window_bits} (RFC 7692 7.1.2), and
 * {@link java.util.zip.Deflater} cannot produce one: it always searches a 15-bit window. Rather
 * than decline such offers (row G5), Duplex compresses them with this class.
 *
 * <p>It is LZ77 with hash chains whose candidates are cut off at the window, greedy matching
 * (chain length and "good enough" match length set by the level), and per block the cheapest
 * of a stored, fixed-Huffman or dynamic-Huffman block ({@link DeflateBlockWriter}). Every
 * message ends with a sync flush; the window carries over to the next message unless
 * {@link #reset()} is called (RFC 7692 7.1.1).
 *
 * <p><b>8-bit windows.</b> zlib's deflater has no 256-byte window: asked for 8 bits it uses 9
 * (and since zlib 1.2.9 refuses 8 outright for raw streams), while zlib's inflater does accept a
 * raw 8-bit window and then rejects any distance beyond 256. A peer that negotiated 8 bits may
 * therefore inflate with either a 256- or a 512-byte window. This class honours 8 exactly: no
 * distance exceeds 256, so both kinds of inflater accept the stream. The cost is a little
 * compression on a setting that is rare and chosen for memory, not ratio.
 *
 * <p>Not thread-safe.
 */
final class WindowedDeflater implements MessageDeflater {
    static final int MIN_WINDOW_BITS = 8;
    static final int MAX_WINDOW_BITS = 15;

    private static final int MIN_MATCH = 3;
    private static final int MAX_MATCH = 258;
    /** Bytes that must follow a position before it is encoded: a full match plus its hash. */
    private static final int MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1;
    /** A 3-byte match this far back costs more than three literals (zlib's TOO_FAR). */
    private static final int TOO_FAR = 4096;
    private static final int NIL = -1;
    // Per level 0..9: how many chain candidates to try, and a match length that ends the search.
    private static final int[] MAX_CHAIN = {0, 4, 8, 16, 32, 64, 128, 256, 1024, 4096};
    private static final int[] NICE_LENGTH = {0, 8, 16, 32, 64, 128, 258, 258, 258, 258};

    private final int windowSize;
    private final int windowMask;
    private final int maxChain;
    private final int niceLength;
    private final int hashShift;
    /** History and lookahead; slid down in multiples of the window so prev[] stays aligned. */
    private final byte[] buffer;
    /** Most recent position per hash of three bytes, or NIL. */
    private final int[] head;
    /** Previous position with the same hash, indexed by position modulo the window. */
    private final int[] prev;
    private final DeflateBlockWriter writer = new DeflateBlockWriter();

    private int strStart;   // next position to encode
    private int end;        // end of the bytes in the buffer
    private int nextInsert; // first position not yet in the hash chains
    private int blockStart; // first byte of the pending block, or NIL once slid out
    private int maxDistance;

    /**
     * @param windowBits 8..15; no match reaches further back than 2^windowBits bytes
     * @param level 0..9 as for {@link java.util.zip.Deflater}; 0 searches no matches at all
     */
    WindowedDeflater(int windowBits, int level) {
        if (windowBits < MIN_WINDOW_BITS || windowBits > MAX_WINDOW_BITS) {
            throw new IllegalArgumentException("windowBits must be 8..15: " + windowBits);
        }
        if (level < 0 || level > 9) {
            throw new IllegalArgumentException("level must be 0..9: " + level);
        }
        this.windowSize = 1 << windowBits;
        this.windowMask = windowSize - 1;
        this.maxChain = MAX_CHAIN[level];
        this.niceLength = NICE_LENGTH[level];
        // Room for a window of history, up to a window of sliding slack, and a useful refill;
        // the extra part is a multiple of the window, since windows are powers of two.
        this.buffer = new byte[2 * windowSize + Math.max(2 * windowSize, 4096)];
        this.head = new int[1 << windowBits];
        this.hashShift = 32 - windowBits;
        this.prev = new int[windowSize];
        Arrays.fill(head, NIL);
    }

    @Override
    public ByteBuffer deflateMessage(ByteBuffer message) {
        while (message.hasRemaining()) {
            fill(message);
            // Keep a full match of lookahead while more input waits; encode to the end at the last.
            compress(message.hasRemaining() ? end - MIN_LOOKAHEAD : end);
        }
        if (!writer.blockEmpty()) {
            writeBlock();
        }
        return writer.syncFlush();
    }

    @Override
    public void reset() {
        strStart = 0;
        end = 0;
        nextInsert = 0;
        blockStart = 0;
        Arrays.fill(head, NIL); // prev[] is reachable only through head[]
    }

    @Override
    public void end() {
        // Heap memory only; nothing to release.
    }

    /** The largest match distance emitted so far, for tests that check the window is kept. */
    int maxDistance() {
        return maxDistance;
    }

    private void fill(ByteBuffer message) {
        if (strStart >= 2 * windowSize) {
            slide();
        }
        int n = Math.min(message.remaining(), buffer.length - end);
        message.get(buffer, end, n);
        end += n;
    }

    /** Drops history older than one window, moving by a multiple of the window size. */
    private void slide() {
        int shift = (strStart / windowSize - 1) * windowSize;
        System.arraycopy(buffer, shift, buffer, 0, end - shift);
        strStart -= shift;
        end -= shift;
        nextInsert = Math.max(0, nextInsert - shift);
        blockStart = blockStart >= shift ? blockStart - shift : NIL;
        rebase(head, shift);
        rebase(prev, shift);
    }

    private static void rebase(int[] positions, int shift) {
        for (int i = 0; i < positions.length; i++) {
            int p = positions[i];
            positions[i] = p >= shift ? p - shift : NIL;
        }
    }

    private void compress(int limit) {
        while (strStart < limit) {
            int length = 0;
            int distance = 0;
            if (maxChain > 0 && end - strStart >= MIN_MATCH) {
                while (nextInsert < strStart) {
                    insert(nextInsert++);
                }
                int candidate = insert(strStart);
                nextInsert = strStart + 1;
                if (candidate != NIL) {
                    long found = longestMatch(candidate);
                    length = (int) found;
                    distance = (int) (found >>> 32);
                    if (length == MIN_MATCH && distance > TOO_FAR) {
                        length = 0;
                    }
                }
            }
            if (writer.blockFull()) {
                writeBlock();
            }
            if (length >= MIN_MATCH) {
                writer.match(length, distance);
                maxDistance = Math.max(maxDistance, distance);
                strStart += length;
            } else {
                writer.literal(buffer[strStart] & 0xff);
                strStart++;
            }
        }
    }

    /** Adds position {@code p} (which has three bytes after it) to its chain; returns the old head. */
    private int insert(int p) {
        int h = ((buffer[p] & 0xff) << 16 | (buffer[p + 1] & 0xff) << 8 | (buffer[p + 2] & 0xff))
                * 0x9E3779B1 >>> hashShift;
        int previous = head[h];
        prev[p & windowMask] = previous;
        head[h] = p;
        return previous;
    }

    /**
     * Walks the chain from {@code candidate} for the longest match at strStart within the
     * window. Returns (distance << 32) | length, length 0 when nothing of MIN_MATCH was found.
     */
    private long longestMatch(int candidate) {
        byte[] b = buffer;
        int s = strStart;
        int maxLength = Math.min(MAX_MATCH, end - s);
        int oldest = Math.max(0, s - windowSize); // the window: distance at most 2^windowBits
        int best = MIN_MATCH - 1;
        int bestDistance = 0;
        int chain = maxChain;
        while (candidate >= oldest) {
            if (b[candidate + best] == b[s + best] && b[candidate] == b[s]) {
                int len = 1;
                while (len < maxLength && b[candidate + len] == b[s + len]) {
                    len++;
                }
                if (len > best) {
                    best = len;
                    bestDistance = s - candidate;
                    if (len >= niceLength || len == maxLength) {
                        break;
                    }
                }
            }
            if (--chain == 0) {
                break;
            }
            int next = prev[candidate & windowMask];
            // Chains only go back in time; a later entry means the slot was reused (distance
            // exactly one window), so the chain ends here.
            if (next >= candidate) {
                break;
            }
            candidate = next;
        }
        return best >= MIN_MATCH ? ((long) bestDistance << 32) | best : 0;
    }

    private void writeBlock() {
        if (blockStart >= 0) {
            writer.writeBlock(buffer, blockStart, strStart - blockStart);
        } else {
            writer.writeBlock(null, 0, 0);
        }
        blockStart = strStart;
    }
}
