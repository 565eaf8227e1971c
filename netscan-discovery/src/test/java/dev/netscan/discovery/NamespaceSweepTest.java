package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.core.TargetSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Alive and dead addresses for real, inside a network namespace the test creates: loopback there
 * answers all of 127/8 except what iptables drops.
 */
class NamespaceSweepTest {

    private static IcmpEngine engineIn(NetNamespace ns, SocketKind kind, IcmpEngineConfig.Builder b) throws Exception {
        ns.allowDatagramIcmp(kind == SocketKind.DATAGRAM);
        return ns.engine(b.requiredKind(kind).build());
    }

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void findsExactlyTheAliveAddressesAndTheDeadOnesTimeOut(SocketKind kind) throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.dropEchoRequestsTo("127.2.2.0/23");
            try (IcmpEngine engine = engineIn(ns, kind, IcmpEngineConfig.builder())) {
                assertThat(engine.socketKind()).isEqualTo(kind);
                Set<Integer> found = ConcurrentHashMap.newKeySet();
                TargetSet targets = TargetSet.of("127.2.0.0/22");
                Sweep sweep = Sweep.start(engine, targets,
                        SweepOptions.builder().timeout(Duration.ofMillis(400)).retries(1).seed(7).build(),
                        (ipv4, rtt) -> assertThat(found.add(ipv4)).as("reported twice: %s", Ipv4.format(ipv4)).isTrue());
                SweepSummary s = sweep.await(Duration.ofSeconds(30));

                Set<Integer> expected = new HashSet<>();
                for (int a = Ipv4.parse("127.2.0.1"); a <= Ipv4.parse("127.2.1.255"); a++) {
                    expected.add(a);
                }
                assertThat(found).isEqualTo(expected);
                assertThat(s.alive()).isEqualTo(511);
                assertThat(s.timeouts()).isEqualTo(511);
                assertThat(s.probed()).isEqualTo(1022);
                assertThat(s.retried()).isEqualTo(511); // each dead address was tried twice
                assertThat(s.sent()).isEqualTo(1022 + 511);
                assertThat(engine.counters().ignoredLate()).isZero();
                System.out.println(kind + ": " + s + " " + engine.counters());

                // ICMPv6 over the same kind of socket: ::1 answers inside the namespace too
                assertThat(engine.ipv6SocketKind()).isEqualTo(kind);
                java.util.concurrent.atomic.AtomicReference<PingResult.Outcome> v6 = new java.util.concurrent.atomic.AtomicReference<>();
                assertThat(engine.trySubmit((java.net.Inet6Address) java.net.InetAddress.getByName("::1"),
                        TimeUnit.SECONDS.toNanos(1), 1, Lane.MONITOR, (a, sent, o, rtt, n) -> v6.set(o))).isTrue();
                IcmpEngineTest.await(() -> v6.get() != null, Duration.ofSeconds(5), "::1 answers");
                assertThat(v6.get()).isEqualTo(PingResult.Outcome.REPLY);
            }
        }
    }

    @Test
    void rawSocketReportsUnreachableWhenAnIcmpErrorComesBack() throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.rejectEchoRequestsTo("127.5.0.0/24");
            try (IcmpEngine engine = engineIn(ns, SocketKind.RAW, IcmpEngineConfig.builder())) {
                Sweep sweep = Sweep.start(engine, TargetSet.of("127.5.0.0/24", "127.6.0.0/30"),
                        SweepOptions.builder().timeout(Duration.ofSeconds(2)).retries(0).build(), (a, r) -> { });
                SweepSummary s = sweep.await(Duration.ofSeconds(30));
                assertThat(s.unreachable()).isEqualTo(254);
                assertThat(s.alive()).isEqualTo(2);
                assertThat(s.timeouts()).isZero();
            }
        }
    }

    @Test
    void moreThan65536ProbesInFlightAreAllAccountedFor() throws Exception {
        int dead = 100_000;
        int alive = 2_000;
        try (NetNamespace ns = NetNamespace.create()) {
            ns.dropEchoRequestsTo("127.64.0.0/10");
            try (IcmpEngine engine = engineIn(ns, SocketKind.RAW, IcmpEngineConfig.builder().slotCapacity(131_072).laneQueueCapacity(200_000))) {
                AtomicLong timeouts = new AtomicLong();
                AtomicLong wrong = new AtomicLong();
                Set<Integer> replied = ConcurrentHashMap.newKeySet();
                CountDownLatch done = new CountDownLatch(dead + alive);
                long timeout = TimeUnit.SECONDS.toNanos(6);
                int base = Ipv4.parse("127.64.0.0");
                for (int i = 0; i < dead; i++) {
                    assertThat(engine.trySubmit(base + i, timeout, 0, Lane.SWEEP, (r, n) -> {
                        if (r.outcome() == PingResult.Outcome.TIMEOUT) {
                            timeouts.incrementAndGet();
                        } else {
                            wrong.incrementAndGet();
                        }
                        done.countDown();
                    })).isTrue();
                }
                int aliveBase = Ipv4.parse("127.10.0.0");
                for (int i = 0; i < alive; i++) {
                    int addr = aliveBase + i;
                    assertThat(engine.trySubmit(addr, timeout, 0, Lane.SWEEP, (r, n) -> {
                        if (r.outcome() == PingResult.Outcome.REPLY && r.ipv4() == addr) {
                            replied.add(addr);
                        } else {
                            wrong.incrementAndGet();
                        }
                        done.countDown();
                    })).isTrue();
                }
                assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
                IcmpCounters c = engine.counters();
                System.out.println(">65536 in flight: " + c);
                assertThat(c.maxInFlightObserved()).isGreaterThan(65_536);
                assertThat(timeouts.get()).isEqualTo(dead);
                assertThat(replied).hasSize(alive);
                assertThat(wrong.get()).isZero();
            }
        }
    }

    @Test
    void inFlightBoundIsNeverExceededAndCanBeChangedWhileRunning() throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.dropEchoRequestsTo("127.3.0.0/16");
            try (IcmpEngine engine = engineIn(ns, SocketKind.RAW, IcmpEngineConfig.builder().maxInFlight(100))) {
                int n = 1_500;
                long timeout = TimeUnit.MILLISECONDS.toNanos(100);
                long[] sentAt = new long[n];
                CountDownLatch done = new CountDownLatch(n);
                int base = Ipv4.parse("127.3.0.0");
                for (int i = 0; i < n; i++) {
                    int idx = i;
                    engine.submit(base + i, timeout, 0, Lane.SWEEP, (r, attempts) -> {
                        sentAt[idx] = r.sentAtEpochNanos();
                        done.countDown();
                    });
                    if (i == 700) {
                        engine.setMaxInFlight(40);
                    }
                }
                assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
                assertThat(engine.counters().maxInFlightObserved()).isLessThanOrEqualTo(100);
                // Independent check from send times: the (bound+1)-th probe after any probe can only
                // go once that probe's slot is free again, i.e. after its timeout.
                long[] sorted = sentAt.clone();
                java.util.Arrays.sort(sorted);
                for (int i = 0; i + 100 < n; i++) {
                    assertThat(sorted[i + 100] - sorted[i]).as("window at %d", i).isGreaterThanOrEqualTo(timeout);
                }
                // the last probes ran under the lower bound of 40
                for (int i = n - 400; i + 40 < n; i++) {
                    assertThat(sorted[i + 40] - sorted[i]).as("window at %d", i).isGreaterThanOrEqualTo(timeout);
                }
            }
        }
    }

    @Test
    void aSweepOfDeadAddressesCannotStarveMonitoringOfInFlightSlots() throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.dropEchoRequestsTo("127.3.0.0/16");
            try (IcmpEngine engine = engineIn(ns, SocketKind.RAW, IcmpEngineConfig.builder().maxInFlight(80))) {
                Sweep sweep = Sweep.start(engine, TargetSet.of("127.3.0.0/20"),
                        SweepOptions.builder().timeout(Duration.ofSeconds(20)).retries(0).build(), (a, r) -> { });
                IcmpEngineTest.await(() -> engine.counters().inFlight() == 70, Duration.ofSeconds(5), "sweep holds 7/8 of the bound");
                CountDownLatch replies = new CountDownLatch(20);
                int base = Ipv4.parse("127.4.0.1");
                for (int i = 0; i < 20; i++) {
                    assertThat(engine.trySubmit(base + i, TimeUnit.SECONDS.toNanos(2), 0, Lane.MONITOR, (r, a) -> {
                        if (r.outcome() == PingResult.Outcome.REPLY) {
                            replies.countDown();
                        }
                    })).isTrue();
                }
                // the sweep's probes will not time out for 20 s; monitoring must not wait for them
                assertThat(replies.await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(sweep.isDone()).isFalse();
                assertThat(engine.counters().maxInFlightObserved()).isLessThanOrEqualTo(80);
                sweep.cancel();
            }
        }
    }

    @Test
    void refusesToStartWithoutAnAllowedSocketAndNamesBothFixes() throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.allowDatagramIcmp(false);
            assertThatThrownBy(() -> ns.engine(IcmpEngineConfig.builder().requiredKind(SocketKind.DATAGRAM).build()))
                    .isInstanceOf(IcmpUnavailableException.class)
                    .hasMessageContaining("net.ipv4.ping_group_range")
                    .hasMessageContaining("setcap cap_net_raw+ep")
                    .hasMessageContaining("AmbientCapabilities=CAP_NET_RAW");
        }
    }
}
