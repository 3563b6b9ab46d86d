package dev.duplex.protocol.handshake;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Response heads: serialisation and the error helper (row A18). */
class HttpResponseTest {

    @Test
    void errorAddsConnectionCloseAndNoBody() {
        HttpResponse r = HttpResponse.error(426, Headers.builder().add("Upgrade", "websocket").build());
        assertEquals("""
                HTTP/1.1 426 Upgrade Required\r
                Upgrade: websocket\r
                Connection: close\r
                Content-Length: 0\r
                \r
                """, new String(r.toBytes(), ISO_8859_1));
    }

    @Test
    void errorOwnsConnectionAndLength() {
        for (String name : List.of("Connection", "content-length", "Transfer-Encoding")) {
            Headers extra = Headers.builder().add(name, "x").build();
            assertThrows(IllegalArgumentException.class, () -> HttpResponse.error(400, extra));
        }
        assertThrows(IllegalArgumentException.class, () -> HttpResponse.error(101));
    }

    @Test
    void statusAndReasonAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new HttpResponse(99, "", Headers.empty()));
        assertThrows(IllegalArgumentException.class, () -> new HttpResponse(1000, "", Headers.empty()));
        assertThrows(IllegalArgumentException.class, () -> new HttpResponse(200, "OK\r\nX: y", Headers.empty()));
    }

    @Test
    void obsTextSurvivesAsIso88591() {
        HttpResponse r = new HttpResponse(200, "caf\u00e9", Headers.builder().add("X", "\u00ff").build());
        byte[] bytes = r.toBytes();
        assertEquals("HTTP/1.1 200 caf\u00e9\r\nX: \u00ff\r\n\r\n", new String(bytes, ISO_8859_1));
        assertEquals(bytes.length, new String(bytes, ISO_8859_1).length(), "one byte per character");
    }
}
