package dev.netscan.discovery;

import dev.netscan.discovery.icmp.EchoCodec;
import dev.netscan.discovery.icmp.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.Arrays;

/**
 * A hostile peer inside a test's network namespace: writes whole IPv4 datagrams of its own making
 * (any source address, any ICMP bytes, good or bad checksums) through a raw {@code IPPROTO_RAW}
 * socket, and sniffs the ICMP the namespace carries through a second raw socket. Both sockets are
 * opened inside the namespace, so every packet stays in it. Not thread-safe: one thread uses it.
 */
final class RawPeer implements AutoCloseable {
    private static final int IPPROTO_RAW = 255;
    private static final int BATCH = 64;
    private static final int MTU = 1500;

    private final int sendFd;
    private final int sniffFd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Libc.newErrnoSegment(arena);
    private final MemorySegment msgs = arena.allocate(Libc.MMSGHDR, BATCH);
    private final MemorySegment iovs = arena.allocate(Libc.IOVEC, BATCH);
    private final MemorySegment addrs = arena.allocate(Libc.SOCKADDR_IN, BATCH);
    private final MemorySegment packets = arena.allocate((long) MTU * BATCH);
    private final MemorySegment pollFd = arena.allocate(Libc.POLLFD);
    private boolean sniffClosed;
    /** Packets handed to the kernel by {@link #send}. */
    long sent;

    private RawPeer(int sendFd, int sniffFd) {
        this.sendFd = sendFd;
        this.sniffFd = sniffFd;
        for (int i = 0; i < BATCH; i++) {
            long m = i * Libc.MMSGHDR.byteSize();
            MemorySegment iov = iovs.asSlice(i * Libc.IOVEC.byteSize());
            iov.set(ValueLayout.ADDRESS, Libc.IOV_BASE, packets.asSlice((long) i * MTU));
            msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_NAME, addrs.asSlice(i * Libc.SOCKADDR_IN.byteSize()));
            msgs.set(ValueLayout.JAVA_INT, m + Libc.MSG_NAMELEN, (int) Libc.SOCKADDR_IN.byteSize());
            msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_IOV, iov);
            msgs.set(ValueLayout.JAVA_LONG, m + Libc.MSG_IOVLEN, 1L);
        }
    }

    /** Opens both sockets inside {@code ns} (needs root; skips or fails under CI=true otherwise). */
    static RawPeer open(NetNamespace ns) throws InterruptedException {
        int[] fds = ns.inside(() -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment e = Libc.newErrnoSegment(a);
                int send = Libc.socket(e, Libc.AF_INET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, IPPROTO_RAW);
                int sniff = Libc.socket(e, Libc.AF_INET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, Libc.IPPROTO_ICMP);
                return new int[] {send, sniff, Libc.errno(e)};
            }
        });
        Privileged.require(fds[0] >= 0 && fds[1] >= 0, "raw sockets need CAP_NET_RAW: " + Libc.errnoName(fds[2]));
        return new RawPeer(fds[0], fds[1]);
    }

    /**
     * An IPv4 datagram from {@code src} to {@code dst} carrying {@code icmp} as it is (its checksum
     * is the caller's business); the kernel fills in the header checksum.
     */
    static byte[] datagram(int src, int dst, byte[] icmp) {
        byte[] p = new byte[20 + icmp.length];
        p[0] = 0x45;
        p[2] = (byte) (p.length >>> 8);
        p[3] = (byte) p.length;
        p[6] = 0x40; // DF
        p[8] = 64;
        p[9] = (byte) Libc.IPPROTO_ICMP;
        EchoCodec.putInt(p, 12, src);
        EchoCodec.putInt(p, 16, dst);
        System.arraycopy(icmp, 0, p, 20, icmp.length);
        return p;
    }

    /** Sets the ICMP checksum of {@code icmp} so that it verifies. */
    static byte[] withChecksum(byte[] icmp) {
        icmp[2] = 0;
        icmp[3] = 0;
        int c = EchoCodec.checksum(icmp, 0, icmp.length);
        icmp[2] = (byte) (c >>> 8);
        icmp[3] = (byte) c;
        return icmp;
    }

    /** Sends every datagram (each to its own destination address), {@link #BATCH} per system call. */
    void send(byte[]... datagrams) {
        send(datagrams, datagrams.length);
    }

    /** Sends the first {@code count} of {@code datagrams}; returns how many the kernel took. */
    int send(byte[][] datagrams, int count) {
        int done = 0;
        while (done < count) {
            int n = Math.min(BATCH, count - done);
            for (int i = 0; i < n; i++) {
                byte[] d = datagrams[done + i];
                MemorySegment.copy(d, 0, packets, ValueLayout.JAVA_BYTE, (long) i * MTU, d.length);
                iovs.set(ValueLayout.JAVA_LONG, i * Libc.IOVEC.byteSize() + Libc.IOV_LEN, (long) d.length);
                MemorySegment a = addrs.asSlice(i * Libc.SOCKADDR_IN.byteSize());
                a.set(ValueLayout.JAVA_SHORT, Libc.SIN_FAMILY, (short) Libc.AF_INET);
                a.set(Libc.BE_INT, Libc.SIN_ADDR, EchoCodec.be32(d, 16));
            }
            int r = Libc.sendmmsg(errno, sendFd, msgs, n, 0);
            if (r <= 0) {
                int e = Libc.errno(errno);
                if (e == Libc.ENOBUFS || e == Libc.EAGAIN || e == Libc.EINTR) {
                    continue; // the kernel is busy: try the rest again (the caller bounds the time)
                }
                throw new IllegalStateException("sendmmsg: " + Libc.errnoName(e));
            }
            done += r;
            sent += r;
        }
        return done;
    }

    /**
     * The next packet the sniffer sees that {@code match} accepts (the whole IPv4 datagram), or
     * null after {@code limit}.
     */
    byte[] sniff(java.util.function.Predicate<byte[]> match, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        MemorySegment m = msgs.asSlice(0, Libc.MMSGHDR.byteSize());
        while (System.nanoTime() - deadline < 0) {
            pollFd.set(ValueLayout.JAVA_INT, Libc.POLL_FD, sniffFd);
            pollFd.set(ValueLayout.JAVA_SHORT, Libc.POLL_EVENTS, Libc.POLLIN);
            Libc.poll(errno, pollFd, 1, 50);
            iovs.set(ValueLayout.JAVA_LONG, Libc.IOV_LEN, (long) MTU);
            msgs.set(ValueLayout.JAVA_INT, Libc.MSG_NAMELEN, (int) Libc.SOCKADDR_IN.byteSize());
            int r = Libc.recvmmsg(errno, sniffFd, m, 1, Libc.MSG_DONTWAIT);
            if (r == 1) {
                int len = msgs.get(ValueLayout.JAVA_INT, Libc.MSG_LEN);
                byte[] p = packets.asSlice(0, Math.min(len, MTU)).toArray(ValueLayout.JAVA_BYTE);
                if (match.test(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** A copy of {@code p} with its bytes from {@code from} on replaced by {@code with}. */
    static byte[] splice(byte[] p, int from, byte[] with) {
        byte[] q = Arrays.copyOf(p, Math.max(p.length, from + with.length));
        System.arraycopy(with, 0, q, from, with.length);
        return q;
    }

    /** Stops sniffing (an unread sniffer's queue fills and its drops show in /proc/net/raw). */
    void closeSniffer() {
        if (!sniffClosed) {
            sniffClosed = true;
            Libc.close(errno, sniffFd);
        }
    }

    @Override
    public void close() {
        Libc.close(errno, sendFd);
        closeSniffer();
        arena.close();
    }
}
