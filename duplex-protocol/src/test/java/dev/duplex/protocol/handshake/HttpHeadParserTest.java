package dev.duplex.protocol.handshake;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The head parser: limits at and past each bound, strictness, and every way to split input. */
class HttpHeadParserTest {
    static final String REQUEST = """
            GET /chat?room=1 HTTP/1.1\r
            Host: server.example.com\r
            Upgrade: websocket\r
            Connection: Upgrade\r
            Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
            Origin: http://example.com\r
            Sec-WebSocket-Protocol: chat, superchat\r
            Sec-WebSocket-Version: 13\r
            \r
            """;
    /** RFC 6455 5.7: a masked "Hello" from a client. */
    static final byte[] MASKED_HELLO = HexFormat.of().parseHex("818537fa213d7f9f4d5158");

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(ISO_8859_1));
    }

    static HttpRequest parse(String head) {
        HttpRequest r = HttpHeadParser.forRequests(HeadLimits.DEFAULTS).feed(bytes(head));
        assertNotNull(r, "head should be complete");
        return r;
    }

    /** Asserts the head fails with {@code status}, both fed whole and fed one byte at a time. */
    static HandshakeException assertFails(int status, String head, HeadLimits limits) {
        HandshakeException whole = assertThrows(HandshakeException.class,
                () -> HttpHeadParser.forRequests(limits).feed(bytes(head)));
        assertEquals(status, whole.status(), whole.getMessage());
        HttpHeadParser<HttpRequest> parser = HttpHeadParser.forRequests(limits);
        ByteBuffer all = bytes(head);
        HandshakeException split = assertThrows(HandshakeException.class, () -> {
            while (all.hasRemaining()) {
                parser.feed(ByteBuffer.wrap(new byte[] {all.get()}));
            }
        });
        assertEquals(status, split.status(), split.getMessage());
        return whole;
    }

    static HandshakeException assertFails(int status, String head) {
        return assertFails(status, head, HeadLimits.DEFAULTS);
    }

    @Test
    void parsesTheRfc6455Section13Request() {
        HttpRequest r = parse(REQUEST);
        assertEquals("GET", r.method());
        assertEquals("/chat?room=1", r.target());
        assertEquals("HTTP/1.1", r.version());
        assertEquals(7, r.headers().size());
        assertEquals("server.example.com", r.headers().first("host").orElseThrow());
        assertEquals(List.of("chat, superchat"), r.headers().all("SEC-WEBSOCKET-PROTOCOL"));
        assertEquals("Sec-WebSocket-Key", r.headers().fields().get(3).name());
    }

    @Nested
    class Splits {
        @Test
        void everySplitPointGivesTheSameHeadAndLeavesTheFrameBytes() {
            byte[] head = REQUEST.getBytes(ISO_8859_1);
            byte[] input = concat(head, MASKED_HELLO);
            HttpRequest expected = parse(REQUEST);
            for (int cut = 0; cut <= input.length; cut++) {
                HttpHeadParser<HttpRequest> parser = HttpHeadParser.forRequests(HeadLimits.DEFAULTS);
                ByteBuffer first = ByteBuffer.wrap(input, 0, cut);
                HttpRequest r = parser.feed(first);
                if (cut < head.length) {
                    assertNull(r, "complete too early at cut " + cut);
                    assertEquals(0, first.remaining());
                    ByteBuffer rest = ByteBuffer.wrap(input, cut, input.length - cut);
                    r = parser.feed(rest);
                    assertEquals(MASKED_HELLO.length, rest.remaining(), "cut " + cut);
                    assertEquals(head.length, rest.position(), "cut " + cut);
                } else {
                    assertEquals(head.length, first.position(), "cut " + cut);
                }
                assertEquals(expected, r, "cut " + cut);
            }
        }

        @Test
        void oneByteAtATime() {
            byte[] head = REQUEST.getBytes(ISO_8859_1);
            HttpHeadParser<HttpRequest> parser = HttpHeadParser.forRequests(HeadLimits.DEFAULTS);
            HttpRequest r = null;
            for (int i = 0; i < head.length; i++) {
                assertNull(r, "complete before byte " + i);
                r = parser.feed(ByteBuffer.wrap(head, i, 1));
            }
            assertEquals(parse(REQUEST), r);
        }

        @Test
        void seededRandomChunkingGivesTheSameHead() {
            long seed = Long.getLong("duplex.test.seed", System.nanoTime());
            Random random = new Random(seed);
            byte[] input = concat(REQUEST.getBytes(ISO_8859_1), MASKED_HELLO);
            HttpRequest expected = parse(REQUEST);
            for (int round = 0; round < 200; round++) {
                HttpHeadParser<HttpRequest> parser = HttpHeadParser.forRequests(HeadLimits.DEFAULTS);
                ByteBuffer in = ByteBuffer.wrap(input).limit(0);
                HttpRequest r = null;
                while (r == null) {
                    int more = Math.min(input.length - in.limit(), 1 + random.nextInt(40));
                    in.limit(in.limit() + more);
                    r = parser.feed(in);
                }
                int consumed = in.position();
                assertEquals(expected, r, "seed " + seed + " (rerun with -Dduplex.test.seed=" + seed + ")");
                assertEquals(input.length - MASKED_HELLO.length, consumed, "seed " + seed);
            }
        }

        @Test
        void responseHeadLeavesTheServersFramesInTheBuffer() {
            // Row B5: the server's first frame in the same read as its 101.
            byte[] unmaskedHello = HexFormat.of().parseHex("810548656c6c6f"); // RFC 6455 5.7
            String head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
            ByteBuffer in = ByteBuffer.wrap(concat(head.getBytes(ISO_8859_1), unmaskedHello));
            HttpResponse r = HttpHeadParser.forResponses(HeadLimits.DEFAULTS).feed(in);
            assertEquals(101, r.status());
            byte[] rest = new byte[in.remaining()];
            in.get(rest);
            assertArrayEquals(unmaskedHello, rest);
        }
    }

    @Nested
    class Limits {
        /** A request whose request line is exactly {@code length} bytes, CRLF not counted. */
        String requestLineOf(int length) {
            String fixed = "GET / HTTP/1.1";
            return "GET /" + "a".repeat(length - fixed.length()) + " HTTP/1.1\r\nHost: h\r\n\r\n";
        }

        @Test
        void requestLineAtTheLimitPasses() {
            HttpRequest r = parse(requestLineOf(8192));
            assertEquals(8192 - "GET  HTTP/1.1".length(), r.target().length());
        }

        @Test
        void requestLineOneOverTheLimitGets414() {
            assertFails(414, requestLineOf(8193));
        }

        @Test
        void requestLineIsRefusedOnTheFirstByteOverTheLimit() {
            ByteBuffer endless = bytes("GET /" + "a".repeat(100_000));
            assertThrows(HandshakeException.class, () -> HttpHeadParser.forRequests(HeadLimits.DEFAULTS).feed(endless));
            assertEquals(8193, endless.position(), "bytes read before deciding");
        }

        String headerLineOf(int length) {
            return "GET / HTTP/1.1\r\nX-Long: " + "v".repeat(length - "X-Long: ".length()) + "\r\n\r\n";
        }

        @Test
        void headerLineAtTheLimitPasses() {
            assertEquals(8192 - "X-Long: ".length(), parse(headerLineOf(8192)).headers().first("X-Long").orElseThrow().length());
        }

        @Test
        void headerLineOneOverTheLimitGets431() {
            assertFails(431, headerLineOf(8193));
        }

        String headWithFields(int count) {
            StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\n");
            for (int i = 0; i < count; i++) sb.append("X-F").append(i).append(": ").append(i).append("\r\n");
            return sb.append("\r\n").toString();
        }

        @Test
        void headerCountAtTheLimitPasses() {
            assertEquals(100, parse(headWithFields(100)).headers().size());
        }

        @Test
        void headerCountOneOverTheLimitGets431() {
            assertFails(431, headWithFields(101));
        }

        @Test
        void twoThousandHeadersGet431AfterTheHundredAndFirst() {
            // Row A15 (cf. Node ws CVE-2024-37890).
            String head = headWithFields(2000);
            ByteBuffer in = bytes(head);
            HandshakeException e = assertThrows(HandshakeException.class,
                    () -> HttpHeadParser.forRequests(HeadLimits.DEFAULTS).feed(in));
            assertEquals(431, e.status());
            assertEquals(headWithFields(100).length() - 2 + 1, in.position(), "stops at the first byte of field 101");
            assertFails(431, head);
        }

        /** A head of exactly {@code length} bytes, blank line included, within the other limits. */
        String headOf(int length) {
            StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\n");
            int left = length - sb.length() - 2;
            int n = 0;
            while (left > 0) {
                // "X-Pn: " + value + CRLF; keep each line well under 8192 and at least 1 value byte
                String name = "X-P" + n++ + ": ";
                int line = Math.min(left, 4000);
                if (left - line > 0 && left - line < name.length() + 3) line -= name.length() + 3;
                sb.append(name).append("v".repeat(line - name.length() - 2)).append("\r\n");
                left -= line;
            }
            String head = sb.append("\r\n").toString();
            assertEquals(length, head.length());
            return head;
        }

        @Test
        void headAtTheLimitPasses() {
            assertNotNull(parse(headOf(16384)));
        }

        @Test
        void headOneOverTheLimitGets431() {
            HandshakeException e = assertFails(431, headOf(16385));
            assertEquals("head longer than 16384 bytes", e.getMessage());
        }

        @Test
        void limitsCanBeChanged() {
            HeadLimits small = HeadLimits.DEFAULTS.withMaxRequestLineBytes(20).withMaxHeaderLineBytes(10)
                    .withMaxHeaderCount(2).withMaxHeadBytes(40);
            assertFails(414, "GET /123456789 HTTP/1.1\r\n\r\n", small);
            assertFails(431, "GET / HTTP/1.1\r\nX: 12345678\r\n\r\n", small);
            assertFails(431, "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", small);
            assertFails(431, "GET / HTTP/1.1\r\nA: 1234567\r\nB: 1234567\r\n\r\n", small); // 42 bytes
            assertEquals(2, HttpHeadParser.forRequests(small).feed(bytes("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n"))
                    .headers().size());
        }
    }

    @Nested
    class Strictness {
        @ParameterizedTest
        @ValueSource(strings = {
            "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n",       // bare CR inside a value
            "GET / HTTP/1.1\r\nHost: a\r\r\n\r\n",        // CR CR LF
            "GET / HTTP/1.1\nHost: a\r\n\r\n",            // bare LF ends the request line
            "GET / HTTP/1.1\r\nHost: a\n\r\n",            // bare LF ends a field
            "GET / HTTP/1.1\r\nHost: a\r\n\n",            // bare LF as the blank line
            "GET / HTTP/1.1\r\nHost : a\r\n\r\n",         // RFC 9112 5.1: whitespace before the colon
            "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n b\r\n\r\n",    // RFC 9112 5.2: obs-fold
            "GET / HTTP/1.1\r\nHost: a\r\n\tb\r\n\r\n",
            "GET / HTTP/1.1\r\n: a\r\n\r\n",              // empty name
            "GET / HTTP/1.1\r\nHost a\r\n\r\n",           // no colon
            "GET / HTTP/1.1\r\nX(y): a\r\n\r\n",          // not a token
            "GET / HTTP/1.1\r\nX-\u00e9: a\r\n\r\n",      // non-ASCII name
            "GET / HTTP/1.1\r\nX: a\u0000b\r\n\r\n",      // NUL
            "GET / HTTP/1.1\r\nX: a\u007fb\r\n\r\n",      // DEL
            "\r\nGET / HTTP/1.1\r\n\r\n",                 // empty line first
            "GET  / HTTP/1.1\r\n\r\n",                    // two spaces
            "GET /  HTTP/1.1\r\n\r\n",
            "GET\t/ HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 \r\n\r\n",
            "GET /\r\n\r\n",
            "GET / http/1.1\r\n\r\n",                     // RFC 9112 2.3: HTTP-name is case-sensitive
            "GET / HTTP/1.10\r\n\r\n",
            "GET / HTTP/11\r\n\r\n",
            "G(T / HTTP/1.1\r\n\r\n",
            " GET / HTTP/1.1\r\n\r\n",
            "GET /a#b HTTP/1.1\r\n\r\n",                  // a fragment is never sent
            "GET /caf\u00e9 HTTP/1.1\r\n\r\n",            // non-ASCII target
        })
        void malformedHeadsGet400(String head) {
            assertFails(400, head);
        }

        @ParameterizedTest
        @ValueSource(strings = {"HTTP/1.0", "HTTP/2.0", "HTTP/0.9", "HTTP/1.2"})
        void versionsOtherThan11Get505(String version) {
            assertFails(505, "GET / " + version + "\r\nHost: a\r\n\r\n");
        }

        @Test
        void valuesAreTrimmedAndDecodedAsIso88591() {
            HttpRequest r = parse("GET / HTTP/1.1\r\nX-A: \t a b \t\r\nX-B:\r\nX-C: caf\u00e9\r\n\r\n");
            assertEquals("a b", r.headers().first("x-a").orElseThrow());
            assertEquals("", r.headers().first("x-b").orElseThrow());
            assertEquals("caf\u00e9", r.headers().first("x-c").orElseThrow(), "obs-text byte 0xE9 is U+00E9");
        }

        @Test
        void aFinishedOrFailedParserTakesNoMoreInput() {
            HttpHeadParser<HttpRequest> done = HttpHeadParser.forRequests(HeadLimits.DEFAULTS);
            done.feed(bytes(REQUEST));
            assertThrows(IllegalStateException.class, () -> done.feed(bytes("x")));
            HttpHeadParser<HttpRequest> failed = HttpHeadParser.forRequests(HeadLimits.DEFAULTS);
            assertThrows(HandshakeException.class, () -> failed.feed(bytes("GET / HTTP/1.1\n")));
            assertThrows(IllegalStateException.class, () -> failed.feed(bytes("\r\n")));
        }

        @Test
        void emptyInputIsNotAnError() {
            assertNull(HttpHeadParser.forRequests(HeadLimits.DEFAULTS).feed(ByteBuffer.allocate(0)));
        }
    }

    @Nested
    class Responses {
        HttpResponse parseResponse(String head) {
            return HttpHeadParser.forResponses(HeadLimits.DEFAULTS).feed(bytes(head));
        }

        int failure(String head) {
            return assertThrows(HandshakeException.class, () -> parseResponse(head)).status();
        }

        @Test
        void statusLineWithReason() {
            HttpResponse r = parseResponse("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n");
            assertEquals(101, r.status());
            assertEquals("Switching Protocols", r.reason());
            assertEquals("websocket", r.headers().first("upgrade").orElseThrow());
        }

        @Test
        void reasonMayBeMissingOrEmpty() {
            assertEquals("", parseResponse("HTTP/1.1 101\r\n\r\n").reason());
            assertEquals("", parseResponse("HTTP/1.1 101 \r\n\r\n").reason());
        }

        @Test
        void anHttp10RefusalKeepsItsStatus() {
            assertEquals(403, parseResponse("HTTP/1.0 403 Forbidden\r\n\r\n").status());
        }

        @Test
        void malformedStatusLines() {
            assertEquals(400, failure("HTTP/1.0 101 Switching Protocols\r\n\r\n"));
            assertEquals(400, failure("HTTP/1.1 1010 x\r\n\r\n"));
            assertEquals(400, failure("HTTP/1.1 10 x\r\n\r\n"));
            assertEquals(400, failure("HTTP/1.1 099 x\r\n\r\n"));
            assertEquals(400, failure("HTTP/1.1  101 x\r\n\r\n"));
            assertEquals(400, failure("HTTP/2 101\r\n\r\n"));
            assertEquals(400, failure("ICY 200 OK\r\n\r\n"));
            assertEquals(505, failure("HTTP/2.0 101 x\r\n\r\n"));
            assertEquals(400, failure("HTTP/1.1 101 x\r\nUpgrade : websocket\r\n\r\n"));
        }
    }

    @Test
    void hostileInputsFinishQuickly() {
        // Linear time: a head made of one repeated character ends at a limit, not in a loop.
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (char c : new char[] {'a', ':', ' ', '\t', '\r', '\n', '/', '"'}) {
                String head = "GET / HTTP/1.1\r\nX: " + String.valueOf(c).repeat(1 << 20);
                assertThrows(HandshakeException.class,
                        () -> HttpHeadParser.forRequests(HeadLimits.DEFAULTS).feed(bytes(head)));
            }
        });
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
