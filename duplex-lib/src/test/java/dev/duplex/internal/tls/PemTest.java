package dev.duplex.internal.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 7468 textual encoding, and the bits of DER (X.690) that key files need, held strictly. */
class PemTest {
    private static IllegalArgumentException refused(String text) {
        return assertThrows(IllegalArgumentException.class, () -> Pem.parse(text, "test.pem"));
    }

    // ---------------------------------------------------------------- RFC 7468

    @Test
    void blocksInOrderWithExplanatoryTextAroundThemAndCrlfLines() {
        String text = "Subject: CN=localhost\r\n-----BEGIN CERTIFICATE-----\r\nAQID\r\n-----END CERTIFICATE-----\r\n"
                + "between\n-----BEGIN EC PARAMETERS-----\nBggqhkjO\nPQMBBw==\n-----END EC PARAMETERS-----\n";
        List<Pem.Block> blocks = Pem.parse(text, "test.pem");
        assertEquals(2, blocks.size());
        assertEquals("CERTIFICATE", blocks.get(0).label());
        assertArrayEquals(new byte[] {1, 2, 3}, blocks.get(0).der());
        assertEquals("EC PARAMETERS", blocks.get(1).label());
        assertArrayEquals(HexFormat.of().parseHex("06082a8648ce3d030107"), blocks.get(1).der(), "lines join before decoding");
    }

    @Test
    void anEndThatNamesAnotherLabelIsRefused() {
        assertTrue(refused("-----BEGIN PRIVATE KEY-----\nAQID\n-----END CERTIFICATE-----\n").getMessage().contains("does not close"));
    }

    @Test
    void aBlockWithoutEndIsRefused() {
        assertTrue(refused("-----BEGIN PRIVATE KEY-----\nAQID\n").getMessage().contains("no END"));
    }

    @Test
    void aBlockThatRunsIntoTheNextIsRefused() {
        refused("-----BEGIN CERTIFICATE-----\nAQID\n-----BEGIN CERTIFICATE-----\nAQID\n-----END CERTIFICATE-----\n");
    }

    @Test
    void characterOutsideBase64IsRefusedNotSkipped() {
        // A lenient (MIME) decoder would drop the '*' and decode something else.
        assertTrue(refused("-----BEGIN CERTIFICATE-----\nAQ*ID\n-----END CERTIFICATE-----\n").getMessage().contains("base64"));
    }

    @Test
    void theLegacyEncryptedFormatIsRefusedWithAHint() {
        String text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAQID\n"
                + "-----END RSA PRIVATE KEY-----\n";
        assertTrue(refused(text).getMessage().contains("decrypt it first"));
    }

    @Test
    void anEmptyBlockIsRefused() {
        refused("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    }

    @Test
    void textLargerThanAnyKeyFileIsRefusedBeforeParsing() {
        refused("x".repeat(Pem.MAX_TEXT + 1));
    }

    @Test
    void noBlocksIsAnEmptyListForTheCallerToJudge() {
        assertEquals(List.of(), Pem.parse("just text\n", "test.pem"));
    }

    // ---------------------------------------------------------------- X.690 DER

    @Test
    void derLengthsInShortAndLongForm() {
        byte[] content = new byte[200];
        byte[] encoded = Der.encode(Der.OCTET_STRING, content);
        assertArrayEquals(HexFormat.of().parseHex("0481c8"), java.util.Arrays.copyOf(encoded, 3));
        Der.Value parsed = Der.parse(encoded);
        assertEquals(Der.OCTET_STRING, parsed.tag());
        assertArrayEquals(content, parsed.content());
    }

    @Test
    void derRefusesWhatBerAllows() {
        assertThrows(IllegalArgumentException.class, () -> Der.parse(HexFormat.of().parseHex("3080")), "indefinite length");
        assertThrows(IllegalArgumentException.class, () -> Der.parse(HexFormat.of().parseHex("04810100")), "long form for 1");
        assertThrows(IllegalArgumentException.class, () -> Der.parse(HexFormat.of().parseHex("0401")), "content cut short");
        assertThrows(IllegalArgumentException.class, () -> Der.parse(HexFormat.of().parseHex("040100ff")), "bytes left over");
        assertThrows(IllegalArgumentException.class, () -> Der.parse(HexFormat.of().parseHex("0485ffffffffff")), "length too long");
    }

    @Test
    void objectIdentifiers() {
        assertEquals("1.2.840.10045.3.1.7", Der.oidToString(HexFormat.of().parseHex("2a8648ce3d030107")));
        assertEquals("1.3.101.112", Der.oidToString(HexFormat.of().parseHex("2b6570")));
        assertEquals("2.999.3", Der.oidToString(HexFormat.of().parseHex("883703")));
        assertThrows(IllegalArgumentException.class, () -> Der.oidToString(HexFormat.of().parseHex("2a86")), "cut short");
        assertThrows(IllegalArgumentException.class, () -> Der.oidToString(HexFormat.of().parseHex("2a8001")), "padded arc");
    }
}
