package dev.duplex.protocol.handshake;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server handshake, one test per row of the security catalogue's section A. */
class ServerHandshakeTest {
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    static final ServerHandshakeOptions DEFAULTS = ServerHandshakeOptions.DEFAULTS;

    static Headers.Builder valid() {
        return Headers.builder()
                .add("Host", "server.example.com")
                .add("Upgrade", "websocket")
                .add("Connection", "Upgrade")
                .add("Sec-WebSocket-Key", KEY)
                .add("Sec-WebSocket-Version", "13");
    }

    static HttpRequest get(Headers.Builder headers) {
        return new HttpRequest("GET", "/chat", "HTTP/1.1", headers.build());
    }

    static HttpRequest validWith(UnaryOperator<Headers.Builder> edit) {
        return get(edit.apply(valid()));
    }

    static HandshakeOutcome.Accepted accepted(HttpRequest request, ServerHandshakeOptions options) {
        HandshakeOutcome outcome = ServerHandshake.negotiate(request, options);
        return assertInstanceOf(HandshakeOutcome.Accepted.class, outcome, outcome::toString);
    }

    /** Asserts a refusal with {@code status}, closing the connection (row A18), and returns it. */
    static HttpResponse rejected(int status, HttpRequest request, ServerHandshakeOptions options) {
        HandshakeOutcome outcome = ServerHandshake.negotiate(request, options);
        HandshakeOutcome.Rejected r = assertInstanceOf(HandshakeOutcome.Rejected.class, outcome);
        assertEquals(status, r.response().status(), r.reason());
        assertEquals(List.of("close"), r.response().headers().all("Connection"));
        assertEquals(List.of("0"), r.response().headers().all("Content-Length"));
        assertFalse(r.reason().isEmpty());
        return r.response();
    }

    static HttpResponse rejected(int status, HttpRequest request) {
        return rejected(status, request, DEFAULTS);
    }

    @Test
    void rfc6455Section13_acceptKeyOfTheSampleNonce() {
        assertEquals(ACCEPT, AcceptKey.accept(KEY));
    }

    @Test
    void validRequestGetsByteExact101() {
        HandshakeOutcome.Accepted a = accepted(get(valid()), DEFAULTS);
        assertNull(a.subprotocol());
        assertEquals(List.of(), a.extensions());
        assertEquals("""
                HTTP/1.1 101 Switching Protocols\r
                Upgrade: websocket\r
                Connection: Upgrade\r
                Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r
                \r
                """, new String(a.response().toBytes(), ISO_8859_1));
    }

    @Test
    void parsedRequestOfRfc6455Section13IsAccepted() {
        HttpRequest request = HttpHeadParserTest.parse(HttpHeadParserTest.REQUEST);
        ServerHandshakeOptions options = ServerHandshakeOptions.builder()
                .subprotocols("chat").originPolicy(OriginPolicy.allowing(List.of("http://example.com"))).build();
        HandshakeOutcome.Accepted a = accepted(request, options);
        assertEquals("chat", a.subprotocol());
        assertEquals(List.of("chat"), a.response().headers().all("Sec-WebSocket-Protocol"));
    }

