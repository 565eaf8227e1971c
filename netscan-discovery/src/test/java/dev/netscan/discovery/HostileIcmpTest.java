package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.discovery.icmp.EchoCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Hostile ICMP aimed at a raw-socket engine inside a network namespace the test creates, from a
 * raw socket in the same namespace ({@link RawPeer}): truncated packets, bad checksums, foreign
 * identifiers, echo replies to probes never sent (forged and replayed, from spoofed sources),
 * forged ICMP errors, and a flood of junk. Throughout, a set of monitored loopback addresses is
 * probed: the alive ones must keep answering and the dead ones (dropped by iptables) must keep
 * timing out, every packet must be counted as ignored, and the engine must not fail.
 *
 * <p>Only the raw socket is attacked: a datagram ("ping") socket gets from the kernel only echo
 * replies carrying its own identifier and a valid checksum, after the kernel's own checks.
 *
 * <p>The flood lasts {@code netscan.hostile.floodSeconds} (default 1.5 s; the 10 s run is
 * {@code netscan-bench/scripts/hostile-icmp.sh}) at {@code netscan.hostile.floodPps} (100,000).
 */
class HostileIcmpTest {
    private static final double FLOOD_SECONDS = Double.parseDouble(System.getProperty("netscan.hostile.floodSeconds", "1.5"));
    private static final int FLOOD_PPS = Integer.getInteger("netscan.hostile.floodPps", 100_000);
    private static final int LOCALHOST = Ipv4.parse("127.0.0.1");
    private static final int ALIVE = Ipv4.parse("127.20.0.1");
    private static final int DEAD = Ipv4.parse("127.21.0.1");
    private static final int MONITORED = 32;
    private static final long TIMEOUT = TimeUnit.MILLISECONDS.toNanos(400);

    @Test
    void hostileIcmpIsCountedAsIgnoredAndChangesNoDevice() throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.dropEchoRequestsTo("127.21.0.0/24");
            ns.allowDatagramIcmp(false);
            try (IcmpEngine engine = ns.engine(IcmpEngineConfig.builder().requiredKind(SocketKind.RAW).build());
                 RawPeer peer = RawPeer.open(ns)) {
                SplittableRandom rnd = new SplittableRandom(14);
                int capacity = engine.config().slotCapacity();
                Monitor monitor = new Monitor(engine);
                monitor.round(); // the devices as they are: alive answer, dead time out

                // learn the engine's identifier and a real request (with a valid token) from the wire
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        monitor.round();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                byte[] request = peer.sniff(p -> p.length == 20 + EchoCodec.REQUEST_LENGTH && p[20] == EchoCodec.ECHO_REQUEST_V4
                        && (EchoCodec.be32(p, 16) >>> 8) == (ALIVE >>> 8), Duration.ofSeconds(5));
                t.join();
                assertThat(request).as("a request of the engine seen on the wire").isNotNull();
                int ident = EchoCodec.be16(request, 24);
                int probed = EchoCodec.be32(request, 16);

                IcmpCounters before = engine.counters();
                List<byte[]> malformed = new ArrayList<>();
                List<byte[]> foreign = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    int dead = DEAD + rnd.nextInt(MONITORED);
                    // truncated: an echo reply cut short of our 32 bytes (the kernel's raw filter drops
                    // anything shorter than an ICMP header before any socket sees it)
                    byte[] cut = java.util.Arrays.copyOf(forgedReply(rnd, ident, capacity), 8 + rnd.nextInt(24));
                    foreign.add(RawPeer.datagram(dead, LOCALHOST, RawPeer.withChecksum(cut)));
                    // an error too short to quote an IPv4 header and 8 bytes
                    byte[] shortError = new byte[8 + rnd.nextInt(28)];
                    shortError[0] = (byte) EchoCodec.TIME_EXCEEDED_V4;
                    malformed.add(RawPeer.datagram(dead, LOCALHOST, RawPeer.withChecksum(shortError)));
                    // bad checksum, our identifier, a dead device's address as source
                    byte[] reply = forgedReply(rnd, ident, capacity);
                    reply[2] ^= 0x5A;
                    foreign.add(RawPeer.datagram(dead, LOCALHOST, reply));
                    // foreign identifier
                    foreign.add(RawPeer.datagram(dead, LOCALHOST, RawPeer.withChecksum(forgedReply(rnd, ident ^ (1 + rnd.nextInt(0xFFFF)), capacity))));
                    // echo replies to probes never sent: our identifier, slots in range, forged tokens
                    foreign.add(RawPeer.datagram(dead, LOCALHOST, RawPeer.withChecksum(forgedReply(rnd, ident, capacity))));
                    // a real request's bytes (valid token) replayed as a reply from a dead device
                    byte[] replay = java.util.Arrays.copyOfRange(request, 20, request.length);
                    replay[0] = EchoCodec.ECHO_REPLY_V4;
                    foreign.add(RawPeer.datagram(dead, LOCALHOST, RawPeer.withChecksum(replay)));
                    // "unreachable" for an alive device, quoting a forged request
                    foreign.add(RawPeer.datagram(LOCALHOST, LOCALHOST, RawPeer.withChecksum(forgedError(rnd, ident, capacity, ALIVE + rnd.nextInt(MONITORED)))));
                }
                peer.send(malformed.toArray(byte[][]::new));
                peer.send(foreign.toArray(byte[][]::new));
                IcmpEngineTest.await(() -> engine.counters().ignoredMalformed() - before.ignoredMalformed() >= malformed.size()
                        && engine.counters().ignoredForeign() - before.ignoredForeign() >= foreign.size(),
                        Duration.ofSeconds(10), "every hostile packet counted");
                IcmpCounters after = engine.counters();
                System.out.println("hostile ICMP: sent " + malformed.size() + " malformed, " + foreign.size() + " foreign; " + after);
                assertThat(after.ignoredMalformed() - before.ignoredMalformed()).isEqualTo(malformed.size());
                assertThat(after.ignoredForeign() - before.ignoredForeign()).isEqualTo(foreign.size());
                assertThat(after.replies()).isEqualTo(before.replies());
                assertThat(after.unreachable()).isEqualTo(before.unreachable());
                assertThat(after.ignoredLate()).isEqualTo(before.ignoredLate());
                // the reply to the sniffed probe came back once already: a replay of it is late, never a second result
                byte[] lateReply = java.util.Arrays.copyOfRange(request, 20, request.length);
                lateReply[0] = EchoCodec.ECHO_REPLY_V4;
                peer.send(RawPeer.datagram(probed, LOCALHOST, RawPeer.withChecksum(lateReply)));
                IcmpEngineTest.await(() -> engine.counters().ignoredLate() == before.ignoredLate() + 1, Duration.ofSeconds(10), "replay counted late");
                assertThat(engine.counters().replies()).isEqualTo(before.replies());

