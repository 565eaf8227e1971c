package dev.netscan.discovery.snmp;

import dev.netscan.core.AddressBook;
import dev.netscan.discovery.icmp.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;
import org.snmp4j.TransportStateReference;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.transport.UdpTransportMapping;

/**
 * snmp4j's UDP transport over a Linux datagram socket opened through FFM with {@code IP_RECVERR},
 * so that the ICMP errors the network sends back about our requests reach us without privilege.
 *
 * <p>Why: a plain Java {@code DatagramSocket} that is not connected never learns that a host
 * answered with ICMP port-unreachable (the kernel drops the error unless the socket is connected
 * or has {@code IP_RECVERR}). With {@code IP_RECVERR} the kernel queues each error on the socket's
 * error queue ({@code MSG_ERRQUEUE}) as a {@code sock_extended_err} with the ICMP type and code,
 * and {@code msg_name} holds the destination of the datagram that caused it. A port-unreachable
 * (type 3, code 3) from the host we asked means "no agent there"; it is handed to the
 * {@link PortUnreachable} listener at once, within one round trip.
 *
 * <p>Side effect of {@code IP_RECVERR} handled here: each queued error is also reported once as
 * the socket's pending error, which fails the next {@code sendto} or {@code recvmsg} with
 * {@code ECONNREFUSED} (or another ICMP-derived errno) without sending or receiving. Both paths
 * retry (the pending error is consumed by being reported), boundedly.
 *
 * <p>Threads: one platform receive thread ({@code netscan-snmp-rx}) polls the socket and reads
 * both queues; it runs snmp4j's message processing and the listener. {@link #sendMessage} may be
 * called from any thread; sends are serialised on this object's send lock, which also guards the
 * native send buffers and the descriptor's lifetime (close takes the same lock, so a send never
 * uses a closed or reused descriptor).
 *
 * <p>One family per transport, the bind address's: an IPv4 one ({@code AF_INET},
 * {@code IP_RECVERR}), or an IPv6 one ({@code AF_INET6} with {@code IPV6_V6ONLY} and
 * {@code IPV6_RECVERR}, where "no agent" is ICMPv6 destination-unreachable code 4, port
 * unreachable). Devices are named by their {@link AddressBook} key in {@link PortUnreachable}.
 */
final class RecvErrUdpTransport extends UdpTransportMapping {

    /** Told when a host answered one of our datagrams with ICMP port-unreachable. */
    interface PortUnreachable {
        /**
         * @param key the destination of the datagram the host refused: an IPv4 address, or the
         *     {@link AddressBook} key of an IPv6 one
         * @param port its destination port
         */
        void onPortUnreachable(int key, int port);
    }

