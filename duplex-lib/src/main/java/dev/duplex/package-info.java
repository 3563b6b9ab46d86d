/**
 * The WebSocket server and client that applications call. Serve with
 * {@link dev.duplex.WebSocketServer} and a {@link dev.duplex.WebSocketHandler} per route; connect
 * with {@link dev.duplex.WebSocketClient}. Both ends hand the application the same
 * {@link dev.duplex.WebSocket} (sends are safe from any thread and return futures) and whole
 * {@link dev.duplex.Message}s.
 *
 * <p>Options: {@link dev.duplex.ConnectionOptions} for one connection's limits and timers,
 * {@link dev.duplex.ServerLimits} and {@link dev.duplex.RateLimits} for caps and rates,
 * {@link dev.duplex.CompressionOptions} for permessage-deflate, {@link dev.duplex.TlsOptions} for
 * wss, {@link dev.duplex.ClientOptions} for the client. A
 * {@link dev.duplex.HandshakeInterceptor} decides who may connect; ready-made ones are in
 * {@link dev.duplex.auth}.
 */
package dev.duplex;
