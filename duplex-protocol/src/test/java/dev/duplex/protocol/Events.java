package dev.duplex.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** Feeding a connection and reading its events back in a form tests can compare. */
final class Events {
    private Events() {}

    /** Takes every event the connection can decode from what it holds now. */
    static List<Event> drain(Connection c) {
        List<Event> events = new ArrayList<>();
        for (Event e = c.nextEvent(); e != null; e = c.nextEvent()) {
            events.add(e);
        }
        return events;
    }

    /** Feeds each chunk in turn, draining the events after each, as a transport would. */
    static List<Event> feed(Connection c, byte[]... chunks) {
        List<Event> events = new ArrayList<>();
        for (byte[] chunk : chunks) {
            c.receiveData(ByteBuffer.wrap(chunk));
            events.addAll(drain(c));
        }
        return events;
    }

    /** Feeds the bytes one at a time. */
    static List<Event> feedBytewise(Connection c, byte[] stream) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < stream.length; i++) {
            c.receiveData(ByteBuffer.wrap(stream, i, 1));
            events.addAll(drain(c));
        }
        return events;
    }

    /**
     * The event as a string that compares by value: the records holding arrays compare by
     * identity, which is no use to a test.
     */
    static String describe(Event e) {
        return switch (e) {
            case Event.Text t -> "Text[" + t.text() + "]";
            case Event.Binary b -> "Binary[" + RawFrames.hex(b.data()) + "]";
            case Event.Ping p -> "Ping[" + RawFrames.hex(p.payload()) + "]";
            case Event.Pong p -> "Pong[" + RawFrames.hex(p.payload()) + "]";
            case Event.CloseReceived c -> "CloseReceived[" + c.code() + ", " + c.reason() + "]";
            case Event.Failure f -> "Failure[" + f.code() + "]";
            case Event.EndOfStream eos -> "EndOfStream";
        };
    }

    static List<String> describe(List<Event> events) {
        return events.stream().map(Events::describe).toList();
    }

    /** The event that failed the connection, or an assertion error naming what came instead. */
    static Event.Failure lastFailure(List<Event> events) {
        if (events.isEmpty() || !(events.get(events.size() - 1) instanceof Event.Failure f)) {
            throw new AssertionError("expected the events to end in a Failure: " + describe(events));
        }
        return f;
    }
}
