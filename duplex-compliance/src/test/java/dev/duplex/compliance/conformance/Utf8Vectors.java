package dev.duplex.compliance.conformance;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The UTF-8 test vectors of Autobahn cases 6.5 to 6.23, which are Markus Kuhn's UTF-8 decoder
 * stress test set, group by group in Autobahn's numbering, each with the verdict that RFC 3629
 * gives it. Written out here from the published list of byte sequences.
 */
final class Utf8Vectors {
    /** One vector: its Autobahn case id, what it is, its bytes, and whether it is valid UTF-8. */
    record Vector(String id, String group, byte[] bytes, boolean valid) {
        String hex() {
            return HexFormat.ofDelimiter(" ").formatHex(bytes);
        }

        @Override
        public String toString() {
            return id + " " + group + " [" + hex() + "] " + (valid ? "valid" : "invalid");
        }
    }

    private Utf8Vectors() {}

    private static final class Builder {
        private final List<Vector> all = new ArrayList<>();
        private int group = 4;
        private int index;
        private String name;

        Builder group(String groupName) {
            group++;
            index = 0;
            name = groupName;
            return this;
        }

        Builder add(boolean valid, String hex) {
            return add(valid, HexFormat.of().parseHex(hex.replace(" ", "")));
        }

        Builder add(boolean valid, byte[] bytes) {
            all.add(new Vector("6." + group + "." + (++index), name, bytes, valid));
            return this;
        }
    }

    /** "κόσμε", Kuhn's Greek sample: 1 two-byte, 1 three-byte and 3 two-byte code points. */
    static final String KOSME = "ceba e1bdb9 cf83 cebc ceb5";

    static List<Vector> all() {
        Builder b = new Builder();

        b.group("some valid UTF-8")
                .add(true, "68656c6c6f 24 776f726c64")             // hello$world
                .add(true, "68656c6c6f c2a2 776f726c64")           // U+00A2
                .add(true, "68656c6c6f e282ac 776f726c64")         // U+20AC
                .add(true, "68656c6c6f f0a4ada2 776f726c64")       // U+24B62
                .add(true, KOSME);

        b.group("every prefix of a valid multi-byte string");
        byte[] kosme = HexFormat.of().parseHex(KOSME.replace(" ", ""));
        for (int length = 1; length <= kosme.length; length++) {
            byte[] prefix = Payloads.slice(kosme, 0, length);
            b.add(Utf8Grammar.isValid(prefix), prefix);
        }

        b.group("first sequence of each length")
                .add(true, "00").add(true, "c280").add(true, "e0a080").add(true, "f0908080");
        b.group("first sequence of length 5 and 6 (beyond U+10FFFF)")
                .add(false, "f888808080").add(false, "fc8480808080");
        b.group("last sequence of each length")
                .add(true, "7f").add(true, "dfbf").add(true, "efbfbf").add(true, "f48fbfbf");
        b.group("last sequence of length 4, 5 and 6 (beyond U+10FFFF)")
                .add(false, "f7bfbfbf").add(false, "fbbfbfbfbf").add(false, "fdbfbfbfbfbf");
        b.group("other boundaries")
                .add(true, "ed9fbf")        // U+D7FF, just below the surrogates
                .add(true, "ee8080")        // U+E000, just above them
                .add(true, "efbfbd")        // U+FFFD
                .add(true, "f48fbfbf")      // U+10FFFF
                .add(false, "f4908080");    // U+110000

        b.group("unexpected continuation bytes")
                .add(false, "80").add(false, "bf").add(false, "80bf").add(false, "80bf80")
                .add(false, "80bf80bf").add(false, "80bf80bf80").add(false, "80bf80bf80bf");
        byte[] continuations = new byte[0xbf - 0x80];
        for (int i = 0; i < continuations.length; i++) {
            continuations[i] = (byte) (0x80 + i);
        }
        b.add(false, continuations);

        b.group("lonely start bytes, each followed by a space");
        int[][] starts = {{0xc0, 0xdf}, {0xe0, 0xef}, {0xf0, 0xf7}, {0xf8, 0xfb}, {0xfc, 0xfd}};
        for (int[] range : starts) {
            byte[] bytes = new byte[(range[1] - range[0]) * 2];
            for (int i = 0; i < range[1] - range[0]; i++) {
                bytes[2 * i] = (byte) (range[0] + i);
                bytes[2 * i + 1] = ' ';
            }
            b.add(false, bytes);
        }

        String[] lastByteMissing = {"c0", "e080", "f08080", "f8808080", "fc80808080",
                "df", "efbf", "f7bfbf", "fbbfbfbf", "fdbfbfbfbf"};
        b.group("sequences with the last continuation byte missing");
        for (String hex : lastByteMissing) {
            b.add(false, hex);
        }
        b.group("the incomplete sequences above, concatenated")
                .add(false, String.join("", lastByteMissing));
        b.group("impossible bytes")
                .add(false, "fe").add(false, "ff").add(false, "fefeffff");

        b.group("overlong forms of '/'")
                .add(false, "c0af").add(false, "e080af").add(false, "f08080af")
                .add(false, "f8808080af").add(false, "fc80808080af");
        b.group("longest overlong forms")
                .add(false, "c1bf").add(false, "e09fbf").add(false, "f08fbfbf")
                .add(false, "f887bfbfbf").add(false, "fc83bfbfbfbf");
        b.group("overlong forms of NUL")
                .add(false, "c080").add(false, "e08080").add(false, "f0808080")
                .add(false, "f880808080").add(false, "fc8080808080");

        b.group("single UTF-16 surrogates")
                .add(false, "eda080").add(false, "edadbf").add(false, "edae80").add(false, "edafbf")
                .add(false, "edb080").add(false, "edbe80").add(false, "edbfbf");
        b.group("paired UTF-16 surrogates");
        for (String high : new String[] {"eda080", "edadbf", "edae80", "edafbf"}) {
            for (String low : new String[] {"edb080", "edbfbf"}) {
                b.add(false, high + low);
            }
        }

        b.group("noncharacters (valid UTF-8: RFC 3629 does not exclude them)")
                .add(true, "efbfbe").add(true, "efbfbf");
        for (int lead = 0xf0; lead <= 0xf4; lead++) {
            for (int second : new int[] {0x8f, 0x9f, 0xaf, 0xbf}) {
                if (lead == 0xf4 && second != 0x8f) {
                    continue; // above U+10FFFF
                }
                for (int last : new int[] {0xbe, 0xbf}) {
                    if (lead == 0xf0 && second == 0x8f) {
                        continue; // overlong
                    }
                    b.add(true, new byte[] {(byte) lead, (byte) second, (byte) 0xbf, (byte) last});
                }
            }
        }
        b.group("specials, the replacement character among them")
                .add(true, "efbfb9").add(true, "efbfba").add(true, "efbfbb").add(true, "efbfbc")
                .add(true, "efbfbd").add(true, "efbfbe").add(true, "efbfbf");
        return b.all;
    }
}
