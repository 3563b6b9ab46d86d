package dev.duplex.protocol.fuzz;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;

/**
 * Writes the committed seed corpus of the fuzz tests: small, meaningful inputs (the RFCs'
 * examples and the security catalogue's rows) in each target's input layout, one file per seed
 * under {@code src/test/resources/dev/duplex/protocol/fuzz/<Test>Inputs/<method>/}. A normal
 * build replays them; a fuzzing run starts from them.
 *
 * <p>Run from the module directory after changing a seed or a layout:
 * {@code java -cp target/test-classes dev.duplex.protocol.fuzz.SeedCorpus src/test/resources}.
 * Frames are laid out by hand here, not with Duplex's encoder.
 */
public final class SeedCorpus {
    private static final int SERVER = 0;
    private static final int CLIENT = 1;
    private static final int STRICT = 2;
    private static final int DEFLATE = 4;
    private static final int EOF = 8;
    private static final int MASK = 0x37fa213d; // RFC 6455 5.7's key

    private SeedCorpus() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources").resolve("dev/duplex/protocol/fuzz");
        write(root.resolve("FrameDecoderFuzzTestInputs/connectionTurnsAnyBytesIntoEventsOrOneFailure"), frames());
        write(root.resolve("HttpHeadParserFuzzTestInputs/headParserAnswersEveryInputWithAHeadOrAStatus"), heads());
        write(root.resolve("HeaderValueFuzzTestInputs/listParsersAcceptTokensAndRefuseTheRestWith400"), values());
        write(root.resolve("Utf8ValidatorFuzzTestInputs/agreesWithTheJdkDecoder"), utf8());
        write(root.resolve("InflaterFuzzTestInputs/inflaterStopsAtTheLimitAndFailsCorruptDataWith1007"), deflate());
        write(root.resolve("ClientHandshakeFuzzTestInputs/clientAcceptsOnlyAValid101"), responses());
        write(root.resolve("NegotiationFuzzTestInputs/serverAnswerToAnyOfferPassesTheClientsCheck"), offers());
        write(root.resolve("NegotiationFuzzTestInputs/deflateAgreementIsAcceptedByTheClientThatOfferedIt"), deflateConfigs());
        write(root.resolve("DissectorFuzzTestInputs/dissectorShowsAnyBytesWithoutThrowing"), traces());
        write(root.resolve("ConnectionSequenceFuzzTestInputs/connectionStateOnlyMovesForwardAndStaysQuietOnceClosed"), programs());
    }

    /** Options: flags, message limit / 16, fragment limit - 1, split plan; then the stream. */
    private static Map<String, byte[]> frames() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] server = {SERVER, 64, 15, 0};     // 1 KiB messages, 16 fragments, byte at a time
        byte[] client = {CLIENT, 64, 15, 7};
        byte[] hello = "Hello".getBytes(UTF_8);
        seeds.put("rfc6455-5.7-masked-hello", cat(server, hex("818537fa213d7f9f4d5158")));
        seeds.put("rfc6455-5.7-unmasked-hello", cat(client, hex("810548656c6c6f")));
        seeds.put("rfc6455-5.7-fragmented-hello", cat(client, hex("010348656c80026c6f")));
        seeds.put("rfc6455-5.7-ping-and-masked-pong", cat(server, hex("898537fa213d7f9f4d51588a8537fa213d7f9f4d5158")));
        seeds.put("rfc6455-5.7-binary-256", cat(client, hex("827e0100"), new byte[256]));
        seeds.put("rfc6455-5.7-binary-64k-header", cat(client, hex("827f0000000000010000")));
        seeds.put("rfc7692-7.2.3.1-deflated-hello", cat(new byte[] {CLIENT | DEFLATE, 64, 15, 3}, hex("c107f248cdc9c90700")));
        seeds.put("rfc7692-7.2.3.2-shared-window", cat(new byte[] {CLIENT | DEFLATE, 64, 15, 2},
                hex("c107f248cdc9c90700"), hex("c105f200110000")));
        seeds.put("rfc7692-7.2.3.3-stored-block", cat(new byte[] {CLIENT | DEFLATE, 64, 15, 0}, hex("c10b0005 00faff48656c6c6f00")));
        seeds.put("G1-bomb", cat(new byte[] {SERVER | DEFLATE, 64, 15, 97}, masked(0xC2, deflateRaw(new byte[256 * 1024]))));
        seeds.put("G2-corrupt-stream", cat(new byte[] {SERVER | DEFLATE, 64, 15, 0}, masked(0xC1, hex("ffffffff"))));
        seeds.put("G3-rsv1-without-deflate", cat(server, masked(0xC1, hex("f248cdc9c90700"))));
        seeds.put("C1-unmasked-client-frame", cat(server, hex("810548656c6c6f")));
        seeds.put("C2-masked-server-frame", cat(client, hex("818537fa213d7f9f4d5158")));
        seeds.put("C3-rsv-bits", cat(server, masked(0x91, hello), masked(0xA1, hello)));
        seeds.put("C4-rsv1-on-ping-under-deflate", cat(new byte[] {SERVER | DEFLATE, 64, 15, 0}, masked(0xC9, hello)));
        seeds.put("C5-reserved-opcodes", cat(server, masked(0x83, hello), masked(0x8B, hello)));
        seeds.put("C6-long-and-fragmented-ping", cat(server, masked(0x89, new byte[126]), masked(0x09, hello)));
        seeds.put("C7-continuation-with-nothing-to-continue", cat(server, masked(0x80, hello)));
        seeds.put("C7-data-frame-inside-a-message", cat(server, masked(0x01, hello), masked(0x82, hello)));
        seeds.put("C8-ping-between-fragments", cat(server, masked(0x01, hello), masked(0x89, hello), masked(0x80, hello)));
        seeds.put("C9-length-top-bit", cat(server, hex("82ff8000000000000000"), hex("37fa213d")));
        seeds.put("C9-length-over-limit", cat(server, hex("82ff7fffffffffffffff"), hex("37fa213d")));
        seeds.put("C10-non-minimal-length-strict", cat(new byte[] {SERVER | STRICT, 64, 15, 0}, hex("81fe0005 37fa213d7f9f4d5158")));
        seeds.put("C12-endless-empty-continuations", cat(new byte[] {SERVER, 64, 3, 0},
                masked(0x01, new byte[0]), masked(0x00, new byte[0]), masked(0x00, new byte[0]),
                masked(0x00, new byte[0]), masked(0x00, new byte[0]), masked(0x80, new byte[0])));
        seeds.put("C13-data-after-close", cat(server, masked(0x88, hex("03e8")), masked(0x81, hello)));
        seeds.put("D1-fragments-over-the-limit", cat(new byte[] {SERVER, 1, 15, 0},
                masked(0x02, new byte[10]), masked(0x80, new byte[10])));
        seeds.put("D4-overlong", cat(server, masked(0x81, hex("c0af"))));
        seeds.put("D4-surrogate-in-unfinished-fragment", cat(server, masked(0x01, hex("61eda080"))));
        seeds.put("D4-code-point-split-across-fragments", cat(server, masked(0x01, hex("f09f")), masked(0x80, hex("9880"))));
        seeds.put("D5-bom-fffd-nonchar", cat(server, masked(0x81, hex("efbbbfefbfbdefbfbf"))));
        seeds.put("E1-one-byte-close", cat(server, masked(0x88, hex("03"))));
        seeds.put("E2-empty-close", cat(server, masked(0x88, new byte[0])));
        seeds.put("E3-close-1005-on-the-wire", cat(server, masked(0x88, hex("03ed"))));
        seeds.put("E4-close-1000-with-reason", cat(server, masked(0x88, cat(hex("03e8"), "bye".getBytes(UTF_8)))));
        seeds.put("E6-bad-utf8-reason", cat(server, masked(0x88, hex("03e8ff"))));
        seeds.put("F1-ping-flood", cat(server, repeat(masked(0x89, hello), 40)));
        seeds.put("end-of-stream-mid-frame", cat(new byte[] {SERVER | EOF, 64, 15, 0}, hex("818537fa21")));
        return seeds;
    }

    /** Options: flags (1 responses, 2 large limits), split plan, stretch and its index (2 bytes); then the head. */
    private static Map<String, byte[]> heads() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        String request = "GET /chat HTTP/1.1\r\n"
                + "Host: server.example.com\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Origin: http://example.com\r\n"
                + "Sec-WebSocket-Protocol: chat, superchat\r\n"
                + "Sec-WebSocket-Version: 13\r\n";
        byte[] plain = {0, 0, 0, 0, 0};
        seeds.put("rfc6455-1.2-request-with-pipelined-frame",
                cat(plain, ascii(request + "\r\n"), hex("818537fa213d7f9f4d5158")));
        seeds.put("rfc6455-1.2-response-with-frame", cat(new byte[] {1, 5, 0, 0, 0}, ascii("HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n"),
                hex("810548656c6c6f")));
        seeds.put("B1-redirect", cat(new byte[] {1, 0, 0, 0, 0}, ascii("HTTP/1.1 302 Found\r\nLocation: wss://elsewhere.example/\r\n\r\n")));
        seeds.put("A1-post", cat(plain, ascii(request.replace("GET", "POST") + "\r\n")));
        seeds.put("A2-http-1.0", cat(plain, ascii(request.replace("HTTP/1.1", "HTTP/1.0") + "\r\n")));
        seeds.put("A3-two-hosts", cat(plain, ascii(request + "Host: other.example.com\r\n\r\n")));
        seeds.put("A5-keep-alive-upgrade", cat(plain, ascii(request.replace("Connection: Upgrade", "Connection: keep-alive, Upgrade") + "\r\n")));
        seeds.put("A7-version-8", cat(plain, ascii(request.replace("Version: 13", "Version: 8") + "\r\n")));
        seeds.put("A8-origin-on-the-allowlist", cat(plain, ascii(request.replace("http://example.com", "https://example.com") + "\r\n")));
        // Stretched: the first space of "b  x" repeated 100,000 times, under large limits.
        String redos = request.replace("chat, superchat", "b  x") + "\r\n";
        seeds.put("A12-protocol-redos", cat(new byte[] {2, 0}, stretchAt(redos.indexOf("b  x") + 1), ascii(redos)));
        seeds.put("A13-hostile-extensions", cat(plain, ascii(request
                + "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=16; a=\"unclosed\r\n\r\n")));
        seeds.put("A13-deflate-offers", cat(plain, ascii(request
                + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits; server_max_window_bits=10, "
                + "permessage-deflate; client_no_context_takeover\r\n\r\n")));
        String longTarget = "GET /" + "a".repeat(100) + " HTTP/1.1\r\n\r\n";
        seeds.put("A14-long-request-line", cat(new byte[] {0, 0}, stretchAt(6), ascii(longTarget)));
        seeds.put("A14-long-request-line-large-limits", cat(new byte[] {2, 0}, stretchAt(6), ascii(longTarget)));
        seeds.put("A15-many-headers", cat(plain, ascii("GET / HTTP/1.1\r\n" + "a: b\r\n".repeat(200) + "\r\n")));
        seeds.put("A17-body", cat(plain, ascii(request + "Content-Length: 5\r\n\r\nhello")));
        seeds.put("obs-fold", cat(plain, ascii(request + " folded\r\n\r\n")));
        seeds.put("bare-lf", cat(plain, ascii("GET / HTTP/1.1\nHost: a\n\n")));
        seeds.put("absolute-form-and-query", cat(plain, ascii(request.replace("/chat", "http://server.example.com/chat?ticket=a%2Bb&x") + "\r\n")));
        return seeds;
    }

    /** Options: stretch and its index (2 bytes); then the value. */
    private static Map<String, byte[]> values() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("A5-connection", cat(new byte[] {0, 0, 0}, ascii("keep-alive, Upgrade")));
        seeds.put("A5-empty-elements", cat(new byte[] {0, 0, 0}, ascii(" , Upgrade,,\t,")));
        seeds.put("A12-subprotocols", cat(new byte[] {0, 0, 0}, ascii("chat, superchat")));
        seeds.put("A12-redos", cat(stretchAt(1), ascii("b  x")));
        seeds.put("A13-deflate-client-offer", cat(new byte[] {0, 0, 0}, ascii("permessage-deflate; client_max_window_bits")));
        seeds.put("A13-deflate-params", cat(new byte[] {0, 0, 0}, ascii("permessage-deflate; server_max_window_bits=10; client_no_context_takeover")));
        seeds.put("A13-quoted-value", cat(new byte[] {0, 0, 0}, ascii("permessage-deflate; client_max_window_bits=\"15\"")));
        seeds.put("A13-escaped-quote", cat(new byte[] {0, 0, 0}, ascii("permessage-deflate; client_max_window_bits=\"1\\5\"")));
        seeds.put("A13-out-of-range", cat(new byte[] {0, 0, 0}, ascii("permessage-deflate; server_max_window_bits=16")));
        seeds.put("A13-unclosed-quote", cat(new byte[] {0, 0, 0}, ascii("permessage-deflate; a=\"b")));
        seeds.put("A13-duplicate-parameter", cat(new byte[] {0, 0, 0}, ascii("permessage-deflate; server_no_context_takeover; server_no_context_takeover")));
        seeds.put("A13-two-extensions", cat(new byte[] {0, 0, 0}, ascii("x-webkit-deflate-frame, permessage-deflate ; client_max_window_bits = 9")));
        seeds.put("latin1-obs-text", cat(new byte[] {0, 0, 0}, "caf\u00e9, \u00ff".getBytes(ISO_8859_1)));
        return seeds;
    }

    /** Options: split plan; then the bytes. */
    private static Map<String, byte[]> utf8() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("kosme", cat(new byte[] {0}, hex("cebae1bdb9cf83cebcceb5")));
        seeds.put("kosme-byte-at-a-time", cat(new byte[] {1}, hex("cebae1bdb9cf83cebcceb5")));
        seeds.put("D4-overlong", cat(new byte[] {0}, hex("c0af")));
        seeds.put("D4-overlong-three-bytes", cat(new byte[] {0}, hex("e080af")));
        seeds.put("D4-surrogate", cat(new byte[] {1}, hex("eda080")));
        seeds.put("D4-above-10ffff", cat(new byte[] {0}, hex("f4908080")));
        seeds.put("D4-last-code-point", cat(new byte[] {0}, hex("f48fbfbf")));
        seeds.put("D4-truncated", cat(new byte[] {0}, hex("e282")));
        seeds.put("D4-split-code-point", cat(new byte[] {3}, hex("f09f98806162")));
        seeds.put("D5-bom-fffd-nonchar", cat(new byte[] {0}, hex("efbbbfefbfbdefbfbf")));
        seeds.put("ascii-blocks-then-bad-byte", cat(new byte[] {0}, ascii("a".repeat(300)), hex("ff")));
        seeds.put("ascii-blocks-in-pieces", cat(new byte[] {(byte) 200}, ascii("b".repeat(600)), hex("e282ac")));
        return seeds;
    }

    /** Options: flags, limit in KiB - 1, split plan, first message length; then the data. */
    private static Map<String, byte[]> deflate() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("rfc7692-7.2.3.1-hello", cat(new byte[] {0, 0, 0, 0}, hex("f248cdc9c90700")));
        seeds.put("rfc7692-7.2.3.2-shared-window", cat(new byte[] {0, 0, 1, 7}, hex("f248cdc9c90700"), hex("f200110000")));
        seeds.put("rfc7692-7.2.3.2-no-context-takeover", cat(new byte[] {2, 0, 0, 7}, hex("f248cdc9c90700"), hex("f248cdc9c90700")));
        seeds.put("rfc7692-7.2.3.3-stored-block", cat(new byte[] {0, 0, 0, 0}, hex("000500faff48656c6c6f")));
        seeds.put("rfc7692-7.2.3.4-final-block", cat(new byte[] {1, 0, 0, 0}, hex("f348cdc9c9070000")));
        seeds.put("rfc7692-7.2.3.6-empty-message", cat(new byte[] {0, 0, 0, 0}, hex("00")));
        seeds.put("G1-bomb", cat(new byte[] {0, 63, 50, 0}, deflateRaw(new byte[1024 * 1024])));
        seeds.put("G2-corrupt", cat(new byte[] {0, 0, 0, 0}, hex("ffffffff")));
        seeds.put("G2-bad-block-type", cat(new byte[] {0, 0, 0, 0}, hex("07")));
        return seeds;
    }

    /** The stretch option and index that repeat the byte at {@code index} of the input. */
    /** Options: flags (1 subprotocols, 2 deflate offered, 4 min window 15); then the response head. */
    private static Map<String, byte[]> responses() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        String ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
        seeds.put("rfc6455-1.3-101", cat(new byte[] {0}, ascii(ok + "\r\n")));
        seeds.put("B4-subprotocol-chosen", cat(new byte[] {1}, ascii(ok + "Sec-WebSocket-Protocol: chat\r\n\r\n")));
        seeds.put("B4-subprotocol-not-offered", cat(new byte[] {1}, ascii(ok + "Sec-WebSocket-Protocol: soap\r\n\r\n")));
        seeds.put("B4-two-subprotocols", cat(new byte[] {1}, ascii(ok + "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n")));
        seeds.put("B3-deflate-agreed", cat(new byte[] {2}, ascii(ok + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=10\r\n\r\n")));
        seeds.put("B3-deflate-not-offered", cat(new byte[] {0}, ascii(ok + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")));
        seeds.put("B3-deflate-twice", cat(new byte[] {2}, ascii(ok + "Sec-WebSocket-Extensions: permessage-deflate, permessage-deflate\r\n\r\n")));
        seeds.put("B3-window-not-offered", cat(new byte[] {6}, ascii(ok + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=9\r\n\r\n")));
        seeds.put("B2-wrong-accept", cat(new byte[] {0}, ascii(ok.replace("xOo=", "xOo") + "\r\n")));
        seeds.put("B2-two-accepts", cat(new byte[] {0}, ascii(ok + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")));
        seeds.put("B1-200", cat(new byte[] {0}, ascii("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")));
        seeds.put("B1-upgrade-h2c", cat(new byte[] {0}, ascii(ok.replace("websocket", "h2c") + "\r\n")));
        return seeds;
    }

    /** Options: flags (1 server subprotocols, 2 server deflate), min window; protocols NUL extensions. */
    private static Map<String, byte[]> offers() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("rfc6455-1.3-chat", cat(new byte[] {3, 0}, ascii("chat, superchat\0")));
        seeds.put("rfc7692-5.1-two-offers", cat(new byte[] {3, 0}, ascii("chat\0permessage-deflate; server_max_window_bits=10, permessage-deflate")));
        seeds.put("A13-window-below-minimum", cat(new byte[] {2, 4}, ascii("\0permessage-deflate; server_max_window_bits=9")));
        seeds.put("A13-malformed-then-good", cat(new byte[] {2, 0}, ascii("\0permessage-deflate; x=1, permessage-deflate; client_max_window_bits")));
        seeds.put("A13-unknown-extension", cat(new byte[] {2, 0}, ascii("\0x-webkit-deflate-frame")));
        seeds.put("A12-duplicate-subprotocols", cat(new byte[] {1, 0}, ascii("chat, chat")));
        seeds.put("A12-not-a-token", cat(new byte[] {1, 0}, ascii("chat, \"x\"")));
        return seeds;
    }

    /** Client then server config: flags, server window, client window, min window (8 + n % 8). */
    private static Map<String, byte[]> deflateConfigs() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("defaults", new byte[] {0, 7, 7, 0, 0, 7, 7, 0});
        seeds.put("no-context-takeover", new byte[] {3, 7, 7, 0, 3, 7, 7, 0});
        seeds.put("G5-server-window-below-server-minimum", new byte[] {0, 1, 7, 0, 0, 7, 7, 4});
        seeds.put("client-minimum-above-server-client-window", new byte[] {0, 7, 7, 4, 0, 7, 1, 0});
        seeds.put("small-windows", new byte[] {0, 2, 2, 1, 0, 3, 3, 0});
        return seeds;
    }

    /** Options: flags (1 from handshake, 2 deflate, 4 lone frame dissector, 8 server->client), maxShown; records. */
    private static Map<String, byte[]> traces() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        byte[] request = ascii("GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
        byte[] response = ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
        seeds.put("handshake-then-deflated-hello", cat(new byte[] {1, 64}, records(0, request), records(0x80, response),
                records(0, masked(0xC1, hex("f248cdc9c90700"))), records(0x80, hex("c107f248cdc9c90700")),
                records(0, masked(0x88, hex("03e8"))), records(0x80, hex("880203e8"))));
        seeds.put("rfc6455-5.7-frames", cat(new byte[] {0, 16}, records(0, hex("818537fa213d7f9f4d5158")),
                records(0x80, hex("010348656c80026c6f")), records(0x80, hex("8a0548656c6c6f"))));
        seeds.put("G1-bomb-in-trace", cat(new byte[] {2, 8}, records(0, masked(0xC2, deflateRaw(new byte[64 * 1024])))));
        seeds.put("C9-length-top-bit", cat(new byte[] {4, 8}, records(0, hex("82ff8000000000000000 37fa213d00"))));
        seeds.put("response-before-request", cat(new byte[] {1, 8}, records(0x80, response), records(0, request)));
        seeds.put("lone-server-frames-bad-close", cat(new byte[] {12, 0}, records(0, hex("880103 8803 03e8ff 0100 0100"))));
        return seeds;
    }

    /** Records of at most 128 bytes: a byte with the direction (0x80 server) and length - 1, then the bytes. */
    private static byte[] records(int direction, byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < bytes.length; at += 128) {
            int n = Math.min(128, bytes.length - at);
            out.write(direction | (n - 1));
            out.write(bytes, at, n);
        }
        return out.toByteArray();
    }

    /** Options: flags (1 client, 2 deflate); then steps of two bytes (kind | 0x80 bytewise, argument). */
    private static Map<String, byte[]> programs() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("echo-then-clean-close", new byte[] {0, 0, 5, 1, 7, 17, 3, 18, 1, 6, 0, 15, 1});
        seeds.put("peer-closes-first", new byte[] {1, 0, 5, (byte) 0x86, 0, 18, 1, 15, 1, 0, 5});
        seeds.put("fragmented-message-with-ping", new byte[] {0, 3, 9, 4, 3, (byte) 0x82, 5, 14, 0, 15, 1});
        seeds.put("bad-utf8-fails-1007", new byte[] {0, 9, 0, 0, 5, 18, 1});
        seeds.put("wrong-masking-fails-1002", new byte[] {1, 10, 0, 15, 2, 0, 1});
        seeds.put("end-of-stream-then-close", new byte[] {0, 14, 0, 18, 1, 15, 1, 19, 0});
        seeds.put("deflated-hello", new byte[] {3, 12, 0, (byte) 0x8C, 0, 6, 0});
        seeds.put("local-fail-then-peer-close", new byte[] {0, 19, 0, 6, 0, 0, 5});
        seeds.put("reserved-opcode", new byte[] {0, 8, (byte) 0x83, 8, (byte) 0xC1, 6, 2});
        return seeds;
    }

    private static byte[] stretchAt(int index) {
        return new byte[] {0x0F, (byte) (index >>> 8), (byte) index};
    }

    private static void write(Path dir, Map<String, byte[]> seeds) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
        System.out.println(dir + ": " + seeds.size() + " seeds");
    }

    /** A masked client frame laid out by hand: b0, the shortest length, RFC 6455 5.7's key. */
    static byte[] masked(int b0, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        if (payload.length < 126) {
            out.write(0x80 | payload.length);
        } else if (payload.length <= 0xffff) {
            out.write(0x80 | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] key = {(byte) (MASK >>> 24), (byte) (MASK >>> 16), (byte) (MASK >>> 8), (byte) MASK};
        out.writeBytes(key);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ key[i & 3]);
        }
        return out.toByteArray();
    }

    /** Raw DEFLATE with a sync flush and its 00 00 ff ff removed, as RFC 7692 7.2.1 sends it. */
    private static byte[] deflateRaw(byte[] data) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        try {
            deflater.setInput(data);
            byte[] out = new byte[data.length + 1024];
            int n = deflater.deflate(out, 0, out.length, Deflater.SYNC_FLUSH);
            return Arrays.copyOf(out, n - 4);
        } finally {
            deflater.end();
        }
    }

    private static byte[] cat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] repeat(byte[] bytes, int times) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < times; i++) {
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex.replace(" ", ""));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(ISO_8859_1);
    }
}
