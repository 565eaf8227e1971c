package dev.netscan.discovery;

/** The kind of ICMP socket an {@link IcmpEngine} uses for an address family. */
public enum SocketKind {
    /**
     * {@code SOCK_DGRAM}/{@code IPPROTO_ICMP} ("ping socket"): needs no privilege when the
     * process's group is inside {@code net.ipv4.ping_group_range}; the kernel sets the ICMP
     * identifier and delivers only replies to this socket.
     */
    DATAGRAM,
    /**
     * {@code SOCK_RAW}/{@code IPPROTO_ICMP}: needs CAP_NET_RAW; sees every ICMP packet of the host
     * (filtered to the types the engine uses with {@code ICMP_FILTER}).
     */
    RAW
}
