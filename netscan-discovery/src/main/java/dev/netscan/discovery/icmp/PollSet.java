package dev.netscan.discovery.icmp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The receiver's {@code poll} set: one {@link Libc#POLLFD} per socket, waiting for input.
 * Package-private: a part of {@link Transceiver}. Not thread-safe: owned by the receiver.
 */
final class PollSet {
    private final MemorySegment fds;
    private final int n;

    /** A set polling each of {@code sockets} for input, allocated in {@code arena}. */
    PollSet(Arena arena, IcmpSocket[] sockets) {
        n = sockets.length;
        fds = arena.allocate(Libc.POLLFD, n);
        for (int i = 0; i < n; i++) {
            long p = i * Libc.POLLFD.byteSize();
            fds.set(ValueLayout.JAVA_INT, p + Libc.POLL_FD, sockets[i].fd);
            fds.set(ValueLayout.JAVA_SHORT, p + Libc.POLL_EVENTS, Libc.POLLIN);
        }
    }

    /** Waits up to {@code millis} for input; returns the number of ready sockets, 0 on timeout, -1 on error. */
    int poll(MemorySegment errno, int millis) {
        return Libc.poll(errno, fds, n, millis);
    }

    /** Whether socket {@code i} had an event at the last {@link #poll}. */
    boolean ready(int i) {
        return fds.get(ValueLayout.JAVA_SHORT, i * Libc.POLLFD.byteSize() + Libc.POLL_REVENTS) != 0;
    }
}
