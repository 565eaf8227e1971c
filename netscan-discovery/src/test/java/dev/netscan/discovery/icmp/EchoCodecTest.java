package dev.netscan.discovery.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reply parser against valid, truncated, mutated, crafted and random packets (fixed seeds). */
class EchoCodecTest {
    private static final long SECRET = 0x1234_5678_9ABC_DEF0L;
    private static final int IDENT = 0x4242;
    private static final int CAPACITY = 1 << 16;
    private static final int SRC = 0x7F010203; // 127.1.2.3

    /** Builds what a raw IPv4 socket delivers for a reply to our probe: IP header + echo reply. */
    private static int rawReply(MemorySegment buf, int slot, int gen, long sendNanos, int seq, int addr) {
        buf.fill((byte) 0);
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        buf.set(ValueLayout.JAVA_BYTE, 9, (byte) 1);
        buf.set(Libc.BE_INT, 12, addr);
        long token = EchoCodec.token(SECRET, slot, gen, sendNanos, seq, 0, addr & 0xFFFF_FFFFL);
        EchoCodec.writeRequest4(buf, 20, IDENT, seq, slot, gen, sendNanos, token);
        buf.set(ValueLayout.JAVA_BYTE, 20, (byte) 0); // echo reply
        return 20 + EchoCodec.REQUEST_LENGTH;
    }

