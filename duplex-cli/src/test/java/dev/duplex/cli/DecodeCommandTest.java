package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code duplex decode HEX...}, run through {@link Main#run} as a user runs it. */
class DecodeCommandTest {
    record Result(int status, String out, String err) {}

    static Result decode(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 1];
        all[0] = "decode";
        System.arraycopy(args, 0, all, 1, args.length);
        int status = Main.run(all, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void rfc6455MaskedHelloIsAFinalMaskedTextFrameWithItsKey() {
        Result r = decode("", "81", "85", "37", "fa", "21", "3d", "7f", "9f", "4d", "51", "58");
        assertEquals(0, r.status());
        assertEquals("""
                client->server TEXT (0x1) FIN=1 RSV1=0 RSV2=0 RSV3=0 MASK=1 key=37fa213d length=5 (7-bit)
                    text: "Hello"
                """, r.out());
    }

    @Test
    void hexIsAcceptedInTheSpellingsPeoplePaste() {
        String expected = decode("", "81 85 37 fa 21 3d 7f 9f 4d 51 58").out();
        assertEquals(expected, decode("", "818537fa213d7f9f4d5158").out());
        assertEquals(expected, decode("", "0x81,0x85,0x37,0xfa,0x21,0x3d,0x7f,0x9f,0x4d,0x51,0x58").out());
        assertEquals(expected, decode("", "81:85:37:FA:21:3D:7F:9F:4D:51:58").out());
        assertEquals(expected, decode("81 85 37 fa 21 3d\n7f 9f 4d 51 58\n").out(), "from standard input");
    }

    @Test
    void deflateInflatesRsv1PayloadsWithContextTakeover() {
        // RFC 7692 7.2.3.2: two compressed "Hello"s, the second referring back to the first.
        Result r = decode("", "--deflate", "c1 07 f2 48 cd c9 c9 07 00 c1 05 f2 00 11 00 00");
        assertEquals(0, r.status(), r.out());
        assertEquals(2, r.out().split("inflated \\(5 bytes\\): \"Hello\"", -1).length - 1, r.out());

        Result without = decode("", "c1 07 f2 48 cd c9 c9 07 00");
        assertEquals(1, without.status(), "RSV1 without --deflate is a violation");
        assertTrue(without.out().contains("RSV1 is set but no negotiated extension defines it"), without.out());
    }

    @Test
    void directionDefaultsToTheMaskBitAndCanBeGiven() {
        assertTrue(decode("", "81 05 48 65 6c 6c 6f").out().startsWith("server->client TEXT"));
        Result asClient = decode("", "--from", "client", "81 05 48 65 6c 6c 6f");
        assertEquals(1, asClient.status());
        assertTrue(asClient.out().contains("client frame is not masked (RFC 6455 5.1): the server must fail the"
                + " connection with 1002 (protocol error)"), asClient.out());
    }

    @Test
    void jsonPrintsOneObjectPerFrame() {
        Result r = decode("", "--json", "01 03 48 65 6c 80 02 6c 6f");
        String[] lines = r.out().split("\n");
        assertEquals(2, lines.length, r.out());
        Map<String, Object> first = TraceJson.object(lines[0]);
        assertEquals("frame", first.get("type"));
        assertEquals(false, first.get("fin"));
        assertEquals("TEXT", first.get("opcode_name"));
        assertEquals("Hel", first.get("payload_text"));
        assertEquals(1L, first.get("fragment"));
        Map<String, Object> second = TraceJson.object(lines[1]);
        assertEquals("CONTINUATION", second.get("opcode_name"));
        assertEquals("text", second.get("message"));
        assertEquals("lo", second.get("payload_text"));
        assertEquals(2L, second.get("fragment"));
    }

    @Test
    void inputEndingInsideAFrameSaysSoAndFails() {
        Result r = decode("", "82 7e 01 00 aa bb");
        assertEquals(1, r.status());
        assertTrue(r.out().contains("the stream ended 2 bytes into the payload of a BINARY frame of 256 bytes"), r.out());
    }

    @Test
    void maxPayloadCutsTheDisplayButShowsTheFullLength() {
        Result r = decode("", "--max-payload", "2", "81 05 48 65 6c 6c 6f");
        assertTrue(r.out().contains("text (first 2 of 5 bytes): \"He\"..."), r.out());
    }

    @Test
    void badInputIsAUsageError() {
        assertEquals(1, decode("", "81 8").status(), "a lone digit is a byte: 81 08, a frame cut short");
        Result odd = decode("", "818");
        assertEquals(2, odd.status());
        assertTrue(odd.err().contains("odd number of hex digits"), odd.err());
        assertEquals(2, decode("", "zz").status());
        assertEquals(2, decode("").status(), "no bytes at all");
        assertEquals(2, decode("", "--from", "proxy", "81 00").status());
    }
}
