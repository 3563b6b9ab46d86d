package dev.duplex.protocol.frame;

import static dev.duplex.protocol.RawFrames.closeBody;
import static dev.duplex.protocol.RawFrames.hex;
import static dev.duplex.protocol.RawFrames.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.ProtocolException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The body of a close frame (RFC 6455 5.5.1, 7.4), received (rows E1, E3, E6) and sent (row E5). */
class ClosePayloadTest {

    static String encoded(int code, String reason) {
        ByteBuffer body = ClosePayload.encode(code, reason);
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        return hex(bytes);
    }

    @Nested
    class Received {
        @Test
        void emptyBodyMeans1005WithNoReason() {
            assertEquals(new ClosePayload(1005, ""), ClosePayload.parse(new byte[0]));
        }

        @Test
        void codeAndReason() {
            assertEquals(new ClosePayload(1000, ""), ClosePayload.parse(hex("03 e8")));
            assertEquals(new ClosePayload(4999, "bye \u20ac"), ClosePayload.parse(closeBody(4999, "bye \u20ac")));
        }

        @Test
        void E1_oneByteBodyIsRefusedWith1002() {
            ProtocolException e = assertThrows(ProtocolException.class, () -> ClosePayload.parse(hex("03")));
            assertEquals(CloseStatus.PROTOCOL_ERROR, e.closeCode());
        }

        @Test
        void E3_everyCodeThatMayNotBeSentIsRefusedWith1002() {
            for (int code = 0; code < 65536; code++) {
                boolean valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014)
                        || (code >= 3000 && code <= 4999);
                if (valid) {
                    assertEquals(code, ClosePayload.parse(closeBody(code, "")).code());
                } else {
                    int c = code;
                    ProtocolException e = assertThrows(ProtocolException.class, () -> ClosePayload.parse(closeBody(c, "")),
                            () -> "code " + c);
                    assertEquals(CloseStatus.PROTOCOL_ERROR, e.closeCode());
                }
            }
        }

        @Test
        void E6_reasonThatIsNotUtf8IsRefusedWith1007() {
            for (String reason : new String[] {"ff", "c0 af", "ed a0 80", "e2 82", "41 80"}) {
                byte[] body = dev.duplex.protocol.RawFrames.concat(hex("03 e8"), hex(reason));
                ProtocolException e = assertThrows(ProtocolException.class, () -> ClosePayload.parse(body), reason);
                assertEquals(CloseStatus.INVALID_PAYLOAD, e.closeCode(), reason);
            }
        }
    }

    @Nested
    class Sent {
        @Test
        void codeInNetworkOrderThenTheReason() {
            assertEquals("03e8", encoded(1000, ""));
            assertEquals("03e8", encoded(1000, null));
            assertEquals("0fa0627965", encoded(4000, "bye"));
        }

        @Test
        void E5_codesThatMayNotBeSentAreRefused() {
            for (int code : new int[] {1005, 1006, 1015, 0, 999, 1004, 1016, 2999, 5000, 65535, -1}) {
                assertThrows(IllegalArgumentException.class, () -> ClosePayload.encode(code, ""), "code " + code);
            }
        }

        @Test
        void E5_reasonOf123BytesFitsAnd124DoesNot() {
            assertEquals(125, ClosePayload.encode(1000, "a".repeat(123)).remaining());
            assertEquals(125, ClosePayload.encode(1000, "\u20ac".repeat(41)).remaining());
            assertThrows(IllegalArgumentException.class, () -> ClosePayload.encode(1000, "a".repeat(124)));
            assertThrows(IllegalArgumentException.class, () -> ClosePayload.encode(1000, "\u20ac".repeat(41) + "a"));
            assertThrows(IllegalArgumentException.class, () -> ClosePayload.encode(1000, "\ud83d\ude00".repeat(31)));
        }

        @Test
        void E5_unpairedSurrogatesAreRefused() {
            for (String reason : new String[] {"\ud800", "\udc00", "a\ud800b", "\udc00\ud800", "x\ud83d"}) {
                assertThrows(IllegalArgumentException.class, () -> ClosePayload.encode(1000, reason), hex(utf8(reason)));
            }
            assertEquals("03e8f09f9880", encoded(1000, "\ud83d\ude00"));
        }

        @Test
        void whatIsSentParsesBack() {
            for (int code : new int[] {1000, 1003, 1007, 1014, 3000, 4999}) {
                ByteBuffer body = ClosePayload.encode(code, "r\u00e9ason");
                byte[] bytes = new byte[body.remaining()];
                body.get(bytes);
                assertEquals(new ClosePayload(code, "r\u00e9ason"), ClosePayload.parse(bytes));
            }
        }
    }

    @Nested
    class Truncate {
        @Test
        void shortReasonIsKept() {
            assertEquals("", ClosePayload.truncate(null));
            assertEquals("fine", ClosePayload.truncate("fine"));
            assertEquals("a".repeat(123), ClosePayload.truncate("a".repeat(123)));
        }

        @Test
        void longReasonIsCutAtACodePointBoundaryToFit() {
            assertEquals("a".repeat(123), ClosePayload.truncate("a".repeat(500)));
            assertEquals("\u20ac".repeat(41), ClosePayload.truncate("\u20ac".repeat(50)));   // 123 bytes
            assertEquals("\u00e9".repeat(61), ClosePayload.truncate("\u00e9".repeat(70)));   // 122 bytes
            assertEquals("\ud83d\ude00".repeat(30), ClosePayload.truncate("\ud83d\ude00".repeat(40))); // 120 bytes
            assertEquals("ab" + "\ud83d\ude00".repeat(30), ClosePayload.truncate("ab" + "\ud83d\ude00".repeat(40)));
        }

        @Test
        void truncatedReasonCanBeSent() {
            for (String s : new String[] {"x".repeat(200), "\u20ac".repeat(60), "a\ud83d\ude00".repeat(40)}) {
                ClosePayload.encode(1000, ClosePayload.truncate(s)); // throws if it does not fit
            }
        }
    }
}
