package dev.duplex.protocol.extension;

import static dev.duplex.protocol.extension.DeflateParameters.ABSENT;
import static dev.duplex.protocol.extension.DeflateParameters.WITHOUT_VALUE;

import dev.duplex.protocol.Role;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Negotiates permessage-deflate in the opening handshake (RFC 7692 5, 7.1), for both roles.
 *
 * <p>A server parses every {@code permessage-deflate} element the client sent with
 * {@link DeflateParameters#parse(String)} or {@link DeflateParameters#of(java.util.List)}
 * (one with an unknown, repeated or out-of-range parameter is declined, not refused: RFC 7692
 * 5, row A13), then calls {@link #serverAccept(List, PerMessageDeflate.Config)} with the rest.
 * A client sends {@link #clientOffer(PerMessageDeflate.Config)} and checks the server's answer
 * with {@link #clientAccept(DeflateParameters, PerMessageDeflate.Config)} (row B3).
 */
public final class DeflateNegotiation {

    private DeflateNegotiation() {}

    /**
     * The outcome of a server's negotiation: the element to answer with, and the extension that
     * implements it. The extension holds no native memory until it is used, but should still be
     * closed if the handshake fails after this point.
     *
     * @param response the parameters for the {@code Sec-WebSocket-Extensions} response element
     * @param extension the server's side of the agreement
     */
    public record Agreement(DeflateParameters response, PerMessageDeflate extension) {
        /** Both parts are required. */
        public Agreement {
            Objects.requireNonNull(response, "response");
            Objects.requireNonNull(extension, "extension");
        }
    }

    /**
     * Server side: accepts the first of the client's offers, in the client's order of
     * preference (RFC 7692 5.1), that this server supports, or none.
     *
     * <p>The only offer declined is one whose {@code server_max_window_bits} is below
     * {@code config.minWindowBits()} (RFC 7692 7.1.2.1 lets a server decline what it does not
     * support; row G5). Every other parameter is accepted: a requested
     * {@code server_no_context_takeover} is honoured, and since the JDK's inflater takes any
     * window, the client's window never matters to this side.
     */
    public static Optional<Agreement> serverAccept(List<DeflateParameters> offers, PerMessageDeflate.Config config) {
        Objects.requireNonNull(config, "config");
        for (DeflateParameters offer : offers) {
            int serverBits = config.serverMaxWindowBits();
            if (offer.serverMaxWindowBits() != ABSENT) {
                serverBits = Math.min(serverBits, offer.serverMaxWindowBits());
            }
            if (serverBits < config.minWindowBits()) {
                continue;
            }
            // RFC 7692 7.1.2.1: answer a requested window with the same or a smaller one, and
            // announce our own limit even if the client asked for none.
            boolean announceServerBits = offer.serverMaxWindowBits() != ABSENT || serverBits < 15;

            // RFC 7692 7.1.2.2: only a client that offered client_max_window_bits may be given a
            // limit, and never a larger one than it offered.
            int clientBits = ABSENT;
            if (offer.clientMaxWindowBits() != ABSENT) {
                int offered = offer.clientMaxWindowBits() == WITHOUT_VALUE ? 15 : offer.clientMaxWindowBits();
                if (config.clientMaxWindowBits() < offered) {
                    clientBits = config.clientMaxWindowBits();
                }
            }
            DeflateParameters response = new DeflateParameters(
                    offer.serverNoContextTakeover() || config.serverNoContextTakeover(),
                    // Echoing the client's hint lets this side drop its inflater between messages.
                    offer.clientNoContextTakeover() || config.clientNoContextTakeover(),
                    announceServerBits ? serverBits : ABSENT,
                    clientBits);
            return Optional.of(new Agreement(response, PerMessageDeflate.of(Role.SERVER, response, config)));
        }
        return Optional.empty();
    }

    /**
     * Client side: the offer to send. With the defaults it is
     * {@code permessage-deflate; client_max_window_bits}, which tells the server that this
     * client can compress with a smaller window if asked (RFC 7692 7.1.2.2).
     */
    public static DeflateParameters clientOffer(PerMessageDeflate.Config config) {
        int clientBits;
        if (config.minWindowBits() == 15) {
            clientBits = ABSENT; // so the server cannot ask for a window this client refuses
        } else if (config.clientMaxWindowBits() < 15) {
            clientBits = config.clientMaxWindowBits();
        } else {
            clientBits = WITHOUT_VALUE;
        }
        return new DeflateParameters(
                config.serverNoContextTakeover(),
                config.clientNoContextTakeover(),
                config.serverMaxWindowBits() < 15 ? config.serverMaxWindowBits() : ABSENT,
                clientBits);
    }

    /**
     * Client side: checks the server's response element against the offer that
     * {@link #clientOffer(PerMessageDeflate.Config)} made from the same {@code config}, and
     * returns the client's extension.
     *
     * @throws MalformedExtensionException if the response uses a parameter the offer did not
     *     allow or a value outside what it allowed (row B3): {@code client_max_window_bits}
     *     without a value, or when not offered, or larger than offered, or below
     *     {@code config.minWindowBits()}; a missing or larger {@code server_max_window_bits}
     *     when one was asked for; a missing {@code server_no_context_takeover} when asked for
     */
    public static PerMessageDeflate clientAccept(DeflateParameters response, PerMessageDeflate.Config config) {
        DeflateParameters offer = clientOffer(config);
        int clientBits = response.clientMaxWindowBits();
        if (clientBits == WITHOUT_VALUE) {
            throw new MalformedExtensionException("client_max_window_bits in a response needs a value");
        }
        if (clientBits != ABSENT) {
            if (offer.clientMaxWindowBits() == ABSENT) {
                throw new MalformedExtensionException("client_max_window_bits was not offered");
            }
            if (offer.clientMaxWindowBits() != WITHOUT_VALUE && clientBits > offer.clientMaxWindowBits()) {
                throw new MalformedExtensionException("client_max_window_bits is larger than offered");
            }
            if (clientBits < config.minWindowBits()) {
                throw new MalformedExtensionException("client_max_window_bits is below this client's minimum");
            }
        }
        if (offer.serverMaxWindowBits() != ABSENT && (response.serverMaxWindowBits() == ABSENT
                || response.serverMaxWindowBits() > offer.serverMaxWindowBits())) {
            throw new MalformedExtensionException("server_max_window_bits was not accepted as offered");
        }
        if (offer.serverNoContextTakeover() && !response.serverNoContextTakeover()) {
            throw new MalformedExtensionException("server_no_context_takeover was not accepted");
        }
        // Allowed without asking: server_no_context_takeover (7.1.1.1), client_no_context_takeover
        // (7.1.1.2) and server_max_window_bits (7.1.2.1); the inflater takes any server window.
        return PerMessageDeflate.of(Role.CLIENT, response, config);
    }
}
