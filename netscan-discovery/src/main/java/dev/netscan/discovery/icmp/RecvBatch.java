package dev.netscan.discovery.icmp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One {@code recvmmsg} batch: pre-built native vectors ({@link Libc#MMSGHDR}, {@link Libc#IOVEC},
 * sockaddr_in6 names, a control buffer per message for the kernel's SCM_TIMESTAMPNS
 * {@link Libc#CMSGHDR}), their template, and heap mirrors the messages are copied to in bulk
 * after each call, so parsing reads plain arrays. Package-private: a part of {@link Transceiver}.
 *
 * <p>Not thread-safe: owned by the engine's receiver.
 */
final class RecvBatch {
    /** Bytes read per packet at most (an IPv4 header, an ICMP error and the quoted request fit). */
    static final int RECV_BUFFER = 512;
    /** Control buffer bytes per message (room for one SCM_TIMESTAMPNS and then some). */
    static final int CONTROL = 64;
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    /** Messages per call. */
    final int n;
    private final MemorySegment msgs;
    /** msgs as built, copied over msgs before every recvmmsg. */
    private final MemorySegment template;
    private final MemorySegment addrs;
    private final MemorySegment buffers;
    private final MemorySegment control;
    private final MemorySegment timespec;
    private final long[] msgWords;
    private final long[] ctlWords;
    private final byte[] heapAddrs;
    private final byte[] heapBuffers;
    private final int mm = (int) Libc.MMSGHDR.byteSize();
    private final int addrLen = (int) Libc.SOCKADDR_IN6.byteSize();
    /** Of the last {@link #receive}: when it returned, and whether its messages carry usable stamps. */
    private long readNanos;
    private boolean stamps;
    /** CLOCK_REALTIME - CLOCK_MONOTONIC at the last receive, for the kernel's (realtime) stamps. */
    private long realMinusMono;

    /** Vectors for {@code n} messages, allocated in {@code arena}. */
    RecvBatch(Arena arena, int n) {
        this.n = n;
        long addrSize = Libc.SOCKADDR_IN6.byteSize();
        msgs = arena.allocate(Libc.MMSGHDR, n);
        MemorySegment iovs = arena.allocate(Libc.IOVEC, n);
        addrs = arena.allocate(addrSize * n, 8);
        buffers = arena.allocate((long) RECV_BUFFER * n, 8);
        control = arena.allocate((long) CONTROL * n, 8);
        timespec = arena.allocate(Libc.TIMESPEC);
        for (int i = 0; i < n; i++) {
            long iov = i * Libc.IOVEC.byteSize();
            iovs.set(ValueLayout.ADDRESS, iov + Libc.IOV_BASE, buffers.asSlice((long) i * RECV_BUFFER));
            SendBatch.setSize(iovs, iov + Libc.IOV_LEN, RECV_BUFFER);
            long m = i * Libc.MMSGHDR.byteSize();
            msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_NAME, addrs.asSlice(i * addrSize));
            msgs.set(ValueLayout.JAVA_INT, m + Libc.MSG_NAMELEN, (int) addrSize);
            msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_IOV, iovs.asSlice(iov));
            SendBatch.setSize(msgs, m + Libc.MSG_IOVLEN, 1);
            msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_CONTROL, control.asSlice((long) i * CONTROL));
            SendBatch.setSize(msgs, m + Libc.MSG_CONTROLLEN, CONTROL);
            msgs.set(ValueLayout.JAVA_INT, m + Libc.MSG_FLAGS, 0);
        }
        template = arena.allocate(msgs.byteSize(), 8);
        template.copyFrom(msgs);
        msgWords = new long[(int) (msgs.byteSize() / 8)];
        ctlWords = new long[CONTROL * n / 8];
        heapAddrs = new byte[(int) addrSize * n];
        heapBuffers = new byte[RECV_BUFFER * n];
    }

    /**
     * Reads up to {@link #n} packets from {@code socket} without blocking and copies them to the
     * heap; returns how many (0 or less: none). Messages {@code 0..k-1} are then valid for
     * {@link #parse} and {@link #arrivalNanos}.
     */
    int receive(IcmpSocket socket, MemorySegment errno) {
        // one bulk copy restores every name length, control length and flag the kernel rewrote
        MemorySegment.copy(template, 0, msgs, 0, template.byteSize());
        int k = Libc.recvmmsg(errno, socket.fd, msgs, n, Libc.MSG_DONTWAIT);
        if (k <= 0) {
            return k;
        }
        readNanos = System.nanoTime();
        // Bulk copies to the heap, then plain array reads: cheap before and after the JIT.
        MemorySegment.copy(msgs, ValueLayout.JAVA_LONG_UNALIGNED, 0, msgWords, 0, k * mm / 8);
        MemorySegment.copy(addrs, ValueLayout.JAVA_BYTE, 0, heapAddrs, 0, k * addrLen);
        MemorySegment.copy(buffers, ValueLayout.JAVA_BYTE, 0, heapBuffers, 0, k * RECV_BUFFER);
        stamps = false;
        if (socket.receiveTimestamps) {
            MemorySegment.copy(control, ValueLayout.JAVA_LONG_UNALIGNED, 0, ctlWords, 0, k * CONTROL / 8);
            // CLOCK_REALTIME - CLOCK_MONOTONIC now, to bring the kernel's receive stamps
            // (realtime) onto System.nanoTime()'s scale; only the short gap between a
            // packet's arrival and now is measured on the realtime clock.
            if (Libc.clockGettime(errno, Libc.CLOCK_REALTIME, timespec) == 0) {
                long mono = System.nanoTime();
                realMinusMono = timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L
                        + timespec.get(ValueLayout.JAVA_LONG, 8) - mono;
                readNanos = mono;
                stamps = true;
            }
        }
        return k;
    }

    /**
     * Parses message {@code i} of the last {@link #receive} from {@code socket} with
     * {@link EchoCodec}: returns its result code, details in {@code out}. Never throws.
     */
    int parse(int i, IcmpSocket socket, int ident, long secret, int slotCapacity, EchoCodec.ParsedReply out) {
        int len = intAt(msgWords, (long) i * mm + Libc.MSG_LEN);
        len = Math.min(Math.max(len, 0), RECV_BUFFER);
        int off = i * RECV_BUFFER;
        int a = i * addrLen;
        int expectIdent = socket.raw ? ident : -1;
        if (socket.family == Libc.AF_INET6) {
            long hi = EchoCodec.be64(heapAddrs, a + (int) Libc.SIN6_ADDR);
            long lo = EchoCodec.be64(heapAddrs, a + (int) Libc.SIN6_ADDR + 8);
            return EchoCodec.parse6(heapBuffers, off, len, hi, lo, expectIdent, secret, slotCapacity, out);
        }
        int src = EchoCodec.be32(heapAddrs, a + (int) Libc.SIN_ADDR);
        return EchoCodec.parse4(heapBuffers, off, len, socket.raw, src, expectIdent, secret, slotCapacity, out);
    }

    /** When the last {@link #receive} returned (System.nanoTime() scale). */
    long readNanos() {
        return readNanos;
    }

    /**
     * When reply {@code i} (sent at {@code sendNanos}) arrived on the System.nanoTime() scale: the
     * kernel's receive stamp where there is a usable one, else {@link #readNanos()}.
     */
    long arrivalNanos(int i, long sendNanos) {
        if (!stamps) {
            return readNanos;
        }
        long kernel = receiveStamp(i);
        if (kernel != 0) {
            long mono = kernel - realMinusMono;
            // a stamp off the scale (realtime stepped meanwhile) falls back to now
            if (mono - sendNanos >= 0 && mono - readNanos <= 0) {
                return mono;
            }
        }
        return readNanos;
    }

    /** The kernel's receive time (CLOCK_REALTIME ns) of message {@code i}, or 0 when it has none. */
    private long receiveStamp(int i) {
        long controlLen = msgWords[(i * mm + (int) Libc.MSG_CONTROLLEN) >>> 3];
        int flags = intAt(msgWords, (long) i * mm + Libc.MSG_FLAGS);
        if (controlLen < Libc.CMSG_SPACE_TIMESPEC || (flags & Libc.MSG_CTRUNC) != 0) {
            return 0;
        }
        int c = i * CONTROL;
        long cmsgLen = ctlWords[(c + (int) Libc.CMSG_LEN_OFFSET) >>> 3];
        int level = intAt(ctlWords, c + Libc.CMSG_LEVEL);
        int type = intAt(ctlWords, c + Libc.CMSG_TYPE);
        if (level != Libc.SOL_SOCKET || type != Libc.SCM_TIMESTAMPNS || cmsgLen < Libc.CMSG_DATA + 16) {
            return 0;
        }
        int d = (c + (int) Libc.CMSG_DATA) >>> 3;
        long sec = ctlWords[d];
        long nsec = ctlWords[d + 1];
        if (sec <= 0 || nsec < 0 || nsec >= 1_000_000_000L) {
            return 0;
        }
        return sec * 1_000_000_000L + nsec;
    }

    /** The native-order 32-bit int at byte offset {@code off} of memory copied into {@code words}. */
    private static int intAt(long[] words, long off) {
        long w = words[(int) (off >>> 3)];
        boolean lowHalf = (off & 4) == 0;
        return (int) (lowHalf == LITTLE_ENDIAN ? w : w >>> 32);
    }
}
