package dev.netscan.discovery.icmp;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One socket for the occasional, low-rate exchanges of on-link discovery (an echo to the
 * all-nodes multicast address, a netlink neighbour-table dump): one message per call, no
 * batching, no engine. Internal to netscan-discovery: not an API.
 *
 * <p>Every wait is bounded by the caller's timeout. Not thread-safe: one thread uses and closes it.
 */
public final class LinkSocket implements AutoCloseable {
    /** Largest message read (a netlink dump part is at most a page or two; an echo reply is small). */
    public static final int MAX_MESSAGE = 65_536;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Libc.newErrnoSegment(arena);
    private final MemorySegment msg = arena.allocate(Libc.MMSGHDR);
    private final MemorySegment iov = arena.allocate(Libc.IOVEC);
    private final MemorySegment name = arena.allocate(Libc.SOCKADDR_IN6);
    private final MemorySegment buffer = arena.allocate(MAX_MESSAGE, 8);
    private final MemorySegment pollfd = arena.allocate(Libc.POLLFD);
    private final int fd;
    private int sourceScope;
    private final byte[] source = new byte[16];
    private boolean closed;

    private LinkSocket(int fd) {
        this.fd = fd;
    }

    /**
     * Opens {@code socket(family, type | SOCK_CLOEXEC, protocol)}.
     *
     * @return the socket, or null when the kernel refused (the errno is in {@code errnoOut[0]})
     */
    public static LinkSocket open(int family, int type, int protocol, int[] errnoOut) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment e = Libc.newErrnoSegment(a);
            int fd = Libc.socket(e, family, type | Libc.SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                errnoOut[0] = Libc.errno(e);
                return null;
            }
            return new LinkSocket(fd);
        }
    }

    /** setsockopt with {@code value} as the option's bytes; returns 0 or the errno. */
    public int setOption(int level, int option, byte[] value) {
        MemorySegment v = arena.allocate(Math.max(1, value.length), 8);
        MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
        return Libc.setsockopt(errno, fd, level, option, v, value.length) == 0 ? 0 : Libc.errno(errno);
    }

    /** setsockopt of an int option; returns 0 or the errno. */
    public int setInt(int level, int option, int value) {
        MemorySegment v = arena.allocate(Libc.C_INT);
        v.set(ValueLayout.JAVA_INT, 0, value);
        return Libc.setsockopt(errno, fd, level, option, v, 4) == 0 ? 0 : Libc.errno(errno);
    }

    /** Binds to the IPv6 address {@code address16} (scope {@code scope} for a link-local one); returns 0 or the errno. */
    public int bind6(byte[] address16, int scope) {
        fillName6(address16, scope);
        return Libc.bind(errno, fd, name, (int) Libc.SOCKADDR_IN6.byteSize()) == 0 ? 0 : Libc.errno(errno);
    }

    private void fillName6(byte[] address16, int scope) {
        name.fill((byte) 0);
        name.set(ValueLayout.JAVA_SHORT, Libc.SIN6_FAMILY, (short) Libc.AF_INET6);
        MemorySegment.copy(address16, 0, name, ValueLayout.JAVA_BYTE, Libc.SIN6_ADDR, 16);
        name.set(ValueLayout.JAVA_INT, Libc.SIN6_SCOPE, scope);
    }

    /**
     * Sends {@code data} to the IPv6 address {@code address16} (scope {@code scope}), or, when
     * {@code address16} is null, to the socket's default peer (the kernel, for netlink).
     *
     * @return 0, or the errno of the refusal
     */
    public int send(byte[] data, byte[] address16, int scope) {
        if (data.length > MAX_MESSAGE) {
            throw new IllegalArgumentException("message of " + data.length + " bytes is larger than " + MAX_MESSAGE);
        }
        MemorySegment.copy(data, 0, buffer, ValueLayout.JAVA_BYTE, 0, data.length);
        msg.fill((byte) 0);
        if (address16 != null) {
            fillName6(address16, scope);
            msg.set(ValueLayout.ADDRESS, Libc.MSG_NAME, name);
            msg.set(ValueLayout.JAVA_INT, Libc.MSG_NAMELEN, (int) Libc.SOCKADDR_IN6.byteSize());
        }
        iov.set(ValueLayout.ADDRESS, Libc.IOV_BASE, buffer);
        SendBatch.setSize(iov, Libc.IOV_LEN, data.length);
        msg.set(ValueLayout.ADDRESS, Libc.MSG_IOV, iov);
        SendBatch.setSize(msg, Libc.MSG_IOVLEN, 1);
        return Libc.sendmmsg(errno, fd, msg, 1, 0) == 1 ? 0 : Libc.errno(errno);
    }

    /**
     * Waits at most {@code waitMillis} for one message and copies up to {@code into.length}
     * bytes of it; its source (for IPv6 sockets) is then {@link #source()} / {@link #sourceScope()}.
     *
     * @return the bytes copied, 0 when nothing came in time, or {@code -errno} on a receive error
     */
    public int receive(byte[] into, int waitMillis) {
        pollfd.set(ValueLayout.JAVA_INT, Libc.POLL_FD, fd);
        pollfd.set(ValueLayout.JAVA_SHORT, Libc.POLL_EVENTS, Libc.POLLIN);
        pollfd.set(ValueLayout.JAVA_SHORT, Libc.POLL_REVENTS, (short) 0);
        int ready = Libc.poll(errno, pollfd, 1, Math.max(0, waitMillis));
        if (ready <= 0) {
            return ready == 0 || Libc.errno(errno) == Libc.EINTR ? 0 : -Libc.errno(errno);
        }
        msg.fill((byte) 0);
        name.fill((byte) 0);
        msg.set(ValueLayout.ADDRESS, Libc.MSG_NAME, name);
        msg.set(ValueLayout.JAVA_INT, Libc.MSG_NAMELEN, (int) Libc.SOCKADDR_IN6.byteSize());
        iov.set(ValueLayout.ADDRESS, Libc.IOV_BASE, buffer);
        SendBatch.setSize(iov, Libc.IOV_LEN, MAX_MESSAGE);
        msg.set(ValueLayout.ADDRESS, Libc.MSG_IOV, iov);
        SendBatch.setSize(msg, Libc.MSG_IOVLEN, 1);
        int r = Libc.recvmmsg(errno, fd, msg, 1, Libc.MSG_DONTWAIT);
        if (r != 1) {
            int e = Libc.errno(errno);
            return e == Libc.EAGAIN || e == Libc.EINTR ? 0 : -e;
        }
        int len = Math.min(msg.get(ValueLayout.JAVA_INT, Libc.MSG_LEN), Math.min(into.length, MAX_MESSAGE));
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, into, 0, len);
        MemorySegment.copy(name, ValueLayout.JAVA_BYTE, Libc.SIN6_ADDR, source, 0, 16);
        sourceScope = name.get(ValueLayout.JAVA_INT, Libc.SIN6_SCOPE);
        return len;
    }

    /** The IPv6 source of the last message received (a copy). */
    public byte[] source() {
        return source.clone();
    }

    /** The scope id (interface index) of the last message's source; 0 for a global one. */
    public int sourceScope() {
        return sourceScope;
    }

    /** Closes the descriptor and frees the buffers; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(errno, fd);
        arena.close();
    }
}