    @Test
    void parsesAValidReplyToItsProbe() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512);
            int len = rawReply(buf, 77, 5, 123_456_789L, 999, SRC);
            EchoCodec.ParsedReply out = new EchoCodec.ParsedReply();
            assertThat(EchoCodec.parse4(buf, 0, len, true, SRC, IDENT, SECRET, CAPACITY, out)).isEqualTo(EchoCodec.REPLY);
            assertThat(out.slot).isEqualTo(77);
            assertThat(out.gen).isEqualTo(5);
            assertThat(out.sendNanos).isEqualTo(123_456_789L);
            assertThat(out.ipv4).isEqualTo(SRC);
            // a datagram socket delivers the same without IP header and with a kernel-chosen identifier
            MemorySegment icmp = buf.asSlice(20);
            icmp.set(Libc.BE_SHORT, 4, (short) 7);
            assertThat(EchoCodec.parse4(icmp, 0, len - 20, false, SRC, -1, SECRET, CAPACITY, out)).isEqualTo(EchoCodec.REPLY);
        }
    }

    @Test
    void aReplyFromAnotherAddressOrWithAnotherSecretNeverMatches() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512);
            int len = rawReply(buf, 1, 1, 42L, 1, SRC);
            EchoCodec.ParsedReply out = new EchoCodec.ParsedReply();
            assertThat(EchoCodec.parse4(buf, 0, len, true, SRC + 1, IDENT, SECRET, CAPACITY, out)).isEqualTo(EchoCodec.IGNORED_FOREIGN);
            assertThat(EchoCodec.parse4(buf, 0, len, true, SRC, IDENT, SECRET + 1, CAPACITY, out)).isEqualTo(EchoCodec.IGNORED_FOREIGN);
            assertThat(EchoCodec.parse4(buf, 0, len, true, SRC, IDENT + 1, SECRET, CAPACITY, out)).isEqualTo(EchoCodec.IGNORED_FOREIGN);
            assertThat(EchoCodec.parse4(buf, 0, len, true, SRC, IDENT, SECRET, 1, out)).isEqualTo(EchoCodec.IGNORED_FOREIGN);
            buf.set(ValueLayout.JAVA_BYTE, 20, (byte) 8);
            assertThat(EchoCodec.parse4(buf, 0, len, true, SRC, IDENT, SECRET, CAPACITY, out)).isEqualTo(EchoCodec.IGNORED_OWN_REQUEST);
        }
    }

    @Test
    void everyTruncationOfAValidReplyIsIgnored() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512);
            int len = rawReply(buf, 3, 9, 1L, 2, SRC);
            EchoCodec.ParsedReply out = new EchoCodec.ParsedReply();
            for (int l = -1; l < len; l++) {
                int r = EchoCodec.parse4(buf, 0, l, true, SRC, IDENT, SECRET, CAPACITY, out);
                assertThat(r).as("length %d", l).isNegative();
            }
            // lengths beyond the buffer are refused, not read
            assertThat(EchoCodec.parse4(buf, 0, 10_000, true, SRC, IDENT, SECRET, CAPACITY, out)).isEqualTo(EchoCodec.IGNORED_MALFORMED);
        }
    }

    @Test
    void everySingleBitFlipOutsideTheChecksumIsIgnored() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512);
            EchoCodec.ParsedReply out = new EchoCodec.ParsedReply();
            int len = rawReply(buf, 3, 9, 1L, 2, SRC);
            for (int byteIndex = 20; byteIndex < len; byteIndex++) {
                if (byteIndex == 22 || byteIndex == 23) {
                    continue; // the checksum is not part of a probe's identity
                }
                for (int bit = 0; bit < 8; bit++) {
                    rawReply(buf, 3, 9, 1L, 2, SRC);
                    byte b = buf.get(ValueLayout.JAVA_BYTE, byteIndex);
                    buf.set(ValueLayout.JAVA_BYTE, byteIndex, (byte) (b ^ (1 << bit)));
                    int r = EchoCodec.parse4(buf, 0, len, true, SRC, IDENT, SECRET, CAPACITY, out);
                    assertThat(r).as("byte %d bit %d", byteIndex, bit).isNegative();
                }
            }
        }
    }

    @Test
    void randomBytesAndCraftedHeadersNeverThrowNorMatch() {
        SplittableRandom random = new SplittableRandom(20261124L);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(600);
            EchoCodec.ParsedReply out = new EchoCodec.ParsedReply();
            for (int i = 0; i < 200_000; i++) {
                int len = random.nextInt(0, 600);
                for (int j = 0; j < len; j++) {
                    buf.set(ValueLayout.JAVA_BYTE, j, (byte) random.nextInt());
                }
                switch (i % 5) {
                    case 1 -> { // plausible IPv4 + echo reply header with our identifier, random payload
                        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) (0x40 | random.nextInt(16)));
                        buf.set(ValueLayout.JAVA_BYTE, 9, (byte) 1);
                        buf.set(ValueLayout.JAVA_BYTE, 20, (byte) 0);
                        buf.set(ValueLayout.JAVA_BYTE, 21, (byte) 0);
                        buf.set(Libc.BE_SHORT, 24, (short) IDENT);
                        buf.set(Libc.BE_INT, 28, random.nextInt(CAPACITY));
                    }
                    case 2 -> { // destination unreachable quoting a random "echo request"
                        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
                        buf.set(ValueLayout.JAVA_BYTE, 9, (byte) 1);
                        buf.set(ValueLayout.JAVA_BYTE, 20, (byte) 3);
                        buf.set(ValueLayout.JAVA_BYTE, 28, (byte) (0x40 | random.nextInt(16)));
                        buf.set(ValueLayout.JAVA_BYTE, 37, (byte) 1);
                        buf.set(ValueLayout.JAVA_BYTE, 48, (byte) 8);
                    }
                    case 3 -> { // ICMPv6 error quoting a random IPv6 packet
                        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                        buf.set(ValueLayout.JAVA_BYTE, 8, (byte) 0x60);
                        buf.set(ValueLayout.JAVA_BYTE, 14, (byte) 58);
                        buf.set(ValueLayout.JAVA_BYTE, 48, (byte) 128);
                    }
                    default -> { }
                }
                long off = random.nextInt(0, 4);
                int l = (int) Math.min(len, buf.byteSize() - off);
                int a = EchoCodec.parse4(buf, off, l, true, SRC, IDENT, SECRET, CAPACITY, out);
                int b = EchoCodec.parse4(buf, off, l, false, SRC, -1, SECRET, CAPACITY, out);
                int c = EchoCodec.parse6(buf, off, l, random.nextLong(), random.nextLong(), -1, SECRET, CAPACITY, out);
                assertThat(a).isNegative();
                assertThat(b).isNegative();
                assertThat(c).isNegative();
                // random lengths and offsets, even nonsensical ones, are refused without reading
                assertThat(EchoCodec.parse4(buf, random.nextLong(-5, 700), random.nextInt(-5, 700), true, SRC, IDENT, SECRET, CAPACITY, out))
                        .isNotEqualTo(EchoCodec.REPLY);
            }
        }
    }

    @Test
    void unreachableQuotingOurRequestIsAttributedToTheProbedAddress() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(512);
            int target = 0x7F050005;
            buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
            buf.set(ValueLayout.JAVA_BYTE, 9, (byte) 1);
            buf.set(ValueLayout.JAVA_BYTE, 20, (byte) 3);
            buf.set(ValueLayout.JAVA_BYTE, 21, (byte) 1);
            buf.set(ValueLayout.JAVA_BYTE, 28, (byte) 0x45);
            buf.set(ValueLayout.JAVA_BYTE, 37, (byte) 1);
            buf.set(Libc.BE_INT, 44, target);
            long token = EchoCodec.token(SECRET, 12, 3, 99L, 4, 0, target & 0xFFFF_FFFFL);
            EchoCodec.writeRequest4(buf, 48, IDENT, 4, 12, 3, 99L, token);
            EchoCodec.ParsedReply out = new EchoCodec.ParsedReply();
            int len = 48 + EchoCodec.REQUEST_LENGTH;
            assertThat(EchoCodec.parse4(buf, 0, len, true, 0x7F000001, IDENT, SECRET, CAPACITY, out)).isEqualTo(EchoCodec.UNREACHABLE);
            assertThat(out.ipv4).isEqualTo(target);
            assertThat(out.slot).isEqualTo(12);
            // the RFC 792 minimum quote (8 bytes of our header) cannot be attributed: ignored
            assertThat(EchoCodec.parse4(buf, 0, 48 + 8, true, 0x7F000001, IDENT, SECRET, CAPACITY, out)).isNegative();
        }
    }

    @Test
    void checksumOfARequestVerifies() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(64);
            EchoCodec.writeRequest4(buf, 0, IDENT, 65535, 1, 2, 3L, 4L);
            assertThat(EchoCodec.checksum(buf, 0, EchoCodec.REQUEST_LENGTH)).isZero();
        }
    }
}
