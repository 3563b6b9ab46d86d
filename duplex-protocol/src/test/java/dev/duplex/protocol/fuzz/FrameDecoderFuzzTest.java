package dev.duplex.protocol.fuzz;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.duplex.protocol.CloseStatus;
import dev.duplex.protocol.Connection;
import dev.duplex.protocol.Event;
import dev.duplex.protocol.Limits;
import dev.duplex.protocol.Role;
import dev.duplex.protocol.extension.DeflateParameters;
import dev.duplex.protocol.extension.Extension;
import dev.duplex.protocol.extension.PerMessageDeflate;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Timeout;

/**
 * The frame decoder and the connection state machine fed arbitrary bytes, as a server and as a
 * client, with small limits and optionally permessage-deflate (rows C1–C13, D1–D4, E1–E6, G1–G3).
 * For every input:
 * <ul>
 *   <li>nothing is thrown: a broken stream ends in one {@link Event.Failure} whose code is one
 *       a {@code ProtocolException} carries (1002, 1007, 1008, 1009), and nothing follows it;
 *   <li>the connection never holds more than its message limit plus one read's worth of
 *       bytes and a fixed amount, whatever lengths the headers announce (C9);
 *   <li>between two reads it queues at most two frames (the latest pong and a close), so a
 *       ping flood cannot grow the outbound queue (F1);
 *   <li>the stream fed whole and fed in pieces gives the same events (C11).
 * </ul>
 *
 * <p>Input layout: flags (bit 0 client, bit 1 strict length encoding, bit 2 permessage-deflate,
 * bit 3 end of stream after the bytes, bit 4 the peer resets its deflate window per message),
 * the message limit in units of 16 bytes, the fragment limit less one, the split plan
 * ({@link FuzzInput#split}; 0 means one byte at a time here), then the bytes of the stream.
 */
class FrameDecoderFuzzTest {
    private static final Set<Integer> FAILURE_CODES = Set.of(
            CloseStatus.PROTOCOL_ERROR, CloseStatus.INVALID_PAYLOAD, CloseStatus.POLICY_VIOLATION,
            CloseStatus.MESSAGE_TOO_BIG);
    /** A close frame with a 123-byte reason, or a pong of 125 bytes, masked: 2 + 4 + 125. */
    private static final int LARGEST_CONTROL_FRAME = 131;
    /** Room for the peer's close reason and the small objects around the buffers. */
    private static final int SLACK = 1024;
    private static final int MIN_INBOUND_CAPACITY = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    record Options(Role role, Limits limits, boolean deflate, boolean peerResetsWindow, boolean endOfStream) {}

    @FuzzTest(maxDuration = FuzzTargets.MAX_DURATION)
    @Timeout(FuzzTargets.PER_INPUT_SECONDS)
    void connectionTurnsAnyBytesIntoEventsOrOneFailure(byte[] data) {
        FuzzInput input = new FuzzInput(data);
        int flags = input.nextByte();
        Limits limits = new Limits(input.nextByte() * 16L, 1 + input.nextByte(), (flags & 2) != 0);
        int plan = input.nextByte();
        Options options = new Options((flags & 1) != 0 ? Role.CLIENT : Role.SERVER, limits,
                (flags & 4) != 0, (flags & 16) != 0, (flags & 8) != 0);
        byte[] stream = input.rest();

        List<String> whole = run(options, new byte[][] {stream});
        List<String> pieces = run(options, FuzzInput.split(stream, plan == 0 ? 1 : plan));
        if (options.deflate() && whole.size() == pieces.size() && !whole.isEmpty()
                && isDeflateFailure(whole.getLast()) && isDeflateFailure(pieces.getLast())) {
            // zlib drops the output of the call that meets corrupt data, so whether a message
            // passes its limit before the corruption shows can depend on where the input was cut.
            whole = whole.subList(0, whole.size() - 1);
            pieces = pieces.subList(0, pieces.size() - 1);
        }
        assertEquals(whole, pieces, () -> "events differ between the stream fed whole and in pieces (plan "
                + plan + ") for " + options + ": " + HexFormat.of().formatHex(stream));
    }

    /** Feeds the pieces in order, checking every invariant on the way; returns the events. */
    private static List<String> run(Options options, byte[][] pieces) {
        Connection connection = new Connection(options.role(), options.limits(), extension(options), RANDOM);
        try {
            long fixed = ReachableBytes.of(connection);
            List<String> events = new ArrayList<>();
            for (byte[] piece : pieces) {
                ByteBuffer buffer = ByteBuffer.wrap(piece);
                connection.receiveData(buffer);
                assertEquals(0, buffer.remaining(), "receiveData takes every byte it is given");
                drain(connection, options, events);
                checkHeld(connection, fixed, options, piece.length);
            }
            if (options.endOfStream()) {
                connection.receiveEof();
                drain(connection, options, events);
            }
            return events;
        } finally {
            connection.release();
        }
    }

