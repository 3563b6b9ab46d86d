package dev.duplex.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.extension.DeflateNegotiation;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.MalformedExtensionException;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.handshake.AcceptKey;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.ExtensionOffer;
import dev.duplex.protocol.handshake.ExtensionParameter;
import dev.duplex.protocol.handshake.HandshakeException;
import dev.duplex.protocol.handshake.HeadLimits;
import dev.duplex.protocol.handshake.Headers;
import dev.duplex.protocol.handshake.HttpHeadParser;
import dev.duplex.protocol.handshake.HttpResponse;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Timeout;

/**
 * The client's check of the server's answer (RFC 6455 4.1, rows B1–B4) fed arbitrary response
 * heads: the bytes go through the response parser, and a parsed head through
 * {@link ClientHandshake#validate}, and an accepted permessage-deflate element through
 * {@link DeflateNegotiation#clientAccept}, as the client transport does. For every input:
 * <ul>
 *   <li>the only exceptions are {@link HandshakeException} (parser or validation) and, from
 *       {@code clientAccept}, {@link MalformedExtensionException};
 *   <li>an accepted response is a 101 with exactly one {@code Upgrade: websocket}, exactly one
 *       {@code Sec-WebSocket-Accept} equal to the key's accept value, a subprotocol that was
 *       offered (or none), and extensions each offered and each named once.
 * </ul>
 *
 * <p>Input layout: flags (bit 0 offer subprotocols {@code chat} and {@code superchat}, bit 1
 * offer permessage-deflate as the default client does, bit 2 with a minimum window of 15),
 * then the response head as bytes. The key is RFC 6455 1.3's sample, so a seed can carry its
 * right answer {@code s3pPLMBiTxaQ9kYGzzhZRbK+xOo=}.
 */
class ClientHandshakeFuzzTest {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final HeadLimits LIMITS = HeadLimits.DEFAULTS;

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void clientAcceptsOnlyAValid101(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        int flags = input.nextByte();
        List<String> protocols = (flags & 1) != 0 ? List.of("chat", "superchat") : List.of();
        PerMessageDeflate.Config config = (flags & 4) != 0
                ? PerMessageDeflate.Config.DEFAULTS.withMinWindowBits(15) : PerMessageDeflate.Config.DEFAULTS;
        List<ExtensionOffer> offers = (flags & 2) != 0 ? List.of(offer(config)) : List.of();
        ClientHandshake handshake = new ClientHandshake(URI.create("ws://example.com/chat"), KEY, protocols, offers,
                Headers.empty(), null);

        HttpResponse response;
        try {
            response = HttpHeadParser.forResponses(LIMITS).feed(ByteBuffer.wrap(input.rest()));
        } catch (HandshakeException e) {
            return; // the head parser has a fuzz target of its own
        }
        if (response == null) {
            return; // no blank line yet
        }
        ClientHandshake.Result result;
        try {
            result = handshake.validate(response);
        } catch (HandshakeException e) {
            assertEquals(java.util.Optional.of(response), e.response(), "a refusal carries the response it refused");
            return;
        }
        checkAccepted(result, response, protocols, offers);
        for (ExtensionOffer element : result.extensions()) {
            if (element.name().equals("permessage-deflate")) {
                try {
                    DeflateNegotiation.clientAccept(DeflateParameters.of(entries(element)), config).close();
                } catch (MalformedExtensionException refused) {
                    // row B3: parameters the offer did not allow
                }
            }
        }
    }

    private static void checkAccepted(ClientHandshake.Result result, HttpResponse response, List<String> protocols,
                                      List<ExtensionOffer> offers) {
        assertEquals(101, response.status());
        List<String> upgrades = response.headers().all("Upgrade");
        assertTrue(upgrades.size() == 1 && upgrades.getFirst().equalsIgnoreCase("websocket"), "Upgrade: " + upgrades);
        assertEquals(List.of(AcceptKey.accept(KEY)), response.headers().all("Sec-WebSocket-Accept"));
        assertTrue(result.subprotocol() == null || protocols.contains(result.subprotocol()),
                () -> "subprotocol not offered: " + result.subprotocol());
        Set<String> names = new HashSet<>();
        for (ExtensionOffer e : result.extensions()) {
            assertTrue(offers.stream().anyMatch(o -> o.name().equals(e.name())), () -> "extension not offered: " + e.name());
            assertTrue(names.add(e.name()), () -> "extension accepted twice: " + e.name());
        }
    }

    /** The element the client transport offers for this configuration. */
    static ExtensionOffer offer(PerMessageDeflate.Config config) {
        List<ExtensionParameter> params = new ArrayList<>();
        for (Map.Entry<String, String> p : DeflateNegotiation.clientOffer(config).parameters()) {
            params.add(new ExtensionParameter(p.getKey(), p.getValue()));
        }
        return new ExtensionOffer("permessage-deflate", params);
    }

    static List<Map.Entry<String, String>> entries(ExtensionOffer element) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        for (ExtensionParameter p : element.params()) {
            params.add(new AbstractMap.SimpleImmutableEntry<>(p.name(), p.value()));
        }
        return params;
    }
}
