/**
 * The opening handshake (RFC 6455 4) over HTTP/1.1: an incremental head parser with size limits
 * ({@link dev.duplex.protocol.handshake.HttpHeadParser}, {@link dev.duplex.protocol.handshake.HeadLimits}),
 * header fields and their token lists, the server's checks and answer
 * ({@link dev.duplex.protocol.handshake.ServerHandshake}), the client's request and its check of
 * the 101 ({@link dev.duplex.protocol.handshake.ClientHandshake}), the accept key, extension
 * offers and the {@code Origin} rules ({@link dev.duplex.protocol.handshake.OriginPolicy}).
 * Failures are {@link dev.duplex.protocol.handshake.HandshakeException}s that carry the HTTP status
 * to answer with.
 */
package dev.duplex.protocol.handshake;
