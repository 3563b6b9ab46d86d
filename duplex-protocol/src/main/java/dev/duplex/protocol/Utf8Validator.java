package dev.duplex.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Incremental UTF-8 validation (RFC 3629), fed in pieces of any size, so that invalid text
 * fails at the first bad byte even inside a fragment (RFC 6455 8.1) and a code point split
 * across fragments is still valid. Rejects overlong forms, surrogates (U+D800–U+DFFF) and code
 * points above U+10FFFF; accepts noncharacters, U+FFFD and the BOM (row D5). Not thread-safe.
 */
public final class Utf8Validator {
    // States name what the next byte must be. ACCEPT: at a code point boundary. Each state is
    // a multiple of STATE_BITS: its bit offset in the packed transition rows below.
    private static final int STATE_BITS = 6;
    private static final int ACCEPT = 0;
    private static final int TAIL1 = 1 * STATE_BITS;      // one more 80..BF
    private static final int TAIL2 = 2 * STATE_BITS;      // two more, first 80..BF
    private static final int TAIL2_E0 = 3 * STATE_BITS;   // after E0: A0..BF (no overlongs)
    private static final int TAIL2_ED = 4 * STATE_BITS;   // after ED: 80..9F (no surrogates)
    private static final int TAIL3 = 5 * STATE_BITS;      // three more, first 80..BF
    private static final int TAIL3_F0 = 6 * STATE_BITS;   // after F0: 90..BF (no overlongs)
    private static final int TAIL3_F4 = 7 * STATE_BITS;   // after F4: 80..8F (nothing above U+10FFFF)
    private static final int REJECT = 8 * STATE_BITS;     // absorbing: every byte stays here
    private static final int STATE_MASK = (1 << STATE_BITS) - 1;

    /**
     * The automaton of {@link #next} as one 64-bit row per byte value: bits {@code [s, s + 6)}
     * of {@code ROWS[b]} hold the state after {@code b} in state {@code s}. One step is then
     * {@code s = ROWS[b] >>> s}: a load that does not depend on the state and one shift that
     * does (Java shifts a long by the count's low six bits, so the bits above the state need
     * no mask). On mixed-script text, where the branches of {@link #next} mispredict, that
     * is about three times the speed (docs/BENCHMARKS.md, "Mixed text").
     */
    private static final long[] ROWS = new long[256];

    static {
        for (int b = 0; b < 256; b++) {
            long row = 0;
            for (int s = ACCEPT; s <= REJECT; s += STATE_BITS) {
                row |= (long) next(s, b) << s;
            }
            ROWS[b] = row;
        }
    }

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final int ASCII_BLOCK = 256;
    private static final int ASCII_RUN_FOR_BLOCKS = 64;
    /**
     * Bytes run through the automaton between two checks for REJECT. Since REJECT absorbs,
     * one check per chunk finds any error; the chunk is then replayed a byte at a time for
     * the exact index.
     */
    private static final int CHUNK = 16;

    private int state = ACCEPT;

    /**
     * Feeds {@code length} bytes from {@code bytes} at {@code offset}.
     *
     * @return the index of the first invalid byte, or -1 when all bytes so far are valid (a
     *     code point may still be unfinished; see {@link #isComplete()})
     */
    public int update(byte[] bytes, int offset, int length) {
        if (state == REJECT) {
            return offset;
        }
        int i = offset;
        int end = offset + length;
        int s = state;
        while (i < end) {
            if (s == ACCEPT) { // checked once per chunk of the automaton below
                // Text is mostly ASCII: skip it eight bytes at a time, and once a run is long
                // enough to be worth it, a block at a time (in mixed text a block would
                // almost always fail, and cost more than it saves).
                int run = i;
                while (i + 8 <= end && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
                    i += 8;
                    if (i - run >= ASCII_RUN_FOR_BLOCKS) {
                        i = skipAsciiBlocks(bytes, i, end);
                        run = Integer.MAX_VALUE / 2; // one block attempt per run
                    }
                }
            }
            int chunkEnd = Math.min(i + CHUNK, end);
            long t = s;
            for (int j = i; j < chunkEnd; j++) {
                t = ROWS[bytes[j] & 0xff] >>> t;
            }
            int after = (int) t & STATE_MASK;
            if (after == REJECT) {
                state = REJECT;
                return firstReject(bytes, i, s);
            }
            s = after;
            i = chunkEnd;
        }
        state = s;
        return -1;
    }

