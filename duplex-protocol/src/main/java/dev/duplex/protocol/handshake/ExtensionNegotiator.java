package dev.duplex.protocol.handshake;

import java.util.List;

/**
 * The server's choice among the extensions a client offered (RFC 6455 9.1). Given the offers in
 * the client's order, it returns the elements to answer with in the 101's
 * {@code Sec-WebSocket-Extensions} field, in the order the extensions apply; an empty list
 * accepts none. Each element must name an extension the client offered.
 *
 * <p>An offer the server does not support, or whose parameters it cannot honour, is declined by
 * leaving it out (row A13: decline, do not fail). An offer that is malformed by the extension's
 * own rules may be refused by throwing {@link HandshakeException} with 400.
 */
@FunctionalInterface
public interface ExtensionNegotiator {

    /** Declines every offer. The default. */
    static ExtensionNegotiator none() {
        return offers -> List.of();
    }

    /**
     * The accepted elements for these offers.
     *
     * @param offers every element of the request's {@code Sec-WebSocket-Extensions} fields, in order
     */
    List<ExtensionOffer> negotiate(List<ExtensionOffer> offers);
}
