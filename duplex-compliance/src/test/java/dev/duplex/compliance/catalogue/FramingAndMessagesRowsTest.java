package dev.duplex.compliance.catalogue;

import static dev.duplex.compliance.catalogue.Frames.bytes;
import static dev.duplex.compliance.catalogue.Frames.cat;
import static dev.duplex.compliance.catalogue.Frames.echoOf;
import static dev.duplex.compliance.catalogue.Frames.frame;
import static dev.duplex.compliance.catalogue.Frames.text;
import static dev.duplex.compliance.robustness.RawPeer.BINARY;
import static dev.duplex.compliance.robustness.RawPeer.CLOSE;
import static dev.duplex.compliance.robustness.RawPeer.CONTINUATION;
import static dev.duplex.compliance.robustness.RawPeer.PING;
import static dev.duplex.compliance.robustness.RawPeer.PONG;
import static dev.duplex.compliance.robustness.RawPeer.TEXT;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.duplex.compliance.robustness.RawPeer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Catalogue sections C (framing) and D (messages and UTF-8), from a raw client on an upgraded
 * connection to the echo route: each violation gets its exact close code and the end of the
 * stream; each valid oddity comes back as it went. Messages are limited to 64 KiB and 64
 * fragments here, and must complete within 1.5 s.
 */
@Isolated
class FramingAndMessagesRowsTest {
    @RegisterExtension
    static final CatalogueServers servers = new CatalogueServers();

