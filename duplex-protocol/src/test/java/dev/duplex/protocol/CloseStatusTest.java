package dev.duplex.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which close codes may be on the wire (RFC 6455 7.4.1, 7.4.2 and the IANA registry; rows E3, E4). */
class CloseStatusTest {

    @Test
    void exactlyTheDefinedAndTheRegistrableCodesMayBeOnTheWire() {
        for (int code = -1; code <= 70_000; code++) {
            boolean expected = code == 1000 || code == 1001 || code == 1002 || code == 1003
                    || (code >= 1007 && code <= 1014)
                    || (code >= 3000 && code <= 4999);
            int c = code;
            assertEquals(expected, CloseStatus.isValidOnWire(code), () -> "code " + c);
        }
    }

    @Test
    void codesThatOnlyReportAreNeverOnTheWire() {
        for (int code : new int[] {CloseStatus.NO_STATUS_RECEIVED, CloseStatus.ABNORMAL_CLOSURE, CloseStatus.TLS_HANDSHAKE}) {
            assertEquals(false, CloseStatus.isValidOnWire(code), "code " + code);
        }
    }

    @Test
    void namesForLogs() {
        assertEquals("protocol error", CloseStatus.nameOf(1002));
        assertEquals("message too big", CloseStatus.nameOf(1009));
        assertEquals("registered", CloseStatus.nameOf(3000));
        assertEquals("private use", CloseStatus.nameOf(4999));
        assertEquals("unknown", CloseStatus.nameOf(2999));
        assertEquals("unknown", CloseStatus.nameOf(5000));
    }
}
