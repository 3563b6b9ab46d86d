package dev.duplex.compliance.conformance;

import java.util.ArrayList;
import java.util.List;

/**
 * The suite's own reading of UTF-8, straight from the ABNF of RFC 3629 section 4, used to say
 * where a test vector goes wrong: which byte is the first that no valid text could have, and
 * where its code points end. Kept apart from Duplex's validator on purpose: the suite must not
 * judge the server with the server's own code.
 */
final class Utf8Grammar {
    private Utf8Grammar() {}

    /**
     * RFC 3629 4: what a lead byte starts — the sequence length and the range allowed for the
     * second byte (the rest are always 80..BF) — or null when no sequence starts with it.
     */
    private record Rule(int length, int secondMin, int secondMax) {}

    private static Rule rule(int lead) {
        if (lead <= 0x7f) {
            return new Rule(1, 0, 0);                       // UTF8-1
        }
        if (lead >= 0xc2 && lead <= 0xdf) {
            return new Rule(2, 0x80, 0xbf);                 // UTF8-2
        }
        if (lead == 0xe0) {
            return new Rule(3, 0xa0, 0xbf);                 // UTF8-3, no overlongs
        }
        if (lead >= 0xe1 && lead <= 0xec || lead == 0xee || lead == 0xef) {
            return new Rule(3, 0x80, 0xbf);
        }
        if (lead == 0xed) {
            return new Rule(3, 0x80, 0x9f);                 // no surrogates
        }
        if (lead == 0xf0) {
            return new Rule(4, 0x90, 0xbf);                 // UTF8-4, no overlongs
        }
        if (lead >= 0xf1 && lead <= 0xf3) {
            return new Rule(4, 0x80, 0xbf);
        }
        if (lead == 0xf4) {
            return new Rule(4, 0x80, 0x8f);                 // nothing above U+10FFFF
        }
        return null;                                        // 80..C1, F5..FF
    }

    /**
     * The index of the first byte at which the bytes stop being the start of any valid UTF-8
     * text, or -1 when there is none (the bytes are valid, or valid but cut short).
     */
    static int firstInvalidByte(byte[] bytes) {
        int i = 0;
        while (i < bytes.length) {
            Rule rule = rule(bytes[i] & 0xff);
            if (rule == null) {
                return i;
            }
            for (int k = 1; k < rule.length(); k++) {
                if (i + k >= bytes.length) {
                    return -1; // cut short, but nothing wrong yet
                }
                int b = bytes[i + k] & 0xff;
                boolean ok = k == 1 ? b >= rule.secondMin() && b <= rule.secondMax() : b >= 0x80 && b <= 0xbf;
                if (!ok) {
                    return i + k;
                }
            }
            i += rule.length();
        }
        return -1;
    }

    /** Whether the bytes are valid UTF-8 that ends on a code point boundary. */
    static boolean isValid(byte[] bytes) {
        return firstInvalidByte(bytes) < 0 && codePointEnds(bytes) != null;
    }

    /**
     * The offsets just after each code point of valid text, or null when the text is not
     * valid or ends inside a code point.
     */
    static List<Integer> codePointEnds(byte[] bytes) {
        if (firstInvalidByte(bytes) >= 0) {
            return null;
        }
        List<Integer> ends = new ArrayList<>();
        int i = 0;
        while (i < bytes.length) {
            i += rule(bytes[i] & 0xff).length();
            if (i > bytes.length) {
                return null;
            }
            ends.add(i);
        }
        return ends;
    }
}
