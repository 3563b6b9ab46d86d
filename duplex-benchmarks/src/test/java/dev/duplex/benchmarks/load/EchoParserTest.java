package dev.duplex.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generator's reader of server frames, fed whole and split at every byte. */
class EchoParserTest {

    /** Records what the parser reports, as text, so whole and split runs compare equal. */
    static final class Recorder implements EchoParser.Listener {
        final List<String> events = new ArrayList<>();
        final ByteArrayOutputStream message = new ByteArrayOutputStream();

        @Override
        public void dataChunk(ByteBuffer chunk, int messagePosition) {
            assertEquals(message.size(), messagePosition, "chunks arrive in order");
            byte[] b = new byte[chunk.remaining()];
            chunk.duplicate().get(b);
            message.writeBytes(b);
        }

        @Override
        public void messageEnded(int opcode, long length) {
            events.add("message " + opcode + " " + length + " " + HexFormat.of().formatHex(message.toByteArray()));
            message.reset();
        }

        @Override
        public void control(int opcode, byte[] payload) {
            events.add("control " + opcode + " " + HexFormat.of().formatHex(payload));
        }

        @Override
        public void protocolError(String reason) {
            events.add("error " + reason);
        }
    }

    static List<String> parseWhole(byte[] wire) {
        Recorder r = new Recorder();
        new EchoParser(r).feed(ByteBuffer.wrap(wire));
        return r.events;
    }

    static List<String> parseSplitAt(byte[] wire, int cut) {
        Recorder r = new Recorder();
        EchoParser p = new EchoParser(r);
        p.feed(ByteBuffer.wrap(wire, 0, cut));
        p.feed(ByteBuffer.wrap(wire, cut, wire.length - cut));
        return r.events;
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    @Test
    void unmaskedHelloFromRfc6455Section57() {
        assertEquals(List.of("message 1 5 48656c6c6f"), parseWhole(hex("81 05 48 65 6c 6c 6f")));
    }

    @Test
    void fragmentedMessageWithAPingBetweenFragmentsAtEverySplit() {
        // RFC 6455 5.7: "Hel", a ping "Hello" in between, then "lo".
        byte[] wire = hex("01 03 48 65 6c  89 05 48 65 6c 6c 6f  80 02 6c 6f");
        List<String> expected = List.of("control 9 48656c6c6f", "message 1 5 48656c6c6f");
        assertEquals(expected, parseWhole(wire));
        for (int cut = 0; cut <= wire.length; cut++) {
            assertEquals(expected, parseSplitAt(wire, cut), "cut at " + cut);
        }
    }

    @Test
    void sixteenAndSixtyFourBitLengthsAtEverySplit() {
        byte[] body256 = new byte[256];
        byte[] body65536 = new byte[65536];
        for (int i = 0; i < body65536.length; i++) {
            body65536[i] = (byte) i;
            if (i < 256) {
                body256[i] = (byte) (255 - i);
            }
        }
        ByteBuffer wire = ByteBuffer.allocate(4 + 256 + 10 + 65536);
        wire.put(hex("82 7e 01 00")).put(body256).put(hex("82 7f 00 00 00 00 00 01 00 00")).put(body65536);
        byte[] bytes = wire.array();
        List<String> expected = List.of(
                "message 2 256 " + HexFormat.of().formatHex(body256),
                "message 2 65536 " + HexFormat.of().formatHex(body65536));
        assertEquals(expected, parseWhole(bytes));
        for (int cut : new int[] {1, 2, 3, 4, 100, 260, 261, 265, 269, 270, 271, 40000, bytes.length - 1}) {
            assertEquals(expected, parseSplitAt(bytes, cut), "cut at " + cut);
        }
    }

    @Test
    void emptyMessagesAndCloseFrames() {
        assertEquals(List.of("message 2 0 ", "control 8 03e8"), parseWhole(hex("82 00 88 02 03 e8")));
    }

    @Test
    void aMaskedServerFrameIsAProtocolError() {
        assertEquals(List.of("error server frame is masked"), parseWhole(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58")));
    }

    @Test
    void aContinuationWithNoMessageIsAProtocolError() {
        assertEquals(List.of("error continuation with no message"), parseWhole(hex("80 01 41")));
    }
}
