package dev.netscan.discovery;

import java.net.InetAddress;

/**
 * Told about each host {@link OnLinkDiscovery} finds, so it can be registered like a swept one.
 * Called on the thread running {@link OnLinkDiscovery#discover()}; may block briefly. A host found
 * by both methods in one round is reported once per method.
 */
@FunctionalInterface
public interface OnLinkListener {

    /** How a host was found. */
    enum Source {
        /** It answered the echo to {@code ff02::1} on the interface. */
        ALL_NODES_ECHO,
        /** The kernel's neighbour table (ARP or NDP) lists it as resolved on the interface. */
        NEIGHBOUR_TABLE
    }

    /**
     * @param address an {@link java.net.Inet4Address} or {@link java.net.Inet6Address}; an IPv6
     *     link-local one carries its interface as scope
     * @param interfaceName the configured interface it was found on
     * @param source how it was found
     */
    void onFound(InetAddress address, String interfaceName, Source source);
}
