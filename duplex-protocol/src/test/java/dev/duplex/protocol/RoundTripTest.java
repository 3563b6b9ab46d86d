package dev.duplex.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.duplex.protocol.Connection.State;
import dev.duplex.protocol.frame.Opcode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random round trips between a client and a server connection wired back to back:
 * any message × any fragmentation × either direction (so with and without masking), the bytes
 * handed over in chunks of random size. The receiver must see exactly what was sent.
 */
class RoundTripTest {
    private static final int TRIALS = 400;

    /** The two ends and what each has seen. */
    static final class Pair {
        final Connection client = new Connection(Role.CLIENT, Limits.DEFAULTS, null, new SecureRandom());
        final Connection server = new Connection(Role.SERVER, Limits.DEFAULTS, null, new SecureRandom());
        final List<String> clientEvents = new ArrayList<>();
        final List<String> serverEvents = new ArrayList<>();
        final Random random;

        Pair(Random random) {
            this.random = random;
        }

        /** Moves everything queued on either side to the other, in random chunks, until both are quiet. */
        void pump() {
            while (client.hasOutbound() || server.hasOutbound()) {
                transfer(client, server, serverEvents);
                transfer(server, client, clientEvents);
            }
        }

        private void transfer(Connection from, Connection to, List<String> seen) {
            byte[] bytes = RawFrames.join(from.takeOutbound());
            int at = 0;
            while (at < bytes.length) {
                int max = switch (random.nextInt(4)) {
                    case 0 -> 1;
                    case 1 -> 16;
                    case 2 -> 1500;
                    default -> 70_000;
                };
                int n = Math.min(bytes.length - at, 1 + random.nextInt(max));
                to.receiveData(ByteBuffer.wrap(bytes, at, n));
                for (Event e = to.nextEvent(); e != null; e = to.nextEvent()) {
                    seen.add(Events.describe(e));
                }
                at += n;
            }
        }
    }

    /** Text of random code points, astral ones included, of about {@code bytes} UTF-8 bytes. */
    static String randomText(Random r, int bytes) {
        StringBuilder sb = new StringBuilder();
        int size = 0;
        while (size < bytes) {
            int cp = switch (r.nextInt(4)) {
                case 0 -> r.nextInt(0x80);
                case 1 -> r.nextInt(0x80, 0x800);
                case 2 -> r.nextBoolean() ? r.nextInt(0x800, 0xd800) : r.nextInt(0xe000, 0x10000);
                default -> r.nextInt(0x10000, 0x110000);
            };
            sb.appendCodePoint(cp);
            size += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        }
        return sb.toString();
    }

    static int randomSize(Random r) {
        return switch (r.nextInt(10)) {
            case 0 -> r.nextInt(4_000, 70_001);
            case 1, 2, 3 -> r.nextInt(126, 4_000);
            case 4 -> r.nextInt(3);
            default -> r.nextInt(126);
        };
    }

    /** Sends one message from {@code sender}, whole or in random fragments, pings between them; returns what the receiver must see. */
    static List<String> sendMessage(Random r, Connection sender) {
        List<String> expected = new ArrayList<>();
        boolean text = r.nextBoolean();
        byte[] payload;
        if (text) {
            String s = randomText(r, randomSize(r));
            payload = s.getBytes(StandardCharsets.UTF_8);
            expected.add("Text[" + s + "]");
        } else {
            payload = new byte[randomSize(r)];
            r.nextBytes(payload);
            expected.add("Binary[" + RawFrames.hex(payload) + "]");
        }
        if (r.nextBoolean()) {
            if (text) {
                sender.sendText(new String(payload, StandardCharsets.UTF_8), r.nextBoolean());
            } else {
                sender.sendBinary(ByteBuffer.wrap(payload), r.nextBoolean());
            }
            return expected;
        }
        // Fragments cut at random bytes, so a code point is often split between two of them.
        List<String> controls = new ArrayList<>();
        int pieces = 1 + r.nextInt(8);
        int at = 0;
        for (int i = 0; i < pieces; i++) {
            int end = i == pieces - 1 ? payload.length : at + r.nextInt(payload.length - at + 1);
            Opcode opcode = i > 0 ? Opcode.CONTINUATION : text ? Opcode.TEXT : Opcode.BINARY;
            sender.sendFragment(opcode, ByteBuffer.wrap(payload, at, end - at), i == pieces - 1);
            at = end;
            if (i < pieces - 1 && r.nextInt(4) == 0) {
                byte[] ping = new byte[r.nextInt(126)];
                r.nextBytes(ping);
                sender.sendPing(ByteBuffer.wrap(ping));
                controls.add("Ping[" + RawFrames.hex(ping) + "]");
            }
        }
        controls.addAll(expected); // the pings arrive before the message they interrupt completes
        return controls;
    }

