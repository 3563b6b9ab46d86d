package dev.duplex.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sec-WebSocket-Key and Sec-WebSocket-Accept (RFC 6455 1.3, 4.1 item 7, 4.2.2). */
class AcceptKeyTest {

    @Test
    void rfc6455Section13Example() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", AcceptKey.accept("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void everyEncodingOf16BytesIsValidAndNothingNearItIs() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int i = 0; i < 1000; i++) {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            String key = Base64.getEncoder().encodeToString(bytes);
            assertTrue(AcceptKey.isValidKey(key), "seed " + seed + ": " + key);
            assertFalse(AcceptKey.isValidKey(key.substring(1)), "seed " + seed);
            assertFalse(AcceptKey.isValidKey(" " + key.substring(1)), "seed " + seed);
            String urlSafe = Base64.getUrlEncoder().encodeToString(bytes);
            assertEquals(urlSafe.equals(key), AcceptKey.isValidKey(urlSafe), "seed " + seed + ": " + urlSafe);
        }
    }

    @Test
    void nullAndOtherLengthsAreInvalid() {
        assertFalse(AcceptKey.isValidKey(null));
        assertFalse(AcceptKey.isValidKey(Base64.getEncoder().encodeToString(new byte[15])));
        assertFalse(AcceptKey.isValidKey(Base64.getEncoder().encodeToString(new byte[17])));
        assertFalse(AcceptKey.isValidKey(Base64.getEncoder().encodeToString(new byte[18])));
        assertTrue(AcceptKey.isValidKey(Base64.getEncoder().encodeToString(new byte[16])));
    }
}
