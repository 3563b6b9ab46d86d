package dev.duplex.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The generator's own opening handshake (RFC 6455 4.1, 4.2.2). */
class UpgradeRequestTest {
    @Test
    void acceptKeyOfTheRfc6455Section12Example() {
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", UpgradeRequest.acceptFor("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void a101WithTheMatchingAcceptPassesAndAnythingElseFails() {
        UpgradeRequest request = new UpgradeRequest("127.0.0.1", 8080, "/echo", new SplittableRandom(1));
        String text = new String(request.bytes(), StandardCharsets.US_ASCII);
        String key = text.lines().filter(l -> l.startsWith("Sec-WebSocket-Key: ")).findFirst().orElseThrow().substring(19);
        String good = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "sec-websocket-accept: " + UpgradeRequest.acceptFor(key) + "\r\n\r\n";
        byte[] head = good.getBytes(StandardCharsets.US_ASCII);
        assertEquals(head.length, UpgradeRequest.headEnd(head, head.length));
        assertNull(request.check(head, head.length));

        byte[] wrong = good.replace(UpgradeRequest.acceptFor(key), UpgradeRequest.acceptFor("x")).getBytes(StandardCharsets.US_ASCII);
        assertTrue(request.check(wrong, wrong.length).startsWith("wrong Sec-WebSocket-Accept"));
        byte[] refused = "HTTP/1.1 403 Forbidden\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertTrue(request.check(refused, refused.length).startsWith("not a 101"));
        assertEquals(-1, UpgradeRequest.headEnd(head, head.length - 1), "a head without its blank line is not complete");
    }
}
