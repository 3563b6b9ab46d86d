package dev.duplex.protocol.handshake;

/**
 * The first line of a head, which differs between requests and responses (RFC 9112 3 and 4),
 * and how it joins the header fields into the finished head. One instance serves one head.
 *
 * @param <T> the finished head
 */
interface StartLine<T> {

    /**
     * Parses the start line. {@code line[0, length)} holds no CR, LF or other control except
     * HTAB: the head parser has already refused those.
     *
     * @throws HandshakeException with the status that answers a bad start line
     */
    void parse(byte[] line, int length);

    /** The head, once the blank line has arrived; {@link #parse} has succeeded before. */
    T complete(Headers headers);

    /** The status for a start line over {@link HeadLimits#maxRequestLineBytes()}. */
    int tooLongStatus();

    /**
     * Whether {@code line[from, to)} is exactly {@code HTTP/} DIGIT {@code .} DIGIT (RFC 9112
     * 2.3). The name is case-sensitive.
     */
    static boolean isHttpVersion(byte[] line, int from, int to) {
        return to - from == 8
                && line[from] == 'H' && line[from + 1] == 'T' && line[from + 2] == 'T' && line[from + 3] == 'P'
                && line[from + 4] == '/' && isDigit(line[from + 5]) && line[from + 6] == '.'
                && isDigit(line[from + 7]);
    }

    static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}
