package dev.netscan.discovery.icmp;

import dev.netscan.discovery.IcmpUnavailableException;
import dev.netscan.discovery.SocketKind;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One open ICMP or ICMPv6 socket file descriptor, datagram ("ping socket") or raw. Package-private: a part of {@link Transceiver}.
 *
 * <p>Opened by {@link #open}; closed once by {@link #close()}. The descriptor itself may be used
 * from any thread; this class holds no other mutable state.
 */
final class IcmpSocket {
    /** The kind of socket: {@code true} for raw (CAP_NET_RAW), {@code false} for datagram. */
    final boolean raw;
    final int family;
    final int fd;
    /** Receive buffer size the kernel granted, in bytes (as getsockopt reports it). */
    final int receiveBufferBytes;
    /**
     * True when the kernel stamps each received packet with its arrival time (SO_TIMESTAMPNS,
     * delivered as an SCM_TIMESTAMPNS control message in CLOCK_REALTIME).
     */
    final boolean receiveTimestamps;
    private volatile boolean closed;

    private IcmpSocket(boolean raw, int family, int fd, int receiveBufferBytes, boolean receiveTimestamps) {
        this.raw = raw;
        this.family = family;
        this.fd = fd;
        this.receiveBufferBytes = receiveBufferBytes;
        this.receiveTimestamps = receiveTimestamps;
    }

    /** The kind of this socket. */
    SocketKind kind() {
        return raw ? SocketKind.RAW : SocketKind.DATAGRAM;
    }

    /**
     * Opens a socket for {@code family}: datagram first, then raw, or only the {@code required}
     * kind when that is not null.
     *
     * @return the socket, or null when none could be opened and {@code mustOpen} is false
     * @throws IcmpUnavailableException when none could be opened and {@code mustOpen}; the message
     *     says why each kind was refused and names both fixes
     */
    static IcmpSocket openEither(SocketKind required, int family, int receiveBufferBytes, int sendBufferBytes, boolean mustOpen) {
        int dgramErrno = -1;
        int rawErrno = -1;
        if (required == null || required == SocketKind.DATAGRAM) {
            Attempt a = open(false, family, receiveBufferBytes, sendBufferBytes, false);
            if (a.socket() != null) {
                return a.socket();
            }
            dgramErrno = a.errno();
        }
        if (required == null || required == SocketKind.RAW) {
            Attempt a = open(true, family, receiveBufferBytes, sendBufferBytes, false);
            if (a.socket() != null) {
                return a.socket();
            }
            rawErrno = a.errno();
        }
        if (!mustOpen) {
            return null;
        }
        StringBuilder m = new StringBuilder("cannot open an ICMP socket: ");
        if (dgramErrno >= 0) {
            m.append("datagram ICMP socket refused (").append(Libc.errnoName(dgramErrno)).append("; net.ipv4.ping_group_range is \"")
                    .append(pingGroupRange()).append("\", which must contain this process's group id)");
        }
        if (rawErrno >= 0) {
            m.append(dgramErrno >= 0 ? ", and " : "").append("raw ICMP socket refused (").append(Libc.errnoName(rawErrno))
                    .append("; it needs the CAP_NET_RAW capability)");
        }
        m.append(". Fix either: allow datagram ICMP sockets with `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"` "
                + "(or a range containing your group; persist it in /etc/sysctl.d/), or grant raw sockets with "
                + "`setcap cap_net_raw+ep <path to the java binary>` or, under systemd, AmbientCapabilities=CAP_NET_RAW "
                + "in the service unit.");
        throw new IcmpUnavailableException(m.toString());
    }

    private static String pingGroupRange() {
        try {
            // procfs reports size 0: read the stream to its end (Files.readString stops short here)
            try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ping_group_range"))) {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim().replace('\t', ' ');
            }
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
    }

    /** Outcome of an attempt to open a socket: the socket, or the errno that refused it. */
    record Attempt(IcmpSocket socket, int errno) {}

    /**
     * Tries to open a socket of one kind for {@code family} ({@link Libc#AF_INET} or
     * {@link Libc#AF_INET6}), then sizes its buffers and, for raw sockets, installs the ICMP type
     * filter (echo reply, destination unreachable, time exceeded only; nothing at all when
     * {@code sendOnly}, so a send-only raw socket never queues a copy of anything).
     */
    static Attempt open(boolean raw, int family, int receiveBufferBytes, int sendBufferBytes, boolean sendOnly) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            int proto = family == Libc.AF_INET6 ? Libc.IPPROTO_ICMPV6 : Libc.IPPROTO_ICMP;
            int type = (raw ? Libc.SOCK_RAW : Libc.SOCK_DGRAM) | Libc.SOCK_CLOEXEC;
            int fd = Libc.socket(errno, family, type, proto);
            if (fd < 0) {
                return new Attempt(null, Libc.errno(errno));
            }
            MemorySegment value = arena.allocate(Libc.C_INT);
            if (raw) {
                if (family == Libc.AF_INET) {
                    // struct icmp_filter { __u32 data; }: a set bit blocks that type.
                    int allow = (1 << EchoCodec.ECHO_REPLY_V4) | (1 << EchoCodec.DEST_UNREACH_V4)
                            | (1 << EchoCodec.TIME_EXCEEDED_V4);
                    value.set(ValueLayout.JAVA_INT, 0, sendOnly ? -1 : ~allow);
                    if (Libc.setsockopt(errno, fd, Libc.SOL_RAW, Libc.ICMP_FILTER, value, 4) != 0) {
                        int e = Libc.errno(errno);
                        Libc.close(errno, fd);
                        return new Attempt(null, e);
                    }
                } else {
                    // struct icmp6_filter { __u32 data[8]; }: a set bit blocks that type (Linux).
                    MemorySegment filter = arena.allocate(32);
                    filter.fill((byte) 0xFF);
                    for (int t : new int[] {EchoCodec.ECHO_REPLY_V6, EchoCodec.DEST_UNREACH_V6, EchoCodec.TIME_EXCEEDED_V6}) {
                        int word = filter.get(ValueLayout.JAVA_INT, (t >>> 5) * 4L);
                        filter.set(ValueLayout.JAVA_INT, (t >>> 5) * 4L, word & ~(1 << (t & 31)));
                    }
                    if (Libc.setsockopt(errno, fd, Libc.IPPROTO_ICMPV6, Libc.ICMP6_FILTER, filter, 32) != 0) {
                        int e = Libc.errno(errno);
                        Libc.close(errno, fd);
                        return new Attempt(null, e);
                    }
                }
            }
            if (family == Libc.AF_INET) {
                // Don't-fragment on every echo request (IP_PMTUDISC_PROBE: DF set, path MTU
                // ignored; a 64-byte probe never needs fragmenting). Besides being what a probe
                // should carry, it lets the kernel use IP ID 0 (RFC 6864 atomic datagrams)
                // instead of hashing a per-destination ID for every packet, which measured 2.6%
                // of the monitor's samples at 20,000 probes a second (docs/bench/monitor.md).
                // Best effort: a kernel refusing it still sends without DF.
                value.set(ValueLayout.JAVA_INT, 0, Libc.IP_PMTUDISC_PROBE);
                Libc.setsockopt(errno, fd, Libc.IPPROTO_IP, Libc.IP_MTU_DISCOVER, value, 4);
            }
            setBuffer(errno, fd, Libc.SO_RCVBUFFORCE, Libc.SO_RCVBUF, receiveBufferBytes, value);
            setBuffer(errno, fd, Libc.SO_SNDBUFFORCE, Libc.SO_SNDBUF, sendBufferBytes, value);
            MemorySegment length = arena.allocate(Libc.C_INT);
            length.set(ValueLayout.JAVA_INT, 0, 4);
            int granted = Libc.getsockopt(errno, fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, value, length) == 0
                    ? value.get(ValueLayout.JAVA_INT, 0) : -1;
            boolean stamps = false;
            // a send-only raw socket receives nothing; a datagram one still gets the replies to
            // what it sent, so it needs the stamps too
            if (!(raw && sendOnly) && Libc.C_SIZE_T.byteSize() == 8 && Libc.C_LONG.byteSize() == 8) {
                value.set(ValueLayout.JAVA_INT, 0, 1);
                stamps = Libc.setsockopt(errno, fd, Libc.SOL_SOCKET, Libc.SO_TIMESTAMPNS, value, 4) == 0;
            }
            return new Attempt(new IcmpSocket(raw, family, fd, granted, stamps), 0);
        }
    }

    /** Tries the privileged FORCE option first (root / CAP_NET_ADMIN), then the capped one. */
    private static void setBuffer(MemorySegment errno, int fd, int force, int plain, int bytes, MemorySegment value) {
        value.set(ValueLayout.JAVA_INT, 0, bytes);
        if (Libc.setsockopt(errno, fd, Libc.SOL_SOCKET, force, value, 4) != 0) {
            Libc.setsockopt(errno, fd, Libc.SOL_SOCKET, plain, value, 4);
        }
    }

    /** Closes the descriptor once; later calls do nothing. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined()) {
            Libc.close(Libc.newErrnoSegment(arena), fd);
        }
    }
}
