package dev.netscan.discovery.icmp;

import dev.netscan.core.Ipv4;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Encodes ICMP / ICMPv6 echo requests and parses what a socket receives. Internal to
 * netscan-discovery: not an API.
 *
 * <p>A request carries a 24-byte payload: probe slot (4), slot generation (4), the monotonic send
 * time in nanoseconds (8) and a token (8) that is a keyed hash, with a per-engine random secret,
 * of the slot, generation, send time, ICMP sequence and the destination address. A reply is
 * attributed only when its token verifies against the address that answered, so the 16-bit
 * sequence space never limits how many probes are in flight, a reply from another address or
 * for another process's probe never matches, and random or crafted bytes match with probability
 * about 2^-64. (The hash is a fast mixer, not a MAC against an adversary who can observe many
 * tokens; it is for attribution, not authentication.)
 *
 * <p>Parsing never throws for any input: every length and offset is checked against the bytes
 * actually received. All methods are static, allocation-free and thread-safe (the
 * {@link ParsedReply} holder belongs to the calling thread).
 */
public final class EchoCodec {
    private EchoCodec() {}

    public static final int ICMP_HEADER = 8;
    public static final int PAYLOAD = 24;
    /** Bytes of an echo request we send (ICMP header + payload). */
    public static final int REQUEST_LENGTH = ICMP_HEADER + PAYLOAD;

    public static final int ECHO_REPLY_V4 = 0;
    public static final int DEST_UNREACH_V4 = 3;
    public static final int ECHO_REQUEST_V4 = 8;
    public static final int TIME_EXCEEDED_V4 = 11;
    public static final int DEST_UNREACH_V6 = 1;
    public static final int TIME_EXCEEDED_V6 = 3;
    public static final int ECHO_REQUEST_V6 = 128;
    public static final int ECHO_REPLY_V6 = 129;

    /** Parse outcome: an echo reply whose token verified. */
    public static final int REPLY = 1;
    /** Parse outcome: an ICMP error quoting one of our requests (token verified). */
    public static final int UNREACHABLE = 2;
    /** Parse outcome: too short or an impossible header. */
    public static final int IGNORED_MALFORMED = -1;
    /** Parse outcome: an echo request (ours or anyone's), seen because raw sockets see everything. */
    public static final int IGNORED_OWN_REQUEST = -2;
    /** Parse outcome: an ICMP type we do not use. */
    public static final int IGNORED_OTHER_TYPE = -3;
    /** Parse outcome: a well-formed packet that is not an answer to any probe of this engine. */
    public static final int IGNORED_FOREIGN = -4;

    /** Writes an ICMPv4 echo request at {@code off} and its checksum. */
    public static void writeRequest4(MemorySegment pkt, long off, int ident, int seq, int slot, int gen, long sendNanos, long token) {
        writeRequest(pkt, off, ECHO_REQUEST_V4, ident, seq, slot, gen, sendNanos, token);
        pkt.set(Libc.BE_SHORT, off + 2, (short) checksum(pkt, off, REQUEST_LENGTH));
    }

    /** Writes an ICMPv6 echo request at {@code off}; the kernel fills in the checksum. */
    public static void writeRequest6(MemorySegment pkt, long off, int ident, int seq, int slot, int gen, long sendNanos, long token) {
        writeRequest(pkt, off, ECHO_REQUEST_V6, ident, seq, slot, gen, sendNanos, token);
    }

