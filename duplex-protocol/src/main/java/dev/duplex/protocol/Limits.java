package dev.duplex.protocol;

/**
 * Bounds on what a peer may make this end hold or do, checked by the protocol core.
 *
 * @param maxMessageSize the largest message, in bytes after any decompression; a frame whose
 *     header announces more, or fragments that add up to more, fail the connection with 1009
 *     (default 1 MiB)
 * @param maxFragments the most frames one data message may span; one more fails the connection
 *     with 1009 (default 4096). Counted per message, so a stream of empty continuation frames
 *     cannot run forever (row C12)
 * @param strictLengthEncoding whether a payload length that is not in its shortest encoding
 *     fails the connection with 1002; RFC 6455 5.2 says the minimal encoding MUST be used, but
 *     peers in the wild do not always, so this is off by default (row C10). Control frames
 *     are held to the 7-bit length either way: RFC 6455 5.5 caps them at 125 bytes, so an
 *     extended length field on one fails with 1002
 */
public record Limits(long maxMessageSize, int maxFragments, boolean strictLengthEncoding) {

    /** 1 MiB, as in python-websockets: large enough for most apps, small enough to bound memory. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 1 << 20;
    public static final int DEFAULT_MAX_FRAGMENTS = 4096;

    /** The defaults: 1 MiB messages, 4096 fragments, lenient length encoding. */
    public static final Limits DEFAULTS =
            new Limits(DEFAULT_MAX_MESSAGE_SIZE, DEFAULT_MAX_FRAGMENTS, false);

    public Limits {
        if (maxMessageSize < 0 || maxMessageSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxMessageSize must be 0.." + (Integer.MAX_VALUE - 8));
        }
        if (maxFragments < 1) {
            throw new IllegalArgumentException("maxFragments must be at least 1");
        }
    }

    public Limits withMaxMessageSize(long bytes) {
        return new Limits(bytes, maxFragments, strictLengthEncoding);
    }

    public Limits withMaxFragments(int count) {
        return new Limits(maxMessageSize, count, strictLengthEncoding);
    }

    public Limits withStrictLengthEncoding(boolean strict) {
        return new Limits(maxMessageSize, maxFragments, strict);
    }
}
