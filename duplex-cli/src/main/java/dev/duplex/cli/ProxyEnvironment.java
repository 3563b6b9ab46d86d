package dev.duplex.cli;

import dev.duplex.ProxyOptions;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;

/**
 * The proxy {@code duplex connect} uses, chosen as curl chooses: {@code --proxy URL} first, then
 * for {@code wss} {@code HTTPS_PROXY} (or {@code https_proxy}), for {@code ws} {@code http_proxy}
 * (lowercase only, as curl reads it: a CGI program's environment can carry {@code HTTP_PROXY}
 * from a request's {@code Proxy} header), then {@code ALL_PROXY}; none of these, and the JDK's
 * own proxy properties apply. {@code NO_PROXY} (or {@code no_proxy}) names hosts that bypass any
 * proxy: a comma-separated list of names, each matching itself and its subdomains (a leading dot
 * is optional), IP addresses, CIDR ranges such as {@code 10.0.0.0/8}, or {@code *} for every host.
 */
final class ProxyEnvironment {
    private ProxyEnvironment() {}

    /**
     * @param flag the value of {@code --proxy}, or null
     * @throws IllegalArgumentException when the proxy URL cannot be used; the message never
     *     repeats its credentials
     */
    static ProxyOptions choose(String flag, URI target, Map<String, String> env) {
        String host = target.getHost();
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String chosen = flag;
        String source = "--proxy";
        if (chosen == null) {
            boolean secure = "wss".equalsIgnoreCase(target.getScheme());
            String[] names = secure ? new String[] {"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"}
                    : new String[] {"http_proxy", "ALL_PROXY", "all_proxy"};
            for (String name : names) {
                String value = env.get(name);
                if (value != null && !value.isBlank()) {
                    chosen = value.trim();
                    source = name;
                    break;
                }
            }
        }
        if (host != null && bypasses(firstOf(env, "NO_PROXY", "no_proxy"), host)) {
            return ProxyOptions.DIRECT;
        }
        if (chosen == null) {
            return ProxyOptions.SYSTEM;
        }
        try {
            return ProxyOptions.parse(chosen);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage());
        }
    }

    private static String firstOf(Map<String, String> env, String... names) {
        for (String name : names) {
            String value = env.get(name);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** Whether {@code host} is in a {@code NO_PROXY} list. */
    static boolean bypasses(String noProxy, String host) {
        if (noProxy == null || noProxy.isBlank()) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        for (String raw : noProxy.split(",")) {
            String entry = raw.trim().toLowerCase(Locale.ROOT);
            if (entry.isEmpty()) {
                continue;
            }
            if (entry.equals("*")) {
                return true;
            }
            if (entry.startsWith("[") && entry.contains("]")) {
                entry = entry.substring(1, entry.indexOf(']')) + entry.substring(entry.indexOf(']') + 1);
            }
            if (entry.contains("/")) {
                if (inRange(entry, name)) {
                    return true;
                }
                continue;
            }
            if (entry.startsWith(".")) {
                entry = entry.substring(1);
            }
            if (entry.endsWith(".")) {
                entry = entry.substring(0, entry.length() - 1);
            }
            if (name.equals(entry) || (!isIpLiteral(name) && name.endsWith("." + entry))) {
                return true;
            }
            if (isIpLiteral(name) && isIpLiteral(entry) && sameAddress(name, entry)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || (!host.isEmpty() && host.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9')));
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b)); // literals: no lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** {@code address/bits} holding the literal {@code host}; a name is never in a range. */
    private static boolean inRange(String cidr, String host) {
        int slash = cidr.indexOf('/');
        String network = cidr.substring(0, slash);
        if (!isIpLiteral(network) || !isIpLiteral(host)) {
            return false;
        }
        try {
            byte[] net = InetAddress.getByName(network).getAddress();
            byte[] addr = InetAddress.getByName(host).getAddress();
            int bits = Integer.parseInt(cidr.substring(slash + 1).trim());
            if (net.length != addr.length || bits < 0 || bits > net.length * 8) {
                return false;
            }
            int shift = net.length * 8 - bits;
            return new BigInteger(1, net).shiftRight(shift).equals(new BigInteger(1, addr).shiftRight(shift));
        } catch (UnknownHostException | NumberFormatException e) {
            return false;
        }
    }
}