    @Test
    void anyMessageAnyFragmentationEitherDirectionArrivesIntact() {
        long seed = Long.getLong("duplex.test.seed", System.nanoTime());
        Random master = new Random(seed);
        for (int trial = 0; trial < TRIALS; trial++) {
            String context = "seed " + seed + " trial " + trial + " (rerun with -Dduplex.test.seed=" + seed + ")";
            Pair pair = new Pair(new Random(master.nextLong()));
            Random r = pair.random;
            List<String> toServer = new ArrayList<>();
            List<String> toClient = new ArrayList<>();
            int messages = 1 + r.nextInt(5);
            for (int m = 0; m < messages; m++) {
                boolean fromClient = r.nextBoolean();
                (fromClient ? toServer : toClient).addAll(sendMessage(r, fromClient ? pair.client : pair.server));
                if (r.nextBoolean()) {
                    pair.pump();
                }
            }
            pair.pump();
            // Pings are answered by pongs; only which ones is up to the receiver (F1), so set them aside.
            assertSameEvents(toServer, withoutPongs(pair.serverEvents), "client to server, " + context);
            assertSameEvents(toClient, withoutPongs(pair.clientEvents), "server to client, " + context);
            assertPongsAnswerPings(toServer, pair.clientEvents, context);
            assertPongsAnswerPings(toClient, pair.serverEvents, context);

            // The close handshake, started by either end, completes on both.
            boolean clientCloses = r.nextBoolean();
            (clientCloses ? pair.client : pair.server).close(1000, "done " + trial);
            pair.pump();
            List<String> closerSaw = clientCloses ? pair.clientEvents : pair.serverEvents;
            List<String> otherSaw = clientCloses ? pair.serverEvents : pair.clientEvents;
            assertEquals("CloseReceived[1000, done " + trial + "]", otherSaw.get(otherSaw.size() - 1), context);
            assertEquals("CloseReceived[1000, ]", closerSaw.get(closerSaw.size() - 1), context);
            assertEquals(State.CLOSED, pair.client.state(), context);
            assertEquals(State.CLOSED, pair.server.state(), context);
            assertTrue(pair.server.closeExpected(), context);
        }
    }

    /** Compares in full; on a difference, shows long events cut short so the report stays readable. */
    static void assertSameEvents(List<String> expected, List<String> actual, String context) {
        if (!expected.equals(actual)) {
            assertEquals(shorten(expected), shorten(actual), context);
            fail("events differ beyond what the shortened form shows, " + context);
        }
    }

    /** Long events cut to a prefix, their length and a hash. */
    static List<String> shorten(List<String> events) {
        return events.stream()
                .map(e -> e.length() <= 200 ? e : e.substring(0, 60) + "... (" + e.length() + " chars, hash "
                        + Integer.toHexString(e.hashCode()) + ")")
                .toList();
    }

    static List<String> withoutPongs(List<String> events) {
        return events.stream()
                .filter(e -> !e.startsWith("Pong[") && !e.startsWith("CloseReceived["))
                .toList();
    }

    /** Every pong answers a ping that was sent, in order, and the last ping is answered. */
    static void assertPongsAnswerPings(List<String> sent, List<String> senderEvents, String context) {
        List<String> pings = sent.stream().filter(e -> e.startsWith("Ping[")).map(e -> e.substring(4)).toList();
        List<String> pongs = senderEvents.stream().filter(e -> e.startsWith("Pong[")).map(e -> e.substring(4)).toList();
        int next = 0;
        for (String pong : pongs) {
            while (next < pings.size() && !pings.get(next).equals(pong)) {
                next++;
            }
            assertTrue(next < pings.size(), "pong " + pong + " answers no ping in order, " + context);
            next++;
        }
        if (!pings.isEmpty()) {
            assertEquals(pings.get(pings.size() - 1), pongs.isEmpty() ? null : pongs.get(pongs.size() - 1),
                    "the latest ping is answered, " + context);
        }
    }
}
