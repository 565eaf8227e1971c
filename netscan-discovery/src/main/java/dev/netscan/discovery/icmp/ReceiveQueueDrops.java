package dev.netscan.discovery.icmp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Matches the kernel's receive-queue drops of one socket to timeouts: each drop the kernel counted
 * since the last look excuses one timeout (the dropped packet may have been that probe's reply), so
 * the timeout is recorded as ours, not the device's. Reads the counter only while no drop is
 * unmatched, so a round of timeouts costs at most one system call. Confined to one thread (the
 * sender's), like the segments it is given.
 */
final class ReceiveQueueDrops {
    private final IcmpSocket socket;
    private final MemorySegment errno;
    private final MemorySegment meminfo;
    private final MemorySegment meminfoLength;
    /** The kernel's drop counter last read, or -1 before the first read. */
    private long drops = -1;
    /** Drops not yet charged to a timeout. */
    private long unmatched;

    /** Reads {@code socket}'s counter with {@code errno} and buffers from {@code arena} (the caller's thread). */
    ReceiveQueueDrops(IcmpSocket socket, MemorySegment errno, Arena arena) {
        this.socket = socket;
        this.errno = errno;
        this.meminfo = arena.allocate(Libc.SK_MEMINFO_VARS * 4L, 8);
        this.meminfoLength = arena.allocate(Libc.C_INT);
    }

    /** True when the socket dropped a packet that no timeout has been charged to yet (and charges this one). */
    boolean dropped() {
        if (unmatched == 0) {
            long d = socket.receiveQueueDrops(errno, meminfo, meminfoLength);
            if (d >= 0) {
                if (drops >= 0 && d > drops) {
                    unmatched = d - drops;
                }
                drops = d;
            }
        }
        if (unmatched > 0) {
            unmatched--;
            return true;
        }
        return false;
    }
}
