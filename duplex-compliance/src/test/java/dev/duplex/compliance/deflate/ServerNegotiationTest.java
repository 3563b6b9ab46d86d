package dev.duplex.compliance.deflate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.CompressionOptions;
import dev.duplex.WebSocketServer;
import dev.duplex.protocol.extension.PerMessageDeflate;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server's permessage-deflate negotiation (RFC 7692 5, 7.1), seen from a raw client: the
 * offer goes out as written, and the test reads the 101's {@code Sec-WebSocket-Extensions}
 * byte for byte. Every accepted agreement is then used: a compressed message goes both ways and
 * is inflated by the JDK's zlib on the client side, with the windows reset as agreed.
 */
class ServerNegotiationTest {
    private static WebSocketServer defaults;
    private static WebSocketServer clientWindow12;
    private static WebSocketServer serverWindow12;
    private static WebSocketServer minWindow12;
    private static WebSocketServer disabled;

    @BeforeAll
    static void start() {
        PerMessageDeflate.Config config = DeflateServers.EVERY_MESSAGE.deflate();
        defaults = DeflateServers.echo(DeflateServers.EVERY_MESSAGE);
        clientWindow12 = DeflateServers.echo(DeflateServers.EVERY_MESSAGE.withDeflate(config.withClientMaxWindowBits(12)));
        serverWindow12 = DeflateServers.echo(DeflateServers.EVERY_MESSAGE.withDeflate(config.withServerMaxWindowBits(12)));
        minWindow12 = DeflateServers.echo(DeflateServers.EVERY_MESSAGE.withDeflate(config.withMinWindowBits(12)));
        disabled = DeflateServers.echo(CompressionOptions.DISABLED);
    }

