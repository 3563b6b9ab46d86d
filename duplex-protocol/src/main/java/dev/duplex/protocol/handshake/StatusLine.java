package dev.duplex.protocol.handshake;

import java.nio.charset.StandardCharsets;

/**
 * The status line: {@code HTTP-version SP 3DIGIT SP reason-phrase} (RFC 9112 4), as a client
 * reads it. HTTP/1.0 and HTTP/1.1 are read so that a refusal from an old server still reports its
 * status; a 101 is only believed from HTTP/1.1 (RFC 9110 7.8: HTTP/1.0 has no Upgrade). A missing
 * {@code SP reason-phrase} is tolerated, since some servers omit it and the phrase means nothing
 * to the handshake (RFC 9112 4: a client SHOULD ignore it).
 */
final class StatusLine implements StartLine<HttpResponse> {
    private int status;
    private String reason;

    @Override
    public void parse(byte[] line, int length) {
        if (length < 12 || !StartLine.isHttpVersion(line, 0, 8) || line[8] != ' '
                || !StartLine.isDigit(line[9]) || !StartLine.isDigit(line[10]) || !StartLine.isDigit(line[11])
                || (length > 12 && line[12] != ' ')) {
            throw new HandshakeException(400, "malformed status line");
        }
        if (line[5] != '1') {
            throw new HandshakeException(505, "HTTP version of the response is not 1.x");
        }
        status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
        if (status < 100) {
            throw new HandshakeException(400, "malformed status code");
        }
        if (status == 101 && line[7] != '1') {
            throw new HandshakeException(400, "101 in an HTTP/1.0 response");
        }
        // obs-text in a reason phrase is opaque ISO-8859-1 (RFC 9112 4, RFC 9110 5.5)
        reason = length > 13 ? new String(line, 13, length - 13, StandardCharsets.ISO_8859_1) : "";
    }

    @Override
    public HttpResponse complete(Headers headers) {
        return new HttpResponse(status, reason, headers);
    }

    @Override
    public int tooLongStatus() {
        return 431; // no status fits a response; classify it with the other oversized heads
    }
}
