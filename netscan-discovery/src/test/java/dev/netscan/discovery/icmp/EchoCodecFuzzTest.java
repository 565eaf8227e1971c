package dev.netscan.discovery.icmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the reply parser ({@link EchoCodec#parse4} / {@link EchoCodec#parse6}) from a fixed seed
 * with valid replies to our probes (raw IPv4 with IP options, datagram IPv4, ICMPv6, ICMP errors
 * quoting our requests), then the same mutated, truncated and extended; foreign packets (another
 * engine's secret, another identifier, another source, slots out of range, echo requests); and
 * random bytes at random offsets and lengths.
 *
 * <p>A crash is any throwable. An escape is a packet attributed to a probe (REPLY or
 * UNREACHABLE) that is not an intact answer to it: a foreign or random packet; a mutation or
 * truncation that touched a byte the attribution depends on (IP version and protocol, ICMP type,
 * code, identifier where it is checked, sequence, the 24-byte payload, the quoted destination); or
 * attribution to other fields than the probe's. Valid packets that are not attributed are also
 * escapes of the other kind (the parser would drop real replies).
 *
 * <p>The suite runs 10,000 cases; {@code netscan-bench/scripts/fuzz.sh} runs 1,000,000 through
 * {@code -Dnetscan.fuzz.cases}.
 */
class EchoCodecFuzzTest {
    private static final long CASES = Long.getLong("netscan.fuzz.cases", 10_000);
    private static final long SEED = Long.getLong("netscan.fuzz.seed", 0xEC40L);
    private static final int CAPACITY = 1 << 17;
    private static final int IDENT = 0x3A5C;

    private enum Shape { RAW4, DATAGRAM4, V6, UNREACHABLE4 }

    /** One probe and the packet answering it, with the offsets that identify it. */
    private record Packet(Shape shape, byte[] bytes, int len, long secret, int slot, int gen, int seq, long sendNanos,
                          long addrHi, long addrLo, BitSet relevant, int typeAt) {}

    private long crashes;
    private long escapes;
    private final List<String> examples = new ArrayList<>();
    private final EchoCodec.ParsedReply out = new EchoCodec.ParsedReply();

    @Test
    void parserNeverThrowsAndAttributesOnlyIntactAnswersToOurProbes() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        long attributed = 0;
        long start = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native_ = arena.allocate(700);
            for (long i = 0; i < CASES; i++) {
                Packet p = valid(rnd, Shape.values()[rnd.nextInt(4)]);
                switch (rnd.nextInt(8)) {
                    case 0, 1 -> attributed += intact(p) ? 1 : 0;
                    case 2, 3, 4 -> attributed += mutated(rnd, p) ? 1 : 0;
                    case 5 -> foreign(rnd, p);
                    default -> random(rnd, native_);
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("FUZZ ICMP reply parser: seed %d, cases %d (attributed %d), crashes %d, escapes %d, %.0f cases/s%n",
                SEED, CASES, attributed, crashes, escapes, CASES / seconds);
        assertThat(examples).as("crashes %d, escapes %d", crashes, escapes).isEmpty();
        assertThat(attributed).isGreaterThan(CASES / 5);
    }

    private boolean intact(Packet p) {
        int r = parse(p, p.bytes, p.len, p.secret, IDENT);
        if (r != expectedKind(p) || !sameProbe(p)) {
            fail(false, p, p.bytes, p.len, "a valid " + p.shape + " gave " + r);
            return false;
        }
        return true;
    }

    private boolean mutated(SplittableRandom rnd, Packet p) {
        byte[] b = Arrays.copyOf(p.bytes, p.bytes.length + 64);
        int len = p.len;
        BitSet changed = new BitSet();
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
            switch (rnd.nextInt(5)) {
                case 0 -> len = rnd.nextInt(len + 1); // truncated
                case 1 -> { // extended with junk
                    int more = rnd.nextInt(1, 40);
                    for (int k = 0; k < more && len < b.length; k++) {
                        b[len++] = (byte) rnd.nextInt();
                    }
                }
                default -> {
                    int at = rnd.nextInt(Math.max(1, len));
                    b[at] = rnd.nextBoolean() ? (byte) (b[at] ^ (1 << rnd.nextInt(8))) : (byte) rnd.nextInt();
                }
            }
        }
        for (int k = 0; k < p.len; k++) {
            if (b[k] != p.bytes[k]) {
                changed.set(k); // (two edits of one byte may cancel out)
            }
        }
        int r = parse(p, b, len, p.secret, IDENT);
        if (r != EchoCodec.REPLY && r != EchoCodec.UNREACHABLE) {
            return false;
        }
        int lastRelevant = p.relevant.length() - 1;
        boolean touched = changed.intersects(p.relevant) || len <= lastRelevant;
        boolean rightKind = p.shape == Shape.UNREACHABLE4
                ? r == EchoCodec.UNREACHABLE && (b[p.typeAt] == EchoCodec.DEST_UNREACH_V4 || b[p.typeAt] == EchoCodec.TIME_EXCEEDED_V4)
                : r == EchoCodec.REPLY;
        if (touched || !rightKind || !sameProbe(p)) {
            fail(false, p, b, len, "a mutated " + p.shape + " was attributed (" + r + "), changed bytes " + changed);
        }
        return true;
    }

    private void foreign(SplittableRandom rnd, Packet p) {
        byte[] b = p.bytes.clone();
        long secret = p.secret;
        int ident = IDENT;
        String what;
        switch (rnd.nextInt(4)) {
            case 0 -> {
                secret = secret ^ (1L << rnd.nextInt(64)); // another engine or process
                what = "another secret";
            }
            case 1 -> {
                ident = p.shape == Shape.DATAGRAM4 ? IDENT : IDENT ^ (1 + rnd.nextInt(0xFFFF)); // another identifier
                what = "another identifier";
                if (p.shape == Shape.DATAGRAM4) {
                    b[p.typeAt] = (byte) EchoCodec.ECHO_REQUEST_V4;
                    what = "an echo request";
                }
            }
            case 2 -> {
                if (p.shape == Shape.UNREACHABLE4) { // the quoted destination is the probed address
                    b[44 + rnd.nextInt(4)] ^= (byte) (1 + rnd.nextInt(255));
                    check(p, b, parse(p, b, p.len, secret, ident), "another quoted destination");
                    return;
                }
                what = "another source";
                Packet q = new Packet(p.shape, b, p.len, secret, p.slot, p.gen, p.seq, p.sendNanos,
                        p.addrHi ^ (p.shape == Shape.V6 ? 1 : 0), p.addrLo ^ (1 + rnd.nextInt(1 << 20)), p.relevant, p.typeAt);
                check(q, b, parse(q, b, p.len, secret, ident), what);
                return;
            }
            default -> {
                b[p.typeAt] = (byte) (p.shape == Shape.V6 ? EchoCodec.ECHO_REQUEST_V6 : rnd.nextInt(12, 256));
                what = "type " + (b[p.typeAt] & 0xFF);
            }
        }
        check(p, b, parse(p, b, p.len, secret, ident), what);
    }

    private void check(Packet p, byte[] b, int r, String what) {
        if (r == EchoCodec.REPLY || r == EchoCodec.UNREACHABLE) {
            fail(false, p, b, p.len, "foreign packet (" + what + ") attributed as " + r);
        }
    }

    /** Random bytes, plausible headers, random offsets and lengths: nothing may be attributed. */
    private void random(SplittableRandom rnd, MemorySegment seg) {
        int len = rnd.nextInt(0, 600);
        byte[] b = new byte[len + 8];
        rnd.nextBytes(b);
        if (len > 50 && rnd.nextBoolean()) {
            b[0] = (byte) (0x40 | rnd.nextInt(16));
            b[9] = 1;
            b[20] = (byte) new int[] {0, 3, 11, 8}[rnd.nextInt(4)];
            b[21] = 0;
        }
        long secret = rnd.nextLong();
        int off = rnd.nextInt(-4, 12);
        int l = rnd.nextInt(-4, len + 12);
        int[] results = new int[4];
        try {
            results[0] = EchoCodec.parse4(b, off, l, true, rnd.nextInt(), IDENT, secret, CAPACITY, out);
            results[1] = EchoCodec.parse4(b, off, l, false, rnd.nextInt(), -1, secret, CAPACITY, out);
            results[2] = EchoCodec.parse6(b, off, l, rnd.nextLong(), rnd.nextLong(), IDENT, secret, CAPACITY, out);
            MemorySegment.copy(b, 0, seg, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, Math.min(b.length, (int) seg.byteSize()));
            results[3] = EchoCodec.parse4(seg, rnd.nextLong(-8, 720), rnd.nextInt(-8, 720), true, rnd.nextInt(), IDENT, secret, CAPACITY, out);
        } catch (Throwable e) {
            crashes++;
            example("crash on random bytes (off " + off + ", len " + l + "): " + e);
            return;
        }
        for (int r : results) {
            if (r == EchoCodec.REPLY || r == EchoCodec.UNREACHABLE) {
                escapes++;
                example("random bytes attributed: " + hex(b, Math.max(0, Math.min(l, b.length))));
            }
        }
    }

    private int parse(Packet p, byte[] b, int len, long secret, int ident) {
        try {
            return switch (p.shape) {
                case RAW4, UNREACHABLE4 -> EchoCodec.parse4(b, 0, len, true, (int) p.addrLo, ident, secret, CAPACITY, out);
                case DATAGRAM4 -> EchoCodec.parse4(b, 0, len, false, (int) p.addrLo, -1, secret, CAPACITY, out);
                case V6 -> EchoCodec.parse6(b, 0, len, p.addrHi, p.addrLo, ident, secret, CAPACITY, out);
            };
        } catch (Throwable e) {
            crashes++;
            example("crash on " + p.shape + " " + hex(b, Math.max(0, Math.min(len, b.length))) + ": " + e);
            return Integer.MIN_VALUE;
        }
    }

    private static int expectedKind(Packet p) {
        return p.shape == Shape.UNREACHABLE4 ? EchoCodec.UNREACHABLE : EchoCodec.REPLY;
    }

    private boolean sameProbe(Packet p) {
        boolean addr = p.shape == Shape.V6 ? out.addrHi == p.addrHi && out.addrLo == p.addrLo : out.ipv4 == (int) p.addrLo;
        return addr && out.slot == p.slot && out.gen == p.gen && out.seq == p.seq && out.sendNanos == p.sendNanos;
    }

    private void fail(boolean crash, Packet p, byte[] b, int len, String what) {
        if (crash) {
            crashes++;
        } else {
            escapes++;
        }
        example(what + " (slot " + p.slot + "): " + hex(b, Math.max(0, Math.min(len, b.length))));
    }

    private void example(String s) {
        if (examples.size() < 10) {
            examples.add(s);
        }
    }

    private static String hex(byte[] b, int len) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(len, 96); i++) {
            s.append(String.format("%02x", b[i] & 0xFF));
        }
        return s.toString();
    }

    // ---- valid packets, as the kernel delivers them

    private static Packet valid(SplittableRandom rnd, Shape shape) {
        long secret = rnd.nextLong();
        int slot = rnd.nextInt(CAPACITY);
        int gen = rnd.nextInt();
        int seq = rnd.nextInt(1 << 16);
        long sendNanos = rnd.nextLong();
        long addrHi = shape == Shape.V6 ? rnd.nextLong() : 0;
        long addrLo = shape == Shape.V6 ? rnd.nextLong() : rnd.nextInt() & 0xFFFF_FFFFL;
        long token = EchoCodec.token(secret, slot, gen, sendNanos, seq, addrHi, addrLo);
        BitSet relevant = new BitSet();
        byte[] b;
        int icmp;
        switch (shape) {
            case RAW4 -> {
                int ihl = 20 + 4 * rnd.nextInt(11); // IP options
                b = new byte[ihl + EchoCodec.REQUEST_LENGTH];
                rnd.nextBytes(b); // header fields other than version, length and protocol do not matter
                b[0] = (byte) (0x40 | ihl / 4);
                b[9] = 1;
                relevant.set(0);
                relevant.set(9);
                icmp = ihl;
                EchoCodec.writeRequest4(b, icmp, IDENT, seq, slot, gen, sendNanos, token);
                b[icmp] = EchoCodec.ECHO_REPLY_V4;
                relevant.set(icmp, icmp + 2);
                relevant.set(icmp + 4, icmp + EchoCodec.REQUEST_LENGTH);
            }
            case DATAGRAM4 -> {
                b = new byte[EchoCodec.REQUEST_LENGTH];
                icmp = 0;
                EchoCodec.writeRequest4(b, 0, rnd.nextInt(1 << 16), seq, slot, gen, sendNanos, token); // the kernel's identifier
                b[0] = EchoCodec.ECHO_REPLY_V4;
                relevant.set(0, 2);
                relevant.set(6, EchoCodec.REQUEST_LENGTH);
            }
            case V6 -> {
                b = new byte[EchoCodec.REQUEST_LENGTH];
                icmp = 0;
                EchoCodec.writeRequest6(b, 0, IDENT, seq, slot, gen, sendNanos, token);
                b[0] = (byte) EchoCodec.ECHO_REPLY_V6;
                relevant.set(0, 2);
                relevant.set(4, EchoCodec.REQUEST_LENGTH);
            }
            default -> { // destination unreachable / time exceeded from a router, quoting our request
                b = new byte[20 + 8 + 20 + EchoCodec.REQUEST_LENGTH];
                rnd.nextBytes(b);
                b[0] = 0x45;
                b[9] = 1;
                icmp = 20;
                b[icmp] = (byte) (rnd.nextBoolean() ? EchoCodec.DEST_UNREACH_V4 : EchoCodec.TIME_EXCEEDED_V4);
                b[28] = 0x45;
                b[37] = 1;
                EchoCodec.putInt(b, 44, (int) addrLo);
                EchoCodec.writeRequest4(b, 48, IDENT, seq, slot, gen, sendNanos, token);
                relevant.set(0);
                relevant.set(9);
                relevant.set(28);
                relevant.set(37);
                relevant.set(44, 50);
                relevant.set(52, 48 + EchoCodec.REQUEST_LENGTH);
                addrLo = addrLo & 0xFFFF_FFFFL;
                return new Packet(shape, b, b.length, secret, slot, gen, seq, sendNanos, 0, addrLo,
                        relevant, icmp);
            }
        }
        return new Packet(shape, b, b.length, secret, slot, gen, seq, sendNanos, addrHi, addrLo, relevant, icmp);
    }
}
