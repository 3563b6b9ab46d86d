package dev.duplex.compliance.catalogue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.compliance.robustness.RawPeer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Catalogue row A16: a client that connects and sends nothing, or trickles its head (or, over
 * TLS, its ClientHello) one byte at a time, is closed at the handshake deadline, counted from
 * accept: no sooner, and not much later. The deadline is shortened to 1 s; the slow clients of
 * one variant run side by side. Only whole delivery: a trickle is the attack itself.
 */
@Isolated
class SlowlorisRowTest {
    private static final Duration DRIP = Duration.ofMillis(100);

    @RegisterExtension
    static final CatalogueServers servers = new CatalogueServers();

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void A16_slowlorisIsClosedAtTheHandshakeDeadline(Transport transport, Delivery delivery) throws Exception {
        Duration timeout = CatalogueServers.HANDSHAKE_TIMEOUT;
        Duration min = timeout.minusMillis(100);
        Duration max = timeout.plusSeconds(2);
        servers.row(transport, delivery, s -> {
            Map<String, RawPeer> slow = new LinkedHashMap<>();
            Map<RawPeer, byte[]> drips = new LinkedHashMap<>();
            long start = System.nanoTime();
            // For wss the deadline starts at accept, before the TLS handshake: these open TCP only.
            slow.put("idle after connect", s.openTcp());
            RawPeer head = transport == Transport.WS ? s.openTcp() : s.open();
            slow.put("head at 1 byte / 100 ms", head);
            drips.put(head, s.request("/echo").getBytes(UTF_8));
            if (transport == Transport.WSS) {
                RawPeer hello = s.openTcp();
                slow.put("ClientHello at 1 byte / 100 ms", hello);
                drips.put(hello, clientHello());
            }
            ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();
            try {
                drips.forEach((peer, bytes) -> {
                    int[] next = {0};
                    pace.scheduleAtFixedRate(() -> {
                        if (next[0] < bytes.length - 1) { // never the last byte: the head never ends
                            try {
                                peer.send(new byte[] {bytes[next[0]++]});
                            } catch (IOException closed) {
                                next[0] = bytes.length; // the server hung up; stop dripping
                            }
                        }
                    }, 0, DRIP.toMillis(), TimeUnit.MILLISECONDS);
                });
                for (Map.Entry<String, RawPeer> e : slow.entrySet()) {
                    // Timed from before the first connect: each accept, and so each deadline, came later.
                    s.note(e.getKey() + ": closed after " + s.expectEnd(e.getValue(), start, min, max) + " ms");
                }
            } finally {
                pace.shutdownNow();
            }
        });
    }

    /** A real ClientHello for 127.0.0.1, from the JDK's own TLS engine. */
    private static byte[] clientHello() throws Exception {
        SSLEngine engine = CatalogueServers.trustingContext().createSSLEngine("127.0.0.1", 0);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        SSLEngineResult result = engine.wrap(ByteBuffer.allocate(0), out);
        assertTrue(result.bytesProduced() > 0, "the engine wrote a ClientHello");
        out.flip();
        byte[] bytes = new byte[out.remaining()];
        out.get(bytes);
        return bytes;
    }
}
