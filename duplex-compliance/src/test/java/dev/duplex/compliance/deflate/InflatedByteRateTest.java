package dev.duplex.compliance.deflate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.CompressionOptions;
import dev.duplex.ConnectionOptions;
import dev.duplex.Rate;
import dev.duplex.RateLimits;
import dev.duplex.WebSocketServer;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Row H3, sharpened: under permessage-deflate the byte rate counts what a message inflates to,
 * not only its wire bytes, so a 1 KB frame that inflates to 512 KiB cannot get around a byte
 * limit of 64 KiB/s. Real compressed frames from {@link DeflateClient}, over loopback.
 */
class InflatedByteRateTest {
    private static final int LIMIT = 64 * 1024;
    private static WebSocketServer server;

    @BeforeAll
    static void start() {
        RateLimits rates = RateLimits.builder().bytes(Rate.perSecond(LIMIT)).onExcess(RateLimits.Excess.CLOSE).build();
        server = DeflateServers.start(CompressionOptions.ENABLED,
                ConnectionOptions.builder().maxMessageSize(1 << 20).rateLimits(rates).build(),
                DeflateServers.ECHO, (socket, message) -> socket.send(message));
    }

    @AfterAll
    static void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    @Test
    void H3_aSmallFrameThatInflatesPastTheByteRateGets1008() throws IOException {
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, "permessage-deflate")) {
            byte[] bomb = new byte[512 * 1024]; // zeros: about half a kilobyte compressed
            client.sendMessage(DeflateClient.BINARY, bomb, true);
            DeflateClient.WireFrame frame = client.readFrame();
            assertEquals(0x8, frame.opcode(), "expected the close, not the echo");
            assertEquals(1008, frame.closeCode());
        }
    }

    @Test
    void H3_compressedMessagesWithinTheRateAreEchoed() throws IOException {
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, "permessage-deflate")) {
            byte[] text = "within the rate ".repeat(1000).getBytes(UTF_8); // 16 KB inflated, far less compressed
            client.sendMessage(DeflateClient.TEXT, text, true);
            DeflateClient.WireMessage echo = client.readMessage();
            assertTrue(echo.compressed());
            assertArrayEquals(text, echo.payload());
        }
    }
}
