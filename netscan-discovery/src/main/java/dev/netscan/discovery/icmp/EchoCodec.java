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
        byte[] b = new byte[REQUEST_LENGTH];
        writeRequest4(b, 0, ident, seq, slot, gen, sendNanos, token);
        MemorySegment.copy(b, 0, pkt, ValueLayout.JAVA_BYTE, off, REQUEST_LENGTH);
    }

    /** Writes an ICMPv6 echo request at {@code off}; the kernel fills in the checksum. */
    public static void writeRequest6(MemorySegment pkt, long off, int ident, int seq, int slot, int gen, long sendNanos, long token) {
        byte[] b = new byte[REQUEST_LENGTH];
        writeRequest6(b, 0, ident, seq, slot, gen, sendNanos, token);
        MemorySegment.copy(b, 0, pkt, ValueLayout.JAVA_BYTE, off, REQUEST_LENGTH);
    }

    /**
     * Writes an ICMPv4 echo request and its checksum into a heap array (the engine's send path:
     * plain array stores are cheap even before the JIT compiles them; the batch is then copied to
     * native memory in one bulk copy).
     */
    public static void writeRequest4(byte[] pkt, int off, int ident, int seq, int slot, int gen, long sendNanos, long token) {
        writeRequest(pkt, off, ECHO_REQUEST_V4, ident, seq, slot, gen, sendNanos, token);
        putShort(pkt, off + 2, checksum(pkt, off, REQUEST_LENGTH));
    }

    /** Writes an ICMPv6 echo request into a heap array; the kernel fills in the checksum. */
    public static void writeRequest6(byte[] pkt, int off, int ident, int seq, int slot, int gen, long sendNanos, long token) {
        writeRequest(pkt, off, ECHO_REQUEST_V6, ident, seq, slot, gen, sendNanos, token);
    }

    private static void writeRequest(byte[] pkt, int off, int type, int ident, int seq, int slot, int gen, long sendNanos, long token) {
        pkt[off] = (byte) type;
        pkt[off + 1] = 0;
        pkt[off + 2] = 0;
        pkt[off + 3] = 0;
        putShort(pkt, off + 4, ident);
        putShort(pkt, off + 6, seq);
        putInt(pkt, off + 8, slot);
        putInt(pkt, off + 12, gen);
        putLong(pkt, off + 16, sendNanos);
        putLong(pkt, off + 24, token);
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes at {@code off}. */
    public static int checksum(MemorySegment seg, long off, int len) {
        byte[] b = new byte[len];
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off, b, 0, len);
        return checksum(b, 0, len);
    }

    /** The Internet checksum (RFC 1071) of {@code len} bytes at {@code off} of a heap array. */
    public static int checksum(byte[] b, int off, int len) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < len; i += 2) {
            sum += ((b[off + i] & 0xFF) << 8) | (b[off + i + 1] & 0xFF);
        }
        if (i < len) {
            sum += (b[off + i] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) (~sum & 0xFFFF);
    }

    // ---- big-endian (network order) accessors on heap arrays; callers check bounds first ----

    /** Reads an unsigned byte. */
    public static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    /** Reads an unsigned big-endian 16-bit value. */
    public static int be16(byte[] b, int i) {
        return ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
    }

    /** Reads a big-endian 32-bit value. */
    public static int be32(byte[] b, int i) {
        return ((b[i] & 0xFF) << 24) | ((b[i + 1] & 0xFF) << 16) | ((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF);
    }

    /** Reads a big-endian 64-bit value. */
    public static long be64(byte[] b, int i) {
        return ((long) be32(b, i) << 32) | (be32(b, i + 4) & 0xFFFF_FFFFL);
    }

    private static void putShort(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    /** Writes a big-endian 32-bit value. */
    public static void putInt(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 24);
        b[i + 1] = (byte) (v >>> 16);
        b[i + 2] = (byte) (v >>> 8);
        b[i + 3] = (byte) v;
    }

    /** Writes a big-endian 64-bit value. */
    public static void putLong(byte[] b, int i, long v) {
        putInt(b, i, (int) (v >>> 32));
        putInt(b, i + 4, (int) v);
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
     * {@link #parse4(byte[], int, int, boolean, int, int, long, int, ParsedReply)} on native memory:
     * the bytes are copied into {@code out}'s scratch array first.
     */
    public static int parse4(MemorySegment buf, long off, int len, boolean withIpHeader, int sourceIpv4,
                             int expectIdent, long secret, int slotCapacity, ParsedReply out) {
        if (len < 0 || off < 0 || off + len > buf.byteSize()) {
            return IGNORED_MALFORMED;
        }
        byte[] b = out.scratch(len);
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, off, b, 0, len);
        return parse4(b, 0, len, withIpHeader, sourceIpv4, expectIdent, secret, slotCapacity, out);
    }

    /**
     * {@link #parse6(byte[], int, int, long, long, int, long, int, ParsedReply)} on native memory:
     * the bytes are copied into {@code out}'s scratch array first.
     */
    public static int parse6(MemorySegment buf, long off, int len, long sourceHi, long sourceLo,
                             int expectIdent, long secret, int slotCapacity, ParsedReply out) {
        if (len < 0 || off < 0 || off + len > buf.byteSize()) {
            return IGNORED_MALFORMED;
        }
        byte[] b = out.scratch(len);
        MemorySegment.copy(buf, ValueLayout.JAVA_BYTE, off, b, 0, len);
        return parse6(b, 0, len, sourceHi, sourceLo, expectIdent, secret, slotCapacity, out);
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
    public static int parse4(byte[] buf, int off, int len, boolean withIpHeader, int sourceIpv4,
                             int expectIdent, long secret, int slotCapacity, ParsedReply out) {
        if (len < 0 || off < 0 || off + len > buf.length || off + len < 0) {
            return IGNORED_MALFORMED;
        }
        int icmp = 0;
        if (withIpHeader) {
            if (len < 20) {
                return IGNORED_MALFORMED;
            }
            int vihl = u8(buf, off);
            int ihl = (vihl & 0x0F) * 4;
            if ((vihl >>> 4) != 4 || ihl < 20 || ihl > len) {
                return IGNORED_MALFORMED;
            }
            if ((u8(buf, off + 9)) != Libc.IPPROTO_ICMP) {
                return IGNORED_OTHER_TYPE;
            }
            icmp = ihl;
        }
        int icmpLen = len - icmp;
        if (icmpLen < ICMP_HEADER) {
            return IGNORED_MALFORMED;
        }
        int p = off + icmp;
        int type = u8(buf, p);
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
                int ip = p + inner;
                int vihl = u8(buf, ip);
                int ihl = (vihl & 0x0F) * 4;
                if ((vihl >>> 4) != 4 || ihl < 20 || inner + ihl + ICMP_HEADER > icmpLen) {
                    return IGNORED_MALFORMED;
                }
                if ((u8(buf, ip + 9)) != Libc.IPPROTO_ICMP) {
                    return IGNORED_FOREIGN;
                }
                int dst = be32(buf, ip + 16);
                int q = ip + ihl;
                if ((u8(buf, q)) != ECHO_REQUEST_V4) {
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
    public static int parse6(byte[] buf, int off, int len, long sourceHi, long sourceLo,
                             int expectIdent, long secret, int slotCapacity, ParsedReply out) {
        if (len < 0 || off < 0 || off + len > buf.length || off + len < 0) {
            return IGNORED_MALFORMED;
        }
        if (len < ICMP_HEADER) {
            return IGNORED_MALFORMED;
        }
        int type = u8(buf, off);
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
                int ip = off + inner;
                if (((u8(buf, ip)) >>> 4) != 6) {
                    return IGNORED_MALFORMED;
                }
                if ((u8(buf, ip + 6)) != Libc.IPPROTO_ICMPV6) {
                    return IGNORED_FOREIGN; // extension headers: not ours
                }
                long dstHi = be64(buf, ip + 24);
                long dstLo = be64(buf, ip + 32);
                int q = ip + 40;
                if ((u8(buf, q)) != ECHO_REQUEST_V6) {
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

    private static int echo(byte[] buf, int p, int icmpLen, int expectIdent, long secret, int slotCapacity,
                            long addrHi, long addrLo, int kind, ParsedReply out) {
        if (icmpLen < REQUEST_LENGTH) {
            return IGNORED_FOREIGN; // not one of ours: ours always carry the full payload
        }
        if (buf[p + 1] != 0) {
            return IGNORED_FOREIGN;
        }
        int ident = be16(buf, p + 4);
        if (expectIdent >= 0 && ident != expectIdent) {
            return IGNORED_FOREIGN;
        }
        int seq = be16(buf, p + 6);
        int slot = be32(buf, p + 8);
        int gen = be32(buf, p + 12);
        long sendNanos = be64(buf, p + 16);
        long token = be64(buf, p + 24);
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
        private byte[] scratch = new byte[0];

        /** A reusable array of at least {@code len} bytes (grows, never shrinks). */
        byte[] scratch(int len) {
            if (scratch.length < len) {
                scratch = new byte[Math.max(len, 512)];
            }
            return scratch;
        }
    }
}
