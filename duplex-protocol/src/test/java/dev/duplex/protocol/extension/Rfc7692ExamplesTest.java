package dev.duplex.protocol.extension;

import static dev.duplex.protocol.extension.PerMessageDeflateTest.EVERYTHING;
import static dev.duplex.protocol.extension.PerMessageDeflateTest.HELLO;
import static dev.duplex.protocol.extension.PerMessageDeflateTest.PLAIN;
import static dev.duplex.protocol.extension.PerMessageDeflateTest.bytes;
import static dev.duplex.protocol.extension.PerMessageDeflateTest.decode;
import static dev.duplex.protocol.extension.PerMessageDeflateTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.protocol.Role;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The examples of RFC 7692 7.2.3, byte for byte. Every decoding example also runs with its
 * payload split into two frames at every byte, and with one frame per byte.
 */
class Rfc7692ExamplesTest {

    static final byte[] HELLO_DEFLATED = hex("f2 48 cd c9 c9 07 00");

    // 7.2.3.1: a message compressed with one DEFLATE block.

    @Test
    void s7_2_3_1_helloDeflatesToTheRfcBytes() {
        // The JDK's zlib (15-bit window) and WindowedDeflater (every smaller one) agree here.
        for (int bits = 8; bits <= 15; bits++) {
            DeflateParameters agreed = new DeflateParameters(false, false, bits, 0);
            try (PerMessageDeflate server = PerMessageDeflate.of(Role.SERVER, agreed, EVERYTHING)) {
                Extension.Encoded encoded = server.encode(ByteBuffer.wrap(HELLO), true);
                assertArrayEquals(HELLO_DEFLATED, bytes(encoded.payload()), "window " + bits);
                assertEquals(PerMessageDeflate.RSV1, encoded.rsv());
            }
        }
    }

    @Test
    void s7_2_3_1_helloInflatesFromTheRfcBytesSplitAnywhere() {
        assertInflatesSplitAnywhere(HELLO_DEFLATED, HELLO);
    }

