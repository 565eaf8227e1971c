package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The netlink neighbour-dump parser and the if_inet6 parser on fixed and hostile bytes. */
class NeighbourTableParseTest {
    private static final int SEQ = 77;

    /** One RTM_NEWNEIGH message: nlmsghdr, ndmsg, an NDA_DST attribute (and an NDA_LLADDR one). */
    private static byte[] neigh(int family, int ifIndex, int state, byte[] dst, int seq) {
        int dstAttr = (4 + dst.length + 3) & ~3;
        int len = 16 + 12 + 12 + dstAttr; // NDA_LLADDR (4 + 6, padded to 12) first, then NDA_DST
        ByteBuffer b = ByteBuffer.allocate(len).order(ByteOrder.nativeOrder());
        b.putInt(len).putShort((short) 28).putShort((short) 2).putInt(seq).putInt(0);
        b.put((byte) family).put((byte) 0).putShort((short) 0).putInt(ifIndex).putShort((short) state).put((byte) 0).put((byte) 1);
        b.putShort((short) 10).putShort((short) 2).put(new byte[] {2, 0, 0, 0, 0, 1}).put(new byte[2]);
        b.putShort((short) (4 + dst.length)).putShort((short) 1).put(dst);
        return b.array();
    }

    private static byte[] done(int seq) {
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.nativeOrder());
        b.putInt(20).putShort((short) 3).putShort((short) 2).putInt(seq).putInt(0).putInt(0);
        return b.array();
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private static final byte[] V4 = {10, 0, 0, 2};
    private static final byte[] V6 = {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    private static final byte[] LL = {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
    private static final byte[] MCAST = {(byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    @Test
    void keepsResolvedEntriesAndSkipsFailedIncompleteNoarpMulticastAndForeignSequences() {
        byte[] dump = concat(
                neigh(2, 3, NeighbourTable.NUD_REACHABLE, V4, SEQ),
                neigh(10, 3, NeighbourTable.NUD_STALE, V6, SEQ),
                neigh(10, 4, NeighbourTable.NUD_PERMANENT, LL, SEQ),
                neigh(2, 3, NeighbourTable.NUD_FAILED, new byte[] {10, 0, 0, 3}, SEQ),
                neigh(2, 3, NeighbourTable.NUD_INCOMPLETE, new byte[] {10, 0, 0, 4}, SEQ),
                neigh(10, 3, NeighbourTable.NUD_NOARP, MCAST, SEQ),
                neigh(10, 3, NeighbourTable.NUD_REACHABLE, MCAST, SEQ),
                neigh(2, 3, NeighbourTable.NUD_REACHABLE, new byte[] {10, 0, 0, 5}, SEQ + 1));
        List<NeighbourTable.Neighbour> out = new ArrayList<>();
        assertThat(NeighbourTable.parse(dump, dump.length, SEQ, out)).isFalse();
        assertThat(out).extracting(n -> n.address().getHostAddress())
                .containsExactly("10.0.0.2", "2001:db8:0:0:0:0:0:2", "fe80:0:0:0:0:0:0:9%4");
        assertThat(out.get(2).address()).isInstanceOfSatisfying(Inet6Address.class, a -> assertThat(a.getScopeId()).isEqualTo(4));
        assertThat(out).extracting(NeighbourTable.Neighbour::interfaceIndex).containsExactly(3, 3, 4);

        byte[] end = done(SEQ);
        assertThat(NeighbourTable.parse(end, end.length, SEQ, out)).isTrue();
    }

    @Test
    void truncatedAndRandomBytesEndTheReadWithoutThrowing() {
        byte[] one = neigh(2, 3, NeighbourTable.NUD_REACHABLE, V4, SEQ);
        for (int cut = 0; cut < one.length; cut++) {
            List<NeighbourTable.Neighbour> out = new ArrayList<>();
            NeighbourTable.parse(one, cut, SEQ, out);
            assertThat(out).isEmpty();
        }
        SplittableRandom rnd = new SplittableRandom(16);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = one.clone();
            for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                junk[rnd.nextInt(junk.length)] = (byte) rnd.nextInt(256);
            }
            List<NeighbourTable.Neighbour> out = new ArrayList<>();
            NeighbourTable.parse(junk, junk.length, SEQ, out); // must not throw
            assertThat(out.size()).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void ifInet6LinesGiveScopedAddressesAndOddLinesAreSkipped() {
        var m = InterfaceAddress6.parse("""
                fe800000000000000000000000000001 03 40 20 80       vA
                20010db8007700000000000000000001 03 40 00 40       vA
                00000000000000000000000000000001 01 80 10 80       lo
                nonsense line
                20010db80077000000000000000000zz 03 40 00 80       vA
                """);
        assertThat(m.get("vA")).hasSize(2);
        assertThat(m.get("vA").getFirst().address().getScopeId()).isEqualTo(3);
        assertThat(m.get("vA").getFirst().usable()).isTrue();
        assertThat(m.get("vA").get(1).usable()).as("tentative").isFalse();
        assertThat(m.get("lo").getFirst().usable()).as("loopback").isFalse();
    }
}
