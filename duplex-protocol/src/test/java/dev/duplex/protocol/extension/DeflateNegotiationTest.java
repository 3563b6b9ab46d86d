package dev.duplex.protocol.extension;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** RFC 7692 5 and 7.1: negotiation, server and client side by side. */
class DeflateNegotiationTest {

    static final PerMessageDeflate.Config DEFAULTS = PerMessageDeflate.Config.DEFAULTS;

    /** What the handshake layer does: parse every element (malformed: 400), then choose. */
    static Optional<DeflateNegotiation.Agreement> serverNegotiate(PerMessageDeflate.Config config, String... offers) {
        List<DeflateParameters> parsed = Arrays.stream(offers).map(DeflateParameters::parse).toList();
        return DeflateNegotiation.serverAccept(parsed, config);
    }

    static String response(PerMessageDeflate.Config config, String... offers) {
        return serverNegotiate(config, offers).map(a -> {
            a.extension().close();
            return a.response().format();
        }).orElse("declined");
    }

    @Nested
    class Server {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', textBlock = """
            permessage-deflate                                          | permessage-deflate
            permessage-deflate; client_max_window_bits                  | permessage-deflate
            permessage-deflate; client_max_window_bits=9                | permessage-deflate
            permessage-deflate; server_no_context_takeover              | permessage-deflate; server_no_context_takeover
            permessage-deflate; client_no_context_takeover              | permessage-deflate; client_no_context_takeover
            permessage-deflate; server_max_window_bits=15               | permessage-deflate; server_max_window_bits=15
            permessage-deflate; server_max_window_bits=10               | permessage-deflate; server_max_window_bits=10
            permessage-deflate; server_max_window_bits=8                | permessage-deflate; server_max_window_bits=8
            """)
        void s7_1_defaultsAcceptEveryParameter(String offer, String expected) {
            assertEquals(expected, response(DEFAULTS, offer));
        }

        @Test
        void s7_1_2_1_requestedServerWindowIsHonouredNotJustDeclined() {
            DeflateNegotiation.Agreement agreement =
                    serverNegotiate(DEFAULTS, "permessage-deflate; server_max_window_bits=9").orElseThrow();
            try (PerMessageDeflate server = agreement.extension()) {
                assertEquals(9, server.outboundWindowBits());
            }
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', textBlock = """
            permessage-deflate                                 | permessage-deflate; server_max_window_bits=12
            permessage-deflate; server_max_window_bits=14      | permessage-deflate; server_max_window_bits=12
            permessage-deflate; server_max_window_bits=10      | permessage-deflate; server_max_window_bits=10
            """)
        void s7_1_2_1_aServerLimitIsAnnouncedAndNeverRaised(String offer, String expected) {
            assertEquals(expected, response(DEFAULTS.withServerMaxWindowBits(12), offer));
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', textBlock = """
            permessage-deflate                                 | permessage-deflate
            permessage-deflate; client_max_window_bits         | permessage-deflate; client_max_window_bits=11
            permessage-deflate; client_max_window_bits=13      | permessage-deflate; client_max_window_bits=11
            permessage-deflate; client_max_window_bits=10      | permessage-deflate
            """)
        void s7_1_2_2_aClientLimitGoesOnlyToClientsThatOfferedTheParameter(String offer, String expected) {
            assertEquals(expected, response(DEFAULTS.withClientMaxWindowBits(11), offer));
        }

        @Test
        void s5_1_offersAreTriedInTheClientsOrderAndUnsupportedOnesDeclined() {
            PerMessageDeflate.Config zlibOnly = DEFAULTS.withMinWindowBits(15);
            assertEquals("declined", response(zlibOnly, "permessage-deflate; server_max_window_bits=10"));
            assertEquals("permessage-deflate; server_no_context_takeover", response(zlibOnly,
                    "permessage-deflate; server_max_window_bits=10",
                    "permessage-deflate; server_no_context_takeover",
                    "permessage-deflate"));
            assertEquals("permessage-deflate; server_max_window_bits=12", response(DEFAULTS.withMinWindowBits(11),
                    "permessage-deflate; server_max_window_bits=9",
                    "permessage-deflate; server_max_window_bits=12"));
            assertEquals("declined", response(DEFAULTS));
        }

        @Test
        void A13_aMalformedOfferFailsTheHandshakeEvenAfterAnAcceptableOne() {
            assertThrows(MalformedExtensionException.class, () -> serverNegotiate(DEFAULTS,
                    "permessage-deflate", "permessage-deflate; server_max_window_bits=16"));
        }

        @Test
        void G4_underPressureBothSidesGoWithoutContextTakeover() {
            PerMessageDeflate.Config pressed = DEFAULTS.withoutContextTakeover();
            DeflateNegotiation.Agreement agreement =
                    serverNegotiate(pressed, "permessage-deflate; client_max_window_bits").orElseThrow();
            assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover",
                    agreement.response().format());
            try (PerMessageDeflate server = agreement.extension()) {
                assertTrue(server.outboundNoContextTakeover());
                assertTrue(server.inboundNoContextTakeover());
            }
        }
    }

    @Nested
    class Client {

        @Test
        void s7_1_2_2_theDefaultOfferAllowsASmallerClientWindow() {
            assertEquals("permessage-deflate; client_max_window_bits", DeflateNegotiation.clientOffer(DEFAULTS).format());
        }

        @Test
        void s7_1_theOfferCarriesEveryConfiguredRequest() {
            assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
                            + " server_max_window_bits=10; client_max_window_bits=12",
                    DeflateNegotiation.clientOffer(DEFAULTS.withoutContextTakeover()
                            .withServerMaxWindowBits(10).withClientMaxWindowBits(12)).format());
            assertEquals("permessage-deflate", DeflateNegotiation.clientOffer(DEFAULTS.withMinWindowBits(15)).format());
        }

        @ParameterizedTest(name = "{0} -> window {1}")
        @CsvSource(delimiter = '|', textBlock = """
            permessage-deflate                                  | 15 | false | false
            permessage-deflate; client_max_window_bits=10       | 10 | false | false
            permessage-deflate; client_max_window_bits=8        |  8 | false | false
            permessage-deflate; server_no_context_takeover      | 15 | false | true
            permessage-deflate; client_no_context_takeover      | 15 | true  | false
            permessage-deflate; server_max_window_bits=9        | 15 | false | false
            """)
        void s7_1_responsesTheDefaultOfferAllows(String response, int window, boolean ownNoContext, boolean peerNoContext) {
            try (PerMessageDeflate client = DeflateNegotiation.clientAccept(DeflateParameters.parse(response), DEFAULTS)) {
                assertEquals(window, client.outboundWindowBits());
                assertEquals(ownNoContext, client.outboundNoContextTakeover());
                assertEquals(peerNoContext, client.inboundNoContextTakeover());
            }
        }

        @ParameterizedTest(name = "{1} after offering {0}")
        @CsvSource(delimiter = '|', textBlock = """
            default        | permessage-deflate; client_max_window_bits
            min15          | permessage-deflate; client_max_window_bits=10
            client10       | permessage-deflate; client_max_window_bits=12
            min12          | permessage-deflate; client_max_window_bits=10
            server10       | permessage-deflate
            server10       | permessage-deflate; server_max_window_bits=11
            serverNoCtx    | permessage-deflate
            """)
        void B3_responsesTheOfferDidNotAllowFailTheHandshake(String config, String response) {
            assertThrows(MalformedExtensionException.class,
                    () -> DeflateNegotiation.clientAccept(DeflateParameters.parse(response), named(config)));
        }

        @Test
        void B3_outOfRangeOrUnknownParametersInAResponseFailTheHandshake() {
            for (String response : List.of("permessage-deflate; server_max_window_bits=16",
                    "permessage-deflate; client_max_window_bits=07", "permessage-deflate; mux")) {
                assertThrows(MalformedExtensionException.class, () -> DeflateParameters.parse(response));
            }
        }

        @Test
        void s7_1_2_2_aPromisedWindowHoldsWhenTheResponseIsSilentAndShrinksWhenAsked() {
            PerMessageDeflate.Config client10 = named("client10");
            try (PerMessageDeflate silent = DeflateNegotiation.clientAccept(DeflateParameters.parse("permessage-deflate"), client10);
                 PerMessageDeflate smaller = DeflateNegotiation.clientAccept(
                         DeflateParameters.parse("permessage-deflate; client_max_window_bits=9"), client10)) {
                assertEquals(10, silent.outboundWindowBits());
                assertEquals(9, smaller.outboundWindowBits());
            }
        }

        @Test
        void s7_1_1_2_aPromisedNoContextTakeoverHoldsWhenTheResponseIsSilent() {
            try (PerMessageDeflate client = DeflateNegotiation.clientAccept(
                    DeflateParameters.parse("permessage-deflate"), DEFAULTS.withClientNoContextTakeover(true))) {
                assertTrue(client.outboundNoContextTakeover());
                assertFalse(client.inboundNoContextTakeover());
            }
        }

        private PerMessageDeflate.Config named(String name) {
            return switch (name) {
                case "default" -> DEFAULTS;
                case "min15" -> DEFAULTS.withMinWindowBits(15);
                case "min12" -> DEFAULTS.withMinWindowBits(12);
                case "client10" -> DEFAULTS.withClientMaxWindowBits(10);
                case "server10" -> DEFAULTS.withServerMaxWindowBits(10);
                case "serverNoCtx" -> DEFAULTS.withServerNoContextTakeover(true);
                default -> throw new IllegalArgumentException(name);
            };
        }
    }

    @Test
    void bothSidesAgreeEndToEnd() {
        PerMessageDeflate.Config clientConfig = DEFAULTS.withThreshold(0).withServerMaxWindowBits(11);
        PerMessageDeflate.Config serverConfig = DEFAULTS.withThreshold(0).withClientMaxWindowBits(9);
        String offer = DeflateNegotiation.clientOffer(clientConfig).format();
        DeflateNegotiation.Agreement agreement = serverNegotiate(serverConfig, offer).orElseThrow();
        assertEquals("permessage-deflate; server_max_window_bits=11; client_max_window_bits=9",
                agreement.response().format());
        try (PerMessageDeflate server = agreement.extension();
             PerMessageDeflate client = DeflateNegotiation.clientAccept(
                     DeflateParameters.parse(agreement.response().format()), clientConfig)) {
            assertEquals(11, server.outboundWindowBits());
            assertEquals(9, client.outboundWindowBits());
            byte[] message = WindowedDeflaterTest.repetitiveText(new java.util.Random(5), 50_000);
            for (PerMessageDeflate[] pair : new PerMessageDeflate[][] {{server, client}, {client, server}}) {
                Extension.Encoded encoded = pair[0].encode(ByteBuffer.wrap(message), true);
                assertArrayEquals(message, PerMessageDeflateTest.decode(pair[1], encoded.rsv(),
                        List.of(PerMessageDeflateTest.bytes(encoded.payload()))));
            }
        }
    }

    @Test
    void configRejectsOptionsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withCompressionLevel(10));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withThreshold(-1));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withServerMaxWindowBits(7));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withClientMaxWindowBits(16));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withServerMaxWindowBits(10).withMinWindowBits(11));
    }
}
