package dev.duplex.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.inspect.ConnectionDissector;
import dev.duplex.protocol.inspect.Direction;
import dev.duplex.protocol.inspect.Dissection;
import dev.duplex.protocol.inspect.FrameDissector;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * The trace dissector ({@code duplex trace}, {@code duplex decode}, {@code connect --frames})
 * fed hostile bytes: an observer must survive whatever passes through it. For every input:
 * <ul>
 *   <li>nothing is thrown by {@link ConnectionDissector} or {@link FrameDissector}, for any
 *       bytes in any order of directions, nor at the end of either stream;
 *   <li>no frame keeps more than {@code maxShown} bytes of payload or of inflated payload, so
 *       a large or inflating frame costs no more memory than a small one;
 *   <li>every bytes fed are accounted for: {@code feed} consumes its whole buffer.
 * </ul>
 *
 * <p>Input layout: flags (bit 0 watch from the handshake, else start with frames; bit 1
 * permessage-deflate agreed when starting with frames; bit 2 a lone {@link FrameDissector}
 * instead, for the direction in bit 3), {@code maxShown} (0..255), then records: one byte
 * (bit 7 the direction, 1 server to client; bits 0–6 the length less one) and that many bytes.
 */
class DissectorFuzzTest {
    private static final DeflateParameters DEFLATE = new DeflateParameters(false, false,
            DeflateParameters.ABSENT, DeflateParameters.ABSENT);

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void dissectorShowsAnyBytesWithoutThrowing(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        int flags = input.nextByte();
        int maxShown = input.nextByte();
        byte[] rest = input.rest();
        List<Dissection> out = new ArrayList<>();
        if ((flags & 4) != 0) {
            Direction direction = (flags & 8) != 0 ? Direction.SERVER_TO_CLIENT : Direction.CLIENT_TO_SERVER;
            try (FrameDissector dissector = FrameDissector.create(direction, maxShown, (flags & 2) != 0 ? DEFLATE : null)) {
                for (int at = 0; at < rest.length; ) {
                    int length = Math.min(rest.length - at - 1, (rest[at] & 0x7f) + 1);
                    ByteBuffer piece = ByteBuffer.wrap(rest, at + 1, Math.max(0, length));
                    dissector.feed(piece, out);
                    assertTrue(!piece.hasRemaining(), "feed reads all it is given");
                    at += 1 + Math.max(0, length);
                }
                dissector.endOfStream(out);
            }
        } else {
            try (ConnectionDissector dissector = (flags & 1) != 0
                    ? ConnectionDissector.fromHandshake(maxShown)
                    : ConnectionDissector.afterHandshake(maxShown, (flags & 2) != 0 ? DEFLATE : null)) {
                for (int at = 0; at < rest.length; ) {
                    Direction direction = (rest[at] & 0x80) != 0 ? Direction.SERVER_TO_CLIENT : Direction.CLIENT_TO_SERVER;
                    int length = Math.max(0, Math.min(rest.length - at - 1, (rest[at] & 0x7f) + 1));
                    ByteBuffer piece = ByteBuffer.wrap(Arrays.copyOfRange(rest, at + 1, at + 1 + length));
                    out.addAll(dissector.feed(direction, piece));
                    assertTrue(!piece.hasRemaining(), "feed reads all it is given");
                    at += 1 + length;
                }
                out.addAll(dissector.endOfStream(Direction.CLIENT_TO_SERVER));
                out.addAll(dissector.endOfStream(Direction.SERVER_TO_CLIENT));
            }
        }
        for (Dissection d : out) {
            if (d instanceof Dissection.Frame f) {
                assertTrue(f.payload() == null || f.payload().length <= maxShown,
                        () -> "kept " + f.payload().length + " payload bytes, maxShown " + maxShown);
                assertTrue(f.inflated() == null || f.inflated().length <= maxShown,
                        () -> "kept " + f.inflated().length + " inflated bytes, maxShown " + maxShown);
            }
        }
    }
}