    @AfterAll
    static void stop() {
        for (WebSocketServer s : new WebSocketServer[] {defaults, clientWindow12, serverWindow12, minWindow12, disabled}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // Each parameter alone, with and without a value (RFC 7692 7.1.1, 7.1.2).
        "permessage-deflate | permessage-deflate",
        "permessage-deflate; server_no_context_takeover | permessage-deflate; server_no_context_takeover",
        "permessage-deflate; client_no_context_takeover | permessage-deflate; client_no_context_takeover",
        "permessage-deflate; server_max_window_bits=15 | permessage-deflate; server_max_window_bits=15",
        "permessage-deflate; server_max_window_bits=10 | permessage-deflate; server_max_window_bits=10",
        "permessage-deflate; server_max_window_bits=8 | permessage-deflate; server_max_window_bits=8",
        "permessage-deflate; client_max_window_bits | permessage-deflate",
        "permessage-deflate; client_max_window_bits=9 | permessage-deflate",
        // All of them at once, a quoted value, and whitespace around ';' and '='.
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=9"
                + " | permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9",
        "permessage-deflate; server_max_window_bits=\"11\" | permessage-deflate; server_max_window_bits=11",
        "permessage-deflate ;  server_max_window_bits = 13 ;client_no_context_takeover"
                + " | permessage-deflate; client_no_context_takeover; server_max_window_bits=13",
        // Several offers: the first this server supports, in the client's order (RFC 7692 5.1).
        "permessage-deflate; server_max_window_bits=10, permessage-deflate | permessage-deflate; server_max_window_bits=10",
        "permessage-deflate, permessage-deflate; server_max_window_bits=10 | permessage-deflate",
        // An extension this server does not know is left out; the one it knows is taken.
        "x-webkit-deflate-frame, permessage-deflate; client_max_window_bits | permessage-deflate",
    })
    void A13_eachParameterIsNegotiatedAndTheAgreementWorks(String offer, String expected) throws IOException {
        assertAgreed(defaults, offer, expected);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // RFC 7692 7.1.2.2: a limit on the client's window only when it offered the parameter.
        "permessage-deflate; client_max_window_bits | permessage-deflate; client_max_window_bits=12",
        "permessage-deflate; client_max_window_bits=14 | permessage-deflate; client_max_window_bits=12",
        "permessage-deflate; client_max_window_bits=10 | permessage-deflate",
        "permessage-deflate | permessage-deflate",
    })
    void aServerThatLimitsTheClientWindowSaysSoOnlyWhenItMay(String offer, String expected) throws IOException {
        assertAgreed(clientWindow12, offer, expected);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        // RFC 7692 7.1.2.1: the server may announce a smaller window than asked, never a larger.
        "permessage-deflate | permessage-deflate; server_max_window_bits=12",
        "permessage-deflate; server_max_window_bits=14 | permessage-deflate; server_max_window_bits=12",
        "permessage-deflate; server_max_window_bits=9 | permessage-deflate; server_max_window_bits=9",
    })
    void aServerWithASmallerWindowAnnouncesIt(String offer, String expected) throws IOException {
        assertAgreed(serverWindow12, offer, expected);
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "permessage-deflate; server_max_window_bits=10, permessage-deflate; server_max_window_bits=12"
                + " | permessage-deflate; server_max_window_bits=12",
        "permessage-deflate; server_max_window_bits=10, permessage-deflate | permessage-deflate",
    })
    void A13_anOfferTheServerCannotHonourIsSkippedForTheNext(String offer, String expected) throws IOException {
        assertAgreed(minWindow12, offer, expected);
    }

    @Test
    void A13_aValidButUnsupportedOfferIsDeclinedAndTheConnectionRunsUncompressed() throws IOException {
        try (DeflateClient client = DeflateClient.connect(minWindow12.port(), DeflateServers.ECHO,
                "permessage-deflate; server_max_window_bits=9")) {
            assertNull(client.extensions(), "declined: no Sec-WebSocket-Extensions in the 101");
            client.sendMessage(DeflateClient.TEXT, "plain text, as RFC 6455 has it".getBytes(UTF_8), false);
            DeflateClient.WireMessage echo = client.readMessage();
            assertFalse(echo.compressed(), "RSV1 on a connection without permessage-deflate");
            assertEquals("plain text, as RFC 6455 has it", new String(echo.payload(), UTF_8));
        }
    }

    @Test
    void compressionIsOffUnlessEnabled() throws IOException {
        // A server without the extension ignores the offer, even a malformed one (RFC 6455 9.1).
        for (String offer : new String[] {"permessage-deflate; client_max_window_bits", "permessage-deflate; bogus"}) {
            try (DeflateClient client = DeflateClient.connect(disabled.port(), DeflateServers.ECHO, offer)) {
                assertNull(client.extensions(), offer);
                client.sendMessage(DeflateClient.BINARY, new byte[200], false);
                DeflateClient.WireMessage echo = client.readMessage();
                assertFalse(echo.compressed());
                assertArrayEquals(new byte[200], echo.payload());
            }
        }
    }

    @Test
    void noOfferMeansNoExtension() throws IOException {
        try (DeflateClient client = DeflateClient.connect(defaults.port(), DeflateServers.ECHO, null)) {
            assertNull(client.extensions());
            client.sendMessage(DeflateClient.TEXT, "x".repeat(500).getBytes(UTF_8), false);
            assertFalse(client.readMessage().compressed(), "compressed without an agreement");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=08",
        "permessage-deflate; server_max_window_bits=+9",
        "permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; server_no_context_takeover=true",
        "permessage-deflate; client_no_context_takeover=1",
        "permessage-deflate; unknown_parameter",
        "permessage-deflate; x-unknown=1",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=11",
    })
    void A13_anOfferWithBadParametersIsDeclinedAndTheConnectionRunsUncompressed(String offer) throws IOException {
        // RFC 7692 5: the server MUST decline such an offer; the request itself is fine.
        try (DeflateClient client = DeflateClient.connect(defaults.port(), DeflateServers.ECHO, offer)) {
            assertNull(client.extensions(), offer);
            client.sendMessage(DeflateClient.TEXT, "plain".getBytes(UTF_8), false);
            DeflateClient.WireMessage echo = client.readMessage();
            assertFalse(echo.compressed(), offer);
            assertEquals("plain", new String(echo.payload(), UTF_8));
        }
    }

    @ParameterizedTest(name = "[{index}] {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "permessage-deflate; x-unknown=1, permessage-deflate | permessage-deflate",
        "permessage-deflate; server_max_window_bits=7, permessage-deflate; server_max_window_bits=10"
                + " | permessage-deflate; server_max_window_bits=10",
        "permessage-deflate, permessage-deflate; server_max_window_bits=99 | permessage-deflate",
        "permessage-deflate; client_max_window_bits; client_max_window_bits, permessage-deflate | permessage-deflate",
    })
    void A13_anOfferWithBadParametersIsDeclinedForTheNextAcceptableOne(String offer, String expected) throws IOException {
        assertAgreed(defaults, offer, expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "permessage-deflate; client_max_window_bits=\"\"",
        "permessage-deflate; server_max_window_bits=\"10",
        "permessage-deflate;",
        // A header that cannot be parsed fails the handshake, even after an offer that is fine.
        "permessage-deflate, permessage-deflate; server_max_window_bits=\"99",
    })
    void A13_aHeaderThatCannotBeParsedGets400(String offer) throws IOException {
        try (DeflateClient client = DeflateClient.handshake(defaults.port(), DeflateServers.ECHO, offer)) {
            assertEquals(400, client.status(), offer);
            client.awaitEndOfStream(DeflateClient.READ_DEADLINE);
        }
    }

    private static void assertAgreed(WebSocketServer server, String offer, String expected) throws IOException {
        try (DeflateClient client = DeflateClient.connect(server.port(), DeflateServers.ECHO, offer)) {
            assertEquals(expected, client.extensions(), "the 101's Sec-WebSocket-Extensions for: " + offer);
            client.agreed();
            // Two messages each way, so a window kept or reset against the agreement shows.
            byte[] text = sample();
            for (int i = 0; i < 2; i++) {
                client.sendMessage(DeflateClient.TEXT, text, true);
                DeflateClient.WireMessage echo = client.readMessage();
                assertTrue(echo.compressed(), "the echo should carry RSV1");
                assertTrue(echo.wireBytes() < text.length / 2, "the echo should be compressed: " + echo.wireBytes());
                assertArrayEquals(text, echo.payload(), "echo " + i);
            }
        }
    }

    /** 40 KiB of text with repeats near and far, so that every window size matters. */
    private static byte[] sample() {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (sb.length() < 40 * 1024) {
            sb.append("{\"id\":").append(i).append(",\"name\":\"item-").append(i * 7919 % 1000)
                    .append("\",\"tags\":[\"alpha\",\"beta\"]}\n");
            i++;
        }
        return sb.toString().getBytes(UTF_8);
    }
}
