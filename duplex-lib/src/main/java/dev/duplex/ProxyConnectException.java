package dev.duplex;

import java.io.IOException;

/**
 * A proxy would not open the tunnel to the server: an HTTP proxy answered {@code CONNECT} with
 * something other than 2xx (407 when it wants credentials, or other ones), or a SOCKS5 proxy
 * refused the method, the credentials or the connection. The message names the proxy (host and
 * port only) and what it answered; it never holds the credentials.
 */
public final class ProxyConnectException extends IOException {
    /** {@link #status()} when the proxy sent nothing that could be read as an answer. */
    public static final int NO_STATUS = -1;
    /**
     * {@link #status()} when a SOCKS5 proxy accepted none of the methods offered (RFC 1928 3:
     * X'FF', e.g. it wants a login and none was given) or refused the username and password.
     */
    public static final int SOCKS5_AUTHENTICATION_FAILED = 0x100;

    private final ProxyOptions.Type proxyType;
    private final int status;

    /**
     * @param proxyType {@link ProxyOptions.Type#HTTP} or {@link ProxyOptions.Type#SOCKS5}
     * @param status the HTTP status, or the SOCKS5 reply code (RFC 1928 6; for a refused
     *     RFC 1929 login, the status byte the proxy sent), or {@link #NO_STATUS}
     */
    public ProxyConnectException(String message, ProxyOptions.Type proxyType, int status) {
        super(message);
        this.proxyType = proxyType;
        this.status = status;
    }

    /** Which kind of proxy refused. */
    public ProxyOptions.Type proxyType() {
        return proxyType;
    }

    /**
     * The HTTP status an HTTP proxy answered ({@code 407} when it wants credentials or refused
     * those given), or the SOCKS5 reply code; {@link #NO_STATUS} when there was none.
     */
    public int status() {
        return status;
    }

    /**
     * Whether the proxy asked for credentials or refused the ones given: 407 from an HTTP proxy
     * (RFC 9110 15.5.8), or 401, which some (tinyproxy among them) send for wrong ones; for
     * SOCKS5, {@link #SOCKS5_AUTHENTICATION_FAILED}.
     */
    public boolean authenticationRequired() {
        return proxyType == ProxyOptions.Type.HTTP ? status == 407 || status == 401
                : status == SOCKS5_AUTHENTICATION_FAILED;
    }
}
