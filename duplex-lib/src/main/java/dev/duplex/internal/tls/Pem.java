package dev.duplex.internal.tls;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The textual encoding of RFC 7468: {@code -----BEGIN LABEL-----}, base64 lines, and the
 * matching {@code -----END LABEL-----}. Text between blocks is ignored, as section 2 allows;
 * inside a block, anything that is not base64 is an error, never skipped, so a damaged file
 * fails here rather than as a baffling key or handshake error later.
 */
final class Pem {
    /** Larger than any certificate chain or key a server presents; bounds what we decode. */
    static final int MAX_TEXT = 1 << 20;

    private static final Pattern BEGIN = Pattern.compile(
            "-----BEGIN ([\\x21-\\x2C\\x2E-\\x7E]+(?:[- ][\\x21-\\x2C\\x2E-\\x7E]+)*)-----"); // RFC 7468 3: label
    private static final Pattern END = Pattern.compile("-----END (.*)-----");

    /** One block: its label (such as {@code CERTIFICATE}) and the bytes its base64 decodes to. */
    record Block(String label, byte[] der) {}

    private Pem() {}

    /**
     * The blocks of {@code text}, in order.
     *
     * @param source names the input in error messages, such as a file name
     * @throws IllegalArgumentException when a block is malformed: no END line, an END that names
     *     another label, RFC 1421 header lines (the legacy encrypted-key format), or bad base64
     */
    static List<Block> parse(String text, String source) {
        if (text.length() > MAX_TEXT) {
            throw new IllegalArgumentException(source + ": larger than " + MAX_TEXT + " characters; not a PEM file");
        }
        List<Block> blocks = new ArrayList<>();
        String[] lines = text.split("\r?\n|\r", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher begin = BEGIN.matcher(lines[i].strip());
            if (!begin.matches()) {
                continue;
            }
            String label = begin.group(1);
            int firstLine = i + 1;
            StringBuilder base64 = new StringBuilder();
            boolean ended = false;
            for (i = i + 1; i < lines.length; i++) {
                String line = lines[i].strip();
                Matcher end = END.matcher(line);
                if (end.matches()) {
                    if (!end.group(1).equals(label)) {
                        throw new IllegalArgumentException(source + " line " + (i + 1) + ": END " + end.group(1)
                                + " does not close BEGIN " + label);
                    }
                    ended = true;
                    break;
                }
                if (line.indexOf(':') >= 0) {
                    throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + (line.startsWith("Proc-Type")
                            ? "an encrypted key in the legacy OpenSSL format; decrypt it first "
                                    + "(openssl pkey -in KEY -out PLAIN)"
                            : "header lines inside a PEM block are not supported"));
                }
                if (line.startsWith("-----")) {
                    throw new IllegalArgumentException(source + " line " + (i + 1) + ": BEGIN " + label
                            + " is not closed before the next block");
                }
                base64.append(line);
            }
            if (!ended) {
                throw new IllegalArgumentException(source + " line " + firstLine + ": BEGIN " + label + " has no END line");
            }
            byte[] der;
            try {
                der = Base64.getDecoder().decode(base64.toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + ": the " + label + " block is not valid base64: "
                        + e.getMessage());
            }
            if (der.length == 0) {
                throw new IllegalArgumentException(source + ": the " + label + " block is empty");
            }
            blocks.add(new Block(label, der));
        }
        return blocks;
    }
}
