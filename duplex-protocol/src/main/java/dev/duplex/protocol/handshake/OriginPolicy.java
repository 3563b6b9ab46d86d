package dev.duplex.protocol.handshake;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * Which {@code Origin} a server accepts upgrade requests from (RFC 6455 4.2.2, 10.2). Browsers
 * send the origin of the page that opens the socket, and a page on another site may open one to
 * this server with the user's cookies: checking the origin is what stops cross-site WebSocket
 * hijacking. A refused origin is answered with 403 (row A8).
 *
 * <p>The rules shared by every checking policy:
 * <ul>
 *   <li>No {@code Origin} field: allowed. Only browsers are made to send one, and any other
 *       client can send what it likes, so absence proves nothing either way (row A9); protect
 *       such clients with authentication, not with this.
 *   <li>Several {@code Origin} fields: refused.
 *   <li>{@code Origin: null} (sandboxed frames, {@code file:} pages, some redirects): refused
 *       unless {@code "null"} is listed explicitly, since every such page sends the same value.
 *   <li>Any other value must be a serialised origin, {@code scheme://host[:port]}, equal to an
 *       allowed one once scheme and host are lower-cased and default ports (80 for http, 443 for
 *       https) dropped. Never a prefix or substring match: {@code http://example.com.evil.com}
 *       is not {@code http://example.com}.
 * </ul>
 *
 * <p>Same origin means an {@code http} or {@code https} origin whose host and port are those of
 * the request's {@code Host} field, a Host without a port matching the scheme's default port.
 * Both schemes count because the server cannot know which one the browser used when TLS ends at
 * a proxy in front of it: {@code http://example.com:8080} and {@code https://example.com:8080}
 * are both same-origin with {@code Host: example.com:8080}, while {@code https://example.com}
 * (port 443) is not same-origin with {@code Host: example.com:80}.
 *
 * <p>Policies are immutable and safe to share between threads.
 */
public sealed interface OriginPolicy permits AllowlistOriginPolicy, AnyOriginPolicy {

    /**
     * Whether the request's {@code Origin} is acceptable. Reads the {@code Origin} and
     * {@code Host} fields only.
     */
    boolean allows(HttpRequest request);

    /** Accepts the request's own origin only (and requests without an Origin). The default. */
    static OriginPolicy sameOrigin() {
        return AllowlistOriginPolicy.SAME_ORIGIN;
    }

    /**
     * Accepts the request's own origin and these origins, each a serialised origin such as
     * {@code https://app.example.com} or {@code http://localhost:3000}, or {@code "null"}.
     *
     * @throws IllegalArgumentException if an entry is neither; a path or trailing slash, for
     *     example, is refused rather than silently never matching
     */
    static OriginPolicy allowing(Collection<String> origins) {
        return AllowlistOriginPolicy.of(List.copyOf(origins));
    }

    /**
     * Accepts the request's own origin and every origin the predicate accepts, for rules an
     * allowlist cannot state (every subdomain of a site, origins kept in a database). The rules
     * above still come first: no Origin is allowed, several are refused, {@code null} and
     * values that are not a serialised origin are refused without asking the predicate. The
     * predicate sees the origin in its canonical form, {@code scheme://host[:port]} with scheme
     * and host lower-cased and a default port dropped, so it compares one spelling per origin;
     * it should still compare whole parts ({@code host.equals(..)} or
     * {@code host.endsWith(".example.com")}), never a bare substring of the string.
     *
     * <p>The predicate may be called from many threads at once. One that throws refuses the
     * origin: a broken check must not let a page through.
     */
    static OriginPolicy matching(Predicate<String> predicate) {
        return AllowlistOriginPolicy.matching(predicate);
    }

    /**
     * Accepts every origin: no checking at all. Only for servers that no browser can reach with
     * ambient credentials (cookies, client certificates, HTTP authentication), or that
     * authenticate every connection by other means; otherwise any web page can act as the user.
     */
    static OriginPolicy any() {
        return AnyOriginPolicy.INSTANCE;
    }
}
