package dev.duplex.compliance.peers;

import java.net.URI;

/**
 * A WebSocket server from another implementation, started for the client interop tests. Every
 * peer serves the same paths:
 * <ul>
 *   <li>{@code /echo}: every message back as it came;
 *   <li>{@code /fragment}: every message back in three fragments;
 *   <li>{@code /ping}: pings with {@code "are you there"}, then sends {@code "pong:" + payload}
 *       once the pong has arrived;
 *   <li>{@code /close/CODE}: closes at once with CODE and the reason {@code "bye CODE"};
 *   <li>{@code /drop}: drops TCP without a close frame.
 * </ul>
 */
interface Peer extends AutoCloseable {
    /** The payload of the peer's ping on {@code /ping}. */
    String PING_PAYLOAD = "are you there";

    /** Which implementation and version, for test output. */
    String name();

    /** The {@code ws://} (or {@code wss://}) URI of a path on this peer. */
    URI uri(String path);

    /** Whether {@code /fragment} is served; a peer whose API sends only whole messages has not. */
    default boolean fragments() {
        return true;
    }

    @Override
    void close() throws Exception;
}
