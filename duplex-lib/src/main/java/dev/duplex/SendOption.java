package dev.duplex;

/**
 * How one message is sent, passed to {@link WebSocket#sendText(String, SendOption...)} and its
 * siblings, in the way {@code java.nio.file.StandardOpenOption} is passed to
 * {@code Files.write}.
 */
public enum SendOption {
    /**
     * Send this message without compression even when permessage-deflate was negotiated (RFC
     * 7692 6 lets each message choose). Use it for a message that puts a secret (a session
     * token, a CSRF token) next to text an attacker can choose: compressed, its length tells
     * the attacker how much of their guess matched the secret (CRIME/BREACH, row G6).
     */
    UNCOMPRESSED
}