                // the flood, with the devices monitored throughout
                peer.closeSniffer(); // nobody reads it now: its drops would hide the engine's
                long dropsBefore = kernelDrops(ns);
                IcmpCounters floodBefore = engine.counters();
                AtomicLong floodSent = new AtomicLong();
                Thread flood = Thread.ofPlatform().name("junk-flood").start(() -> floodSent.set(flood(peer, new SplittableRandom(99), ident, capacity)));
                int rounds = 0;
                while (flood.isAlive() || rounds < 2) {
                    monitor.round();
                    rounds++;
                }
                flood.join();
                long sent = floodSent.get();
                // every junk packet passes the engine's raw filter (types 0, 3, 11; 8 bytes or more):
                // each is either counted as ignored or, when the engine's receive queue is full, dropped
                // by the kernel (which /proc/net/raw counts per socket)
                long[] drops = new long[1];
                IcmpEngineTest.await(() -> {
                    drops[0] = kernelDrops(ns) - dropsBefore;
                    return ignoredSince(engine.counters(), floodBefore) + drops[0] >= sent;
                }, Duration.ofSeconds(10), "every junk packet counted as ignored or as a kernel drop");
                IcmpCounters end = engine.counters();
                System.out.printf("junk flood: %d packets in %.1f s asked (%d pps); kernel drops %d; ignored %d (malformed %d, other type %d, "
                                + "foreign %d, late %d); %d monitoring rounds; %s%n", sent, FLOOD_SECONDS, FLOOD_PPS, drops[0], ignoredSince(end, floodBefore),
                        end.ignoredMalformed() - floodBefore.ignoredMalformed(), end.ignoredOtherType() - floodBefore.ignoredOtherType(),
                        end.ignoredForeign() - floodBefore.ignoredForeign(), end.ignoredLate() - floodBefore.ignoredLate(), rounds, end);
                assertThat(ignoredSince(end, floodBefore) + drops[0]).isEqualTo(sent);
                assertThat(end.replies() - floodBefore.replies()).as("replies are the alive devices' answers only")
                        .isEqualTo((long) rounds * MONITORED);
                assertThat(end.unreachable()).isEqualTo(floodBefore.unreachable());
                assertThat(monitor.wrong).as("a monitored device changed state: %s", monitor.wrongExamples).isEmpty();
                assertThat(engine.failure()).isNull();
                assertThat(end.listenerErrors()).isZero();
            }
        }
    }

    /** Packets the kernel dropped for full receive queues of ICMP raw sockets in {@code ns} (the last column of /proc/net/raw). */
    private static long kernelDrops(NetNamespace ns) {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", ns.name, "cat", "/proc/net/raw").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            long drops = 0;
            for (String line : text.split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 12 && f[1].endsWith(":0001")) { // local "port" of a raw socket is its protocol: ICMP
                    drops += Long.parseLong(f[f.length - 1]);
                }
            }
            return drops;
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException("reading /proc/net/raw in " + ns.name, e);
        }
    }

    private static long ignoredSince(IcmpCounters now, IcmpCounters then) {
        return (now.ignoredMalformed() - then.ignoredMalformed()) + (now.ignoredOtherType() - then.ignoredOtherType())
                + (now.ignoredForeign() - then.ignoredForeign()) + (now.ignoredLate() - then.ignoredLate());
    }

    /** An echo reply with our identifier layout: random sequence, a slot in range, random generation, time and token. */
    private static byte[] forgedReply(SplittableRandom rnd, int ident, int capacity) {
        byte[] icmp = new byte[EchoCodec.REQUEST_LENGTH];
        EchoCodec.writeRequest4(icmp, 0, ident, rnd.nextInt(1 << 16), rnd.nextInt(capacity), rnd.nextInt(4), System.nanoTime(), rnd.nextLong());
        icmp[0] = EchoCodec.ECHO_REPLY_V4;
        return icmp;
    }

    /** Destination unreachable quoting a forged request to {@code target}. */
    private static byte[] forgedError(SplittableRandom rnd, int ident, int capacity, int target) {
        byte[] request = forgedReply(rnd, ident, capacity);
        request[0] = EchoCodec.ECHO_REQUEST_V4;
        byte[] quoted = RawPeer.datagram(LOCALHOST, target, request);
        byte[] icmp = new byte[8 + quoted.length];
        icmp[0] = EchoCodec.DEST_UNREACH_V4;
        icmp[1] = 1; // host unreachable
        System.arraycopy(quoted, 0, icmp, 8, quoted.length);
        return icmp;
    }

    /** Junk the raw filter lets through (echo replies, errors) at the set rate, bounded in count and time. */
    private static long flood(RawPeer peer, SplittableRandom rnd, int ident, int capacity) {
        long total = (long) (FLOOD_PPS * FLOOD_SECONDS);
        // made ahead and sent round and round: the sender's CPU goes to the system calls
        byte[][] pool = new byte[8192][];
        for (int i = 0; i < pool.length; i++) {
            byte[] icmp = switch (rnd.nextInt(6)) {
                case 0 -> new byte[8 + rnd.nextInt(28)];
                case 1 -> RawPeer.withChecksum(forgedReply(rnd, ident, capacity));
                case 2 -> forgedError(rnd, ident, capacity, ALIVE + rnd.nextInt(MONITORED));
                default -> {
                    byte[] b = new byte[rnd.nextInt(8, 120)];
                    rnd.nextBytes(b);
                    yield b;
                }
            };
            icmp[0] = (byte) new int[] {0, 3, 11}[rnd.nextInt(3)];
            pool[i] = RawPeer.datagram(DEAD + rnd.nextInt(MONITORED), LOCALHOST, icmp);
        }
        byte[][] batch = new byte[256][];
        long start = System.nanoTime();
        long deadline = start + (long) ((FLOOD_SECONDS + 5) * 1e9);
        long sent = 0;
        while (sent < total && System.nanoTime() - deadline < 0) {
            int n = (int) Math.min(batch.length, total - sent);
            for (int i = 0; i < n; i++) {
                batch[i] = pool[(int) ((sent + i) % pool.length)];
            }
            sent += peer.send(batch, n);
            long due = start + (long) (sent * 1e9 / FLOOD_PPS);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait); // pacing to the rate, not synchronisation
            }
        }
        System.out.printf("junk flood: sent %d at %.0f pps%n", sent, sent / ((System.nanoTime() - start) / 1e9));
        return sent;
    }

    /** Probes every monitored address once per round and records any that is not in its expected state. */
    private static final class Monitor {
        final IcmpEngine engine;
        final List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
        final List<String> wrongExamples = wrong;

        Monitor(IcmpEngine engine) {
            this.engine = engine;
        }

        void round() throws InterruptedException {
            CountDownLatch done = new CountDownLatch(2 * MONITORED);
            ConcurrentHashMap<Integer, PingResult.Outcome> seen = new ConcurrentHashMap<>();
            for (int i = 0; i < MONITORED; i++) {
                for (int base : new int[] {ALIVE, DEAD}) {
                    int a = base + i;
                    engine.submit(a, TIMEOUT, 0, Lane.MONITOR, (r, attempts) -> {
                        seen.put(a, r.outcome());
                        PingResult.Outcome expected = base == ALIVE ? PingResult.Outcome.REPLY : PingResult.Outcome.TIMEOUT;
                        if (r.outcome() != expected || r.ipv4() != a) {
                            wrong.add(Ipv4.format(a) + " " + r.outcome());
                        }
                        done.countDown();
                    });
                }
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("a monitoring round completes").isTrue();
            assertThat(seen).hasSize(2 * MONITORED);
        }
    }
}
