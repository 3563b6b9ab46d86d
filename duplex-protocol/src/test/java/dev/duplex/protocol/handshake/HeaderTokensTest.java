package dev.duplex.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The list-valued header parsers (RFC 9110 5.6.1, RFC 6455 9.1, 11.3.4). */
class HeaderTokensTest {

    static Headers fields(String name, String... values) {
        Headers.Builder b = Headers.builder();
        for (String v : values) b.add(name, v);
        return b.build();
    }

    @Test
    void tokenListSkipsEmptyElementsAndWhitespace() {
        assertEquals(List.of("keep-alive", "Upgrade"), HeaderTokens.tokenList("keep-alive, Upgrade"));
        assertEquals(List.of("a", "b"), HeaderTokens.tokenList(" ,, a ,\t,b,, "));
        assertEquals(List.of(), HeaderTokens.tokenList(""));
        assertEquals(List.of(), HeaderTokens.tokenList(" , ,"));
        assertEquals(List.of("!#$%&'*+-.^_`|~09azAZ"), HeaderTokens.tokenList("!#$%&'*+-.^_`|~09azAZ"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a;b", "a/b", "\"a\"", "a,b c", "caf\u00e9", "a=b", "(a)", "a\u0000"})
    void tokenListRefusesWhatIsNotAToken(String value) {
        assertEquals(400, assertThrows(HandshakeException.class, () -> HeaderTokens.tokenList(value)).status());
    }

    @Test
    void protocolListAllowsVersions() {
        assertEquals(List.of("HTTP/2.0", "websocket"), HeaderTokens.protocolList("HTTP/2.0, websocket"));
        assertThrows(HandshakeException.class, () -> HeaderTokens.protocolList("a/"));
        assertThrows(HandshakeException.class, () -> HeaderTokens.protocolList("a/b/c"));
    }

    @Test
    void subprotocolsCombineEveryField() {
        assertEquals(List.of("chat", "superchat", "v2"),
                HeaderTokens.subprotocols(fields("Sec-WebSocket-Protocol", "chat, superchat", "", "v2")));
        assertEquals(List.of(), HeaderTokens.subprotocols(Headers.empty()));
    }

    @Test
    void subprotocolsPathologicalInputIsLinear() {
        // Row A12: "b" + N spaces + "x". Compare 10k with 1M: completing at all is the test.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int n : new int[] {10_000, 1_000_000}) {
                Headers h = fields("Sec-WebSocket-Protocol", "b" + " ".repeat(n) + "x");
                assertThrows(HandshakeException.class, () -> HeaderTokens.subprotocols(h));
                Headers ok = fields("Sec-WebSocket-Protocol", "b" + ", ".repeat(n) + "x");
                assertEquals(List.of("b", "x"), HeaderTokens.subprotocols(ok));
            }
        });
    }

    @Test
    void extensionsParseTheRfc6455Grammar() {
        Headers h = fields("Sec-WebSocket-Extensions",
                "permessage-deflate; client_max_window_bits; server_max_window_bits=10 , x-a",
                "x-b ;p = \"q\\\"\" ; r=\"1\", ,");
        assertEquals(400, assertThrows(HandshakeException.class, () -> HeaderTokens.extensions(h)).status(),
                "an escaped quote leaves a non-token");
        Headers good = fields("Sec-WebSocket-Extensions",
                "permessage-deflate; client_max_window_bits; server_max_window_bits=10 , x-a",
                "x-b ;p = \"q\\r\" ; r=\"1\", ,");
        assertEquals(List.of(
                ExtensionOffer.of("permessage-deflate", ExtensionParameter.of("client_max_window_bits"),
                        ExtensionParameter.of("server_max_window_bits", "10")),
                ExtensionOffer.of("x-a"),
                ExtensionOffer.of("x-b", ExtensionParameter.of("p", "qr"), ExtensionParameter.of("r", "1"))),
                HeaderTokens.extensions(good));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a; b=\"c", "a; b=\"c\\", "a; b=\"c\\\"", "; b", "a;", "a;;b", "a; =1", "a; b=",
        "a; b=\"\"", "a; b=\"c d\"", "a; b=\"c,d\"", "a b", "a; b c", "a; b=c d", "\"a\"", "a, \"b\"", "a; b=\"c\"d",
        "a; b=\"c\"\"",
    })
    void malformedExtensionsGet400(String value) {
        HandshakeException e = assertThrows(HandshakeException.class,
                () -> HeaderTokens.extensions(fields("Sec-WebSocket-Extensions", value)));
        assertEquals(400, e.status());
    }

    @Test
    void A13_aParameterNamedTwiceIsKeptForTheExtensionToJudge() {
        // RFC 7692 5: such a permessage-deflate offer is declined, not refused with 400.
        assertEquals(List.of(ExtensionOffer.of("a", ExtensionParameter.of("B", "1"), ExtensionParameter.of("b"))),
                HeaderTokens.extensions(fields("Sec-WebSocket-Extensions", "a; B=1; b")));
    }

    @Test
    void extensionsRoundTripThroughToHeaderValue() {
        ExtensionOffer offer = ExtensionOffer.of("permessage-deflate",
                ExtensionParameter.of("client_max_window_bits", "12"), ExtensionParameter.of("server_no_context_takeover"));
        assertEquals("permessage-deflate; client_max_window_bits=12; server_no_context_takeover", offer.toHeaderValue());
        assertEquals(List.of(offer, offer), HeaderTokens.extensions(fields("Sec-WebSocket-Extensions",
                ExtensionOffer.toHeaderValue(List.of(offer, offer)))));
        assertEquals("12", offer.parameter("Client_Max_Window_Bits").orElseThrow().value());
    }

    @Test
    void extensionValuesMustBeTokens() {
        assertThrows(IllegalArgumentException.class, () -> ExtensionParameter.of("a", "b c"));
        assertThrows(IllegalArgumentException.class, () -> ExtensionParameter.of("a;", "b"));
        assertThrows(IllegalArgumentException.class, () -> ExtensionOffer.of("a b"));
    }

    @Test
    void seededRandomHeaderValuesNeverEscapeAsAnythingButHandshakeException() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random random = new Random(seed);
        String alphabet = "ab=;,\" \t\\/x";
        for (int round = 0; round < 5_000; round++) {
            StringBuilder sb = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            String value = sb.toString();
            try {
                List<ExtensionOffer> offers = HeaderTokens.extensions(fields("Sec-WebSocket-Extensions", value));
                // What parses must survive a round trip through the serialiser.
                assertEquals(offers, HeaderTokens.extensions(
                        fields("Sec-WebSocket-Extensions", ExtensionOffer.toHeaderValue(offers))),
                        "seed " + seed + " (rerun with -Dduplex.test.seed=" + seed + "), value [" + value + "]");
                HeaderTokens.tokenList(value);
            } catch (HandshakeException expected) {
                assertEquals(400, expected.status(), "seed " + seed + ", value [" + value + "]");
            } catch (RuntimeException e) {
                throw new AssertionError("seed " + seed + " (rerun with -Dduplex.test.seed=" + seed
                        + "), value [" + value + "]", e);
            }
        }
    }
}
