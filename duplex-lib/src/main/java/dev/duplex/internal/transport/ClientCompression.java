package dev.duplex.internal.transport;

import dev.duplex.CompressionOptions;
import dev.duplex.protocol.extension.DeflateNegotiation;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.MalformedExtensionException;
import dev.duplex.protocol.extension.PerMessageDeflate;
import dev.duplex.protocol.handshake.ClientHandshake;
import dev.duplex.protocol.handshake.ExtensionOffer;
import dev.duplex.protocol.handshake.ExtensionParameter;
import dev.duplex.protocol.handshake.HandshakeException;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The client's side of permessage-deflate (RFC 7692) in the opening handshake: the offer to
 * send, and the check of the server's answer (row B3), both through {@link DeflateNegotiation}.
 * The extension it returns belongs to the connection, whose core ends its zlib streams on every
 * close path ({@code Connection.release()}); until it is handed over, the caller closes it.
 */
final class ClientCompression {
    private ClientCompression() {}

    /** The extension elements to offer: none when compression is off. */
    static List<ExtensionOffer> offers(CompressionOptions options) {
        if (!options.enabled()) {
            return List.of();
        }
        DeflateParameters offer = DeflateNegotiation.clientOffer(options.deflate());
        List<ExtensionParameter> params = new ArrayList<>();
        for (Map.Entry<String, String> p : offer.parameters()) {
            params.add(new ExtensionParameter(p.getKey(), p.getValue()));
        }
        return List.of(new ExtensionOffer(PerMessageDeflate.NAME, params));
    }

    /**
     * The client's extension for what the server accepted, or null when it accepted none (the
     * connection is then uncompressed). {@link ClientHandshake#validate} has already refused an
     * extension that was not offered, or accepted twice.
     *
     * @throws HandshakeException carrying the response, when the permessage-deflate element is
     *     malformed (an unknown or repeated parameter, window bits outside 8..15) or goes beyond
     *     the offer (row B3): the connection never starts, so zlib never sees a window it cannot use
     */
    static PerMessageDeflate accept(ClientHandshake.Result accepted, CompressionOptions options) {
        for (ExtensionOffer element : accepted.extensions()) {
            if (!PerMessageDeflate.NAME.equals(element.name())) {
                continue;
            }
            List<Map.Entry<String, String>> params = new ArrayList<>(element.params().size());
            for (ExtensionParameter p : element.params()) {
                params.add(new SimpleImmutableEntry<>(p.name(), p.value()));
            }
            try {
                return DeflateNegotiation.clientAccept(DeflateParameters.of(params), options.deflate());
            } catch (MalformedExtensionException e) {
                throw new HandshakeException("unacceptable permessage-deflate response: " + e.getMessage(),
                        accepted.response());
            }
        }
        return null;
    }
}
