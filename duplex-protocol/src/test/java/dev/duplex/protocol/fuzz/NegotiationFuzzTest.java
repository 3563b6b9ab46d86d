package dev.duplex.protocol.fuzz;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.extension.DeflateNegotiation;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.MalformedExtensionException;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.ExtensionNegotiator;
import dev.duplex.protocol.handshake.ExtensionOffer;
import dev.duplex.protocol.handshake.ExtensionParameter;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HandshakeOutcome;
import dev.duplex.protocol.handshake.HeaderTokens;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpRequest;
import dev.duplex.protocol.handshake.ServerHandshake;
import dev.duplex.protocol.handshake.ServerHandshakeOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;

/**
 * Subprotocol and extension negotiation on both sides (RFC 6455 4.1, 4.2.2, 9.1; RFC 7692 7.1;
 * rows A12, A13, B3, B4, G5).
 *
 * <p>{@link #serverAnswerToAnyOfferPassesTheClientsCheck}: a valid upgrade request whose
 * {@code Sec-WebSocket-Protocol} and {@code Sec-WebSocket-Extensions} values are arbitrary goes
 * through {@link ServerHandshake#negotiate} with a permessage-deflate negotiator built as the
 * server transport builds it (malformed offers declined, the first acceptable one taken). For
 * every input nothing is thrown and a refusal is a 400; a 101 names a subprotocol on both
 * sides' lists, or none when they share none, and only extensions that were offered; and when the client's values are ones a client could have
 * sent (distinct tokens), a {@link ClientHandshake} offering them accepts the server's 101.
 * Input layout: flags (bit 0 the server supports {@code chat} and {@code superchat}, bit 1 it
 * negotiates permessage-deflate), the server's minimum window bits (8 + n % 8), then the
 * protocol value and the extensions value as ISO-8859-1, separated by the first 0x00 byte.
 *
 * <p>{@link #deflateAgreementIsAcceptedByTheClientThatOfferedIt}: two arbitrary
 * {@link PerMessageDeflate.Config}s. The client's offer and the server's answer survive
 * {@link DeflateParameters#format} and {@link DeflateParameters#parse}; the server declines
 * only an offer whose server window is below its minimum; and the client accepts every answer
 * except one that limits its own window below its minimum (a documented refusal: an offer of
 * {@code client_max_window_bits} cannot state a minimum). Input layout: for the client, then
 * the server: flags (bit 0 server_no_context_takeover, bit 1 client_no_context_takeover),
 * server max window, client max window, min window (each 8 + n % 8).
 */
