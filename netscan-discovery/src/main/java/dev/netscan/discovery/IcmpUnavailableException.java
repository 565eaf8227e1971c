package dev.netscan.discovery;

/**
 * Thrown by {@link IcmpEngine#start} when no ICMP socket can be opened; the message names what was
 * tried, why each failed, and both fixes (the {@code net.ipv4.ping_group_range} sysctl, or the
 * CAP_NET_RAW capability).
 */
public final class IcmpUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public IcmpUnavailableException(String message) {
        super(message);
    }
}
