package dev.duplex.protocol.handshake;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The client handshake: the request it writes, and rows B1–B5 of the security catalogue. */
class ClientHandshakeTest {
    static final String KEY = ServerHandshakeTest.KEY;
    static final String ACCEPT = ServerHandshakeTest.ACCEPT;
    static final ExtensionOffer DEFLATE = ExtensionOffer.of("permessage-deflate",
            ExtensionParameter.of("client_max_window_bits"));

    static ClientHandshake handshake() {
        return new ClientHandshake(URI.create("ws://server.example.com/chat"), KEY, List.of("chat", "superchat"),
                List.of(DEFLATE), Headers.empty(), null);
    }

    static HttpResponse response(String... fields) {
        Headers.Builder h = Headers.builder();
        for (String f : fields) {
            int colon = f.indexOf(':');
            h.add(f.substring(0, colon), f.substring(colon + 1));
        }
        return new HttpResponse(101, "Switching Protocols", h.build());
    }

    static HttpResponse valid101(String... more) {
        List<String> fields = new ArrayList<>(List.of(
                "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT));
        fields.addAll(List.of(more));
        return response(fields.toArray(String[]::new));
    }

    static HandshakeException fails(HttpResponse response) {
        HandshakeException e = assertThrows(HandshakeException.class, () -> handshake().validate(response));
        assertEquals(Optional.of(response), e.response());
        assertEquals(response.status(), e.status());
        return e;
    }

    @Test
    void requestIsByteExact() {
        ClientHandshake h = new ClientHandshake(URI.create("ws://server.example.com/chat?room=1&x=%20"), KEY,
                List.of("chat", "superchat"), List.of(DEFLATE, ExtensionOffer.of("x-other")),
                Headers.builder().add("Cookie", "a=b").add("Authorization", "Bearer t").build(), "http://example.com");
        assertEquals("""
                GET /chat?room=1&x=%20 HTTP/1.1\r
                Host: server.example.com\r
                Upgrade: websocket\r
                Connection: Upgrade\r
                Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                Sec-WebSocket-Version: 13\r
                Sec-WebSocket-Protocol: chat, superchat\r
                Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-other\r
                Origin: http://example.com\r
                Cookie: a=b\r
                Authorization: Bearer t\r
                \r
                """, new String(h.requestBytes(), ISO_8859_1));
    }

    @Test
    void minimalRequest() {
        ClientHandshake h = new ClientHandshake(URI.create("wss://server.example.com"), KEY, List.of(), List.of(),
                Headers.empty(), null);
        assertEquals("""
                GET / HTTP/1.1\r
                Host: server.example.com\r
                Upgrade: websocket\r
                Connection: Upgrade\r
                Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
                Sec-WebSocket-Version: 13\r
                \r
                """, new String(h.requestBytes(), ISO_8859_1));
    }

    @ParameterizedTest(name = "{0} -> Host: {1}, target {2}")
    @CsvSource({
        "ws://h.example:80/,       h.example,         /",
        "wss://h.example:443/a,    h.example,         /a",
        "ws://h.example:443,       h.example:443,     /",
        "wss://h.example:80/,      h.example:80,      /",
        "WS://h.example:8080/a/b,  h.example:8080,    /a/b",
        "ws://[::1]:9000/x?y,      [::1]:9000,        /x?y",
        "ws://h.example/caf\u00e9,  h.example,         /caf%C3%A9",
        "ws://h.example?q,         h.example,         /?q",
    })
    void hostAndResourceName(String uri, String host, String target) {
        ClientHandshake h = new ClientHandshake(URI.create(uri), KEY, List.of(), List.of(), Headers.empty(), null);
        HttpRequest parsed = HttpHeadParserTest.parse(new String(h.requestBytes(), ISO_8859_1));
        assertEquals(host, parsed.headers().first("Host").orElseThrow());
        assertEquals(target, parsed.target());
    }

    @ParameterizedTest
    @ValueSource(strings = {"Host", "upgrade", "CONNECTION", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
        "Sec-WebSocket-Protocol", "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept", "Origin", "Content-Length",
        "Transfer-Encoding"})
    void extraHeadersMayNotOverrideTheHandshake(String name) {
        Headers extra = Headers.builder().add(name, "x").build();
        assertThrows(IllegalArgumentException.class, () -> new ClientHandshake(URI.create("ws://h/"), KEY, List.of(),
                List.of(), extra, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://h/", "h/path", "ws://h/#frag", "ws://user:pw@h/", "ws:opaque", "ws:///path"})
    void badUrisAreRefused(String uri) {
        assertThrows(IllegalArgumentException.class, () -> new ClientHandshake(URI.create(uri), KEY, List.of(),
                List.of(), Headers.empty(), null));
    }

    @Test
    void badArgumentsAreRefused() {
        URI uri = URI.create("ws://h/");
        assertThrows(IllegalArgumentException.class,
                () -> new ClientHandshake(uri, "short", List.of(), List.of(), Headers.empty(), null));
        assertThrows(IllegalArgumentException.class,
                () -> new ClientHandshake(uri, KEY, List.of("chat", "chat"), List.of(), Headers.empty(), null));
        assertThrows(IllegalArgumentException.class,
                () -> new ClientHandshake(uri, KEY, List.of("a b"), List.of(), Headers.empty(), null));
        assertThrows(IllegalArgumentException.class,
                () -> new ClientHandshake(uri, KEY, List.of(), List.of(), Headers.empty(), "http://a\r\nX: y"));
    }

    @Test
    void newKeysAreValidAndFresh() {
        SecureRandom random = new SecureRandom();
        String a = AcceptKey.newKey(random);
        String b = AcceptKey.newKey(random);
        assertTrue(AcceptKey.isValidKey(a), a);
        assertTrue(AcceptKey.isValidKey(b), b);
        assertNotEquals(a, b);
    }

    @Test
    void roundTripThroughTheServerHandshake() {
        String key = AcceptKey.newKey(new SecureRandom());
        ClientHandshake client = new ClientHandshake(URI.create("ws://server.example.com:8080/chat"), key,
                List.of("v1.chat", "v2.chat"), List.of(DEFLATE), Headers.empty(), "http://server.example.com:8080");
        HttpRequest request = HttpHeadParser.forRequests(HeadLimits.DEFAULTS).feed(ByteBuffer.wrap(client.requestBytes()));
        ServerHandshakeOptions options = ServerHandshakeOptions.builder().subprotocols("v2.chat")
                .extensions(offers -> List.of(ExtensionOffer.of("permessage-deflate",
                        ExtensionParameter.of("client_max_window_bits", "12")))).build();
        HandshakeOutcome.Accepted accepted = assertInstanceOf(HandshakeOutcome.Accepted.class,
                ServerHandshake.negotiate(request, options));
        HttpResponse response = HttpHeadParser.forResponses(HeadLimits.DEFAULTS)
                .feed(ByteBuffer.wrap(accepted.response().toBytes()));
        ClientHandshake.Result result = client.validate(response);
        assertEquals("v2.chat", result.subprotocol());
        assertEquals(List.of(ExtensionOffer.of("permessage-deflate", ExtensionParameter.of("client_max_window_bits", "12"))),
                result.extensions());
        assertEquals(response, result.response());
    }

    @Test
    void validResponseWithoutSubprotocolOrExtensions() {
        ClientHandshake.Result r = handshake().validate(valid101());
        assertNull(r.subprotocol());
        assertEquals(List.of(), r.extensions());
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 400, 401, 403, 404, 426, 500, 503})
    void B1_statusOtherThan101Fails(int status) {
        HttpResponse r = HttpResponse.error(status);
        HandshakeException e = fails(r);
        assertEquals(Optional.empty(), e.location());
    }

    @Test
    void B1_redirectExposesItsLocationButIsNotFollowed() {
        HttpResponse r = new HttpResponse(302, "Found",
                Headers.builder().add("Location", "wss://other.example/chat").build());
        HandshakeException e = fails(r);
        assertEquals(Optional.of(URI.create("wss://other.example/chat")), e.location());
        HttpResponse relative = new HttpResponse(307, "", Headers.builder().add("Location", "/elsewhere").build());
        assertEquals(Optional.of(URI.create("/elsewhere")), fails(relative).location());
        HttpResponse two = new HttpResponse(301, "", Headers.builder().add("Location", "/a").add("Location", "/b").build());
        assertEquals(Optional.empty(), fails(two).location());
        HttpResponse bad = new HttpResponse(301, "", Headers.builder().add("Location", "a b").build());
        assertEquals(Optional.empty(), fails(bad).location());
    }

    @Test
    void B2_upgradeWrongFails() {
        fails(response("Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT));
        fails(response("Upgrade: h2c", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT));
        fails(response("Upgrade: websocket, h2c", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT));
        fails(response("Upgrade: websocket", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT));
        handshake().validate(response("Upgrade: WebSocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT));
    }

    @Test
    void B2_connectionWrongFails() {
        fails(response("Upgrade: websocket", "Sec-WebSocket-Accept: " + ACCEPT));
        fails(response("Upgrade: websocket", "Connection: keep-alive", "Sec-WebSocket-Accept: " + ACCEPT));
        fails(response("Upgrade: websocket", "Connection: keep alive", "Sec-WebSocket-Accept: " + ACCEPT));
        handshake().validate(response("Upgrade: websocket", "Connection: keep-alive, upgrade",
                "Sec-WebSocket-Accept: " + ACCEPT));
    }

    @Test
    void B2_acceptMissingWrongOrRepeatedFails() {
        fails(response("Upgrade: websocket", "Connection: Upgrade"));
        fails(response("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + AcceptKey.accept("x")));
        fails(response("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT.toLowerCase()));
        fails(response("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + ACCEPT,
                "Sec-WebSocket-Accept: " + ACCEPT));
        fails(response("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Accept: " + KEY));
    }

    @Test
    void B3_extensionNotOfferedFails() {
        fails(valid101("Sec-WebSocket-Extensions: x-webkit-deflate-frame"));
        fails(valid101("Sec-WebSocket-Extensions: Permessage-Deflate"));
        fails(valid101("Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate"));
        fails(valid101("Sec-WebSocket-Extensions: permessage-deflate", "Sec-WebSocket-Extensions: permessage-deflate"));
        HandshakeException malformed = fails(valid101("Sec-WebSocket-Extensions: permessage-deflate; a=\"1"));
        assertEquals(101, malformed.status());
    }

    @Test
    void B3_acceptedElementsAreReturnedForTheCallerToCheck() {
        ClientHandshake.Result r = handshake().validate(
                valid101("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=\"10\"; server_no_context_takeover"));
        assertEquals(List.of(ExtensionOffer.of("permessage-deflate",
                ExtensionParameter.of("client_max_window_bits", "10"),
                ExtensionParameter.of("server_no_context_takeover"))), r.extensions());
    }

    @Test
    void B4_subprotocolNotOfferedOrSeveralFails() {
        fails(valid101("Sec-WebSocket-Protocol: other"));
        fails(valid101("Sec-WebSocket-Protocol: Chat"));
        fails(valid101("Sec-WebSocket-Protocol: chat, superchat"));
        fails(valid101("Sec-WebSocket-Protocol: chat", "Sec-WebSocket-Protocol: chat"));
        fails(valid101("Sec-WebSocket-Protocol: "));
        assertEquals("superchat", handshake().validate(valid101("Sec-WebSocket-Protocol: superchat")).subprotocol());
    }

    @Test
    void B4_subprotocolWhenNoneWasOfferedFails() {
        ClientHandshake none = new ClientHandshake(URI.create("ws://h/"), KEY, List.of(), List.of(), Headers.empty(), null);
        assertThrows(HandshakeException.class, () -> none.validate(valid101("Sec-WebSocket-Protocol: chat")));
    }

    @Test
    void B5_framesInTheSameReadAsThe101AreKept() {
        byte[] head = valid101().toBytes();
        byte[] frame = HexFormat.of().parseHex("810548656c6c6f"); // RFC 6455 5.7: unmasked "Hello"
        byte[] input = HttpHeadParserTest.concat(head, frame);
        for (int cut = 0; cut <= input.length; cut++) {
            HttpHeadParser<HttpResponse> parser = HttpHeadParser.forResponses(HeadLimits.DEFAULTS);
            // Buffers wrap the whole array, so position() is an index into input.
            ByteBuffer last = ByteBuffer.wrap(input, 0, cut);
            HttpResponse r = parser.feed(last);
            if (r == null) {
                last = ByteBuffer.wrap(input, cut, input.length - cut);
                r = parser.feed(last);
            }
            assertEquals("Switching Protocols", handshake().validate(r).response().reason(), "cut " + cut);
            assertEquals(head.length, last.position(), "the parser stops at the blank line, cut " + cut);
            byte[] kept = new byte[input.length - last.position()];
            ByteBuffer.wrap(input, last.position(), kept.length).get(kept);
            assertArrayEquals(frame, kept, "cut " + cut);
        }
    }
}