    static final int IP_RECVERR = 11;
    static final int IPPROTO_IPV6 = 41;
    static final int IPV6_V6ONLY = 26;
    static final int IPV6_RECVERR = 25;
    static final int SO_EE_ORIGIN_ICMP6 = 3;
    static final int ICMPV6_DEST_UNREACH = 1;
    static final int ICMPV6_PORT_UNREACH = 4;
    /** sockaddr_in6: port at 2, address at 8, scope id at 24. */
    private static final long SIN6_SCOPE = 24;
    static final int MSG_ERRQUEUE = 0x2000;
    static final int SO_EE_ORIGIN_ICMP = 2;
    static final int ICMP_DEST_UNREACH = 3;
    static final int ICMP_PORT_UNREACH = 3;
    static final short POLLERR = 0x8;
    /** errnos an ICMP error leaves pending on the socket (they fail one call, then are gone). */
    private static final int ENETUNREACH = 101;
    private static final int ECONNREFUSED = 111;
    private static final int EHOSTDOWN = 112;
    private static final int EHOSTUNREACH = 113;
    private static final int EPROTO = 71;
    private static final int ENONET = 64;
    private static final int EMSGSIZE = 90;
    private static final int PENDING_ERROR_RETRIES = 16;
    private static final int MAX_DATAGRAM = 65_535;
    private static final int POLL_MILLIS = 100;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(Libc.C_INT, Libc.C_INT, Libc.C_POINTER, Libc.C_INT));
    private static final MethodHandle GETSOCKNAME = bind("getsockname",
            FunctionDescriptor.of(Libc.C_INT, Libc.C_INT, Libc.C_POINTER, Libc.C_POINTER));
    private static final MethodHandle SENDTO = bind("sendto", FunctionDescriptor.of(Libc.C_LONG, Libc.C_INT,
            Libc.C_POINTER, Libc.C_SIZE_T, Libc.C_INT, Libc.C_POINTER, Libc.C_INT));
    private static final MethodHandle RECVMSG = bind("recvmsg",
            FunctionDescriptor.of(Libc.C_LONG, Libc.C_INT, Libc.C_POINTER, Libc.C_INT));

    /** sock_extended_err: u32 errno; u8 origin, type, code, pad; u32 info; u32 data. */
    private static final long EE_ORIGIN = 4;
    private static final long EE_TYPE = 5;
    private static final long EE_CODE = 6;
    private static final int CONTROL_BYTES = 512;

    private final int receiveBufferBytes;
    private final PortUnreachable unreachable;
    /** True for an IPv6 transport (the bind address's family). */
    private final boolean v6;
    /** sizeof the family's sockaddr. */
    private final int sockaddrBytes;
    /** Port-unreachable errors read from the error queue. */
    final LongAdder portUnreachables = new LongAdder();
    /** Other errors read from the error queue (host/net unreachable, TTL, ...): ignored, counted. */
    final LongAdder otherErrors = new LongAdder();

    /** Guards fd's lifetime, the send buffers and closed. */
    private final Object sendLock = new Object();
    /** The descriptor; -1 when not open. Written under sendLock; read by the receive thread, which close() joins before closing it. */
    private volatile int fd = -1;
    private volatile boolean closed;
    private Arena sendArena;
    private MemorySegment sendErrno;
    private MemorySegment sendBuf;
    private MemorySegment sendAddr;
    private Thread receiver;

    RecvErrUdpTransport(UdpAddress bindAddress, int receiveBufferBytes, PortUnreachable unreachable) {
        super(bindAddress);
        // announced to v3 agents as msgMaxSize (RFC 3412): what we can receive, one whole datagram
        this.maxInboundMessageSize = MAX_DATAGRAM;
        this.receiveBufferBytes = receiveBufferBytes;
        this.unreachable = unreachable;
        this.v6 = bindAddress.getInetAddress() instanceof Inet6Address;
        this.sockaddrBytes = (int) (v6 ? Libc.SOCKADDR_IN6 : Libc.SOCKADDR_IN).byteSize();
    }

    /** True for an IPv6 transport. */
    boolean isIpv6() {
        return v6;
    }

    private static MethodHandle bind(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol '" + name + "'"));
        return LINKER.downcallHandle(symbol, fd, ERRNO);
    }

    @Override
    public void listen() throws IOException {
        synchronized (sendLock) {
            if (closed) {
                throw new IOException("SNMP transport is closed");
            }
            if (fd >= 0) {
                return;
            }
            Arena arena = Arena.ofShared();
            MemorySegment errno = Libc.newErrnoSegment(arena);
            int s = Libc.socket(errno, v6 ? Libc.AF_INET6 : Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (s < 0) {
                int e = Libc.errno(errno);
                arena.close();
                throw new IOException("SNMP socket: socket() failed, errno " + e);
            }
            try {
                MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
                one.set(ValueLayout.JAVA_INT, 0, 1);
                if (v6) {
                    if (Libc.setsockopt(errno, s, IPPROTO_IPV6, IPV6_V6ONLY, one, 4) != 0) {
                        throw new IOException("SNMP socket: IPV6_V6ONLY refused, errno " + Libc.errno(errno));
                    }
                    if (Libc.setsockopt(errno, s, IPPROTO_IPV6, IPV6_RECVERR, one, 4) != 0) {
                        throw new IOException("SNMP socket: IPV6_RECVERR refused, errno " + Libc.errno(errno));
                    }
                } else if (Libc.setsockopt(errno, s, Libc.IPPROTO_IP, IP_RECVERR, one, 4) != 0) {
                    throw new IOException("SNMP socket: IP_RECVERR refused, errno " + Libc.errno(errno));
                }
                if (receiveBufferBytes > 0) {
                    MemorySegment size = arena.allocate(ValueLayout.JAVA_INT);
                    size.set(ValueLayout.JAVA_INT, 0, receiveBufferBytes);
                    // FORCE lifts net.core.rmem_max when we may (CAP_NET_ADMIN); otherwise the capped request stands.
                    if (Libc.setsockopt(errno, s, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, size, 4) != 0) {
                        Libc.setsockopt(errno, s, Libc.SOL_SOCKET, Libc.SO_RCVBUF, size, 4);
                    }
                }
                MemorySegment addr = arena.allocate(Libc.SOCKADDR_IN6);
                writeSockaddr(addr, udpAddress.getInetAddress(), udpAddress.getPort());
                if ((int) BIND.invokeExact(errno, s, addr, sockaddrBytes) != 0) {
                    throw new IOException("SNMP socket: cannot bind " + udpAddress + ", errno " + Libc.errno(errno));
                }
                MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
                len.set(ValueLayout.JAVA_INT, 0, sockaddrBytes);
                if ((int) GETSOCKNAME.invokeExact(errno, s, addr, len) == 0) {
                    udpAddress = new UdpAddress(udpAddress.getInetAddress(), Short.toUnsignedInt(addr.get(Libc.BE_SHORT, 2)));
                }
            } catch (IOException e) {
                Libc.close(errno, s);
                arena.close();
                throw e;
            } catch (Throwable t) {
                Libc.close(errno, s);
                arena.close();
                throw new IOException("SNMP socket: " + t, t);
            }
            sendArena = arena;
            sendErrno = errno;
            sendBuf = arena.allocate(MAX_DATAGRAM);
            sendAddr = arena.allocate(Libc.SOCKADDR_IN6);
            fd = s;
            Thread t = Thread.ofPlatform().name(getThreadName() == null ? "netscan-snmp-rx" : getThreadName())
                    .daemon(true).unstarted(this::receiveLoop);
            receiver = t;
            t.start();
        }
    }

    @Override
    public boolean isListening() {
        return fd >= 0 && !closed;
    }

    @Override
    public void sendMessage(UdpAddress address, byte[] message, TransportStateReference ref, long timeoutMillis,
            int maxRetries) throws IOException {
        if (message.length > MAX_DATAGRAM) {
            throw new IOException("SNMP message of " + message.length + " bytes is larger than a datagram");
        }
        InetAddress to = address.getInetAddress();
        if ((to instanceof Inet6Address) != v6) {
            throw new IOException("this SNMP transport is " + (v6 ? "IPv6" : "IPv4") + " only; cannot send to " + address);
        }
        synchronized (sendLock) {
            int s = fd;
            if (closed || s < 0) {
                throw new IOException("SNMP socket is closed");
            }
            MemorySegment.copy(message, 0, sendBuf, ValueLayout.JAVA_BYTE, 0, message.length);
            writeSockaddr(sendAddr, to, address.getPort());
            for (int attempt = 0; ; attempt++) {
                long n;
                try {
                    n = (long) SENDTO.invokeExact(sendErrno, s, sendBuf, (long) message.length, 0, sendAddr,
                            sockaddrBytes);
                } catch (Throwable t) {
                    throw new IOException("sendto: " + t, t);
                }
                if (n >= 0) {
                    return;
                }
                int e = Libc.errno(sendErrno);
                if (e == Libc.EINTR || (isPendingIcmpError(e) && attempt < PENDING_ERROR_RETRIES)) {
                    continue; // a pending ICMP error about an earlier datagram failed this call without sending
                }
                throw new IOException("sendto failed, errno " + e);
            }
        }
    }

    private static boolean isPendingIcmpError(int errno) {
        return errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EHOSTDOWN
                || errno == EPROTO || errno == ENONET || errno == EMSGSIZE;
    }

    @Override
    public void close() throws IOException {
        Thread t;
        synchronized (sendLock) {
            if (closed) {
                return;
            }
            closed = true;
            t = receiver;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (sendLock) {
            int s = fd;
            fd = -1;
            if (s >= 0) {
                Libc.close(sendErrno, s);
            }
            if (sendArena != null && (t == null || !t.isAlive())) {
                sendArena.close(); // the receive thread has its own arena; this one only the senders used
                sendArena = null;
            }
        }
    }

    /** Polls until closed; reads errors first so a refused device is settled before its answer could be. */
    private void receiveLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            MemorySegment pfd = arena.allocate(Libc.POLLFD);
            MemorySegment buf = arena.allocate(MAX_DATAGRAM);
            MemorySegment name = arena.allocate(Libc.SOCKADDR_IN6);
            MemorySegment control = arena.allocate(CONTROL_BYTES, 8);
            MemorySegment iov = arena.allocate(Libc.IOVEC);
            MemorySegment msg = arena.allocate(Libc.MSGHDR);
            int s = fd;
            while (!closed) {
                pfd.set(ValueLayout.JAVA_INT, Libc.POLL_FD, s);
                pfd.set(ValueLayout.JAVA_SHORT, Libc.POLL_EVENTS, Libc.POLLIN);
                pfd.set(ValueLayout.JAVA_SHORT, Libc.POLL_REVENTS, (short) 0);
                int r = Libc.poll(errno, pfd, 1, POLL_MILLIS);
                if (r <= 0) {
                    continue;
                }
                short revents = pfd.get(ValueLayout.JAVA_SHORT, Libc.POLL_REVENTS);
                if ((revents & POLLERR) != 0) {
                    drainErrors(errno, s, buf, name, control, iov, msg);
                }
                if ((revents & Libc.POLLIN) != 0) {
                    drainMessages(errno, s, buf, name, iov, msg);
                }
            }
        } catch (Throwable t) {
            System.getLogger(RecvErrUdpTransport.class.getName()).log(System.Logger.Level.ERROR,
                    "SNMP receive loop ended: {0}", t.toString());
        }
    }

    private long recvmsg(MemorySegment errno, int s, MemorySegment buf, long bufLen, MemorySegment name,
            MemorySegment control, MemorySegment iov, MemorySegment msg, int flags) throws Throwable {
        iov.set(ValueLayout.ADDRESS, Libc.IOV_BASE, buf);
        iov.set(ValueLayout.JAVA_LONG, Libc.IOV_LEN, bufLen);
        msg.fill((byte) 0);
        msg.set(ValueLayout.ADDRESS, Libc.MSG_NAME, name);
        msg.set(ValueLayout.JAVA_INT, Libc.MSG_NAMELEN, sockaddrBytes);
        msg.set(ValueLayout.ADDRESS, Libc.MSG_IOV, iov);
        msg.set(ValueLayout.JAVA_LONG, Libc.MSG_IOVLEN, 1L);
        if (control != null) {
            msg.set(ValueLayout.ADDRESS, Libc.MSG_CONTROL, control);
            msg.set(ValueLayout.JAVA_LONG, Libc.MSG_CONTROLLEN, control.byteSize());
        }
        return (long) RECVMSG.invokeExact(errno, s, msg, flags);
    }

    private void drainMessages(MemorySegment errno, int s, MemorySegment buf, MemorySegment name,
            MemorySegment iov, MemorySegment msg) throws Throwable {
        for (int pending = 0; !closed; ) {
            long n = recvmsg(errno, s, buf, MAX_DATAGRAM, name, null, iov, msg, Libc.MSG_DONTWAIT);
            if (n < 0) {
                int e = Libc.errno(errno);
                if ((e == Libc.EINTR || isPendingIcmpError(e)) && ++pending < PENDING_ERROR_RETRIES) {
                    continue; // the pending error was reported and cleared; the datagram is still queued
                }
                return;
            }
            if ((msg.get(ValueLayout.JAVA_INT, Libc.MSG_FLAGS) & Libc.MSG_TRUNC) != 0) {
                continue; // cannot happen with a 64 KiB buffer; never hand snmp4j a cut message
            }
            byte[] bytes = new byte[(int) n];
            MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, 0, bytes, 0, (int) n);
            UdpAddress from = new UdpAddress(v6 ? inet6(name) : inet(name.get(Libc.BE_INT, Libc.SIN_ADDR)),
                    Short.toUnsignedInt(name.get(Libc.BE_SHORT, 2)));
            TransportStateReference ref = new TransportStateReference(this, from, null,
                    SecurityLevel.undefined, SecurityLevel.undefined, false, null);
            try {
                fireProcessMessage(from, ByteBuffer.wrap(bytes), ref);
            } catch (RuntimeException e) {
                System.getLogger(RecvErrUdpTransport.class.getName()).log(System.Logger.Level.DEBUG,
                        "SNMP message from {0} not processed: {1}", from, e.getClass().getName());
            }
        }
    }

    private void drainErrors(MemorySegment errno, int s, MemorySegment buf, MemorySegment name,
            MemorySegment control, MemorySegment iov, MemorySegment msg) throws Throwable {
        while (!closed) {
            long n = recvmsg(errno, s, buf, 64, name, control, iov, msg, MSG_ERRQUEUE | Libc.MSG_DONTWAIT);
            if (n < 0) {
                int e = Libc.errno(errno);
                if (e == Libc.EINTR) {
                    continue;
                }
                return; // EAGAIN: the error queue is empty
            }
            int dest = v6 ? AddressBook.shared().idOf(inet6(name)) : name.get(Libc.BE_INT, Libc.SIN_ADDR);
            int port = Short.toUnsignedInt(name.get(Libc.BE_SHORT, 2));
            long controlLen = msg.get(ValueLayout.JAVA_LONG, Libc.MSG_CONTROLLEN);
            if (v6 ? isPortUnreachable6(control, controlLen) : isPortUnreachable(control, controlLen)) {
                portUnreachables.increment();
                try {
                    unreachable.onPortUnreachable(dest, port);
                } catch (RuntimeException e) {
                    System.getLogger(RecvErrUdpTransport.class.getName()).log(System.Logger.Level.WARNING,
                            "port-unreachable listener failed: {0}", e.getClass().getName());
                }
            } else {
                otherErrors.increment();
            }
        }
    }

    /** Walks the control messages for an IP_RECVERR whose extended error is ICMP type 3 code 3. */
    static boolean isPortUnreachable(MemorySegment control, long controlLen) {
        return hasRecvErr(control, controlLen, Libc.IPPROTO_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH,
                ICMP_PORT_UNREACH);
    }

    /** Walks the control messages for an IPV6_RECVERR whose extended error is ICMPv6 type 1 code 4. */
    static boolean isPortUnreachable6(MemorySegment control, long controlLen) {
        return hasRecvErr(control, controlLen, IPPROTO_IPV6, IPV6_RECVERR, SO_EE_ORIGIN_ICMP6, ICMPV6_DEST_UNREACH,
                ICMPV6_PORT_UNREACH);
    }

    private static boolean hasRecvErr(MemorySegment control, long controlLen, int wantLevel, int wantType, int origin,
            int icmpType, int icmpCode) {
        long off = 0;
        long limit = Math.min(controlLen, control.byteSize());
        while (off + Libc.CMSG_DATA <= limit) {
            long len = control.get(ValueLayout.JAVA_LONG, off + Libc.CMSG_LEN_OFFSET);
            if (len < Libc.CMSG_DATA || off + len > limit) {
                return false;
            }
            int level = control.get(ValueLayout.JAVA_INT, off + Libc.CMSG_LEVEL);
            int type = control.get(ValueLayout.JAVA_INT, off + Libc.CMSG_TYPE);
            long data = off + Libc.CMSG_DATA;
            if (level == wantLevel && type == wantType && len >= Libc.CMSG_DATA + 16) {
                return control.get(ValueLayout.JAVA_BYTE, data + EE_ORIGIN) == origin
                        && control.get(ValueLayout.JAVA_BYTE, data + EE_TYPE) == icmpType
                        && control.get(ValueLayout.JAVA_BYTE, data + EE_CODE) == icmpCode;
            }
            off += (len + 7) & ~7L;
        }
        return false;
    }

    /** Writes a sockaddr of this transport's family into {@code addr} (room for a sockaddr_in6). */
    private void writeSockaddr(MemorySegment addr, InetAddress a, int port) throws IOException {
        byte[] ip = a.getAddress();
        if ((ip.length == 16) != v6) {
            throw new IOException("this SNMP transport is " + (v6 ? "IPv6" : "IPv4") + " only; cannot use " + a);
        }
        addr.fill((byte) 0);
        if (v6) {
            addr.set(ValueLayout.JAVA_SHORT, Libc.SIN6_FAMILY, (short) Libc.AF_INET6);
            addr.set(Libc.BE_SHORT, 2, (short) port);
            MemorySegment.copy(ip, 0, addr, ValueLayout.JAVA_BYTE, Libc.SIN6_ADDR, 16);
            addr.set(ValueLayout.JAVA_INT, SIN6_SCOPE, ((Inet6Address) a).getScopeId());
        } else {
            addr.set(ValueLayout.JAVA_SHORT, Libc.SIN_FAMILY, (short) Libc.AF_INET);
            addr.set(Libc.BE_SHORT, 2, (short) port);
            MemorySegment.copy(ip, 0, addr, ValueLayout.JAVA_BYTE, Libc.SIN_ADDR, 4);
        }
    }

    private static Inet6Address inet6(MemorySegment sockaddr) {
        byte[] b = new byte[16];
        MemorySegment.copy(sockaddr, ValueLayout.JAVA_BYTE, Libc.SIN6_ADDR, b, 0, 16);
        try {
            int scope = sockaddr.get(ValueLayout.JAVA_INT, SIN6_SCOPE);
            InetAddress a = scope == 0 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, scope);
            // an IPv4-mapped source cannot reach a V6ONLY socket; read it as the 16 bytes anyway
            return a instanceof Inet6Address v6a ? v6a : Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are always an IPv6 address", e);
        }
    }

    private static InetAddress inet(int ipv4) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (ipv4 >>> 24), (byte) (ipv4 >>> 16), (byte) (ipv4 >>> 8), (byte) ipv4});
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always an IPv4 address", e);
        }
    }
}
