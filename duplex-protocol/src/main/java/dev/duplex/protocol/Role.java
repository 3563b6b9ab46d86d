package dev.duplex.protocol;

/** Which end of the connection this is: it decides who masks (RFC 6455 5.1). */
public enum Role {
    /** Sends unmasked frames and requires masked ones. */
    SERVER,
    /** Sends masked frames and refuses masked ones. */
    CLIENT
}
