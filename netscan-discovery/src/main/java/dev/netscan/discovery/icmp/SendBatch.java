package dev.netscan.discovery.icmp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * One {@code sendmmsg} batch of echo requests: pre-built native vectors (message i points at
 * address i and packet i, {@link Libc#MMSGHDR} / {@link Libc#IOVEC} / sockaddr), heap mirrors of
 * the packets and addresses written per probe and copied to native memory in bulk
 * ({@link #commit}), and the slots and generations of the probes in it. Package-private: a part of {@link Transceiver}.
 *
 * <p>Thread safety: owned by the engine's sender, which may hand a full batch to its send helper:
 * {@link #busy} is set by the sender before the hand-over and cleared (a volatile write, publishing
 * {@link #failedCount}, {@link #failed} and {@link #sentDoneNanos}) by the helper when it is done.
 * The helper calls only {@link #send}.
 */
final class SendBatch {
    final boolean v6;
    private final MemorySegment msgs;
    private final MemorySegment iovs;
    private final MemorySegment addrs;
    private final MemorySegment packets;
    /** Slot and generation of probe i. */
    final int[] slots;
    final int[] gens;
    /** Slots the kernel refused in the last {@link #send}: {@code failed[0..failedCount)}. */
    final int[] failed;
    int failedCount;
    private final int addrSize;
    /** Heap copies of {@code packets} and {@code addrs}, written per probe, copied to native memory by {@link #commit}. */
    private final byte[] heapPackets;
    private final byte[] heapAddrs;
    /** Probes already copied to native memory. */
    private int committed;
    /** Probes in the batch. */
    int count;
    /** Recorded send time of the batch's probes (their payloads carry it), and their earliest deadline. */
    long sendNanos;
    long minDeadline;
    /** When the last {@link #send} finished (written by the sending thread). */
    long sentDoneNanos;
    /** True while the helper owns the batch (set by the sender, cleared by the helper). */
    volatile boolean busy;

    /** Vectors for {@code n} probes of one family, allocated in {@code arena}. */
    SendBatch(Arena arena, boolean v6, int n) {
        this.v6 = v6;
        long size = v6 ? Libc.SOCKADDR_IN6.byteSize() : Libc.SOCKADDR_IN.byteSize();
        msgs = arena.allocate(Libc.MMSGHDR, n);
        iovs = arena.allocate(Libc.IOVEC, n);
        addrs = arena.allocate(size * n, 8);
        packets = arena.allocate((long) EchoCodec.REQUEST_LENGTH * n, 8);
        slots = new int[n];
        failed = new int[n];
        gens = new int[n];
        this.addrSize = (int) size;
        heapPackets = new byte[EchoCodec.REQUEST_LENGTH * n];
        heapAddrs = new byte[(int) size * n];
        for (int i = 0; i < n; i++) {
            long a = i * size;
            if (v6) {
                addrs.set(ValueLayout.JAVA_SHORT, a + Libc.SIN6_FAMILY, (short) Libc.AF_INET6);
            } else {
                addrs.set(ValueLayout.JAVA_SHORT, a + Libc.SIN_FAMILY, (short) Libc.AF_INET);
            }
            long iov = i * Libc.IOVEC.byteSize();
            iovs.set(ValueLayout.ADDRESS, iov + Libc.IOV_BASE, packets.asSlice((long) i * EchoCodec.REQUEST_LENGTH));
            setSize(iovs, iov + Libc.IOV_LEN, EchoCodec.REQUEST_LENGTH);
            long m = i * Libc.MMSGHDR.byteSize();
            msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_NAME, addrs.asSlice(a));
            msgs.set(ValueLayout.JAVA_INT, m + Libc.MSG_NAMELEN, (int) size);
            msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_IOV, iovs.asSlice(iov));
            setSize(msgs, m + Libc.MSG_IOVLEN, 1);
        }
        MemorySegment.copy(addrs, ValueLayout.JAVA_BYTE, 0, heapAddrs, 0, heapAddrs.length); // families preset
    }

    /** Stores {@code value} in a {@code size_t} field. */
    static void setSize(MemorySegment seg, long offset, long value) {
        if (Libc.C_SIZE_T.byteSize() == 8) {
            seg.set(ValueLayout.JAVA_LONG, offset, value);
        } else {
            seg.set(ValueLayout.JAVA_INT, offset, (int) value);
        }
    }

    /** Capacity in probes. */
    int capacity() {
        return slots.length;
    }

    /** Empties the batch. */
    void reset() {
        count = 0;
        committed = 0;
        failedCount = 0;
    }

    /**
     * Appends an echo request for slot {@code s} generation {@code gen} to {@code ipv4} (IPv4
     * batch) or {@code hi:lo} (IPv6 batch), with its deadline folded into {@link #minDeadline}.
     * Packets and addresses go to heap arrays (plain stores stay cheap while the JIT has not
     * compiled this yet) and reach native memory in {@link #commit}.
     */
    void add(int s, int gen, int ident, int seq, long sendNanos, long token, int ipv4, long hi, long lo, long deadline) {
        int i = count++;
        int pkt = i * EchoCodec.REQUEST_LENGTH;
        int a = i * addrSize;
        if (v6) {
            EchoCodec.writeRequest6(heapPackets, pkt, ident, seq, s, gen, sendNanos, token);
            EchoCodec.putLong(heapAddrs, a + (int) Libc.SIN6_ADDR, hi);
            EchoCodec.putLong(heapAddrs, a + (int) Libc.SIN6_ADDR + 8, lo);
        } else {
            EchoCodec.writeRequest4(heapPackets, pkt, ident, seq, s, gen, sendNanos, token);
            EchoCodec.putInt(heapAddrs, a + (int) Libc.SIN_ADDR, ipv4);
        }
        slots[i] = s;
        gens[i] = gen;
        this.sendNanos = sendNanos;
        if (i == 0 || deadline - minDeadline < 0) {
            minDeadline = deadline;
        }
    }

    /** Copies the probes added since the last commit to native memory (two bulk copies). Idempotent. */
    void commit() {
        int from = committed;
        int n = count - from;
        if (n <= 0) {
            return;
        }
        MemorySegment.copy(heapPackets, from * EchoCodec.REQUEST_LENGTH, packets, ValueLayout.JAVA_BYTE,
                (long) from * EchoCodec.REQUEST_LENGTH, n * EchoCodec.REQUEST_LENGTH);
        MemorySegment.copy(heapAddrs, from * addrSize, addrs, ValueLayout.JAVA_BYTE, (long) from * addrSize, n * addrSize);
        committed = count;
    }

    /**
     * Sends the batch on {@code socket} with {@code sendmmsg}, waiting briefly (bounded) while
     * the socket buffer is full; slots the kernel refused go to {@link #failed} for the sender to
     * complete (this may run on the helper thread, which must not touch the slot table). Stops
     * retrying transient errors once {@code stop} says so. Returns the packets sent.
     */
    int send(IcmpSocket socket, MemorySegment errno, BooleanSupplier stop) {
        commit();
        failedCount = 0;
        int i = 0;
        int transientErrors = 0;
        int sent = 0;
        long mm = Libc.MMSGHDR.byteSize();
        while (i < count) {
            int r = Libc.sendmmsg(errno, socket.fd, msgs.asSlice(i * mm), count - i, Libc.MSG_DONTWAIT);
            if (r > 0) {
                i += r;
                sent += r;
                transientErrors = 0;
                continue;
            }
            int e = r < 0 ? Libc.errno(errno) : Libc.EAGAIN;
            if ((e == Libc.EAGAIN || e == Libc.ENOBUFS || e == Libc.EINTR) && transientErrors < 2_000 && !stop.getAsBoolean()) {
                transientErrors++;
                // Socket buffer full: give the kernel a moment to drain it.
                LockSupport.parkNanos(transientErrors < 10 ? 20_000 : 200_000);
                continue;
            }
            failed[failedCount++] = slots[i];
            i++;
            transientErrors = 0;
        }
        sentDoneNanos = System.nanoTime();
        return sent;
    }
}
