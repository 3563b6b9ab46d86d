package dev.duplex.protocol.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * The {@code Sec-WebSocket-Key} a client sends and the {@code Sec-WebSocket-Accept} a server
 * answers with (RFC 6455 4.1 item 7, 4.2.2 item 5.4). The key proves nothing about the client;
 * it only shows that the server read a WebSocket handshake and not some other request.
 */
public final class AcceptKey {
    /** RFC 6455 1.3: appended to the key before hashing. */
    static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private AcceptKey() {}

    /**
     * The accept value for a key: base64 of the SHA-1 of the key, as sent, followed by the GUID
     * (RFC 6455 4.2.2 item 5.4). For {@code dGhlIHNhbXBsZSBub25jZQ==} it is
     * {@code s3pPLMBiTxaQ9kYGzzhZRbK+xOo=} (RFC 6455 1.3).
     */
    public static String accept(String secWebSocketKey) {
        Objects.requireNonNull(secWebSocketKey, "secWebSocketKey");
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            // A valid key is ASCII; ISO-8859-1 keeps any other header value byte for byte.
            sha1.update(secWebSocketKey.getBytes(StandardCharsets.ISO_8859_1));
            sha1.update(GUID.getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java SE platform must provide SHA-1", e);
        }
    }

    /**
     * Whether a key is what RFC 6455 4.1 item 7 requires: base64 of exactly 16 bytes. Strictly:
     * 22 characters of the standard alphabet and {@code ==}, no whitespace, no URL-safe alphabet,
     * and the four bits the last character carries past the 16 bytes are zero, as every encoder
     * writes them (RFC 4648 3.5), so that a key has one spelling only (row A6).
     */
    public static boolean isValidKey(String key) {
        if (key == null || key.length() != 24 || key.charAt(22) != '=' || key.charAt(23) != '=') {
            return false;
        }
        for (int i = 0; i < 22; i++) {
            if (ALPHABET.indexOf(key.charAt(i)) < 0) return false;
        }
        return (ALPHABET.indexOf(key.charAt(21)) & 0x0F) == 0;
    }

    /** A fresh key: 16 random bytes, base64-encoded (RFC 6455 4.1 item 7). */
    public static String newKey(SecureRandom random) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        return Base64.getEncoder().encodeToString(nonce);
    }
}
