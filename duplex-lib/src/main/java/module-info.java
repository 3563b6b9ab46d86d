/**
 * Duplex: a WebSocket server and client. Start with {@link dev.duplex.WebSocketServer} and
 * {@link dev.duplex.WebSocketHandler} to serve, {@link dev.duplex.WebSocketClient} to connect;
 * {@code dev.duplex.auth} holds the handshake authenticators (tickets, bearer tokens, first
 * message).
 */
module dev.duplex {
    requires transitive dev.duplex.protocol;
    requires jdk.management;
    requires jdk.jfr; // flight-recorder events for connections and refusals (FlightEvents)
    exports dev.duplex;
    exports dev.duplex.auth;
}
