package dev.duplex.protocol.handshake;

/**
 * The character classes of the HTTP grammar (RFC 9110 5.5, 5.6.2) that the head parser, the
 * header-value parsers and the serialisers share. Every test is a table lookup or a range
 * check, so callers stay linear in the input.
 */
final class HttpSyntax {
    private static final boolean[] TCHAR = new boolean[128];

    static {
        // RFC 9110 5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
        // "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        for (char c = '0'; c <= '9'; c++) TCHAR[c] = true;
        for (char c = 'a'; c <= 'z'; c++) TCHAR[c] = true;
        for (char c = 'A'; c <= 'Z'; c++) TCHAR[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TCHAR[c] = true;
    }

    private HttpSyntax() {}

    static boolean isTchar(int c) {
        return c >= 0 && c < 128 && TCHAR[c];
    }

    /** RFC 9110 5.6.2: token = 1*tchar. */
    static boolean isToken(CharSequence s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            if (!isTchar(s.charAt(i))) return false;
        }
        return true;
    }

    /** RFC 9110 5.6.3: OWS = *( SP / HTAB ). */
    static boolean isOws(int c) {
        return c == ' ' || c == '\t';
    }

    /**
     * RFC 9110 5.5: field-content is field-vchar with SP and HTAB inside; field-vchar = VCHAR /
     * obs-text. Everything else (CR, LF, NUL and the other controls, DEL) is refused, which is
     * what keeps a value from splitting a head when it is written back out.
     */
    static boolean isFieldContent(int c) {
        return c == '\t' || (c >= 0x20 && c <= 0x7E) || (c >= 0x80 && c <= 0xFF);
    }

    /** Whether every character of {@code s} may appear in a field value. */
    static boolean isFieldValue(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isFieldContent(s.charAt(i))) return false;
        }
        return true;
    }

    /** Removes leading and trailing OWS (RFC 9110 5.5: it is not part of the value). */
    static String trimOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isOws(s.charAt(start))) start++;
        while (end > start && isOws(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }
}
