package dev.duplex.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.ProtocolException;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.Extension;
import dev.duplex.protocol.extension.PerMessageDeflate;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Timeout;

/**
 * The permessage-deflate inflater fed arbitrary compressed messages through a sink that
 * enforces a message limit, as the connection's message assembler does (rows G1, G2). For
 * every input:
 * <ul>
 *   <li>the only exception is {@link ProtocolException}, with 1007 (corrupt stream) or 1009
 *       (over the limit);
 *   <li>no call hands the sink more than 16 KiB, so the output never passes the limit by more
 *       than one step, however well the data compresses;
 *   <li>the first message, when a plain {@link Inflater} reads it (with the
 *       {@code 00 00 ff ff} tail put back, RFC 7692 7.2.2) as one stream, cleanly and within the
 *       limit, inflates to exactly the same bytes; when the plain inflater finds it corrupt,
 *       it fails.
 * </ul>
 *
 * <p>Input layout: flags (bit 0 client, bit 1 the peer resets its window per message), the
 * limit in KiB less one, the split plan for each message's frames, the length of the first
 * message (0: all the bytes are one message), then the compressed bytes: the first message,
 * then the second.
 */
class InflaterFuzzTest {
    private static final int STEP = 16 * 1024;
    private static final byte[] TAIL = {0x00, 0x00, (byte) 0xff, (byte) 0xff};

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void inflaterStopsAtTheLimitAndFailsCorruptDataWith1007(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        int flags = input.nextByte();
        int limit = (input.nextByte() + 1) * 1024;
        int plan = input.nextByte();
        int firstLength = input.nextByte();
        byte[] compressed = input.rest();
        Role role = (flags & 1) != 0 ? Role.CLIENT : Role.SERVER;
        boolean peerResets = (flags & 2) != 0;

        boolean peerIsClient = role == Role.SERVER;
        DeflateParameters agreed = new DeflateParameters(!peerIsClient && peerResets, peerIsClient && peerResets,
                DeflateParameters.ABSENT, DeflateParameters.ABSENT);
        try (PerMessageDeflate deflate = PerMessageDeflate.of(role, agreed, PerMessageDeflate.Config.DEFAULTS)) {
            int cut = firstLength == 0 ? compressed.length : Math.min(firstLength, compressed.length);
            byte[] first = Arrays.copyOfRange(compressed, 0, cut);
            byte[] out = inflate(deflate, first, plan, limit);
            compareWithPlainInflater(first, limit, out);
            if (out != null && cut < compressed.length) {
                // The second message reads the first's window unless the peer resets it.
                inflate(deflate, Arrays.copyOfRange(compressed, cut, compressed.length), plan, limit);
            }
        }
    }

    /** The message's output, or null when it failed (with 1007 or 1009, checked here). */
    private static byte[] inflate(PerMessageDeflate deflate, byte[] message, int plan, int limit) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Extension.OutputSink sink = (bytes, offset, length) -> {
            assertTrue(length > 0 && length <= STEP, () -> "the sink was handed " + length + " bytes at once");
            if (out.size() + length > limit) {
                throw new ProtocolException(CloseStatus.MESSAGE_TOO_BIG, "over the limit");
            }
            out.write(bytes, offset, length);
        };
        Extension.MessageDecoder decoder = deflate.decoder(PerMessageDeflate.RSV1);
        assertNotNull(decoder, "RSV1 starts a compressed message");
        byte[][] frames = FuzzInput.split(message, plan);
        try {
            for (int i = 0; i < frames.length; i++) {
                decoder.decode(ByteBuffer.wrap(frames[i]), i == frames.length - 1, sink);
            }
            return out.toByteArray();
        } catch (ProtocolException e) {
            assertTrue(e.closeCode() == CloseStatus.INVALID_PAYLOAD || e.closeCode() == CloseStatus.MESSAGE_TOO_BIG,
                    () -> "inflating failed with " + e.closeCode() + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Inflates the message with its tail as one raw DEFLATE stream; compares when that reading
     * is unambiguous: no final block (after one, RFC 7692 7.2.3.4 starts a new stream, which a
     * plain inflater does not) and output within the limit.
     */
    private static void compareWithPlainInflater(byte[] message, int limit, byte[] ours) {
        if (message.length == 0) {
            return; // an empty payload is an empty message, with no tail to inflate
        }
        Inflater plain = new Inflater(true);
        try {
            byte[] withTail = Arrays.copyOf(message, message.length + TAIL.length);
            System.arraycopy(TAIL, 0, withTail, message.length, TAIL.length);
            plain.setInput(withTail);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            byte[] buffer = new byte[STEP];
            while (!plain.finished() && expected.size() <= limit) {
                int n;
                try {
                    n = plain.inflate(buffer);
                } catch (DataFormatException corrupt) {
                    if (expected.size() <= limit) {
                        assertTrue(ours == null, () -> "zlib finds the message corrupt, Duplex inflated it: " + hex(message));
                    }
                    return;
                }
                expected.write(buffer, 0, n);
                if (n == 0 && (plain.needsInput() || plain.needsDictionary())) {
                    break;
                }
            }
            if (plain.finished() || plain.getRemaining() > 0 || expected.size() > limit) {
                return;
            }
            assertNotNull(ours, () -> "zlib inflates the message cleanly within the limit, Duplex failed it: " + hex(message));
            assertArrayEquals(expected.toByteArray(), ours, () -> "inflated bytes differ from zlib's for " + hex(message));
        } finally {
            plain.end();
        }
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 256));
    }
}
