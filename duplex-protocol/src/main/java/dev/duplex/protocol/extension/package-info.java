/**
 * Extensions that transform whole messages (RFC 6455 9), and the one Duplex implements:
 * permessage-deflate (RFC 7692). {@link dev.duplex.protocol.extension.DeflateNegotiation} settles
 * its parameters in the handshake for either role, {@link dev.duplex.protocol.extension.PerMessageDeflate}
 * compresses and inflates one connection's messages, and
 * {@link dev.duplex.protocol.extension.BoundedInflater} inflates in bounded steps so that a
 * decompression bomb is stopped just past the message size limit.
 */
package dev.duplex.protocol.extension;
