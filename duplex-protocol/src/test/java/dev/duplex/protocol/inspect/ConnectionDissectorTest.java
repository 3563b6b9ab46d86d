package dev.duplex.protocol.inspect;

import static dev.duplex.protocol.inspect.FrameDissectorTest.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Both directions of a connection, from the HTTP upgrade on. */
class ConnectionDissectorTest {
    static final Direction C2S = Direction.CLIENT_TO_SERVER;
    static final Direction S2C = Direction.SERVER_TO_CLIENT;

    /** RFC 6455 1.3's key and the accept value it gives. */
    static final String REQUEST = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n";
    static final String RESPONSE = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void acceptKeyOfRfc6455Section1_3IsCheckedAndFramesFollow() {
        try (ConnectionDissector d = ConnectionDissector.fromHandshake(64)) {
            Dissection.Head request = assertInstanceOf(Dissection.Head.class, d.feed(C2S, ascii(REQUEST)).get(0));
            assertEquals("GET /chat HTTP/1.1", request.startLine());
            assertEquals(List.of("offers permessage-deflate; client_max_window_bits"), request.notes());

            List<Dissection> out = d.feed(S2C, ascii(RESPONSE + "\r\n"));
            Dissection.Head response = assertInstanceOf(Dissection.Head.class, out.get(0));
            assertEquals(List.of(), response.violations());
            assertTrue(response.notes().contains("Sec-WebSocket-Accept matches the key: ok"), response.notes().toString());

            Dissection.Frame hello = assertInstanceOf(Dissection.Frame.class,
                    d.feed(C2S, ByteBuffer.wrap(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"))).get(0));
            assertArrayEquals("Hello".getBytes(StandardCharsets.US_ASCII), hello.payload());
            assertEquals(List.of(), hello.violations());
        }
    }

    @Test
    void wrongAcceptKeyIsAViolationTheClientMustFailOn() {
        try (ConnectionDissector d = ConnectionDissector.fromHandshake(64)) {
            d.feed(C2S, ascii(REQUEST));
            Dissection.Head response = (Dissection.Head) d.feed(S2C, ascii(RESPONSE.replace("s3pP", "AAAA") + "\r\n")).get(0);
            assertEquals(1, response.violations().size());
            assertEquals("Sec-WebSocket-Accept is not s3pPLMBiTxaQ9kYGzzhZRbK+xOo= (the hash of the key) (RFC 6455 4.1):"
                    + " the client must fail the WebSocket connection", response.violations().get(0).toString());
        }
    }

    @Test
    void agreedDeflateParametersDecideEachDirectionsContextTakeover() {
        try (ConnectionDissector d = ConnectionDissector.fromHandshake(64)) {
            d.feed(C2S, ascii(REQUEST));
            Dissection.Head response = (Dissection.Head) d.feed(S2C, ascii(RESPONSE
                    + "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\r\n")).get(0);
            assertTrue(response.notes().contains("permessage-deflate agreed: client->server context takeover, window 15 bits;"
                    + " server->client no context takeover, window 15 bits"), response.notes().toString());
            // RFC 7692 7.2.3.2's second message needs the first one's window.
            byte[] twoMessages = hex("c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00");
            List<Dissection> fromServer = d.feed(S2C, ByteBuffer.wrap(twoMessages));
            assertEquals(1007, fromServer.get(1).violations().get(0).closeCode(), "server resets its window");
            byte[] masked = hex("c1 87 00 00 00 00 f2 48 cd c9 c9 07 00 c1 85 00 00 00 00 f2 00 11 00 00");
            List<Dissection> fromClient = d.feed(C2S, ByteBuffer.wrap(masked));
            Dissection.Frame second = (Dissection.Frame) fromClient.get(1);
            assertArrayEquals("Hello".getBytes(StandardCharsets.US_ASCII), second.inflated(), "client keeps its window");
        }
    }

    @Test
    void extensionTheClientDidNotOfferIsAViolation() {
        try (ConnectionDissector d = ConnectionDissector.fromHandshake(64)) {
            d.feed(C2S, ascii(REQUEST.replace("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n", "")));
            Dissection.Head response = (Dissection.Head) d.feed(S2C, ascii(RESPONSE
                    + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")).get(0);
            assertEquals("the server accepted permessage-deflate, which the client did not offer",
                    response.violations().get(0).problem());
        }
    }

    @Test
    void clientBytesSentBeforeTheResponseAreFlaggedAndReadAfterIt() {
        try (ConnectionDissector d = ConnectionDissector.fromHandshake(64)) {
            List<Dissection> early = d.feed(C2S, ByteBuffer.wrap(concat(REQUEST.getBytes(StandardCharsets.US_ASCII),
                    hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"))));
            assertEquals(2, early.size());
            assertEquals("RFC 6455 4.1", early.get(1).violations().get(0).rule());
            List<Dissection> out = d.feed(S2C, ascii(RESPONSE + "\r\n"));
            assertEquals(2, out.size());
            Dissection.Frame frame = assertInstanceOf(Dissection.Frame.class, out.get(1));
            assertEquals(C2S, frame.direction());
            assertArrayEquals("Hello".getBytes(StandardCharsets.US_ASCII), frame.payload());
        }
    }

    @Test
    void plainHttpExchangesShowHeadsAndSkipBodies() {
        try (ConnectionDissector d = ConnectionDissector.fromHandshake(64)) {
            d.feed(C2S, ascii("GET / HTTP/1.1\r\nHost: a\r\n\r\nGET /favicon.ico HTTP/1.1\r\nHost: a\r\n\r\n"));
            List<Dissection> out = d.feed(S2C, ascii("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
                    + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
            assertEquals(2, out.size());
            Dissection.Head ok = (Dissection.Head) out.get(0);
            assertEquals("HTTP/1.1 200 OK", ok.startLine());
            assertEquals(List.of("body of 5 bytes (not shown)"), ok.notes());
            assertEquals("HTTP/1.1 404 Not Found", ((Dissection.Head) out.get(1)).startLine());
        }
    }

    @Test
    void refusedUpgradeIsNotReadAsFrames() {
        try (ConnectionDissector d = ConnectionDissector.fromHandshake(64)) {
            d.feed(C2S, ascii(REQUEST));
            List<Dissection> out = d.feed(S2C, ascii("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\nnope"));
            assertEquals(List.of("the upgrade was refused", "the body runs until the connection closes"),
                    ((Dissection.Head) out.get(0)).notes());
            List<Dissection> end = d.endOfStream(S2C);
            assertEquals(4, assertInstanceOf(Dissection.Skipped.class, end.get(0)).length());
        }
    }

    @Test
    void malformedHeadIsFlaggedAndTheRestSkipped() {
        try (ConnectionDissector d = ConnectionDissector.fromHandshake(64)) {
            List<Dissection> out = d.feed(C2S, ascii("GET / HTTP/1.1\nHost: a\r\n\r\n"));
            assertTrue(((Dissection.Note) out.get(0)).text().startsWith("malformed HTTP head"));
            assertEquals("RFC 9112", out.get(0).violations().get(0).rule());
        }
    }

    @Test
    void everySplitOfTheWholeConversationGivesTheSameDissection() {
        byte[] client = concat(REQUEST.getBytes(StandardCharsets.US_ASCII),
                hex("c1 87 00 00 00 00 f2 48 cd c9 c9 07 00 88 82 01 02 03 04 02 ea"));
        byte[] server = concat((RESPONSE + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII), hex("c1 07 f2 48 cd c9 c9 07 00 88 02 03 e8"));
        String whole = run(client, client.length, server, server.length);
        assertTrue(whole.contains("\"Hello\""), whole);
        for (int c = 0; c <= client.length; c++) {
            assertEquals(whole, run(client, c, server, server.length), "client split at " + c);
        }
        for (int s = 0; s <= server.length; s++) {
            assertEquals(whole, run(client, client.length, server, s), "server split at " + s);
        }
    }

    /** Feeds the request first, then alternates the rest in two pieces each way. */
    private static String run(byte[] client, int clientSplit, byte[] server, int serverSplit) {
        int requestLength = REQUEST.length();
        List<Dissection> out = new ArrayList<>();
        try (ConnectionDissector d = ConnectionDissector.fromHandshake(64)) {
            int first = Math.min(clientSplit, requestLength);
            out.addAll(d.feed(C2S, ByteBuffer.wrap(client, 0, first)));
            out.addAll(d.feed(C2S, ByteBuffer.wrap(client, first, requestLength - first)));
            out.addAll(d.feed(S2C, ByteBuffer.wrap(server, 0, serverSplit)));
            out.addAll(d.feed(S2C, ByteBuffer.wrap(server, serverSplit, server.length - serverSplit)));
            int rest = Math.max(clientSplit, requestLength);
            out.addAll(d.feed(C2S, ByteBuffer.wrap(client, requestLength, rest - requestLength)));
            out.addAll(d.feed(C2S, ByteBuffer.wrap(client, rest, client.length - rest)));
        }
        return FrameDissectorTest.format(out);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
