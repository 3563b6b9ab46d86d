package dev.duplex.protocol.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The request target: path, raw query, and strictly decoded query parameters. */
class HttpRequestTest {

    static HttpRequest target(String target) {
        return new HttpRequest("GET", target, "HTTP/1.1", Headers.empty());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "/chat                      | /chat        | ''",
        "/chat?room=1&x             | /chat        | room=1&x",
        "/a%2Fb?q?r                 | /a%2Fb       | q?r",
        "/?                         | /            | ''",
        "http://h.example/chat?x=1  | /chat        | x=1",
        "http://h.example           | /            | ''",
        "http://h.example?x=1       | /            | x=1",
        "*                          | *            | ''",
    })
    void pathAndQuery(String target, String path, String query) {
        assertEquals(path, target(target).path());
        assertEquals(query, target(target).query());
    }

    @Test
    void queryParametersArePercentDecodedStrictly() {
        HttpRequest r = target("/chat?ticket=a%2Bb%3D&name=caf%C3%A9&plus=a+b&flag&empty=&dup=1&dup=2&bad=%zz&trunc=%4"
                + "&utf=%C3&%74icket2=x");
        assertEquals(Optional.of("a+b="), r.queryParameter("ticket"));
        assertEquals(Optional.of("caf\u00e9"), r.queryParameter("name"));
        assertEquals(Optional.of("a+b"), r.queryParameter("plus"), "+ is literal");
        assertEquals(Optional.of(""), r.queryParameter("flag"));
        assertEquals(Optional.of(""), r.queryParameter("empty"));
        assertEquals(Optional.of("1"), r.queryParameter("dup"));
        assertEquals(Optional.empty(), r.queryParameter("bad"));
        assertEquals(Optional.empty(), r.queryParameter("trunc"));
        assertEquals(Optional.empty(), r.queryParameter("utf"), "invalid UTF-8");
        assertEquals(Optional.of("x"), r.queryParameter("ticket2"));
        assertEquals(Optional.empty(), r.queryParameter("missing"));
        assertEquals(Optional.empty(), target("/chat").queryParameter("ticket"));
        assertEquals(Optional.empty(), target("/chat?x=%\u0663\u0663").queryParameter("x"), "ASCII hex digits only");
    }

    @Test
    void toStringLeavesOutTheQueryAndValues() {
        HttpRequest r = new HttpRequest("GET", "/chat?ticket=secret", "HTTP/1.1",
                Headers.builder().add("Cookie", "secret").build());
        assertFalse(r.toString().contains("secret"), r.toString());
    }
}
