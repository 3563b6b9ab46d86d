package dev.duplex.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.duplex.Message;
import dev.duplex.WebSocket;
import dev.duplex.WebSocketClient;
import dev.duplex.WebSocketHandler;
import dev.duplex.WebSocketServer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo's chat room at /chat, as {@code duplex serve} wires it, driven by Duplex's own client. */
class ChatRoomTest {
    private static final int TIMEOUT_MILLIS = 5_000;
    private WebSocketServer server;

    @BeforeEach
    void start() {
        server = ServeCommand.demo(WebSocketServer.builder().host("127.0.0.1").port(0), List.of()).build().start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    /** One member: what the room sent it, parsed, and how its connection closed. */
    final class Member implements WebSocketHandler {
        final LinkedBlockingQueue<Map<String, Object>> received = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        final WebSocket socket;

        Member(String name) throws Exception {
            String query = name == null ? "" : "?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
            socket = WebSocketClient.create().connect(URI.create("ws://127.0.0.1:" + server.port() + "/chat" + query), this)
                    .get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void onMessage(WebSocket s, Message message) {
            received.add(TraceJson.object(((Message.Text) message).text()));
        }

        @Override
        public void onClose(WebSocket s, int code, String reason) {
            closed.complete(code + " " + reason);
        }

        /** The next message of this type, skipping others. */
        Map<String, Object> next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
            while (true) {
                Map<String, Object> m = received.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new AssertionError("no " + type + " message arrived");
                }
                if (type.equals(m.get("type"))) {
                    return m;
                }
            }
        }

        void say(String text) throws Exception {
            socket.sendText(text).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    @Test
    void everyoneSeesEveryMessageWithItsSendersName() throws Exception {
        Member ada = new Member("Ada");
        assertEquals("Ada", ada.next("welcome").get("name"));
        Member bob = new Member("Bob");
        Map<String, Object> welcome = bob.next("welcome");
        assertEquals(List.of("Ada", "Bob"), welcome.get("members"));
        Map<String, Object> joined = ada.next("join");
        assertEquals("Bob", joined.get("name"));
        assertEquals(2L, joined.get("count"));

        ada.say("hello, Bob");
        for (Member m : List.of(ada, bob)) {
            Map<String, Object> message = m.next("message");
            assertEquals("Ada", message.get("name"));
            assertEquals("hello, Bob", message.get("text"));
            assertTrue(message.get("time") instanceof Long);
        }

        bob.socket.close(1000, "");
        Map<String, Object> left = ada.next("leave");
        assertEquals("Bob", left.get("name"));
        assertEquals(1L, left.get("count"));
    }

    @Test
    void newcomerGetsTheLast50MessagesInOrder() throws Exception {
        Member ada = new Member("Ada");
        for (int i = 1; i <= 55; i++) {
            ada.say("line " + i);
        }
        for (int i = 1; i <= 55; i++) {
            ada.next("message"); // all broadcast, so all in the history
        }
        Member late = new Member("Late");
        List<?> history = (List<?>) late.next("welcome").get("history");
        assertEquals(ChatRoom.HISTORY, history.size());
        assertEquals("line 6", ((Map<?, ?>) history.get(0)).get("text"));
        assertEquals("line 55", ((Map<?, ?>) history.get(49)).get("text"));
    }

    @Test
    void namesAreCleanedMadeUniqueAndDefaulted() throws Exception {
        Member first = new Member("  Ada\u001b[2J  ");
        assertEquals("Ada[2J", first.next("welcome").get("name"), "control characters dropped, spaces trimmed");
        Member second = new Member("Ada[2J");
        assertEquals("Ada[2J (2)", second.next("welcome").get("name"));
        Member anonymous = new Member(null);
        assertTrue(anonymous.next("welcome").get("name").toString().startsWith("guest-"));
        Member longName = new Member("x".repeat(100));
        assertEquals(ChatRoom.MAX_NAME, longName.next("welcome").get("name").toString().length());
    }

    @Test
    void binaryMessageIsRefusedWith1003() throws Exception {
        Member ada = new Member("Ada");
        ada.socket.sendBinary(new byte[] {1, 2, 3});
        assertEquals("1003 the chat takes text messages only", ada.closed.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS));
    }

    @Test
    void jsonFromTheRoomEscapesWhatMembersWrite() throws Exception {
        Member ada = new Member("Ada");
        String tricky = "quote \" backslash \\ tab\t line\u2028sep </script> ✓ 😀";
        ada.say(tricky);
        // Tabs and line separators are control-like and dropped; the rest round-trips through JSON.
        assertEquals("quote \" backslash \\ tab line sep </script> ✓ 😀".replace(" line sep", " linesep"),
                ada.next("message").get("text"));
    }
}
