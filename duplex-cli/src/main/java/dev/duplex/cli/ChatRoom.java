package dev.duplex.cli;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketHandler;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The demo's chat room at {@code /chat}: everyone connected sees every message. The name comes
 * from the query ({@code /chat?name=Ada}); each text message from a member is one chat line, so
 * {@code duplex connect ws://localhost:8080/chat?name=Ada} can take part from a terminal. The
 * room answers in JSON objects, one per message:
 * <ul>
 *   <li>{@code {"type":"welcome","name":..,"members":[..],"history":[..]}} to a newcomer, with
 *       the last {@value #HISTORY} chat messages;
 *   <li>{@code {"type":"join"|"leave","name":..,"count":..,"time":..}} to everyone else;
 *   <li>{@code {"type":"message","name":..,"text":..,"time":..}} to everyone, the sender too;
 *   <li>{@code {"type":"refused","reason":..}} to a sender whose line was not posted (longer
 *       than {@value #MAX_TEXT} code points), so nothing it typed disappears in silence;
 *   <li>{@code {"type":"missed","count":..}} to a member that fell behind, before the next
 *       message it is sent (see below).
 * </ul>
 * A binary message is refused with 1003 (unsupported data), which shows a close code in the
 * demo. Row H8: a member whose backlog is past its soft limit is not sent what is posted
 * meanwhile, so one member that does not read cannot make the room queue every message for
 * it; it misses those messages and is told how many once it catches up. One that never reads
 * again is closed by the write-stall deadline. Safe for concurrent use: each connection calls
 * in on its own thread.
 */
final class ChatRoom implements WebSocketHandler {
    /** Chat messages a newcomer is sent. */
    static final int HISTORY = 50;
    static final int MAX_NAME = 32;
    static final int MAX_TEXT = 2000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Map<WebSocket, String> members = new LinkedHashMap<>();
    private final ArrayDeque<String> history = new ArrayDeque<>(HISTORY);
    private final AtomicInteger guests = new AtomicInteger();
    /** Messages each member missed while it was behind, not yet told of. */
    private final Map<WebSocket, AtomicInteger> missed = new ConcurrentHashMap<>();

    @Override
    public void onOpen(WebSocket socket) {
        String wanted = clean(socket.handshake().request().queryParameter("name").orElse(""), MAX_NAME);
        String name;
        List<String> names;
        List<String> past;
        List<WebSocket> others;
        lock.lock();
        try {
            name = unique(wanted.isEmpty() ? "guest-" + guests.incrementAndGet() : wanted);
            others = List.copyOf(members.keySet());
            members.put(socket, name);
            names = List.copyOf(members.values());
            past = List.copyOf(history);
        } finally {
            lock.unlock();
        }
        // The newcomer learns of itself from the welcome; the others from the join notice.
        send(socket, JsonWriter.object().string("type", "welcome").string("name", name)
                .raw("members", JsonWriter.strings(names)).raw("history", JsonWriter.array(past)).toString());
        broadcast(others, notice("join", name, names.size()));
    }

    @Override
    public void onMessage(WebSocket socket, Message message) {
        if (!(message instanceof Message.Text text)) {
            socket.close(1003, "the chat takes text messages only");
            return;
        }
        String line = clean(text.text(), Integer.MAX_VALUE);
        if (line.codePointCount(0, line.length()) > MAX_TEXT) {
            send(socket, JsonWriter.object().string("type", "refused")
                    .string("reason", "a line holds at most " + MAX_TEXT + " characters; this one was not posted")
                    .toString());
            return;
        }
        if (line.isEmpty()) {
            return;
        }
        List<WebSocket> everyone;
        String json;
        lock.lock();
        try {
            String name = members.get(socket);
            if (name == null) {
                return; // left while this message was on its way
            }
            json = JsonWriter.object().string("type", "message").string("name", name).string("text", line)
                    .number("time", System.currentTimeMillis()).toString();
            if (history.size() == HISTORY) {
                history.removeFirst();
            }
            history.addLast(json);
            everyone = List.copyOf(members.keySet());
        } finally {
            lock.unlock();
        }
        broadcast(everyone, json);
    }

    @Override
    public void onClose(WebSocket socket, int code, String reason) {
        String name;
        List<WebSocket> everyone;
        int count;
        missed.remove(socket);
        lock.lock();
        try {
            name = members.remove(socket);
            everyone = List.copyOf(members.keySet());
            count = members.size();
        } finally {
            lock.unlock();
        }
        if (name != null) {
            broadcast(everyone, notice("leave", name, count));
        }
    }

    /** The members now, for tests and the banner. */
    List<String> names() {
        lock.lock();
        try {
            return new ArrayList<>(members.values());
        } finally {
            lock.unlock();
        }
    }

    private static String notice(String type, String name, int count) {
        return JsonWriter.object().string("type", type).string("name", name).number("count", count)
                .number("time", System.currentTimeMillis()).toString();
    }

    private void broadcast(List<WebSocket> sockets, String json) {
        for (WebSocket s : sockets) {
            send(s, json);
        }
    }

    /**
     * Sends without waiting, unless the member is behind (row H8): then the message is counted
     * as missed instead, and the count goes out before the next message it is sent. So the
     * room holds at most a soft limit's worth for each member. A send that fails anyway has
     * closed the connection and been logged by the library.
     */
    private CompletableFuture<Void> send(WebSocket socket, String json) {
        AtomicInteger behind = missed.computeIfAbsent(socket, s -> new AtomicInteger());
        if (!socket.isWritable()) {
            behind.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }
        int count = behind.getAndSet(0);
        if (count > 0) {
            socket.sendText(JsonWriter.object().string("type", "missed").number("count", count).toString());
        }
        return socket.sendText(json);
    }

    /** Adds " (2)", " (3)"... to a name already taken. Holds the lock. */
    private String unique(String name) {
        if (!members.containsValue(name)) {
            return name;
        }
        for (int n = 2; ; n++) {
            String candidate = name + " (" + n + ")";
            if (!members.containsValue(candidate)) {
                return candidate;
            }
        }
    }

    /** Trims, drops control characters (a name is one line), and cuts to {@code max} code points. */
    static String clean(String s, int max) {
        StringBuilder sb = new StringBuilder();
        int[] count = {0};
        s.strip().codePoints().forEach(cp -> {
            if (count[0] < max && !Character.isISOControl(cp) && cp != 0x2028 && cp != 0x2029) {
                sb.appendCodePoint(cp);
                count[0]++;
            }
        });
        return sb.toString().strip();
    }
}
