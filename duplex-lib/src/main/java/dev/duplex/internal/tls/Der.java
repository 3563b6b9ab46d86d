package dev.duplex.internal.tls;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Just enough DER (ITU-T X.690) to read the outer structure of a private key and to wrap one
 * key format in another. Strict: definite, minimally encoded lengths, and nothing left over.
 * The contents of a value are left for the JDK's own parsers to check.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** Context-specific, constructed, tag 0 and 1: SEC1's optional parameters and public key. */
    static final int CONTEXT_0 = 0xA0;
    static final int CONTEXT_1 = 0xA1;

    /** One type-length-value; {@code content} is a copy. */
    record Value(int tag, byte[] content) {
        /** The values inside a constructed value such as a SEQUENCE. */
        List<Value> children() {
            return parseAll(content);
        }

        /** The whole encoding again: tag, length and content. */
        byte[] encoded() {
            return Der.encode(tag, content);
        }
    }

    private Der() {}

    /** Parses one value that fills {@code der} exactly. */
    static Value parse(byte[] der) {
        List<Value> values = parseAll(der);
        if (values.size() != 1) {
            throw new IllegalArgumentException("expected one DER value, found " + values.size());
        }
        return values.get(0);
    }

    /** Parses consecutive values that fill {@code der} exactly. */
    static List<Value> parseAll(byte[] der) {
        List<Value> values = new ArrayList<>();
        int i = 0;
        while (i < der.length) {
            int tag = der[i++] & 0xFF;
            if ((tag & 0x1F) == 0x1F) {
                throw new IllegalArgumentException("multi-byte DER tags are not used in key formats");
            }
            if (i >= der.length) {
                throw new IllegalArgumentException("DER value cut short after its tag");
            }
            int first = der[i++] & 0xFF;
            long length;
            if (first < 0x80) {
                length = first;
            } else {
                int octets = first & 0x7F;
                if (octets == 0) {
                    throw new IllegalArgumentException("indefinite length is not DER");
                }
                if (octets > 4 || i + octets > der.length) {
                    throw new IllegalArgumentException("DER length too long or cut short");
                }
                length = 0;
                for (int k = 0; k < octets; k++) {
                    length = (length << 8) | (der[i++] & 0xFF);
                }
                // X.690 10.1: the shortest form, so a value has exactly one encoding.
                if (length < 0x80 || (der[i - octets] & 0xFF) == 0) {
                    throw new IllegalArgumentException("DER length not minimally encoded");
                }
            }
            if (length > der.length - i) {
                throw new IllegalArgumentException("DER value longer than its input");
            }
            values.add(new Value(tag, Arrays.copyOfRange(der, i, i + (int) length)));
            i += (int) length;
        }
        return values;
    }

    static byte[] encode(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else {
            int octets = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
            out.write(0x80 | octets);
            for (int k = octets - 1; k >= 0; k--) {
                out.write(n >>> (8 * k));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    static byte[] sequence(byte[]... encodedValues) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] v : encodedValues) {
            content.writeBytes(v);
        }
        return encode(SEQUENCE, content.toByteArray());
    }

    /** The dotted form of an OBJECT IDENTIFIER's content (X.690 8.19). */
    static String oidToString(byte[] content) {
        if (content.length == 0) {
            throw new IllegalArgumentException("empty OBJECT IDENTIFIER");
        }
        StringBuilder s = new StringBuilder();
        long arc = 0;
        boolean first = true;
        for (int i = 0; i < content.length; i++) {
            int b = content[i] & 0xFF;
            if (arc == 0 && b == 0x80) {
                throw new IllegalArgumentException("OBJECT IDENTIFIER arc not minimally encoded");
            }
            if (arc >>> 56 != 0) {
                throw new IllegalArgumentException("OBJECT IDENTIFIER arc too large");
            }
            arc = (arc << 7) | (b & 0x7F);
            if ((b & 0x80) == 0) {
                if (first) {
                    int top = arc < 40 ? 0 : arc < 80 ? 1 : 2;
                    s.append(top).append('.').append(arc - 40L * top);
                    first = false;
                } else {
                    s.append('.').append(arc);
                }
                arc = 0;
            } else if (i == content.length - 1) {
                throw new IllegalArgumentException("OBJECT IDENTIFIER cut short");
            }
        }
        return s.toString();
    }
}
