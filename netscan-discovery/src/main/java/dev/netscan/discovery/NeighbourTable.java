package dev.netscan.discovery;

import dev.netscan.discovery.icmp.LinkSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the kernel's neighbour tables (IPv4 ARP and IPv6 NDP entries) with one netlink
 * {@code RTM_GETNEIGH} dump of both families, through the same FFM socket layer as the ICMP
 * engine (no subprocess). Entries that name no live host are skipped: {@code INCOMPLETE} and
 * {@code FAILED} (resolution pending or failed), {@code NOARP} and {@code NONE} (no resolution:
 * multicast, loopback, point-to-point links), multicast and unspecified addresses.
 *
 * <p>Why netlink for IPv4 too instead of {@code /proc/net/arp}: one reader and one state filter for
 * both families; {@code /proc/net/arp} only says complete or not, so a FAILED entry and a STALE one
 * look different there than here.
 *
 * <p>Bounded: one dump, at most {@link #MAX_ENTRIES} entries kept, every wait bounded by the
 * caller's deadline; malformed or truncated messages end the read with what was parsed so far.
 * Stateless and thread-safe (each read opens and closes its own socket).
 */
final class NeighbourTable {
    /** Most entries one read returns. */
    static final int MAX_ENTRIES = 1 << 18;

    // linux/netlink.h, linux/rtnetlink.h, linux/neighbour.h
    private static final int AF_NETLINK = 16;
    private static final int NETLINK_ROUTE = 0;
    private static final int SOCK_RAW = 3;
    private static final int RTM_NEWNEIGH = 28;
    private static final int RTM_GETNEIGH = 30;
    private static final int NLMSG_ERROR = 2;
    private static final int NLMSG_DONE = 3;
    private static final int NLM_F_REQUEST = 0x1;
    private static final int NLM_F_DUMP = 0x300;
    private static final int NLMSG_HEADER = 16;
    private static final int NDMSG = 12;
    private static final int NDA_DST = 1;
    static final int NUD_INCOMPLETE = 0x01;
    static final int NUD_REACHABLE = 0x02;
    static final int NUD_STALE = 0x04;
    static final int NUD_FAILED = 0x20;
    static final int NUD_NOARP = 0x40;
    static final int NUD_PERMANENT = 0x80;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;

    /** One entry of the table that names a host. */
    record Neighbour(InetAddress address, int interfaceIndex, int state) {}

    private NeighbourTable() {}

    /** Whether an entry in {@code state} names a host that answered resolution. */
    static boolean isLive(int state) {
        return state != 0 && (state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP)) == 0;
    }

    /**
     * Dumps both tables.
     *
     * @param timeoutMillis the longest the whole read may take
     * @throws IllegalStateException when the netlink socket cannot be opened or the dump is refused,
     *     naming the errno
     */
    static List<Neighbour> read(int timeoutMillis) {
        int[] err = new int[1];
        LinkSocket s = LinkSocket.open(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, err);
        if (s == null) {
            throw new IllegalStateException("cannot open a netlink socket to read the neighbour table: "
                    + dev.netscan.discovery.icmp.Libc.errnoName(err[0]));
        }
        try (s) {
            int seq = (int) (System.nanoTime() & 0x7FFF_FFFF);
            ByteBuffer req = ByteBuffer.allocate(NLMSG_HEADER + NDMSG).order(ByteOrder.nativeOrder());
            req.putInt(NLMSG_HEADER + NDMSG).putShort((short) RTM_GETNEIGH).putShort((short) (NLM_F_REQUEST | NLM_F_DUMP))
                    .putInt(seq).putInt(0);
            req.put((byte) 0); // ndm_family AF_UNSPEC: both tables
            int e = s.send(req.array(), null, 0);
            if (e != 0) {
                throw new IllegalStateException("netlink RTM_GETNEIGH request refused: " + dev.netscan.discovery.icmp.Libc.errnoName(e));
            }
            List<Neighbour> out = new ArrayList<>();
            byte[] buf = new byte[LinkSocket.MAX_MESSAGE];
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000);
                if (left <= 0) {
                    return out; // what came in time
                }
                int n = s.receive(buf, left);
                if (n < 0) {
                    throw new IllegalStateException("netlink receive failed: " + dev.netscan.discovery.icmp.Libc.errnoName(-n));
                }
                if (n == 0) {
                    continue;
                }
                if (parse(buf, n, seq, out)) {
                    return out;
                }
            }
        }
    }

    /**
     * Parses one netlink datagram of the dump into {@code out}.
     *
     * @return true when the dump is over (NLMSG_DONE, an error, or a malformed message)
     */
    static boolean parse(byte[] buf, int length, int seq, List<Neighbour> out) {
        ByteBuffer b = ByteBuffer.wrap(buf, 0, length).order(ByteOrder.nativeOrder());
        int off = 0;
        while (off + NLMSG_HEADER <= length) {
            int len = b.getInt(off);
            int type = b.getShort(off + 4) & 0xFFFF;
            int msgSeq = b.getInt(off + 8);
            if (len < NLMSG_HEADER || off + len > length) {
                return true; // malformed: stop with what we have
            }
            if (msgSeq == seq) {
                if (type == NLMSG_DONE || type == NLMSG_ERROR) {
                    return true;
                }
                if (type == RTM_NEWNEIGH && len >= NLMSG_HEADER + NDMSG && out.size() < MAX_ENTRIES) {
                    Neighbour n = entry(b, off, len);
                    if (n != null) {
                        out.add(n);
                    }
                }
            }
            off += (len + 3) & ~3;
        }
        return false;
    }

    private static Neighbour entry(ByteBuffer b, int off, int len) {
        int nd = off + NLMSG_HEADER;
        int family = b.get(nd) & 0xFF;
        int ifIndex = b.getInt(nd + 4);
        int state = b.getShort(nd + 8) & 0xFFFF;
        if (!isLive(state) || (family != AF_INET && family != AF_INET6)) {
            return null;
        }
        int a = nd + NDMSG;
        int end = off + len;
        while (a + 4 <= end) {
            int rlen = b.getShort(a) & 0xFFFF;
            int rtype = b.getShort(a + 2) & 0x7FFF;
            if (rlen < 4 || a + rlen > end) {
                return null;
            }
            if (rtype == NDA_DST) {
                int size = rlen - 4;
                if (size != (family == AF_INET ? 4 : 16)) {
                    return null;
                }
                byte[] addr = new byte[size];
                b.get(a + 4, addr);
                return usable(addr, ifIndex) ? new Neighbour(toAddress(addr, ifIndex), ifIndex, state) : null;
            }
            a += (rlen + 3) & ~3;
        }
        return null;
    }

    /** Unicast, specified addresses only. */
    private static boolean usable(byte[] a, int ifIndex) {
        if (a.length == 4) {
            int first = a[0] & 0xFF;
            return first != 0 && first < 224 && !(a[0] == -1 && a[1] == -1 && a[2] == -1 && a[3] == -1);
        }
        if ((a[0] & 0xFF) == 0xFF) {
            return false;
        }
        for (byte x : a) {
            if (x != 0) {
                return true;
            }
        }
        return false;
    }

    /** An IPv4 address, or an IPv6 one (link-local ones scoped to their interface). */
    private static InetAddress toAddress(byte[] a, int ifIndex) {
        try {
            if (a.length == 4) {
                return (Inet4Address) InetAddress.getByAddress(a);
            }
            boolean linkLocal = (a[0] & 0xFF) == 0xFE && (a[1] & 0xC0) == 0x80;
            return Inet6Address.getByAddress(null, a, linkLocal ? ifIndex : -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("4 or 16 bytes are always an address", e);
        }
    }
}
