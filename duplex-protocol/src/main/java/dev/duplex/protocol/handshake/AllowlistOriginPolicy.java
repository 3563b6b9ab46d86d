package dev.duplex.protocol.handshake;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The checking {@link OriginPolicy}: same origin plus an allowlist or a predicate, by the rules
 * it documents. One class for all three, so the rules that come before the list (absent,
 * repeated, {@code null}, malformed) are written once.
 */
final class AllowlistOriginPolicy implements OriginPolicy {
    static final AllowlistOriginPolicy SAME_ORIGIN = new AllowlistOriginPolicy(Set.of(), false, null);

    private final Set<SerialisedOrigin> allowed;
    private final boolean allowsNull;
    private final Predicate<String> predicate; // null for none

    private AllowlistOriginPolicy(Set<SerialisedOrigin> allowed, boolean allowsNull, Predicate<String> predicate) {
        this.allowed = allowed;
        this.allowsNull = allowsNull;
        this.predicate = predicate;
    }

    static AllowlistOriginPolicy matching(Predicate<String> predicate) {
        return new AllowlistOriginPolicy(Set.of(), false, Objects.requireNonNull(predicate, "predicate"));
    }

    static AllowlistOriginPolicy of(List<String> origins) {
        Set<SerialisedOrigin> allowed = new LinkedHashSet<>();
        boolean allowsNull = false;
        for (String entry : origins) {
            if (entry.equals("null")) {
                allowsNull = true;
                continue;
            }
            SerialisedOrigin origin = SerialisedOrigin.parse(entry);
            if (origin == null) {
                throw new IllegalArgumentException("not a serialised origin (scheme://host[:port]): " + entry);
            }
            allowed.add(origin);
        }
        return new AllowlistOriginPolicy(Set.copyOf(allowed), allowsNull, null);
    }

    @Override
    public boolean allows(HttpRequest request) {
        List<String> values = request.headers().all("Origin");
        if (values.isEmpty()) return true; // RFC 6455 4.1 item 8: only browsers must send it
        if (values.size() > 1) return false;
        String value = values.get(0);
        if (value.equals("null")) return allowsNull; // RFC 6454 7.1: an opaque origin
        SerialisedOrigin origin = SerialisedOrigin.parse(value);
        if (origin == null) return false;
        return allowed.contains(origin) || isSameOrigin(origin, request.headers()) || predicateAllows(origin);
    }

    /** Fails closed: a predicate that throws has not said yes. */
    private boolean predicateAllows(SerialisedOrigin origin) {
        if (predicate == null) return false;
        try {
            return predicate.test(origin.toString());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Same host and port as the one Host field, for http and https alike (see OriginPolicy). */
    private static boolean isSameOrigin(SerialisedOrigin origin, Headers headers) {
        if (!origin.scheme().equals("http") && !origin.scheme().equals("https")) return false;
        List<String> hosts = headers.all("Host");
        if (hosts.size() != 1) return false;
        Authority host = Authority.parse(hosts.get(0));
        if (host == null || !host.host().equals(origin.host())) return false;
        return host.port() < 0 ? origin.port() < 0 : host.port() == origin.effectivePort();
    }

    @Override
    public String toString() {
        return "OriginPolicy[same origin" + (allowed.isEmpty() ? "" : ", " + allowed)
                + (allowsNull ? ", null" : "") + (predicate == null ? "" : ", matching a predicate") + "]";
    }
}
