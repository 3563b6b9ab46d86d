package dev.duplex.protocol.fuzz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.HexFormat;
import org.junit.jupiter.api.Timeout;

/**
 * Differential fuzzing of {@link Utf8Validator} against the JDK's UTF-8 {@link CharsetDecoder}
 * in REPORT mode (row D4): for any bytes, fed whole or in pieces, both give the same verdict and
 * the same index of the first bad byte, and {@link Utf8Validator#decode} returns the JDK's text
 * or refuses with 1007.
 *
 * <p>Input layout: one byte that says how to cut the bytes into pieces ({@link FuzzInput#split}),
 * then the bytes.
 */
class Utf8ValidatorFuzzTest {

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void agreesWithTheJdkDecoder(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        int plan = input.nextByte();
        byte[] bytes = input.rest();
        String shown = HexFormat.of().formatHex(bytes);

        boolean valid = jdkAcceptsWhole(bytes);
        int firstBad = firstBadIndex(bytes);

        Utf8Validator whole = new Utf8Validator();
        assertEquals(firstBad, whole.update(bytes, 0, bytes.length), () -> "first bad byte, fed whole: " + shown);
        if (firstBad < 0) {
            assertEquals(valid, whole.isComplete(), () -> "complete, fed whole: " + shown);
        }
        assertEquals(valid, Utf8Validator.isValid(bytes, 0, bytes.length), () -> "isValid: " + shown);

        // In pieces of the same array, so every call starts at an offset other than 0.
        Utf8Validator pieces = new Utf8Validator();
        int offset = 0;
        int pieceBad = -1;
        for (byte[] piece : FuzzInput.split(bytes, plan)) {
            pieceBad = pieces.update(bytes, offset, piece.length);
            if (pieceBad >= 0) {
                break;
            }
            offset += piece.length;
        }
        int fedInPieces = pieceBad;
        assertEquals(firstBad, fedInPieces, () -> "first bad byte, fed in pieces (plan " + plan + "): " + shown);
        assertEquals(valid, firstBad < 0 && pieces.isComplete(), () -> "complete, fed in pieces: " + shown);

        if (valid) {
            assertEquals(jdkDecode(bytes), Utf8Validator.decode(bytes, 0, bytes.length), () -> "decoded text: " + shown);
        } else {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> Utf8Validator.decode(bytes, 0, bytes.length), () -> "decode of invalid bytes: " + shown);
            assertEquals(CloseStatus.INVALID_PAYLOAD, e.closeCode());
        }
    }

    /**
     * The index of the first byte after which no continuation can make the bytes valid UTF-8,
     * or -1 when there is none, from the JDK's decoder alone: whether a prefix can still be
     * completed is monotone in its length, so a binary search over prefixes decoded with
     * {@code endOfInput = false} finds it.
     *
     * <p>One correction: the JDK judges a sequence led by ED only once all three bytes are
     * there, so it reports {@code ED A0 80} (a surrogate) at its third byte, while the second
     * byte already rules a valid UTF-8 text out (RFC 3629 4: after ED comes 80..9F). Duplex
     * fails at that second byte, as row D4 asks ("at the first bad byte").
     */
    static int firstBadIndex(byte[] bytes) {
        int good = 0;                 // the longest prefix known to be completable
        int bad = bytes.length + 1;   // the shortest prefix length known not to be
        while (bad - good > 1) {
            int mid = (good + bad) >>> 1;
            if (jdkAcceptsPrefix(bytes, mid)) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        int end = bad == bytes.length + 1 ? bytes.length : bad - 1; // the first bad index, or the end
        if (end >= 2 && bytes[end - 2] == (byte) 0xED && (bytes[end - 1] & 0xff) >= 0xA0 && (bytes[end - 1] & 0xff) <= 0xBF) {
            return end - 1;
        }
        return end == bytes.length ? -1 : end;
    }

    private static CharsetDecoder reportingDecoder() {
        return UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    private static boolean jdkAcceptsPrefix(byte[] bytes, int length) {
        CharBuffer out = CharBuffer.allocate(length + 2);
        return !reportingDecoder().decode(ByteBuffer.wrap(bytes, 0, length), out, false).isError();
    }

    private static boolean jdkAcceptsWhole(byte[] bytes) {
        try {
            reportingDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String jdkDecode(byte[] bytes) {
        try {
            return reportingDecoder().decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError(e);
        }
    }
}
