package dev.duplex.internal.transport;

import dev.duplex.CompressionOptions;
import dev.duplex.protocol.extension.DeflateNegotiation;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.MalformedExtensionException;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.handshake.ExtensionNegotiator;
import dev.duplex.protocol.handshake.ExtensionOffer;
import dev.duplex.protocol.handshake.ExtensionParameter;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's side of permessage-deflate (RFC 7692) across all its connections: negotiates
 * each handshake, and keeps the count of connections that hold compression state between
 * messages under {@link CompressionOptions#maxContextTakeoverCompressors()} (row G4).
 *
 * <p>Each handshake gets its own {@link Negotiation}, which remembers the agreement so that
 * the transport can build the connection with its extension once the 101 is out, and which
 * must be {@linkplain Negotiation#release() released} when that connection ends, or when the
 * handshake fails after the negotiation. Thread-safe.
 */
final class ServerCompression {
    private final CompressionOptions options;
    /** Connections holding compression state between messages right now. */
    private final AtomicInteger contextTakeovers = new AtomicInteger();

    ServerCompression(CompressionOptions options) {
        this.options = options;
    }

    /** A negotiator for one handshake. */
    Negotiation newNegotiation() {
        return new Negotiation();
    }

    /** Takes a context-takeover slot if one is free. */
    private boolean tryAcquire() {
        while (true) {
            int n = contextTakeovers.get();
            if (n >= options.maxContextTakeoverCompressors()) {
                return false;
            }
            if (contextTakeovers.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /**
     * The negotiation of one handshake, and afterwards the agreement's owner. Used by one
     * thread at a time: the handshake's, then the connection's read loop, whose end releases it.
     */
    final class Negotiation implements ExtensionNegotiator {
        private DeflateNegotiation.Agreement agreement;
        private boolean holdsSlot;
        private boolean released;

        private Negotiation() {}

        /**
         * Accepts the first permessage-deflate offer this server supports, in the client's
         * order (RFC 7692 5.1). An offer with an unknown parameter, a value out of range or a
         * parameter twice is declined like one this server does not support, and the next is
         * tried (RFC 7692 5: the server MUST decline such an offer; row A13); with none left
         * the connection proceeds without compression. Only a header that cannot be parsed at
         * all is a 400, and the handshake answers that before this runs.
         */
        @Override
        public List<ExtensionOffer> negotiate(List<ExtensionOffer> offers) {
            if (!options.enabled()) {
                return List.of();
            }
            List<DeflateParameters> deflateOffers = new ArrayList<>();
            for (ExtensionOffer offer : offers) {
                if (PerMessageDeflate.NAME.equals(offer.name())) {
                    DeflateParameters parameters = parse(offer);
                    if (parameters != null) {
                        deflateOffers.add(parameters);
                    }
                }
            }
            if (deflateOffers.isEmpty()) {
                return List.of();
            }
            holdsSlot = tryAcquire();
            // Past the cap, impose no context takeover both ways, as RFC 7692 7.1.1 allows.
            PerMessageDeflate.Config config = holdsSlot
                    ? options.deflate()
                    : options.deflate().withoutContextTakeover();
            agreement = DeflateNegotiation.serverAccept(deflateOffers, config).orElse(null);
            if (holdsSlot && (agreement == null || !keepsContext(agreement.response()))) {
                // Declined, or the client asked for no context takeover itself: no state to count.
                contextTakeovers.decrementAndGet();
                holdsSlot = false;
            }
            if (agreement == null) {
                return List.of();
            }
            List<ExtensionParameter> params = new ArrayList<>();
            for (Map.Entry<String, String> p : agreement.response().parameters()) {
                params.add(new ExtensionParameter(p.getKey(), p.getValue()));
            }
            return List.of(new ExtensionOffer(PerMessageDeflate.NAME, params));
        }

        /** The agreed extension for the connection, or null when none was agreed. */
        PerMessageDeflate extension() {
            return agreement == null ? null : agreement.extension();
        }

        /**
         * Ends the extension's zlib streams and frees the context-takeover slot. Called when
         * the connection ends, on every path, and when the handshake fails after negotiating.
         * Idempotent.
         */
        void release() {
            if (released) {
                return;
            }
            released = true;
            if (agreement != null) {
                agreement.extension().close();
            }
            if (holdsSlot) {
                holdsSlot = false;
                contextTakeovers.decrementAndGet();
            }
        }

        /** The offer's parameters, or null when they break RFC 7692 7.1: the offer is declined. */
        private static DeflateParameters parse(ExtensionOffer offer) {
            List<Map.Entry<String, String>> params = new ArrayList<>(offer.params().size());
            for (ExtensionParameter p : offer.params()) {
                params.add(new SimpleImmutableEntry<>(p.name(), p.value()));
            }
            try {
                return DeflateParameters.of(params);
            } catch (MalformedExtensionException e) {
                return null;
            }
        }

        /** Whether either end keeps its window between messages, so zlib state stays allocated. */
        private static boolean keepsContext(DeflateParameters response) {
            return !response.serverNoContextTakeover() || !response.clientNoContextTakeover();
        }
    }
}
