package dev.netscan.bench.icmp;

import dev.netscan.discovery.icmp.EchoCodec;
import dev.netscan.discovery.icmp.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Question: what does the receiver spend per packet to parse a received ICMP packet from a raw
 * socket (IPv4 header + echo) and verify its token, i.e. decide "reply to probe X" or "not ours"?
 * This is the per-reply CPU cost the engine adds on top of the kernel's; it must be a small
 * fraction of the ~13 us fping spends per echo, and allocation-free (check with {@code -prof gc}).
 *
 * <p>{@code packet}: {@code ours} (a valid reply: full parse and token check), {@code foreign}
 * (another process's reply: rejected at the identifier), {@code forged} (our identifier, wrong
 * token: full work, then rejected).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReplyParserBenchmark {
    private static final long SECRET = 0x0123_4567_89AB_CDEFL;
    private static final int IDENT = 0x1D1D;
    private static final int SRC = 0x7F010203;

    @Param({"ours", "foreign", "forged"})
    public String packet;

    private Arena arena;
    private MemorySegment buf;
    private int len;
    /** The same packet in a heap array: the engine's receive path (one bulk copy per batch, then array reads). */
    private byte[] heap;
    private final EchoCodec.ParsedReply out = new EchoCodec.ParsedReply();

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        buf = arena.allocate(512, 8);
        buf.set(ValueLayout.JAVA_BYTE, 0, (byte) 0x45);
        buf.set(ValueLayout.JAVA_BYTE, 9, (byte) 1);
        buf.set(Libc.BE_INT, 12, SRC);
        long token = EchoCodec.token(SECRET, 4242, 7, 123_456_789L, 99, 0, SRC & 0xFFFF_FFFFL);
        int ident = packet.equals("foreign") ? IDENT + 1 : IDENT;
        if (packet.equals("forged")) {
            token ^= 1;
        }
        EchoCodec.writeRequest4(buf, 20, ident, 99, 4242, 7, 123_456_789L, token);
        buf.set(ValueLayout.JAVA_BYTE, 20, (byte) 0);
        len = 20 + EchoCodec.REQUEST_LENGTH;
        heap = buf.asSlice(0, 512).toArray(ValueLayout.JAVA_BYTE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    /** Parses from native memory (copies the packet into the parser's scratch array first). */
    @Benchmark
    public int parseAndVerify() {
        return EchoCodec.parse4(buf, 0, len, true, SRC, IDENT, SECRET, 1 << 17, out) + out.slot;
    }

    /** Parses from a heap array, as the engine's receiver does after its per-batch bulk copy. */
    @Benchmark
    public int parseAndVerifyHeap() {
        return EchoCodec.parse4(heap, 0, len, true, SRC, IDENT, SECRET, 1 << 17, out) + out.slot;
    }
}
