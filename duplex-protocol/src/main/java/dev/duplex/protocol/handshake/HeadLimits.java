package dev.duplex.protocol.handshake;

/**
 * Bounds on an HTTP head, checked by {@link HttpHeadParser} as the bytes arrive, so that a peer
 * can never make it hold more than these many bytes (security catalogue rows A14 and A15).
 * Line lengths count the bytes of the line without its CRLF; the head length counts every byte
 * up to and including the blank line that ends the head.
 *
 * <p>The defaults, {@link #DEFAULTS}, are those of python-websockets for the lines and a little
 * under its header count: 8 KiB per line, 100 fields, 16 KiB in all. A browser's upgrade request
 * with a few cookies is well under 4 KiB.
 *
 * @param maxRequestLineBytes longest start line (request line, or status line for a client);
 *     over it a server answers 414 URI Too Long. Default 8192.
 * @param maxHeaderLineBytes longest single header field line; over it, 431. Default 8192.
 * @param maxHeaderCount most header fields; one more is 431. Default 100.
 * @param maxHeadBytes most bytes in the whole head; over it, 431. Default 16384.
 */
public record HeadLimits(int maxRequestLineBytes, int maxHeaderLineBytes, int maxHeaderCount, int maxHeadBytes) {

    /** 8192 / 8192 / 100 / 16384. */
    public static final HeadLimits DEFAULTS = new HeadLimits(8192, 8192, 100, 16384);

    /** @throws IllegalArgumentException if a limit is not positive */
    public HeadLimits {
        if (maxRequestLineBytes <= 0 || maxHeaderLineBytes <= 0 || maxHeaderCount < 0 || maxHeadBytes <= 0) {
            throw new IllegalArgumentException("head limits must be positive (the header count may be 0)");
        }
    }

    /** A copy with another start-line limit. */
    public HeadLimits withMaxRequestLineBytes(int bytes) {
        return new HeadLimits(bytes, maxHeaderLineBytes, maxHeaderCount, maxHeadBytes);
    }

    /** A copy with another header-line limit. */
    public HeadLimits withMaxHeaderLineBytes(int bytes) {
        return new HeadLimits(maxRequestLineBytes, bytes, maxHeaderCount, maxHeadBytes);
    }

    /** A copy with another header count limit. */
    public HeadLimits withMaxHeaderCount(int count) {
        return new HeadLimits(maxRequestLineBytes, maxHeaderLineBytes, count, maxHeadBytes);
    }

    /** A copy with another total head limit. */
    public HeadLimits withMaxHeadBytes(int bytes) {
        return new HeadLimits(maxRequestLineBytes, maxHeaderLineBytes, maxHeaderCount, bytes);
    }
}
