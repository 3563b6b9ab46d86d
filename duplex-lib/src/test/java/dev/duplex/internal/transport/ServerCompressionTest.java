package dev.duplex.internal.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.duplex.CompressionOptions;
import dev.duplex.protocol.handshake.ExtensionOffer;
import dev.duplex.protocol.handshake.ExtensionParameter;
import dev.duplex.protocol.handshake.HandshakeException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server's per-handshake negotiation and its cap on context-takeover compressors (row G4). */
class ServerCompressionTest {
    private static final ExtensionOffer PLAIN = ExtensionOffer.of("permessage-deflate");
    private static final ExtensionOffer WITHOUT_CONTEXT = ExtensionOffer.of("permessage-deflate",
            ExtensionParameter.of("server_no_context_takeover"), ExtensionParameter.of("client_no_context_takeover"));

    @Test
    void disabledDeclinesEveryOfferWithoutReadingIt() {
        ServerCompression compression = new ServerCompression(CompressionOptions.DISABLED);
        ServerCompression.Negotiation n = compression.newNegotiation();
        assertEquals(List.of(), n.negotiate(List.of(ExtensionOffer.of("permessage-deflate", ExtensionParameter.of("bogus")))));
        assertNull(n.extension());
    }

    @Test
    void A13_anOfferWithBadParametersIsDeclinedForTheNextAndHoldsNothing() {
        ServerCompression compression = new ServerCompression(CompressionOptions.ENABLED.withMaxContextTakeoverCompressors(1));
        ExtensionOffer outOfRange = ExtensionOffer.of("permessage-deflate", ExtensionParameter.of("server_max_window_bits", "16"));
        ExtensionOffer unknown = ExtensionOffer.of("permessage-deflate", ExtensionParameter.of("x-unknown", "1"));
        ExtensionOffer twice = ExtensionOffer.of("permessage-deflate", ExtensionParameter.of("server_no_context_takeover"),
                ExtensionParameter.of("server_no_context_takeover"));
        ServerCompression.Negotiation none = compression.newNegotiation();
        assertEquals(List.of(), none.negotiate(List.of(outOfRange, unknown, twice)));
        assertNull(none.extension());
        // RFC 7692 5: declined, and the next acceptable offer is taken.
        ServerCompression.Negotiation next = compression.newNegotiation();
        assertEquals(List.of(PLAIN), next.negotiate(List.of(unknown, twice, PLAIN)));
        next.release();
        // The only slot is free again.
        ServerCompression.Negotiation after = compression.newNegotiation();
        assertEquals(List.of(PLAIN), after.negotiate(List.of(PLAIN)));
        after.release();
    }

    @Test
    void otherExtensionsAreLeftOut() {
        ServerCompression.Negotiation n = new ServerCompression(CompressionOptions.ENABLED).newNegotiation();
        assertEquals(List.of(PLAIN), n.negotiate(List.of(ExtensionOffer.of("x-webkit-deflate-frame"), PLAIN)));
        assertNotNull(n.extension());
        n.release();
    }

    @Test
    void G4_theCapHoldsUnderConcurrentHandshakesAndReleaseGivesSlotsBack() throws Exception {
        int cap = 50;
        int handshakes = 400;
        ServerCompression compression = new ServerCompression(CompressionOptions.ENABLED.withMaxContextTakeoverCompressors(cap));
        List<Future<Agreed>> results = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < handshakes; i++) {
                results.add(threads.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    ServerCompression.Negotiation n = compression.newNegotiation();
                    return new Agreed(n, n.negotiate(List.of(PLAIN)));
                }));
            }
            start.countDown();
            List<Agreed> all = new ArrayList<>();
            for (Future<Agreed> f : results) {
                all.add(f.get(10, TimeUnit.SECONDS));
            }
            assertEquals(cap, all.stream().filter(Agreed::keepsContext).count(), "exactly the cap keep context takeover");
            assertEquals(handshakes - cap, all.stream().filter(a -> a.response().equals(List.of(WITHOUT_CONTEXT))).count(),
                    "the rest are told no context takeover both ways");
            for (Agreed a : all) {
                a.negotiation().release();
                a.negotiation().release(); // idempotent: a second release must not free a slot twice
            }
        }
        // All slots are back, and no more than the cap: releasing twice gave none extra.
        List<Agreed> again = new ArrayList<>();
        for (int i = 0; i < cap + 1; i++) {
            ServerCompression.Negotiation n = compression.newNegotiation();
            again.add(new Agreed(n, n.negotiate(List.of(PLAIN))));
        }
        assertEquals(cap, again.stream().filter(Agreed::keepsContext).count());
        again.forEach(a -> a.negotiation().release());
    }

    @Test
    void G4_aClientThatAsksForNoContextTakeoverTakesNoSlot() {
        ServerCompression compression = new ServerCompression(CompressionOptions.ENABLED.withMaxContextTakeoverCompressors(1));
        ServerCompression.Negotiation resetting = compression.newNegotiation();
        assertEquals(List.of(WITHOUT_CONTEXT), resetting.negotiate(List.of(WITHOUT_CONTEXT)));
        ServerCompression.Negotiation keeping = compression.newNegotiation();
        assertEquals(List.of(PLAIN), keeping.negotiate(List.of(PLAIN)));
        resetting.release();
        keeping.release();
    }

    @Test
    void G4_releaseEndsTheExtension() {
        ServerCompression.Negotiation n = new ServerCompression(CompressionOptions.ENABLED).newNegotiation();
        n.negotiate(List.of(PLAIN));
        n.extension().encode(ByteBuffer.wrap(new byte[1000]), true); // creates the Deflater
        n.release();
        assertThrows(IllegalStateException.class, () -> n.extension().encode(ByteBuffer.wrap(new byte[1000]), true),
                "the extension should be closed, its zlib streams ended");
    }

    /** One handshake's negotiation and the elements it answered with. */
    private record Agreed(ServerCompression.Negotiation negotiation, List<ExtensionOffer> response) {
        boolean keepsContext() {
            return response.equals(List.of(PLAIN));
        }
    }
}
