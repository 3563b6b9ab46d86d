/**
 * Duplex: a WebSocket server and client. Start with {@link dev.duplex.WebSocketServer} and
 * {@link dev.duplex.WebSocketHandler}.
 */
module dev.duplex {
    requires transitive dev.duplex.protocol;
    exports dev.duplex;
    exports dev.duplex.auth;
}
