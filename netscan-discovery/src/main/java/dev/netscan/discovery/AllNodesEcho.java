package dev.netscan.discovery;

import dev.netscan.discovery.icmp.EchoCodec;
import dev.netscan.discovery.icmp.Libc;
import dev.netscan.discovery.icmp.LinkSocket;
import java.net.Inet6Address;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One echo request to the all-nodes multicast address {@code ff02::1} on one interface, and every
 * host that answers within a bounded wait. Each source given sends its own request (a global
 * source makes hosts answer from their global address, the link-local one from theirs), each
 * over its own ICMPv6 socket (datagram where {@code ping_group_range} allows it, raw otherwise)
 * bound to that source and scoped to the interface.
 *
 * <p>A reply counts only when it is an echo reply carrying this request's random 16-byte token;
 * its source (with the interface as scope for a link-local one) is reported once. The host's own
 * addresses (given as {@code own}) are not reported. Bounded: at most {@link #MAX_HOSTS} hosts, and
 * never longer than the wait. Stateless; each call opens and closes its sockets.
 */
final class AllNodesEcho {
    /** Most hosts one echo reports. */
    static final int MAX_HOSTS = 1 << 16;
    private static final byte[] ALL_NODES = {(byte) 0xFF, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    private static final int ICMP6_FILTER = 1;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AllNodesEcho() {}

    /**
     * Sends the echo from each of {@code sources} (null: the kernel's choice) on interface
     * {@code ifIndex} and collects the answering hosts for {@code waitMillis}.
     *
     * @throws IllegalStateException when no ICMPv6 socket can be opened, naming the errno and the fixes
     */
    static Set<Inet6Address> probe(int ifIndex, List<Inet6Address> sources, Set<Inet6Address> own, int waitMillis) {
        List<LinkSocket> sockets = new ArrayList<>();
        Set<Inet6Address> found = new LinkedHashSet<>();
        byte[] token = new byte[16];
        RANDOM.nextBytes(token);
        try {
            for (Inet6Address source : sources.isEmpty() ? java.util.Collections.<Inet6Address>singletonList(null) : sources) {
                LinkSocket s = open();
                sockets.add(s);
                if (source != null) {
                    boolean linkLocal = source.isLinkLocalAddress();
                    int e = s.bind6(source.getAddress(), linkLocal ? ifIndex : 0);
                    if (e != 0) {
                        continue; // an address that went away since we listed it: the others still ask
                    }
                }
                s.send(request(token), ALL_NODES, ifIndex); // a refusal (interface down) leaves nothing to hear
            }
            byte[] buf = new byte[512];
            long deadline = System.nanoTime() + waitMillis * 1_000_000L;
            while (found.size() < MAX_HOSTS) {
                long leftNanos = deadline - System.nanoTime();
                if (leftNanos <= 0) {
                    break;
                }
                boolean any = false;
                for (LinkSocket s : sockets) {
                    int n = s.receive(buf, any ? 0 : (int) Math.max(1, Math.min(20, leftNanos / 1_000_000)));
                    if (n > 0 && isOurReply(buf, n, token)) {
                        any = true;
                        Inet6Address from = address(s.source(), s.sourceScope());
                        if (!own.contains(from)) {
                            found.add(from);
                        }
                    }
                }
            }
        } finally {
            sockets.forEach(LinkSocket::close);
        }
        return found;
    }

    private static LinkSocket open() {
        int[] err = new int[1];
        LinkSocket s = LinkSocket.open(Libc.AF_INET6, Libc.SOCK_DGRAM, Libc.IPPROTO_ICMPV6, err);
        if (s != null) {
            return s;
        }
        int dgram = err[0];
        s = LinkSocket.open(Libc.AF_INET6, Libc.SOCK_RAW, Libc.IPPROTO_ICMPV6, err);
        if (s == null) {
            throw new IllegalStateException("cannot open an ICMPv6 socket for the all-nodes echo: datagram refused ("
                    + Libc.errnoName(dgram) + "), raw refused (" + Libc.errnoName(err[0]) + "); allow datagram ICMP "
                    + "sockets with net.ipv4.ping_group_range or grant CAP_NET_RAW");
        }
        // struct icmp6_filter: a set bit blocks that type; let echo replies through only
        byte[] filter = new byte[32];
        java.util.Arrays.fill(filter, (byte) 0xFF);
        int t = EchoCodec.ECHO_REPLY_V6;
        int word = t >>> 5;
        int bit = t & 31;
        // the filter is an array of native-order u32 words
        int byteIndex = word * 4 + (java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN ? bit >>> 3 : 3 - (bit >>> 3));
        filter[byteIndex] &= (byte) ~(1 << (bit & 7));
        s.setOption(Libc.IPPROTO_ICMPV6, ICMP6_FILTER, filter);
        return s;
    }

    /** Type 128, code 0, checksum by the kernel, identifier (a datagram socket sets its own), sequence 1, the token. */
    static byte[] request(byte[] token) {
        byte[] p = new byte[8 + token.length];
        p[0] = (byte) EchoCodec.ECHO_REQUEST_V6;
        int ident = RANDOM.nextInt(1 << 16);
        p[4] = (byte) (ident >>> 8);
        p[5] = (byte) ident;
        p[7] = 1;
        System.arraycopy(token, 0, p, 8, token.length);
        return p;
    }

    /** An echo reply whose payload is our token. */
    static boolean isOurReply(byte[] b, int n, byte[] token) {
        if (n < 8 + token.length || (b[0] & 0xFF) != EchoCodec.ECHO_REPLY_V6 || b[1] != 0) {
            return false;
        }
        for (int i = 0; i < token.length; i++) {
            if (b[8 + i] != token[i]) {
                return false;
            }
        }
        return true;
    }

    private static Inet6Address address(byte[] a, int scope) {
        try {
            boolean linkLocal = (a[0] & 0xFF) == 0xFE && (a[1] & 0xC0) == 0x80;
            return Inet6Address.getByAddress(null, a, linkLocal ? scope : -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }
}