    @Test
    void A1_postGets405WithAllowGet() {
        HttpResponse r = rejected(405, new HttpRequest("POST", "/chat", "HTTP/1.1", valid().build()));
        assertEquals(List.of("GET"), r.headers().all("Allow"));
        assertEquals("""
                HTTP/1.1 405 Method Not Allowed\r
                Allow: GET\r
                Connection: close\r
                Content-Length: 0\r
                \r
                """, new String(r.toBytes(), ISO_8859_1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"get", "HEAD", "PUT", "CONNECT", "OPTIONS"})
    void A1_otherMethodsGet405(String method) {
        rejected(405, new HttpRequest(method, "/chat", "HTTP/1.1", valid().build()));
    }

    @Test
    void A2_http10Gets505() {
        rejected(505, new HttpRequest("GET", "/chat", "HTTP/1.0", valid().build()));
        HandshakeException e = assertThrows(HandshakeException.class, () -> HttpHeadParser.forRequests(HeadLimits.DEFAULTS)
                .feed(ByteBuffer.wrap("GET /chat HTTP/1.0\r\nHost: a\r\n\r\n".getBytes(ISO_8859_1))));
        assertEquals(505, e.status());
        assertEquals(List.of("close"), e.toResponse().headers().all("Connection"));
    }

    @Test
    void A3_hostMissingGets400() {
        rejected(400, validWith(h -> h.remove("Host")));
    }

    @Test
    void A3_hostRepeatedGets400() {
        rejected(400, validWith(h -> h.add("Host", "server.example.com")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a/b", "user@host", "host:", "host:x", "host:65536", "[::1", "[]", "ex%41mple.com"})
    void A3_hostMalformedGets400(String host) {
        rejected(400, validWith(h -> h.remove("Host").add("Host", host)));
    }

    @Test
    void A3_absoluteFormTargetMustNameTheHost() {
        Headers headers = valid().build();
        accepted(new HttpRequest("GET", "http://Server.Example.com/chat?x", "HTTP/1.1", headers), DEFAULTS);
        accepted(new HttpRequest("GET", "wss://server.example.com", "HTTP/1.1", headers), DEFAULTS);
        rejected(400, new HttpRequest("GET", "http://evil.example/chat", "HTTP/1.1", headers));
        rejected(400, new HttpRequest("GET", "ftp://server.example.com/chat", "HTTP/1.1", headers));
        rejected(400, new HttpRequest("GET", "*", "HTTP/1.1", headers));
        rejected(400, new HttpRequest("GET", "server.example.com:80", "HTTP/1.1", headers));
    }

    @Test
    void A4_upgradeMissingGets426WithUpgradeWebsocket() {
        HttpResponse r = rejected(426, validWith(h -> h.remove("Upgrade")));
        assertEquals(List.of("websocket"), r.headers().all("Upgrade"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "websockets", "HTTP/2.0", "", "websocket/13"})
    void A4_upgradeWithoutWebsocketGets426(String upgrade) {
        HttpResponse r = rejected(426, validWith(h -> h.remove("Upgrade").add("Upgrade", upgrade)));
        assertEquals(List.of("websocket"), r.headers().all("Upgrade"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"web socket", "websocket/", "/13", "websocket;q=1"})
    void A4_malformedUpgradeGets400(String upgrade) {
        rejected(400, validWith(h -> h.remove("Upgrade").add("Upgrade", upgrade)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"WebSocket", "WEBSOCKET", "h2c, websocket", "HTTP/2.0,websocket"})
    void A4_upgradeListingWebsocketInAnyCaseIsAccepted(String upgrade) {
        accepted(validWith(h -> h.remove("Upgrade").add("Upgrade", upgrade)), DEFAULTS);
    }

    @Test
    void A5_connectionWithoutUpgradeGets400() {
        rejected(400, validWith(h -> h.remove("Connection")));
        rejected(400, validWith(h -> h.remove("Connection").add("Connection", "keep-alive")));
        rejected(400, validWith(h -> h.remove("Connection").add("Connection", "upgrades")));
        rejected(400, validWith(h -> h.remove("Connection").add("Connection", "keep alive upgrade")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"keep-alive, Upgrade", "upgrade", "UPGRADE", ", ,Upgrade,", "Upgrade, keep-alive"})
    void A5_connectionTokenListWithUpgradeIsAccepted(String connection) {
        accepted(validWith(h -> h.remove("Connection").add("Connection", connection)), DEFAULTS);
    }

    @Test
    void A5_connectionTokensMaySpanSeveralFields() {
        accepted(validWith(h -> h.remove("Connection").add("Connection", "keep-alive").add("Connection", "Upgrade")), DEFAULTS);
    }

    @Test
    void A6_keyMissingGets400() {
        rejected(400, validWith(h -> h.remove("Sec-WebSocket-Key")));
    }

    @Test
    void A6_keyRepeatedGets400() {
        rejected(400, validWith(h -> h.add("Sec-WebSocket-Key", KEY)));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "dGhlIHNhbXBsZSBub25jZQ",          // no padding
        "dGhlIHNhbXBsZSBub25jZQ=",         // half the padding
        "dGhlIHNhbXBsZSBub25jZQ===",
        "dGhlIHNhbXBsZSBub25j",            // 15 bytes
        "dGhlIHNhbXBsZSBub25jZTE=",        // 17 bytes
        "dGhlIHNhbXBsZSBub25jZQ==dGhl",
        "dGhlIHNhbX BsZSBub25jZQ==",       // whitespace inside
        "dGhlIHNhbXBsZSBub25jZ-_=",        // URL-safe alphabet
        "dGhlIHNhbXBsZSBub25jZR==",        // non-zero trailing bits
        "!GhlIHNhbXBsZSBub25jZQ==",
        "dGhlIHNhbXBsZSBub25jZQ=a",
    })
    void A6_keyNotBase64Of16BytesGets400(String key) {
        rejected(400, validWith(h -> h.remove("Sec-WebSocket-Key").add("Sec-WebSocket-Key", key)));
    }

    @Test
    void A7_version8Gets426() {
        HttpResponse r = rejected(426, validWith(h -> h.remove("Sec-WebSocket-Version").add("Sec-WebSocket-Version", "8")));
        assertEquals(List.of("13"), r.headers().all("Sec-WebSocket-Version"));
        assertEquals("""
                HTTP/1.1 426 Upgrade Required\r
                Sec-WebSocket-Version: 13\r
                Connection: close\r
                Content-Length: 0\r
                \r
                """, new String(r.toBytes(), ISO_8859_1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12", "14", "013", "13, 8", "8, 13", "13.0", "thirteen"})
    void A7_versionOtherThan13Gets426(String version) {
        HttpResponse r = rejected(426,
                validWith(h -> h.remove("Sec-WebSocket-Version").add("Sec-WebSocket-Version", version)));
        assertEquals(List.of("13"), r.headers().all("Sec-WebSocket-Version"));
    }

    @Test
    void A7_versionMissingOrRepeatedGets426() {
        rejected(426, validWith(h -> h.remove("Sec-WebSocket-Version")));
        rejected(426, validWith(h -> h.add("Sec-WebSocket-Version", "13")));
    }

    @Test
    void A8_foreignOriginGets403() {
        HttpResponse r = rejected(403, validWith(h -> h.add("Origin", "https://evil.example")));
        assertEquals("""
                HTTP/1.1 403 Forbidden\r
                Connection: close\r
                Content-Length: 0\r
                \r
                """, new String(r.toBytes(), ISO_8859_1));
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://server.example.com.evil.com", "http://evil-server.example.com",
        "http://server.example.co", "http://server.example.com/", "http://server.example.com@evil.com", "null"})
    void A8_originThatIsNotExactlyAllowedGets403(String origin) {
        rejected(403, validWith(h -> h.add("Origin", origin)));
    }

    @Test
    void A8_severalOriginsGet403() {
        rejected(403, validWith(h -> h.add("Origin", "http://server.example.com").add("Origin", "http://server.example.com")));
    }

    @Test
    void A8_sameOriginAndAllowlistedOriginsAreAccepted() {
        accepted(validWith(h -> h.add("Origin", "https://server.example.com")), DEFAULTS);
        ServerHandshakeOptions allowlist = ServerHandshakeOptions.builder()
                .originPolicy(OriginPolicy.allowing(List.of("https://app.example.org"))).build();
        accepted(validWith(h -> h.add("Origin", "https://app.example.org")), allowlist);
        rejected(403, validWith(h -> h.add("Origin", "http://app.example.org")), allowlist);
    }

    @Test
    void A9_noOriginIsAllowedByDefault() {
        accepted(get(valid()), DEFAULTS);
    }

    @Test
    void A11_unknownPathIsAnsweredWithTheErrorHelper() {
        assertEquals("""
                HTTP/1.1 404 Not Found\r
                Connection: close\r
                Content-Length: 0\r
                \r
                """, new String(HttpResponse.error(404).toBytes(), ISO_8859_1));
    }

    @Test
    void A12_pathologicalSubprotocolParsesInLinearTime() {
        // cf. Node ws CVE-2021-32640: "b" + spaces + "x" took quadratic time in a regex.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (int n : new int[] {10_000, 100_000, 1_000_000}) {
                String hostile = "b" + " ".repeat(n) + "x";
                rejected(400, validWith(h -> h.add("Sec-WebSocket-Protocol", hostile)));
                String spacesOnly = "b," + " ".repeat(n) + ",x" + "\t".repeat(n);
                accepted(validWith(h -> h.add("Sec-WebSocket-Protocol", spacesOnly)), DEFAULTS);
            }
        });
    }

    @Test
    void A12_neverSelectsASubprotocolTheClientDidNotOffer() {
        ServerHandshakeOptions options = ServerHandshakeOptions.builder().subprotocols("superchat", "chat").build();
        HandshakeOutcome.Accepted none = accepted(validWith(h -> h.add("Sec-WebSocket-Protocol", "Chat, v2.chat")), options);
        assertNull(none.subprotocol(), "names compare exactly");
        assertFalse(none.response().headers().contains("Sec-WebSocket-Protocol"));
        assertNull(accepted(get(valid()), options).subprotocol());
        HandshakeOutcome.Accepted picked = accepted(
                validWith(h -> h.add("Sec-WebSocket-Protocol", "chat").add("Sec-WebSocket-Protocol", "superchat")), options);
        assertEquals("superchat", picked.subprotocol(), "the server's preference decides");
        assertEquals(List.of("superchat"), picked.response().headers().all("Sec-WebSocket-Protocol"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "permessage-deflate; client_max_window_bits=\"15",
        "; client_max_window_bits",
        "permessage-deflate;",
        "permessage-deflate; ; a",
        "permessage-deflate; =15",
        "permessage-deflate; a=",
        "permessage-deflate; a=\"1 5\"",
        "permessage-deflate; a=\"\"",
        "permessage-deflate a",
        "permessage deflate",
        "\"permessage-deflate\"",
        "permessage-deflate; a=b=c",
    })
    void A13_malformedExtensionsGet400(String extensions) {
        rejected(400, validWith(h -> h.add("Sec-WebSocket-Extensions", extensions)));
    }

    @Test
    void A13_unsupportedOffersAreDeclined() {
        // Out-of-range parameters (window bits outside 8-15) are the extension's to judge: a
        // negotiator that does not take the offer declines it, and the handshake succeeds.
        // So are parameters named twice (RFC 7692 5: the server declines such an offer).
        for (String offers : List.of("permessage-deflate; client_max_window_bits=99, x-unknown",
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "permessage-deflate; a=1; A=2")) {
            HandshakeOutcome.Accepted a = accepted(validWith(h -> h.add("Sec-WebSocket-Extensions", offers)), DEFAULTS);
            assertEquals(List.of(), a.extensions(), offers);
            assertFalse(a.response().headers().contains("Sec-WebSocket-Extensions"), offers);
        }
    }

    @Test
    void A13_negotiatorSeesOffersInOrderAndItsAnswerIsSent() {
        ExtensionNegotiator takeFirstDeflate = offers -> {
            assertEquals(List.of("permessage-deflate", "permessage-deflate", "x-other"),
                    offers.stream().map(ExtensionOffer::name).toList());
            return List.of(ExtensionOffer.of("permessage-deflate", ExtensionParameter.of("server_no_context_takeover")));
        };
        ServerHandshakeOptions options = ServerHandshakeOptions.builder().extensions(takeFirstDeflate).build();
        HandshakeOutcome.Accepted a = accepted(validWith(h -> h
                .add("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=\"10\", permessage-deflate")
                .add("Sec-WebSocket-Extensions", "x-other")), options);
        assertEquals(List.of("permessage-deflate; server_no_context_takeover"),
                a.response().headers().all("Sec-WebSocket-Extensions"));
        assertEquals(1, a.extensions().size());
    }

    @Test
    void A13_negotiatorMayRefuseWith400() {
        ExtensionNegotiator strict = offers -> {
            throw new HandshakeException(400, "bad permessage-deflate offer");
        };
        rejected(400, validWith(h -> h.add("Sec-WebSocket-Extensions", "permessage-deflate; x")),
                ServerHandshakeOptions.builder().extensions(strict).build());
    }

    @Test
    void A13_negotiatorAcceptingWhatWasNotOfferedIsABug() {
        ServerHandshakeOptions options = ServerHandshakeOptions.builder()
                .extensions(offers -> List.of(ExtensionOffer.of("x-sneaky"))).build();
        assertThrows(IllegalStateException.class, () -> ServerHandshake.negotiate(
                validWith(h -> h.add("Sec-WebSocket-Extensions", "permessage-deflate")), options));
    }

    @Test
    void A13_hostileExtensionHeadersParseInLinearTime() {
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            int n = 200_000;
            rejected(400, validWith(h -> h.add("Sec-WebSocket-Extensions", "a; b=\"" + "\\x".repeat(n))));
            StringBuilder manyParams = new StringBuilder("a");
            for (int i = 0; i < n; i++) manyParams.append(";p").append(i);
            accepted(validWith(h -> h.add("Sec-WebSocket-Extensions", manyParams.toString())), DEFAULTS);
            accepted(validWith(h -> h.add("Sec-WebSocket-Extensions", manyParams + ";p0")), DEFAULTS);
            rejected(400, validWith(h -> h.add("Sec-WebSocket-Extensions", "a" + ";".repeat(n))));
            accepted(validWith(h -> h.add("Sec-WebSocket-Extensions", ",".repeat(n))), DEFAULTS);
        });
    }

    @Test
    void A14_oversizedHeadsGet414Or431AndClose() {
        String longTarget = "GET /" + "a".repeat(9000) + " HTTP/1.1\r\n\r\n";
        String longField = "GET / HTTP/1.1\r\nCookie: " + "a".repeat(9000) + "\r\n\r\n";
        assertEquals(414, parseFailure(longTarget).status());
        assertEquals(431, parseFailure(longField).status());
        HttpResponse r = parseFailure(longField).toResponse();
        assertEquals("""
                HTTP/1.1 431 Request Header Fields Too Large\r
                Connection: close\r
                Content-Length: 0\r
                \r
                """, new String(r.toBytes(), ISO_8859_1));
    }

    @Test
    void A15_twoThousandHeadersGet431() {
        StringBuilder head = new StringBuilder("GET /chat HTTP/1.1\r\n");
        for (int i = 0; i < 2000; i++) head.append("X: ").append(i).append("\r\n");
        HandshakeException e = parseFailure(head.append("\r\n").toString());
        assertEquals(431, e.status());
        assertEquals(List.of("close"), e.toResponse().headers().all("Connection"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Content-Length: 5", "Content-Length: 00", "Transfer-Encoding: chunked",
        "Transfer-Encoding: identity"})
    void A17_bodyOnTheUpgradeGets400(String field) {
        String[] nv = field.split(": ");
        rejected(400, validWith(h -> h.add(nv[0], nv[1])));
    }

    @Test
    void A17_zeroContentLengthIsNoBody() {
        accepted(validWith(h -> h.add("Content-Length", "0")), DEFAULTS);
        rejected(400, validWith(h -> h.add("Content-Length", "0").add("Content-Length", "0")));
    }

    @Test
    void A17_framesPipelinedAfterTheRequestStayForTheFrameDecoder() {
        byte[] head = HttpHeadParserTest.REQUEST.getBytes(ISO_8859_1);
        ByteBuffer in = ByteBuffer.wrap(HttpHeadParserTest.concat(head, HttpHeadParserTest.MASKED_HELLO));
        HttpRequest request = HttpHeadParser.forRequests(HeadLimits.DEFAULTS).feed(in);
        accepted(request, ServerHandshakeOptions.builder().originPolicy(OriginPolicy.any()).build());
        assertEquals(head.length, in.position());
        assertEquals(HttpHeadParserTest.MASKED_HELLO.length, in.remaining());
    }

    @Test
    void A18_everyNon101AnswerClosesTheConnection() {
        List<HttpRequest> bad = List.of(
                new HttpRequest("POST", "/", "HTTP/1.1", valid().build()),
                new HttpRequest("GET", "/", "HTTP/1.0", valid().build()),
                validWith(h -> h.remove("Host")),
                validWith(h -> h.add("Transfer-Encoding", "chunked")),
                validWith(h -> h.remove("Upgrade")),
                validWith(h -> h.remove("Connection")),
                validWith(h -> h.remove("Sec-WebSocket-Version")),
                validWith(h -> h.remove("Sec-WebSocket-Key")),
                validWith(h -> h.add("Origin", "null")),
                validWith(h -> h.add("Sec-WebSocket-Protocol", "a b")),
                validWith(h -> h.add("Sec-WebSocket-Extensions", "a;")));
        for (HttpRequest request : bad) {
            HandshakeOutcome outcome = ServerHandshake.negotiate(request, DEFAULTS);
            assertInstanceOf(HandshakeOutcome.Rejected.class, outcome);
            assertTrue(outcome.response().status() >= 400);
            assertEquals(List.of("close"), outcome.response().headers().all("Connection"), outcome.toString());
        }
        // The parser's own refusals go through HandshakeException.toResponse, which does the same.
        assertEquals(List.of("close"), new HandshakeException(400, "x").toResponse().headers().all("Connection"));
    }

    static HandshakeException parseFailure(String head) {
        return assertThrows(HandshakeException.class, () -> HttpHeadParser.forRequests(HeadLimits.DEFAULTS)
                .feed(ByteBuffer.wrap(head.getBytes(ISO_8859_1))));
    }
}