    @Test
    void s7_2_3_1_fragmentedHelloInflatesAcrossDecodeCalls() {
        // The RFC's fragmented form: "f2 48 cd" then "c9 c9 07 00".
        try (PerMessageDeflate client = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
            assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1,
                    List.of(hex("f2 48 cd"), hex("c9 c9 07 00"))));
        }
    }

    // 7.2.3.2: sharing the LZ77 sliding window.

    @Test
    void s7_2_3_2_secondHelloWithContextTakeoverIsTheRfcBytes() {
        try (PerMessageDeflate server = PerMessageDeflate.of(Role.SERVER, PLAIN, EVERYTHING)) {
            assertArrayEquals(HELLO_DEFLATED, bytes(server.encode(ByteBuffer.wrap(HELLO), true).payload()));
            assertArrayEquals(hex("f2 00 11 00 00"), bytes(server.encode(ByteBuffer.wrap(HELLO), true).payload()));
        }
    }

    @Test
    void s7_2_3_2_secondHelloWithoutContextTakeoverRepeatsTheFirst() {
        DeflateParameters agreed = new DeflateParameters(true, false, 0, 0);
        try (PerMessageDeflate server = PerMessageDeflate.of(Role.SERVER, agreed, EVERYTHING)) {
            assertArrayEquals(HELLO_DEFLATED, bytes(server.encode(ByteBuffer.wrap(HELLO), true).payload()));
            assertArrayEquals(HELLO_DEFLATED, bytes(server.encode(ByteBuffer.wrap(HELLO), true).payload()));
        }
    }

    @Test
    void s7_2_3_2_smallWindowsShareTheWindowToo() {
        // WindowedDeflater finds the whole "Hello" five back, where zlib codes 'H' and a match
        // of four: different bytes, same meaning, and shorter than the first message.
        DeflateParameters agreed = new DeflateParameters(false, false, 9, 0);
        try (PerMessageDeflate server = PerMessageDeflate.of(Role.SERVER, agreed, EVERYTHING);
             PerMessageDeflate client = PerMessageDeflate.of(Role.CLIENT, agreed, EVERYTHING)) {
            for (int i = 0; i < 3; i++) {
                byte[] wire = bytes(server.encode(ByteBuffer.wrap(HELLO), true).payload());
                assertTrue(i == 0 || wire.length < HELLO_DEFLATED.length);
                assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1, List.of(wire)));
            }
        }
    }

    @Test
    void s7_2_3_2_secondHelloInflatesFromTheFirstsWindowSplitAnywhere() {
        byte[] second = hex("f2 00 11 00 00");
        for (List<byte[]> frames : splits(second)) {
            try (PerMessageDeflate client = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
                assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1, List.of(HELLO_DEFLATED)));
                assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1, frames));
            }
        }
    }

    // 7.2.3.3: a DEFLATE block with no compression.

    @Test
    void s7_2_3_3_storedBlockInflatesSplitAnywhere() {
        assertInflatesSplitAnywhere(hex("00 05 00 fa ff 48 65 6c 6c 6f 00"), HELLO);
    }

    // 7.2.3.4: a DEFLATE block with BFINAL set.

    @Test
    void s7_2_3_4_finalBlockInflatesSplitAnywhereAndTheNextMessageStartsAfresh() {
        byte[] finalBlock = hex("f3 48 cd c9 c9 07 00 00");
        for (List<byte[]> frames : splits(finalBlock)) {
            try (PerMessageDeflate client = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
                assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1, frames));
                assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1, List.of(HELLO_DEFLATED)));
            }
        }
    }

    @Test
    void s7_2_3_4_finalBlockWithoutTheTrailingByteIsAcceptedToo() {
        // Some senders end with the final block alone; the tail we add then belongs to nothing.
        try (PerMessageDeflate client = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
            assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1, List.of(hex("f3 48 cd c9 c9 07 00"))));
            assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1, List.of(HELLO_DEFLATED)));
        }
    }

    // 7.2.3.5: two DEFLATE blocks in one message.

    @Test
    void s7_2_3_5_twoBlocksInflateSplitAnywhere() {
        assertInflatesSplitAnywhere(hex("f2 48 05 00 00 00 ff ff ca c9 c9 07 00"), HELLO);
    }

    // 7.2.3.6: generating an empty fragment; and empty messages.

    @Test
    void s7_2_3_6_emptyMessageDeflatesToOneZeroByte() {
        for (int bits : new int[] {8, 15}) {
            DeflateParameters agreed = new DeflateParameters(false, false, bits, 0);
            try (PerMessageDeflate server = PerMessageDeflate.of(Role.SERVER, agreed, EVERYTHING)) {
                Extension.Encoded encoded = server.encode(ByteBuffer.allocate(0), true);
                assertArrayEquals(hex("00"), bytes(encoded.payload()), "window " + bits);
                assertEquals(PerMessageDeflate.RSV1, encoded.rsv());
                // and after a message, with context takeover
                server.encode(ByteBuffer.wrap(HELLO), true);
                assertArrayEquals(hex("00"), bytes(server.encode(ByteBuffer.allocate(0), true).payload()));
            }
        }
    }

    @Test
    void s7_2_3_6_emptyFragmentsAndEmptyMessagesInflateToNothingAndKeepTheWindow() {
        try (PerMessageDeflate client = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
            assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1, List.of(HELLO_DEFLATED)));
            assertArrayEquals(new byte[0], decode(client, PerMessageDeflate.RSV1, List.of(hex("00"))));
            // A compressed message with no payload bytes at all is empty too.
            assertArrayEquals(new byte[0], decode(client, PerMessageDeflate.RSV1, List.of(new byte[0], new byte[0])));
            // An empty fragment between others changes nothing.
            assertArrayEquals(HELLO, decode(client, PerMessageDeflate.RSV1,
                    List.of(hex("f2 00"), new byte[0], hex("11 00 00"))));
        }
    }

    private static void assertInflatesSplitAnywhere(byte[] payload, byte[] expected) {
        for (List<byte[]> frames : splits(payload)) {
            try (PerMessageDeflate client = PerMessageDeflate.of(Role.CLIENT, PLAIN, EVERYTHING)) {
                assertArrayEquals(expected, decode(client, PerMessageDeflate.RSV1, frames),
                        "frames of " + frames.stream().map(f -> f.length).toList());
            }
        }
    }

    /** The payload whole, split in two at every byte, and one byte per frame. */
    static List<List<byte[]>> splits(byte[] payload) {
        List<List<byte[]>> all = new ArrayList<>();
        for (int cut = 0; cut <= payload.length; cut++) {
            all.add(List.of(Arrays.copyOfRange(payload, 0, cut), Arrays.copyOfRange(payload, cut, payload.length)));
        }
        List<byte[]> single = new ArrayList<>();
        for (byte b : payload) {
            single.add(new byte[] {b});
        }
        all.add(single);
        all.add(List.of(payload));
        return all;
    }
}
