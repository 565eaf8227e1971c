package dev.netscan.discovery.icmp;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The handful of Linux libc calls the ICMP engine makes, bound through {@code java.lang.foreign}.
 * Internal to netscan-discovery: not an API.
 *
 * <p>Only non-variadic functions are bound (no {@code fcntl}/{@code ioctl}), so the calls are
 * correct under every ABI the JDK supports (x86_64 and aarch64 included). Each downcall captures
 * {@code errno} into a caller-supplied segment ({@link #newErrnoSegment(Arena)}); read it with
 * {@link #errno(MemorySegment)} right after a call that returned -1.
 *
 * <p>Struct layouts are built from the platform's canonical C layouts with padding inserted by
 * alignment rules ({@link #struct}), never from hard-coded sizes, so they hold on every LP64 Linux.
 *
 * <p>Thread safety: all members are immutable; the method handles may be invoked from any thread.
 */
public final class Libc {
    private Libc() {}

    // ---- constants: identical on Linux x86_64 and aarch64 (asm-generic values) ----
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_ICMP = 1;
    public static final int IPPROTO_ICMPV6 = 58;
    public static final int SOL_SOCKET = 1;
    public static final int SOL_RAW = 255;
    public static final int IPPROTO_IP = 0;
    /** IP_MTU_DISCOVER (linux/in.h). */
    public static final int IP_MTU_DISCOVER = 10;
    /** Set DF, ignore the path MTU (linux/in.h). */
    public static final int IP_PMTUDISC_PROBE = 3;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_SNDBUFFORCE = 32;
    public static final int SO_RCVBUFFORCE = 33;
    /** SO_MEMINFO: the socket's memory counters as u32[SK_MEMINFO_VARS]; index {@link #SK_MEMINFO_DROPS} counts packets the receive queue dropped (what SO_RXQ_OVFL reports per message). */
    public static final int SO_MEMINFO = 55;
    public static final int SK_MEMINFO_DROPS = 8;
    public static final int SK_MEMINFO_VARS = 9;
    public static final int ICMP_FILTER = 1;
    public static final int ICMP6_FILTER = 1;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_CTRUNC = 0x8;
    /** SO_TIMESTAMPNS (the "old" 64-bit-time_t variant on LP64: asm-generic and x86 both 35); also the cmsg type SCM_TIMESTAMPNS. */
    public static final int SO_TIMESTAMPNS = 35;
    public static final int SCM_TIMESTAMPNS = SO_TIMESTAMPNS;
    public static final int CLOCK_REALTIME = 0;
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final int EPERM = 1;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int EINVAL = 22;
    public static final int EAFNOSUPPORT = 97;
    public static final int ENOBUFS = 105;
    public static final int EPROTONOSUPPORT = 93;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    public static final ValueLayout C_INT = (ValueLayout) LINKER.canonicalLayouts().get("int");
    public static final ValueLayout C_SHORT = (ValueLayout) LINKER.canonicalLayouts().get("short");
    public static final ValueLayout C_SIZE_T = (ValueLayout) LINKER.canonicalLayouts().get("size_t");
    public static final ValueLayout C_LONG = (ValueLayout) LINKER.canonicalLayouts().get("long");
    public static final ValueLayout C_POINTER = ValueLayout.ADDRESS;

    /** Big-endian (network order) views for address and port fields. */
    public static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** struct sockaddr_in { sa_family_t; in_port_t; struct in_addr; char zero[8]; } */
    public static final StructLayout SOCKADDR_IN = struct(
            ValueLayout.JAVA_SHORT.withName("family"),
            ValueLayout.JAVA_SHORT.withName("port"),
            ValueLayout.JAVA_INT.withName("addr"),
            MemoryLayout.sequenceLayout(8, ValueLayout.JAVA_BYTE).withName("zero"));
    public static final long SIN_FAMILY = SOCKADDR_IN.byteOffset(MemoryLayout.PathElement.groupElement("family"));
    public static final long SIN_ADDR = SOCKADDR_IN.byteOffset(MemoryLayout.PathElement.groupElement("addr"));

    /** struct sockaddr_in6 { family; port; flowinfo; in6_addr (16 bytes); scope_id; } */
    public static final StructLayout SOCKADDR_IN6 = struct(
            ValueLayout.JAVA_SHORT.withName("family"),
            ValueLayout.JAVA_SHORT.withName("port"),
            ValueLayout.JAVA_INT.withName("flowinfo"),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_BYTE).withName("addr"),
            ValueLayout.JAVA_INT.withName("scope"));
    public static final long SIN6_FAMILY = SOCKADDR_IN6.byteOffset(MemoryLayout.PathElement.groupElement("family"));
    public static final long SIN6_ADDR = SOCKADDR_IN6.byteOffset(MemoryLayout.PathElement.groupElement("addr"));
    public static final long SIN6_SCOPE = SOCKADDR_IN6.byteOffset(MemoryLayout.PathElement.groupElement("scope"));

    /** struct iovec { void *iov_base; size_t iov_len; } */
    public static final StructLayout IOVEC = struct(C_POINTER.withName("base"), C_SIZE_T.withName("len"));
    public static final long IOV_BASE = IOVEC.byteOffset(MemoryLayout.PathElement.groupElement("base"));
    public static final long IOV_LEN = IOVEC.byteOffset(MemoryLayout.PathElement.groupElement("len"));

    /** struct msghdr (glibc, LP64). */
    public static final StructLayout MSGHDR = struct(
            C_POINTER.withName("name"),
            C_INT.withName("namelen"),
            C_POINTER.withName("iov"),
            C_SIZE_T.withName("iovlen"),
            C_POINTER.withName("control"),
            C_SIZE_T.withName("controllen"),
            C_INT.withName("flags"));

    /** struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; } */
    public static final StructLayout MMSGHDR = struct(MSGHDR.withName("hdr"), C_INT.withName("len"));
    public static final long MSG_NAME = offset(MMSGHDR, "hdr", "name");
    public static final long MSG_NAMELEN = offset(MMSGHDR, "hdr", "namelen");
    public static final long MSG_IOV = offset(MMSGHDR, "hdr", "iov");
    public static final long MSG_IOVLEN = offset(MMSGHDR, "hdr", "iovlen");
    public static final long MSG_CONTROL = offset(MMSGHDR, "hdr", "control");
    public static final long MSG_CONTROLLEN = offset(MMSGHDR, "hdr", "controllen");
    public static final long MSG_FLAGS = offset(MMSGHDR, "hdr", "flags");
    public static final long MSG_LEN = MMSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("len"));

    /** struct timespec { time_t tv_sec; long tv_nsec; } (time_t is a long on LP64 Linux). */
    public static final StructLayout TIMESPEC = struct(C_LONG.withName("sec"), C_LONG.withName("nsec"));

    /** struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } followed by data aligned to size_t. */
    public static final StructLayout CMSGHDR = struct(C_SIZE_T.withName("len"), C_INT.withName("level"), C_INT.withName("type"));
    public static final long CMSG_LEN_OFFSET = CMSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("len"));
    public static final long CMSG_LEVEL = CMSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("level"));
    public static final long CMSG_TYPE = CMSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("type"));
    /** CMSG_DATA offset: the header rounded up to the alignment of size_t. */
    public static final long CMSG_DATA = align(CMSGHDR.byteSize(), C_SIZE_T.byteSize());
    /** CMSG_SPACE(sizeof(struct timespec)). */
    public static final long CMSG_SPACE_TIMESPEC = CMSG_DATA + align(TIMESPEC.byteSize(), C_SIZE_T.byteSize());

    private static long align(long v, long a) {
        return (v + a - 1) / a * a;
    }

    /** struct pollfd { int fd; short events; short revents; } */
    public static final StructLayout POLLFD = struct(
            C_INT.withName("fd"), C_SHORT.withName("events"), C_SHORT.withName("revents"));
    public static final long POLL_FD = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("fd"));
    public static final long POLL_EVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("events"));
    public static final long POLL_REVENTS = POLLFD.byteOffset(MemoryLayout.PathElement.groupElement("revents"));

    private static final MethodHandle SOCKET = bind("socket", FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT));
    private static final MethodHandle SETSOCKOPT = bind("setsockopt",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle GETSOCKOPT = bind("getsockopt",
            FunctionDescriptor.of(C_INT, C_INT, C_INT, C_INT, C_POINTER, C_POINTER));
    private static final MethodHandle SENDMMSG = bind("sendmmsg",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT));
    private static final MethodHandle RECVMMSG = bind("recvmmsg",
            FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT, C_INT, C_POINTER));
    private static final MethodHandle POLL = bind("poll", FunctionDescriptor.of(C_INT, C_POINTER, C_LONG, C_INT));
    private static final MethodHandle CLOCK_GETTIME = bind("clock_gettime", FunctionDescriptor.of(C_INT, C_INT, C_POINTER));
    private static final MethodHandle CLOSE = bind("close", FunctionDescriptor.of(C_INT, C_INT));
    private static final MethodHandle BIND = bind("bind", FunctionDescriptor.of(C_INT, C_INT, C_POINTER, C_INT));
    private static final MethodHandle SETNS = bind("setns", FunctionDescriptor.of(C_INT, C_INT, C_INT));

    @SuppressWarnings("restricted") // binding libc is this class's job; the module needs native access
    private static MethodHandle bind(String name, FunctionDescriptor fd) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol '" + name + "'"));
        return LINKER.downcallHandle(symbol, fd, ERRNO);
    }

    /** A segment to capture errno into; one per calling thread. */
    public static MemorySegment newErrnoSegment(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** The errno captured by the last call that used {@code capture}. */
    public static int errno(MemorySegment capture) {
        return (int) ERRNO_HANDLE.get(capture, 0L);
    }

    public static int socket(MemorySegment errno, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value, int length) {
        try {
            return (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value, MemorySegment length) {
        try {
            return (int) GETSOCKOPT.invokeExact(errno, fd, level, name, value, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int sendmmsg(MemorySegment errno, int fd, MemorySegment msgs, int count, int flags) {
        try {
            return (int) SENDMMSG.invokeExact(errno, fd, msgs, count, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int recvmmsg(MemorySegment errno, int fd, MemorySegment msgs, int count, int flags) {
        try {
            return (int) RECVMMSG.invokeExact(errno, fd, msgs, count, flags, MemorySegment.NULL);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int poll(MemorySegment errno, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(errno, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** clock_gettime(2) into {@code timespec} (a {@link #TIMESPEC}). */
    public static int clockGettime(MemorySegment errno, int clock, MemorySegment timespec) {
        try {
            return (int) CLOCK_GETTIME.invokeExact(errno, clock, timespec);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int close(MemorySegment errno, int fd) {
        try {
            return (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** bind(2) of {@code fd} to the socket address {@code addr} of {@code length} bytes. */
    public static int bind(MemorySegment errno, int fd, MemorySegment addr, int length) {
        try {
            return (int) BIND.invokeExact(errno, fd, addr, length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** setns(2): moves the calling thread into the namespace {@code fd} refers to. */
    public static int setns(MemorySegment errno, int fd, int nstype) {
        try {
            return (int) SETNS.invokeExact(errno, fd, nstype);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("native call failed", t);
    }

    /** A C struct of {@code members} in order, with the padding C's alignment rules insert. */
    public static StructLayout struct(MemoryLayout... members) {
        List<MemoryLayout> out = new ArrayList<>();
        long size = 0;
        long maxAlign = 1;
        for (MemoryLayout m : members) {
            long align = m.byteAlignment();
            maxAlign = Math.max(maxAlign, align);
            long pad = (align - size % align) % align;
            if (pad > 0) {
                out.add(MemoryLayout.paddingLayout(pad));
                size += pad;
            }
            out.add(m);
            size += m.byteSize();
        }
        long tail = (maxAlign - size % maxAlign) % maxAlign;
        if (tail > 0) {
            out.add(MemoryLayout.paddingLayout(tail));
        }
        return MemoryLayout.structLayout(out.toArray(MemoryLayout[]::new));
    }

    private static long offset(StructLayout layout, String outer, String inner) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(outer), MemoryLayout.PathElement.groupElement(inner));
    }

    /** strerror-like short names for the errno values the engine meets. */
    public static String errnoName(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM (operation not permitted)";
            case EINTR -> "EINTR";
            case EAGAIN -> "EAGAIN";
            case EACCES -> "EACCES (permission denied)";
            case EINVAL -> "EINVAL";
            case EAFNOSUPPORT -> "EAFNOSUPPORT (address family not supported)";
            case EPROTONOSUPPORT -> "EPROTONOSUPPORT (protocol not supported)";
            case ENOBUFS -> "ENOBUFS";
            case 101 -> "ENETUNREACH (network unreachable)";
            case 113 -> "EHOSTUNREACH (no route to host)";
            case 99 -> "EADDRNOTAVAIL";
            default -> "errno " + errno;
        };
    }
}