    /**
     * The connection may hold its fixed state, one message, one read and one control frame;
     * a bug that buffers what a header announces, or a message past its limit, shows here.
     */
    private static void checkHeld(Connection connection, long fixed, Options options, int read) {
        long held = ReachableBytes.of(connection);
        long bound = fixed + options.limits().maxMessageSize()
                + Math.max(MIN_INBOUND_CAPACITY, read + 14) + 125 + SLACK;
        assertTrue(held <= bound, () -> "the connection holds " + held + " bytes, over its bound of "
                + bound + " (" + options + ", read of " + read + " bytes)");
    }

    /** Takes every event there is and what the connection queued in answer to them. */
    private static void drain(Connection connection, Options options, List<String> events) {
        for (Event event = connection.nextEvent(); event != null; event = connection.nextEvent()) {
            if (!events.isEmpty() && isTerminal(events.getLast())) {
                fail("an event after " + events.getLast() + ": " + event);
            }
            events.add(check(event, options));
        }
        List<ByteBuffer> queued = connection.takeOutbound();
        int bytes = queued.stream().mapToInt(ByteBuffer::remaining).sum();
        assertTrue(queued.size() <= 2 && bytes <= 2 * LARGEST_CONTROL_FRAME,
                () -> "the protocol queued " + queued.size() + " frames, " + bytes + " bytes, in answer to one read");
        if (!events.isEmpty() && events.getLast().startsWith("Failure")) {
            assertEquals(Connection.State.CLOSED, connection.state(), "state after a failure");
            assertTrue(connection.closeExpected(), "a failed connection expects TCP to close");
        }
    }

    /** Checks one event against the limits and returns it as a comparable string. */
    private static String check(Event event, Options options) {
        long max = options.limits().maxMessageSize();
        return switch (event) {
            case Event.Text t -> {
                int length = t.text().getBytes(UTF_8).length;
                assertTrue(length <= max, () -> "text message of " + length + " bytes, limit " + max);
                yield "Text " + t.text();
            }
            case Event.Binary b -> {
                assertTrue(b.data().length <= max, () -> "binary message of " + b.data().length + " bytes, limit " + max);
                yield "Binary " + HexFormat.of().formatHex(b.data());
            }
            case Event.Ping p -> {
                assertTrue(p.payload().length <= 125, "ping payload over 125 bytes");
                yield "Ping " + HexFormat.of().formatHex(p.payload());
            }
            case Event.Pong p -> {
                assertTrue(p.payload().length <= 125, "pong payload over 125 bytes");
                yield "Pong " + HexFormat.of().formatHex(p.payload());
            }
            case Event.CloseReceived c -> {
                assertTrue(c.code() == CloseStatus.NO_STATUS_RECEIVED || isValidReceivedCode(c.code()),
                        () -> "close code " + c.code() + " accepted from the peer (row E3)");
                yield "CloseReceived " + c.code() + " " + c.reason();
            }
            case Event.Failure f -> {
                assertTrue(FAILURE_CODES.contains(f.code()), () -> "failure with code " + f.code() + ": " + f.reason());
                yield "Failure " + f.code();
            }
            case Event.EndOfStream e -> {
                assertTrue(options.endOfStream(), "end of stream reported but never received");
                yield "EndOfStream";
            }
        };
    }

    /** RFC 6455 7.4.1, 7.4.2: the codes a peer may send (row E4). */
    private static boolean isValidReceivedCode(int code) {
        return code >= 1000 && code <= 1003 || code >= 1007 && code <= 1014 || code >= 3000 && code <= 4999;
    }

    private static boolean isTerminal(String event) {
        return event.startsWith("Failure") || event.startsWith("CloseReceived") || event.equals("EndOfStream");
    }

    private static boolean isDeflateFailure(String event) {
        return event.equals("Failure 1007") || event.equals("Failure 1009");
    }

    private static Extension extension(Options options) {
        if (!options.deflate()) {
            return null;
        }
        // The parameters as the server's response states them; "the peer" is the other role.
        boolean peerIsClient = options.role() == Role.SERVER;
        DeflateParameters agreed = new DeflateParameters(
                !peerIsClient && options.peerResetsWindow(), peerIsClient && options.peerResetsWindow(),
                DeflateParameters.ABSENT, DeflateParameters.ABSENT);
        return PerMessageDeflate.of(options.role(), agreed, PerMessageDeflate.Config.DEFAULTS);
    }
}
