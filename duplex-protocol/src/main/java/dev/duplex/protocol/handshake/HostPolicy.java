package dev.duplex.protocol.handshake;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which names a server answers to in the {@code Host} field (row A20). It stops DNS
 * rebinding: a page on {@code evil.example}, whose name the attacker then points at the
 * server's address, sends {@code Host: evil.example} with a matching {@code Origin}, so a
 * same-origin check alone lets it in. A server that knows its own names refuses the request
 * before the origin check; the webpack dev server and Jupyter check the same thing.
 *
 * <p>An entry is a host name ({@code chat.example.com}), a name with a leading dot for it and
 * every name under it ({@code .example.com}), or an address ({@code 127.0.0.1},
 * {@code [::1]}). Names compare without case, port or trailing dot. A request whose Host is
 * missing, repeated or malformed is left to the handshake, which answers 400.
 *
 * <p>Immutable and safe to share between threads.
 */
public final class HostPolicy {
    /** The names of the loopback interface: what a server bound to it answers to by default. */
    public static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "[::1]");

    private static final HostPolicy ANY = new HostPolicy(Set.of(), List.of(), true, true);

    private final Set<String> names;
    private final List<String> suffixes;
    private final boolean addresses;
    private final boolean any;

    private HostPolicy(Set<String> names, List<String> suffixes, boolean addresses, boolean any) {
        this.names = names;
        this.suffixes = suffixes;
        this.addresses = addresses;
        this.any = any;
    }

    /** Every Host: for a server behind a proxy that checks it, or that has no browser clients. */
    public static HostPolicy any() {
        return ANY;
    }

    /**
     * These names and addresses only.
     *
     * @throws IllegalArgumentException for an entry that is not a host name, a name with a
     *     leading dot, or an address
     */
    public static HostPolicy allowing(Collection<String> entries) {
        java.util.HashSet<String> names = new java.util.HashSet<>();
        List<String> suffixes = new ArrayList<>();
        for (String entry : entries) {
            String e = normalise(entry.strip());
            boolean suffix = e.startsWith(".");
            Authority parsed = Authority.parse(suffix ? e.substring(1) : e);
            if (parsed == null || parsed.port() >= 0 || parsed.host().isEmpty()) {
                throw new IllegalArgumentException("not a host name or address: '" + entry + "'");
            }
            if (suffix) {
                suffixes.add(parsed.host());
            } else {
                names.add(parsed.host());
            }
        }
        return new HostPolicy(Set.copyOf(names), List.copyOf(suffixes), false, false);
    }

    /**
     * This policy, and any IP address literal besides ({@code 192.0.2.7}, {@code [2001:db8::1]}):
     * for a server bound to all interfaces, whose addresses a client may use directly. An
     * address cannot be rebound, since no page is served from a name that resolves to it.
     */
    public HostPolicy orAnyAddress() {
        return any ? this : new HostPolicy(names, suffixes, true, false);
    }

    /** Whether the request's Host is one of the names allowed; see the class comment. */
    public boolean allows(HttpRequest request) {
        if (any) {
            return true;
        }
        List<String> hosts = request.headers().all("Host");
        if (hosts.size() != 1) {
            return true; // the handshake answers 400
        }
        Authority authority = Authority.parse(hosts.get(0));
        if (authority == null) {
            return true; // the handshake answers 400
        }
        return allowsHost(normalise(authority.host()));
    }

    private boolean allowsHost(String host) {
        if (names.contains(host)) {
            return true;
        }
        for (String suffix : suffixes) {
            if (host.equals(suffix) || host.endsWith("." + suffix)) {
                return true;
            }
        }
        return addresses && isAddressLiteral(host);
    }

    /** A dotted-quad IPv4 address, or a bracketed IPv6 one (already checked by {@link Authority}). */
    static boolean isAddressLiteral(String host) {
        if (host.startsWith("[")) {
            return true;
        }
        String[] parts = host.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static String normalise(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") && h.length() > 1 ? h.substring(0, h.length() - 1) : h;
    }

    @Override
    public String toString() {
        if (any) {
            return "HostPolicy[any]";
        }
        List<String> all = new ArrayList<>(names);
        suffixes.forEach(s -> all.add("." + s));
        return "HostPolicy[" + String.join(", ", all.stream().sorted().toList()) + (addresses ? ", any address" : "") + "]";
    }
}
