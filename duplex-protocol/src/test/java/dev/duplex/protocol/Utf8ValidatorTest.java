package dev.duplex.protocol;

import static dev.duplex.protocol.RawFrames.hex;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The incremental UTF-8 validator (RFC 3629, RFC 6455 8.1, rows D4–D6). Its verdict is compared
 * with the JDK's decoder in REPORT mode; the index of the first bad byte with the table of
 * well-formed byte sequences in the Unicode Standard (Table 3-7), written out as data here.
 */
class Utf8ValidatorTest {
    private final CharsetDecoder jdk = UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);

    private CharBuffer chars = CharBuffer.allocate(64);

    /** The JDK's verdict on complete input, without the cost of an exception per invalid input. */
    boolean jdkAccepts(byte[] bytes) {
        if (chars.capacity() < bytes.length) {
            chars = CharBuffer.allocate(bytes.length);
        }
        chars.clear();
        jdk.reset();
        return !jdk.decode(ByteBuffer.wrap(bytes), chars, true).isError() && !jdk.flush(chars).isError();
    }

    /**
     * Unicode Table 3-7: each row is a lead byte range and the ranges the bytes after it must
     * fall in, as {low, high} pairs.
     */
    static final int[][][] WELL_FORMED = {
        {{0x00, 0x7f}},
        {{0xc2, 0xdf}, {0x80, 0xbf}},
        {{0xe0, 0xe0}, {0xa0, 0xbf}, {0x80, 0xbf}},
        {{0xe1, 0xec}, {0x80, 0xbf}, {0x80, 0xbf}},
        {{0xed, 0xed}, {0x80, 0x9f}, {0x80, 0xbf}},
        {{0xee, 0xef}, {0x80, 0xbf}, {0x80, 0xbf}},
        {{0xf0, 0xf0}, {0x90, 0xbf}, {0x80, 0xbf}, {0x80, 0xbf}},
        {{0xf1, 0xf3}, {0x80, 0xbf}, {0x80, 0xbf}, {0x80, 0xbf}},
        {{0xf4, 0xf4}, {0x80, 0x8f}, {0x80, 0xbf}, {0x80, 0xbf}},
    };

    /** What the table says: the first bad byte's index, or -1 with {@code truncated[0]} telling whether the end cut a code point. */
    static int firstBadByteByTable(byte[] b, int offset, int length, boolean[] truncated) {
        int end = offset + length;
        int i = offset;
        truncated[0] = false;
        while (i < end) {
            int lead = b[i] & 0xff;
            int[][] row = null;
            for (int[][] r : WELL_FORMED) {
                if (lead >= r[0][0] && lead <= r[0][1]) {
                    row = r;
                }
            }
            if (row == null) {
                return i;
            }
            for (int j = 1; j < row.length; j++) {
                if (i + j >= end) {
                    truncated[0] = true;
                    return -1;
                }
                int next = b[i + j] & 0xff;
                if (next < row[j][0] || next > row[j][1]) {
                    return i + j;
                }
            }
            i += row.length;
        }
        return -1;
    }

    record Verdict(int firstBad, boolean complete) {}

    static Verdict ours(byte[] b, int offset, int length) {
        Utf8Validator v = new Utf8Validator();
        int bad = v.update(b, offset, length);
        return new Verdict(bad, bad < 0 && v.isComplete());
    }

    static Verdict byTable(byte[] b, int offset, int length) {
        boolean[] truncated = new boolean[1];
        int bad = firstBadByteByTable(b, offset, length, truncated);
        return new Verdict(bad, bad < 0 && !truncated[0]);
    }

    /** Checks one input three ways: the JDK's verdict, the table's index, and the validator's. */
    void check(byte[] b, String context) {
        Verdict expected = byTable(b, 0, b.length);
        // Messages are built only on failure: these checks run a million times.
        assertEquals(jdkAccepts(b), expected.complete(), () -> "the table and the JDK disagree on " + hex(b) + " " + context);
        assertEquals(expected, ours(b, 0, b.length), () -> hex(b) + " " + context);
    }

    @Test
    void everyOneAndTwoByteSequenceMatchesTheJdk() {
        for (int a = 0; a < 256; a++) {
            check(new byte[] {(byte) a}, "");
            for (int b = 0; b < 256; b++) {
                check(new byte[] {(byte) a, (byte) b}, "");
            }
        }
    }

    /** Bytes at the edges of every range in Table 3-7, and a few outside all of them. */
    static final int[] EDGES = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
        0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xf8, 0xfe, 0xff};

    @Test
    void threeByteSequencesAroundBoundariesMatchTheJdk() {
        for (int a : EDGES) {
            for (int b = 0; b < 256; b++) {
                for (int c : EDGES) {
                    check(new byte[] {(byte) a, (byte) b, (byte) c}, "");
                }
            }
        }
    }

    @Test
    void fourByteSequencesAroundBoundariesMatchTheJdk() {
        for (int a : new int[] {0xe0, 0xed, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xf7, 0xff}) {
            for (int b = 0; b < 256; b++) {
                for (int c : EDGES) {
                    for (int d : new int[] {0x41, 0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0, 0xff}) {
                        check(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}, "");
                    }
                }
            }
        }
    }

    @Test
    void everyScalarValueIsValidAndEverySurrogateInvalid() {
        for (int cp = 0; cp <= 0x10ffff; cp++) {
            byte[] b = encode(cp);
            Verdict v = ours(b, 0, b.length);
            if (cp >= 0xd800 && cp <= 0xdfff) {
                int c = cp;
                assertEquals(new Verdict(1, false), v, () -> "surrogate U+" + Integer.toHexString(c));
            } else {
                int c = cp;
                assertEquals(new Verdict(-1, true), v, () -> "U+" + Integer.toHexString(c));
            }
        }
    }

    @Test
    void codePointsAboveU10ffffAreInvalid() {
        for (int cp = 0x110000; cp <= 0x1fffff; cp += 0x3f) {
            byte[] b = encode(cp);
            assertEquals(new Verdict(b[0] == (byte) 0xf4 ? 1 : 0, false), ours(b, 0, b.length), "U+" + Integer.toHexString(cp));
        }
    }

    @Test
    void everyOverlongFormIsInvalid() {
        for (int cp = 0; cp < 0x10000; cp++) {
            byte[][] forms = {
                cp < 0x80 ? encodeIn(cp, 2) : null, // C0 or C1: bad as a lead
                cp < 0x800 ? encodeIn(cp, 3) : null, // E0 80..9F: bad at the second byte
                encodeIn(cp, 4)};                    // F0 80..8F: bad at the second byte
            for (byte[] b : forms) {
                if (b != null) {
                    assertEquals(new Verdict(b.length == 2 ? 0 : 1, false), ours(b, 0, b.length), () -> hex(b));
                    assertFalse(jdkAccepts(b), () -> hex(b));
                }
            }
        }
    }

    /** The UTF-8 form of a code point, surrogates and values over U+10FFFF included (which the JDK will not encode). */
    static byte[] encode(int cp) {
        return encodeIn(cp, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
    }

    /** The code point in a form of {@code n} bytes, overlong when n is more than it needs. */
    static byte[] encodeIn(int cp, int n) {
        if (n == 1) {
            return new byte[] {(byte) cp};
        }
        byte[] b = new byte[n];
        for (int i = n - 1; i > 0; i--) {
            b[i] = (byte) (0x80 | (cp & 0x3f));
            cp >>>= 6;
        }
        b[0] = (byte) ((0xff00 >> n) | cp);
        return b;
    }

    @Test
    void noncharactersReplacementCharacterAndBomAreValid() {
        // Row D5: they are scalar values, and UTF-8 carries every scalar value.
        for (String s : new String[] {"\ufdd0", "\ufdef", "\ufffe", "\uffff", "\ud83f\udffe", "\udbff\udfff", "\ufffd", "\ufeff"}) {
            byte[] b = s.getBytes(UTF_8);
            assertTrue(Utf8Validator.isValid(b, 0, b.length), hex(b));
            assertEquals(s, Utf8Validator.decode(b, 0, b.length));
        }
    }

    // ---------------------------------------------------------------- seeded random inputs

    /** Random text of code points from every range, then, half the time, one mutation. */
    static byte[] randomInput(Random r) {
        StringBuilder text = new StringBuilder();
        int count = r.nextInt(10) == 0 ? r.nextInt(2000) : r.nextInt(40);
        for (int i = 0; i < count; i++) {
            int kind = r.nextInt(10);
            int cp;
            if (kind < 5) {
                cp = r.nextInt(0x80);
            } else if (kind < 6) {
                cp = r.nextInt(0x80, 0x800);
            } else if (kind < 8) {
                do {
                    cp = r.nextInt(0x800, 0x10000);
                } while (cp >= 0xd800 && cp <= 0xdfff);
            } else {
                cp = r.nextInt(0x10000, 0x110000);
            }
            text.appendCodePoint(cp);
        }
        byte[] b = text.toString().getBytes(UTF_8);
        if (b.length == 0 || r.nextBoolean()) {
            return b;
        }
        int at = r.nextInt(b.length);
        int[] nasty = {0x80, 0xbf, 0xc0, 0xc1, 0xe0, 0xed, 0xf0, 0xf4, 0xf5, 0xff};
        byte value = (byte) (r.nextBoolean() ? r.nextInt(256) : nasty[r.nextInt(nasty.length)]);
        return switch (r.nextInt(4)) {
            case 0 -> {
                b[at] = value;
                yield b;
            }
            case 1 -> { // insert
                byte[] longer = new byte[b.length + 1];
                System.arraycopy(b, 0, longer, 0, at);
                longer[at] = value;
                System.arraycopy(b, at, longer, at + 1, b.length - at);
                yield longer;
            }
            case 2 -> { // delete
                byte[] shorter = new byte[b.length - 1];
                System.arraycopy(b, 0, shorter, 0, at);
                System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
                yield shorter;
            }
            default -> Arrays.copyOf(b, at); // truncate
        };
    }

    @Test
    void seededRandomInputsMatchTheJdkAndTheTable() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random r = new Random(seed);
        for (int round = 0; round < 20_000; round++) {
            check(randomInput(r), "seed " + seed + " round " + round + " (rerun with -Dduplex.test.seed=" + seed + ")");
        }
    }

    @Test
    void feedingInPiecesAtEverySplitGivesTheSameVerdict() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random r = new Random(seed);
        for (int round = 0; round < 2_000; round++) {
            byte[] b = randomInput(r);
            if (b.length > 300) {
                continue;
            }
            String context = "seed " + seed + " round " + round + " input " + hex(b);
            Verdict whole = byTable(b, 0, b.length);
            for (int cut = 0; cut <= b.length; cut++) {
                Utf8Validator v = new Utf8Validator();
                int bad = v.update(b, 0, cut);
                if (bad < 0) {
                    bad = v.update(b, cut, b.length - cut);
                }
                assertEquals(whole, new Verdict(bad, bad < 0 && v.isComplete()), "cut at " + cut + ", " + context);
            }
            Utf8Validator v = new Utf8Validator();
            int bad = -1;
            for (int i = 0; i < b.length && bad < 0; i++) {
                bad = v.update(b, i, 1);
            }
            assertEquals(whole, new Verdict(bad, bad < 0 && v.isComplete()), "byte by byte, " + context);
        }
    }

    // ---------------------------------------------------------------- the ASCII fast path

    @Test
    void fastPathFindsABadByteAtEveryPositionAndAlignment() {
        byte[] outside = {(byte) 0xff};
        for (int offset = 0; offset < 9; offset++) {
            for (int length = 0; length <= 40; length++) {
                // Bad bytes just outside the range must not be read.
                byte[] b = new byte[offset + length + 9];
                Arrays.fill(b, outside[0]);
                Arrays.fill(b, offset, offset + length, (byte) 'a');
                assertEquals(-1, new Utf8Validator().update(b, offset, length), "offset " + offset + " length " + length);
                for (int p = 0; p < length; p++) {
                    b[offset + p] = (byte) 0x80;
                    assertEquals(offset + p, new Utf8Validator().update(b, offset, length),
                            "offset " + offset + " length " + length + " bad at " + p);
                    b[offset + p] = (byte) 0xc3; // a lead byte whose tail is missing or ASCII
                    Verdict v = ours(b, offset, length);
                    assertEquals(p == length - 1 ? new Verdict(-1, false) : new Verdict(offset + p + 1, false), v,
                            "offset " + offset + " length " + length + " lead at " + p);
                    b[offset + p] = (byte) 'a';
                }
            }
        }
    }

    @Test
    void codePointAfterALongAsciiRunIsChecked() {
        byte[] b = (("x".repeat(17)) + "\u00e9").getBytes(UTF_8);
        assertTrue(Utf8Validator.isValid(b, 0, b.length));
        b[b.length - 1] = 'x';
        assertEquals(new Verdict(b.length - 1, false), ours(b, 0, b.length));
    }

    // ---------------------------------------------------------------- the API

    @Test
    void afterAFailureEveryUpdateFailsAtItsFirstByteUntilReset() {
        Utf8Validator v = new Utf8Validator();
        byte[] b = hex("41 ff 41 41");
        assertEquals(1, v.update(b, 0, 2));
        assertTrue(v.hasFailed());
        assertFalse(v.isComplete());
        assertEquals(2, v.update(b, 2, 2));
        v.reset();
        assertFalse(v.hasFailed());
        assertEquals(-1, v.update(b, 2, 2));
        assertTrue(v.isComplete());
    }

    @Test
    void unfinishedCodePointIsNotCompleteButNotFailed() {
        Utf8Validator v = new Utf8Validator();
        assertEquals(-1, v.update(hex("f0 9f 98"), 0, 3));
        assertFalse(v.isComplete());
        assertFalse(v.hasFailed());
        assertEquals(-1, v.update(hex("80"), 0, 1));
        assertTrue(v.isComplete());
    }

    @Test
    void isValidAndDecodeHonourOffsetAndLength() {
        byte[] b = hex("ff 48 c3 a9 ff");
        assertTrue(Utf8Validator.isValid(b, 1, 3));
        assertEquals("H\u00e9", Utf8Validator.decode(b, 1, 3));
        assertFalse(Utf8Validator.isValid(b, 1, 2), "ends inside a code point");
        assertFalse(Utf8Validator.isValid(b, 0, 3));
    }

    @Test
    void decodeRefusesInvalidBytesWith1007() {
        // Row D6: never replace bad bytes silently.
        for (String bad : new String[] {"c0 af", "ed a0 80", "f4 90 80 80", "e2 82", "ff"}) {
            byte[] b = hex(bad);
            ProtocolException e = assertThrows(ProtocolException.class, () -> Utf8Validator.decode(b, 0, b.length));
            assertEquals(CloseStatus.INVALID_PAYLOAD, e.closeCode(), bad);
        }
    }
}