    private static final byte[] HI = "hi".getBytes(UTF_8);

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C1_unmaskedClientFrameGets1002(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            s.send(peer, RawPeer.frame(true, 0, TEXT, HI, false));
            s.expectClose(peer, 1002);
        });
    }

    @Test
    void C2_maskedServerFrameIsAClientRow() {
        RowWatcher.notAServerRow("a client receives server frames: dev.duplex.client.ClientConnectionTest"
                + "#C2_aMaskedFrameFromTheServerFailsTheConnectionWith1002 (duplex-lib)");
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C3_rsvBitsWithoutAnExtensionGet1002(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            for (int rsv : new int[] {0x40, 0x20, 0x10, 0x70}) {
                RawPeer peer = s.upgrade("/echo");
                s.send(peer, frame(true, rsv, TEXT, HI));
                s.expectClose(peer, 1002);
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C4_rsv1OnAControlFrameOrContinuationUnderDeflateGets1002(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer ping = s.upgradeWithDeflate("/echo");
            s.send(ping, frame(true, 0x40, PING, HI));
            s.expectClose(ping, 1002);
            RawPeer continuation = s.upgradeWithDeflate("/echo");
            s.send(continuation, cat(frame(false, 0, TEXT, HI), frame(true, 0x40, CONTINUATION, HI)));
            s.expectClose(continuation, 1002);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C5_reservedOpcodeGets1002FromTheHeaderAlone(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            for (int opcode : new int[] {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
                RawPeer peer = s.upgrade("/echo");
                // Two bytes: a 16-bit length is announced but never sent, so only the header can decide.
                s.send(peer, bytes(0x80 | opcode, 0x80 | 126));
                s.expectClose(peer, 1002);
            }
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C6_longOrFragmentedControlFrameGets1002(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer longPing = s.upgrade("/echo");
            s.send(longPing, RawPeer.headerBytes(0x80 | PING, 126, true)); // header only: 126 > 125
            s.expectClose(longPing, 1002);
            RawPeer longClose = s.upgrade("/echo");
            s.send(longClose, frame(true, 0, CLOSE, new byte[126]));
            s.expectClose(longClose, 1002);
            RawPeer fragmented = s.upgrade("/echo");
            s.send(fragmented, frame(false, 0, PING, HI));
            s.expectClose(fragmented, 1002);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C7_continuationWithoutMessageOrMessageInsideMessageGets1002(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer orphan = s.upgrade("/echo");
            s.send(orphan, frame(true, 0, CONTINUATION, HI));
            s.expectClose(orphan, 1002);
            RawPeer nested = s.upgrade("/echo");
            s.send(nested, cat(frame(false, 0, TEXT, HI), frame(true, 0, BINARY, HI)));
            s.expectClose(nested, 1002);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C8_controlFramesBetweenFragmentsAreHandledAndTheMessageContinues(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            s.send(peer, cat(frame(false, 0, TEXT, "Hel".getBytes(UTF_8)), frame(true, 0, PING, HI),
                    frame(true, 0, PONG, HI), frame(true, 0, CONTINUATION, "lo".getBytes(UTF_8))));
            s.expectFrame(peer, echoOf(PONG, HI));
            s.expectFrame(peer, echoOf("Hello"));
            s.send(peer, Frames.close(1000, new byte[0]));
            s.expectClose(peer, 1000);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C9_hugeOrTopBitLengthIsRefusedBeforeAllocating(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            // Headers only: the payloads they announce are never sent.
            RawPeer topBit = s.upgrade("/echo");
            s.send(topBit, RawPeer.headerBytes(0x80 | BINARY, Long.MIN_VALUE, true));
            s.expectClose(topBit, 1002);
            RawPeer huge = s.upgrade("/echo");
            s.send(huge, RawPeer.headerBytes(0x80 | BINARY, Long.MAX_VALUE, true));
            s.expectClose(huge, 1009);
            RawPeer overLimit = s.upgrade("/echo");
            s.send(overLimit, RawPeer.headerBytes(0x80 | BINARY, CatalogueServers.MAX_MESSAGE_SIZE + 1, true));
            s.expectClose(overLimit, 1009);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C10_nonMinimalLengthIsAcceptedByDefault(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            // "Hello" with its length in the 16-bit form and then the 64-bit form; key 0 masks nothing.
            s.send(peer, cat(bytes(0x81, 0x80 | 126, 0, 5, 0, 0, 0, 0), "Hello".getBytes(UTF_8),
                    bytes(0x81, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0), "Hello".getBytes(UTF_8)));
            s.expectFrame(peer, echoOf("Hello"));
            s.expectFrame(peer, echoOf("Hello"));
            s.note("lenient by default; Limits.strictLengthEncoding makes it 1002 (protocol tests)");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C11_framesSplitAtEveryByteGiveTheSameMessages(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            byte[] medium = new byte[300];
            Arrays.fill(medium, (byte) 'm');
            s.send(peer, cat(text("short"), frame(true, 0, BINARY, medium), frame(false, 0, TEXT, "frag".getBytes(UTF_8)),
                    frame(true, 0, CONTINUATION, "mented".getBytes(UTF_8))));
            s.expectFrame(peer, echoOf("short"));
            s.expectFrame(peer, echoOf(BINARY, medium));
            s.expectFrame(peer, echoOf("fragmented"));
            s.note(delivery == Delivery.BYTE_AT_A_TIME ? "every header and payload split at every byte" : "contiguous");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C12_endlessEmptyContinuationsHitTheFragmentLimitWith1009(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            byte[][] frames = new byte[CatalogueServers.MAX_FRAGMENTS + 1][];
            frames[0] = frame(false, 0, TEXT, new byte[0]);
            for (int i = 1; i < frames.length; i++) {
                frames[i] = frame(false, 0, CONTINUATION, new byte[0]);
            }
            s.send(peer, cat(frames));
            s.expectClose(peer, 1009);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void C13_nothingAfterACloseOrAFailureIsProcessed(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer afterClose = s.upgrade("/echo");
            s.send(afterClose, cat(Frames.close(1000, new byte[0]), text("too late")));
            s.expectClose(afterClose, 1000); // and no echo, before or after it
            RawPeer afterFailure = s.upgrade("/echo");
            s.send(afterFailure, cat(RawPeer.frame(true, 0, TEXT, HI, false), text("too late")));
            s.expectClose(afterFailure, 1002);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void D1_fragmentsOverTheMessageLimitGet1009(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            int half = (int) (CatalogueServers.MAX_MESSAGE_SIZE / 2 + 1);
            // The second header alone takes the sum past the limit: its payload never comes.
            s.send(peer, cat(frame(false, 0, BINARY, new byte[half]), RawPeer.headerBytes(CONTINUATION, half, true)));
            s.expectClose(peer, 1009);
            s.note("whole only: 32 KiB one TLS record per byte is a volume test, not a parsing one");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void D2_fragmentCountIsLimitedPerMessage(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            byte[] fullMessage = fragments(CatalogueServers.MAX_FRAGMENTS);
            // Two messages at the limit: the count starts again for each.
            s.send(peer, cat(fullMessage, fullMessage));
            String joined = "x".repeat(CatalogueServers.MAX_FRAGMENTS);
            s.expectFrame(peer, echoOf(joined));
            s.expectFrame(peer, echoOf(joined));
            s.send(peer, fragments(CatalogueServers.MAX_FRAGMENTS + 1));
            s.expectClose(peer, 1009);
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#transports")
    void D3_messageWhoseFinNeverComesGets1008AtTheDeadline(Transport transport, Delivery delivery) throws Exception {
        Duration timeout = CatalogueServers.MESSAGE_TIMEOUT;
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            s.send(peer, frame(false, 0, TEXT, HI));
            RawPeer.Frame close = peer.readFrame();
            long ms = s.expectEnd(peer, timeout.minusMillis(100), timeout.plusSeconds(2));
            if (close.closeCode() != 1008) {
                throw new AssertionError("expected 1008, got " + close);
            }
            s.note("1008, closed after " + ms + " ms (deadline " + timeout.toMillis() + " ms)");
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void D4_invalidUtf8Gets1007AtTheFirstBadByte(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            int[][] invalid = {
                {0xC0, 0xAF},                 // overlong '/'
                {0xE0, 0x80, 0xAF},           // overlong, three bytes
                {0xED, 0xA0, 0x80},           // a surrogate
                {0xF4, 0x90, 0x80, 0x80},     // above U+10FFFF
                {0xF5, 0x80, 0x80, 0x80},     // never a lead byte
                {0x61, 0xE2, 0x82}};          // ends inside a code point
            for (int[] bad : invalid) {
                RawPeer peer = s.upgrade("/echo");
                s.send(peer, frame(true, 0, TEXT, bytes(bad)));
                s.expectClose(peer, 1007);
            }
            // Inside an unfinished fragment: failed at once, without waiting for the rest.
            RawPeer unfinished = s.upgrade("/echo");
            s.send(unfinished, frame(false, 0, TEXT, bytes(0x61, 0xED, 0xA0, 0x80)));
            s.expectClose(unfinished, 1007);
            // A code point split across fragments is valid.
            RawPeer split = s.upgrade("/echo");
            s.send(split, cat(frame(false, 0, TEXT, bytes(0xF0, 0x9F)), frame(true, 0, CONTINUATION, bytes(0x98, 0x80))));
            s.expectFrame(split, echoOf("\uD83D\uDE00"));
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void D5_noncharactersReplacementCharacterAndBomAreAccepted(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            RawPeer peer = s.upgrade("/echo");
            String text = "\uFEFF bom \uFFFD replacement \uFFFF \uFDD0 \uDBFF\uDFFF noncharacters";
            s.send(peer, text(text));
            s.expectFrame(peer, echoOf(text));
        });
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("dev.duplex.compliance.catalogue.CatalogueServers#variants")
    void D6_badBytesAreNeverReplacedSilently(Transport transport, Delivery delivery) throws Exception {
        servers.row(transport, delivery, s -> {
            // As binary the bytes are data and come back exactly; as text they fail, never
            // arriving at the handler with U+FFFD in their place.
            RawPeer binary = s.upgrade("/echo");
            s.send(binary, frame(true, 0, BINARY, bytes(0x61, 0xFF, 0x62)));
            s.expectFrame(binary, echoOf(BINARY, bytes(0x61, 0xFF, 0x62)));
            RawPeer text = s.upgrade("/echo");
            s.send(text, frame(true, 0, TEXT, bytes(0x61, 0xFF, 0x62)));
            s.expectClose(text, 1007);
        });
    }

    /** One text message of {@code count} one-byte fragments. */
    private static byte[] fragments(int count) {
        byte[][] frames = new byte[count][];
        for (int i = 0; i < count; i++) {
            frames[i] = frame(i == count - 1, 0, i == 0 ? TEXT : CONTINUATION, bytes('x'));
        }
        return cat(frames);
    }
}