    private static void writeRequest(MemorySegment pkt, long off, int type, int ident, int seq, int slot, int gen, long sendNanos, long token) {
        pkt.set(ValueLayout.JAVA_BYTE, off, (byte) type);
        pkt.set(ValueLayout.JAVA_BYTE, off + 1, (byte) 0);
        pkt.set(Libc.BE_SHORT, off + 2, (short) 0);
        pkt.set(Libc.BE_SHORT, off + 4, (short) ident);
        pkt.set(Libc.BE_SHORT, off + 6, (short) seq);
        pkt.set(Libc.BE_INT, off + 8, slot);
        pkt.set(Libc.BE_INT, off + 12, gen);
        pkt.set(Libc.BE_LONG, off + 16, sendNanos);
        pkt.set(Libc.BE_LONG, off + 24, token);
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes at {@code off}. */
    public static int checksum(MemorySegment seg, long off, int len) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += seg.get(Libc.BE_SHORT, off + i) & 0xFFFF;
        }
        if (i < len) {
            sum += (seg.get(ValueLayout.JAVA_BYTE, off + i) & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    /**
     * The token binding a probe's identity to the address it was sent to. {@code addrHi}/{@code addrLo}
     * are the IPv6 address halves, or 0 and the IPv4 address as an unsigned value.
     */
    public static long token(long secret, int slot, int gen, long sendNanos, int seq, long addrHi, long addrLo) {
        long h = mix(secret ^ (((long) slot << 32) | (gen & 0xFFFF_FFFFL)));
        h = mix(h ^ sendNanos);
        h = mix(h ^ ((long) (seq & 0xFFFF) << 48) ^ addrLo);
        return mix(h ^ addrHi ^ 0x5851F42D4C957F2DL);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Parses one IPv4 packet as received.
     *
     * @param buf the receive buffer
     * @param off where the packet starts in {@code buf}
     * @param len bytes received (never trusted beyond {@code buf}'s size)
     * @param withIpHeader true on raw sockets (the packet starts with the IPv4 header)
     * @param sourceIpv4 the address that sent the packet (from the socket's source address)
     * @param expectIdent the ICMP identifier of our requests, or -1 on datagram sockets (the kernel
     *     rewrote it and delivers only replies to this socket)
     * @param slotCapacity slots above this are foreign
     * @param out filled when the result is {@link #REPLY} or {@link #UNREACHABLE}
     * @return {@link #REPLY}, {@link #UNREACHABLE} or one of the {@code IGNORED_*} codes
     */
    public static int parse4(MemorySegment buf, long off, int len, boolean withIpHeader, int sourceIpv4,
                             int expectIdent, long secret, int slotCapacity, ParsedReply out) {
        if (len < 0 || off < 0 || off + len > buf.byteSize()) {
            return IGNORED_MALFORMED;
        }
        int icmp = 0;
        if (withIpHeader) {
            if (len < 20) {
                return IGNORED_MALFORMED;
            }
            int vihl = buf.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
            int ihl = (vihl & 0x0F) * 4;
            if ((vihl >>> 4) != 4 || ihl < 20 || ihl > len) {
                return IGNORED_MALFORMED;
            }
            if ((buf.get(ValueLayout.JAVA_BYTE, off + 9) & 0xFF) != Libc.IPPROTO_ICMP) {
                return IGNORED_OTHER_TYPE;
            }
            icmp = ihl;
        }
        int icmpLen = len - icmp;
        if (icmpLen < ICMP_HEADER) {
            return IGNORED_MALFORMED;
        }
        long p = off + icmp;
        int type = buf.get(ValueLayout.JAVA_BYTE, p) & 0xFF;
        switch (type) {
            case ECHO_REPLY_V4 -> {
                return echo(buf, p, icmpLen, expectIdent, secret, slotCapacity, 0, Ipv4.toUnsigned(sourceIpv4), REPLY, out);
            }
            case ECHO_REQUEST_V4 -> {
                return IGNORED_OWN_REQUEST;
            }
            case DEST_UNREACH_V4, TIME_EXCEEDED_V4 -> {
                // ICMP header (8), then the offending IPv4 header and at least 8 bytes of its payload.
                int inner = ICMP_HEADER;
                if (icmpLen < inner + 20 + ICMP_HEADER) {
                    return IGNORED_MALFORMED;
                }
                long ip = p + inner;
                int vihl = buf.get(ValueLayout.JAVA_BYTE, ip) & 0xFF;
                int ihl = (vihl & 0x0F) * 4;
                if ((vihl >>> 4) != 4 || ihl < 20 || inner + ihl + ICMP_HEADER > icmpLen) {
                    return IGNORED_MALFORMED;
                }
                if ((buf.get(ValueLayout.JAVA_BYTE, ip + 9) & 0xFF) != Libc.IPPROTO_ICMP) {
                    return IGNORED_FOREIGN;
                }
                int dst = buf.get(Libc.BE_INT, ip + 16);
                long q = ip + ihl;
                if ((buf.get(ValueLayout.JAVA_BYTE, q) & 0xFF) != ECHO_REQUEST_V4) {
                    return IGNORED_FOREIGN;
                }
                int r = echo(buf, q, icmpLen - inner - ihl, expectIdent, secret, slotCapacity, 0, Ipv4.toUnsigned(dst), UNREACHABLE, out);
                if (r == UNREACHABLE) {
                    out.ipv4 = dst;
                }
                return r;
            }
            default -> {
                return IGNORED_OTHER_TYPE;
            }
        }
    }

    /**
     * Parses one ICMPv6 packet as received (raw and datagram ICMPv6 sockets both deliver the
     * ICMPv6 message without the IPv6 header). Parameters as {@link #parse4}; the source address is
     * given as its two big-endian halves.
     */
    public static int parse6(MemorySegment buf, long off, int len, long sourceHi, long sourceLo,
                             int expectIdent, long secret, int slotCapacity, ParsedReply out) {
        if (len < 0 || off < 0 || off + len > buf.byteSize()) {
            return IGNORED_MALFORMED;
        }
        if (len < ICMP_HEADER) {
            return IGNORED_MALFORMED;
        }
        int type = buf.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
        switch (type) {
            case ECHO_REPLY_V6 -> {
                return echo(buf, off, len, expectIdent, secret, slotCapacity, sourceHi, sourceLo, REPLY, out);
            }
            case ECHO_REQUEST_V6 -> {
                return IGNORED_OWN_REQUEST;
            }
            case DEST_UNREACH_V6, TIME_EXCEEDED_V6 -> {
                int inner = ICMP_HEADER;
                if (len < inner + 40 + ICMP_HEADER) {
                    return IGNORED_MALFORMED;
                }
                long ip = off + inner;
                if (((buf.get(ValueLayout.JAVA_BYTE, ip) & 0xFF) >>> 4) != 6) {
                    return IGNORED_MALFORMED;
                }
                if ((buf.get(ValueLayout.JAVA_BYTE, ip + 6) & 0xFF) != Libc.IPPROTO_ICMPV6) {
                    return IGNORED_FOREIGN; // extension headers: not ours
                }
                long dstHi = buf.get(Libc.BE_LONG, ip + 24);
                long dstLo = buf.get(Libc.BE_LONG, ip + 32);
                long q = ip + 40;
                if ((buf.get(ValueLayout.JAVA_BYTE, q) & 0xFF) != ECHO_REQUEST_V6) {
                    return IGNORED_FOREIGN;
                }
                int r = echo(buf, q, len - inner - 40, expectIdent, secret, slotCapacity, dstHi, dstLo, UNREACHABLE, out);
                if (r == UNREACHABLE) {
                    out.addrHi = dstHi;
                    out.addrLo = dstLo;
                }
                return r;
            }
            default -> {
                return IGNORED_OTHER_TYPE;
            }
        }
    }

    private static int echo(MemorySegment buf, long p, int icmpLen, int expectIdent, long secret, int slotCapacity,
                            long addrHi, long addrLo, int kind, ParsedReply out) {
        if (icmpLen < REQUEST_LENGTH) {
            return IGNORED_FOREIGN; // not one of ours: ours always carry the full payload
        }
        if (buf.get(ValueLayout.JAVA_BYTE, p + 1) != 0) {
            return IGNORED_FOREIGN;
        }
        int ident = buf.get(Libc.BE_SHORT, p + 4) & 0xFFFF;
        if (expectIdent >= 0 && ident != expectIdent) {
            return IGNORED_FOREIGN;
        }
        int seq = buf.get(Libc.BE_SHORT, p + 6) & 0xFFFF;
        int slot = buf.get(Libc.BE_INT, p + 8);
        int gen = buf.get(Libc.BE_INT, p + 12);
        long sendNanos = buf.get(Libc.BE_LONG, p + 16);
        long token = buf.get(Libc.BE_LONG, p + 24);
        if (slot < 0 || slot >= slotCapacity) {
            return IGNORED_FOREIGN;
        }
        if (token != token(secret, slot, gen, sendNanos, seq, addrHi, addrLo)) {
            return IGNORED_FOREIGN;
        }
        out.slot = slot;
        out.gen = gen;
        out.sendNanos = sendNanos;
        out.seq = seq;
        out.addrHi = addrHi;
        out.addrLo = addrLo;
        out.ipv4 = (int) addrLo;
        return kind;
    }

    /** Where a parse puts what it found; one per receiving thread, reused. */
    public static final class ParsedReply {
        public int slot;
        public int gen;
        public long sendNanos;
        public int seq;
        /** The probed address: IPv4 as an int, or the IPv6 halves. */
        public int ipv4;
        public long addrHi;
        public long addrLo;
    }
}