    /** The index of the byte at or after {@code i} that takes state {@code s} to REJECT. */
    private static int firstReject(byte[] bytes, int i, int s) {
        while (true) {
            s = (int) (ROWS[bytes[i] & 0xff] >>> s) & STATE_MASK;
            if (s == REJECT) {
                return i;
            }
            i++;
        }
    }

    /**
     * Returns the index after the leading whole blocks of {@code bytes[i, end)} that are all
     * ASCII. The inner loop is counted and branch-free, so C2 turns it into vector loads and
     * ORs: about four times the speed of testing one word at a time.
     */
    private static int skipAsciiBlocks(byte[] bytes, int i, int end) {
        while (end - i >= ASCII_BLOCK) {
            long any = 0;
            for (int w = 0; w < ASCII_BLOCK / 8; w++) {
                any |= (long) LONGS.get(bytes, i + (w << 3));
            }
            if ((any & HIGH_BITS) != 0) {
                return i;
            }
            i += ASCII_BLOCK;
        }
        return i;
    }

    /** The automaton, readable: the state after byte {@code b} in state {@code s}. Builds {@link #ROWS}. */
    private static int next(int s, int b) {
        return switch (s) {
            case ACCEPT -> {
                if (b < 0x80) yield ACCEPT;
                if (b < 0xc2) yield REJECT;          // continuation byte, or overlong C0/C1
                if (b < 0xe0) yield TAIL1;
                if (b == 0xe0) yield TAIL2_E0;
                if (b == 0xed) yield TAIL2_ED;
                if (b < 0xf0) yield TAIL2;
                if (b == 0xf0) yield TAIL3_F0;
                if (b < 0xf4) yield TAIL3;
                if (b == 0xf4) yield TAIL3_F4;
                yield REJECT;                        // F5..FF never appear in UTF-8
            }
            case TAIL1 -> isContinuation(b) ? ACCEPT : REJECT;
            case TAIL2 -> isContinuation(b) ? TAIL1 : REJECT;
            case TAIL2_E0 -> b >= 0xa0 && b <= 0xbf ? TAIL1 : REJECT;
            case TAIL2_ED -> b >= 0x80 && b <= 0x9f ? TAIL1 : REJECT;
            case TAIL3 -> isContinuation(b) ? TAIL2 : REJECT;
            case TAIL3_F0 -> b >= 0x90 && b <= 0xbf ? TAIL2 : REJECT;
            case TAIL3_F4 -> b >= 0x80 && b <= 0x8f ? TAIL2 : REJECT;
            default -> REJECT;
        };
    }

    private static boolean isContinuation(int b) {
        return (b & 0xc0) == 0x80;
    }

    /** Whether everything fed so far is valid and ends on a code point boundary. */
    public boolean isComplete() {
        return state == ACCEPT;
    }

    /** Whether an invalid byte has been seen. */
    public boolean hasFailed() {
        return state == REJECT;
    }

    /** Starts over, for the next message. */
    public void reset() {
        state = ACCEPT;
    }

    /** Whether the bytes are complete, valid UTF-8. */
    public static boolean isValid(byte[] bytes, int offset, int length) {
        Utf8Validator v = new Utf8Validator();
        return v.update(bytes, offset, length) < 0 && v.isComplete();
    }

    /**
     * Decodes bytes that are complete, valid UTF-8, or throws a ProtocolException with 1007.
     * The JDK's String constructor would replace bad bytes silently (row D6), so it is only
     * reached after validation has proved there are none.
     */
    public static String decode(byte[] bytes, int offset, int length) {
        if (!isValid(bytes, offset, length)) {
            throw new ProtocolException(CloseStatus.INVALID_PAYLOAD, "invalid UTF-8");
        }
        return decodeValidated(bytes, offset, length);
    }

    /** Decodes bytes that a validator has already accepted as complete UTF-8. */
    static String decodeValidated(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }
}