class NegotiationFuzzTest {
    private static final String KEY = ClientHandshakeFuzzTest.KEY;
    private static final List<String> SERVER_PROTOCOLS = List.of("superchat", "chat");

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void serverAnswerToAnyOfferPassesTheClientsCheck(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        int flags = input.nextByte();
        int minBits = 8 + input.nextByte() % 8;
        String rest = new String(input.rest(), ISO_8859_1);
        int nul = rest.indexOf('\0');
        String protocolValue = nul < 0 ? rest : rest.substring(0, nul);
        String extensionValue = nul < 0 ? "" : rest.substring(nul + 1);

        Headers headers;
        try {
            Headers.Builder b = Headers.builder().add("Host", "example.com").add("Upgrade", "websocket")
                    .add("Connection", "Upgrade").add("Sec-WebSocket-Key", KEY).add("Sec-WebSocket-Version", "13");
            if (!protocolValue.isEmpty()) {
                b.add("Sec-WebSocket-Protocol", protocolValue);
            }
            if (!extensionValue.isEmpty()) {
                b.add("Sec-WebSocket-Extensions", extensionValue);
            }
            headers = b.build();
        } catch (IllegalArgumentException notFieldContent) {
            return; // a byte the head parser would have refused
        }
        PerMessageDeflate.Config config = PerMessageDeflate.Config.DEFAULTS.withMinWindowBits(minBits);
        ServerHandshakeOptions options = ServerHandshakeOptions.builder()
                .subprotocols((flags & 1) != 0 ? SERVER_PROTOCOLS : List.of())
                .extensions((flags & 2) != 0 ? deflateNegotiator(config) : ExtensionNegotiator.none())
                .build();
        HandshakeOutcome outcome = ServerHandshake.negotiate(new HttpRequest("GET", "/chat", "HTTP/1.1", headers), options);
        if (!(outcome instanceof HandshakeOutcome.Accepted accepted)) {
            HandshakeOutcome.Rejected rejected = (HandshakeOutcome.Rejected) outcome;
            assertEquals(400, rejected.response().status(), () -> "refused with " + rejected.reason());
            return;
        }
        List<String> offered = HeaderTokens.subprotocols(headers);
        List<ExtensionOffer> offers = HeaderTokens.extensions(headers);
        assertEquals(101, accepted.response().status());
        if (accepted.subprotocol() != null) {
            assertTrue(offered.contains(accepted.subprotocol()) && options.subprotocols().contains(accepted.subprotocol()),
                    () -> "subprotocol " + accepted.subprotocol() + " is not on both lists");
        } else {
            assertTrue(offered.stream().noneMatch(options.subprotocols()::contains), "a common subprotocol was not chosen");
        }
        for (ExtensionOffer e : accepted.extensions()) {
            assertTrue(offers.stream().anyMatch(o -> o.name().equals(e.name())), () -> "not offered: " + e.name());
        }

        // The same offers from a client: its check must pass the server's answer.
        if (new HashSet<>(offered).size() != offered.size() || offered.contains("")) {
            return; // repeated: no client may send that
        }
        ClientHandshake client;
        try {
            client = new ClientHandshake(URI.create("ws://example.com/chat"), KEY, offered, offers, Headers.empty(), null);
        } catch (IllegalArgumentException notSendable) {
            return;
        }
        try {
            client.validate(accepted.response());
        } catch (HandshakeException e) {
            fail("the client refused the server's answer to its own offer: " + e.getMessage()
                    + "\n" + accepted.response());
        }
    }

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void deflateAgreementIsAcceptedByTheClientThatOfferedIt(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        PerMessageDeflate.Config client = config(input);
        PerMessageDeflate.Config server = config(input);
        if (client == null || server == null) {
            return;
        }
        DeflateParameters offer = DeflateNegotiation.clientOffer(client);
        assertEquals(offer, DeflateParameters.parse(offer.format()), "the offer survives the wire");
        Optional<DeflateNegotiation.Agreement> agreement = DeflateNegotiation.serverAccept(List.of(offer), server);
        int serverBits = offer.serverMaxWindowBits() == DeflateParameters.ABSENT
                ? server.serverMaxWindowBits() : Math.min(server.serverMaxWindowBits(), offer.serverMaxWindowBits());
        if (agreement.isEmpty()) {
            assertTrue(serverBits < server.minWindowBits(), () -> "declined " + offer.format() + " with " + server);
            return;
        }
        DeflateParameters response = agreement.get().response();
        agreement.get().extension().close();
        assertEquals(response, DeflateParameters.parse(response.format()), "the answer survives the wire");
        try {
            DeflateNegotiation.clientAccept(response, client).close();
        } catch (MalformedExtensionException e) {
            int clientBits = response.clientMaxWindowBits();
            assertTrue(clientBits > 0 && clientBits < client.minWindowBits(),
                    () -> "the client refused " + response.format() + " to its offer " + offer.format()
                            + " (" + client + " / " + server + "): " + e.getMessage());
        }
    }

    /** A config from four option bytes, or null when they break the config's own rules. */
    private static PerMessageDeflate.Config config(FuzzInput input) {
        int flags = input.nextByte();
        int serverBits = 8 + input.nextByte() % 8;
        int clientBits = 8 + input.nextByte() % 8;
        int minBits = 8 + input.nextByte() % 8;
        try {
            return new PerMessageDeflate.Config(6, 64, (flags & 1) != 0, (flags & 2) != 0, serverBits, clientBits, minBits);
        } catch (IllegalArgumentException outOfRange) {
            return null;
        }
    }

    /** The server transport's permessage-deflate negotiation: malformed offers declined (row A13). */
    private static ExtensionNegotiator deflateNegotiator(PerMessageDeflate.Config config) {
        return offers -> {
            List<DeflateParameters> deflateOffers = new ArrayList<>();
            for (ExtensionOffer o : offers) {
                if (o.name().equals(PerMessageDeflate.NAME)) {
                    try {
                        deflateOffers.add(DeflateParameters.of(ClientHandshakeFuzzTest.entries(o)));
                    } catch (MalformedExtensionException declined) {
                        // declined, not refused
                    }
                }
            }
            return DeflateNegotiation.serverAccept(deflateOffers, config).map(a -> {
                a.extension().close();
                List<ExtensionParameter> params = new ArrayList<>();
                for (Map.Entry<String, String> p : a.response().parameters()) {
                    params.add(new ExtensionParameter(p.getKey(), p.getValue()));
                }
                return List.of(new ExtensionOffer(PerMessageDeflate.NAME, params));
            }).orElse(List.of());
        };
    }
}
