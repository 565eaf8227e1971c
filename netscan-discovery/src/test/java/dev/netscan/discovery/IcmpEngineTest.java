package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingResult.Outcome;
import dev.netscan.core.TargetSet;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Engine behaviour with real packets on loopback (host, or a namespace where dead addresses are needed). */
class IcmpEngineTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    static void await(BooleanSupplier condition, Duration limit, String what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + limit + " waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void repliesCarryAddressRttAndSendTime() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.defaults())) {
            AtomicReference<PingResult> got = new AtomicReference<>();
            AtomicInteger attempts = new AtomicInteger();
            long before = System.currentTimeMillis() * 1_000_000L;
            int addr = Ipv4.parse("127.0.0.1");
            assertThat(engine.trySubmit(addr, SECOND, 0, Lane.MONITOR, (r, n) -> {
                attempts.set(n);
                got.set(r);
            })).isTrue();
            await(() -> got.get() != null, Duration.ofSeconds(5), "a reply from 127.0.0.1");
            PingResult r = got.get();
            assertThat(r.outcome()).isEqualTo(Outcome.REPLY);
            assertThat(r.ipv4()).isEqualTo(addr);
            assertThat(r.rttNanos()).isBetween(0L, SECOND);
            assertThat(r.sentAtEpochNanos()).isBetween(before - 5_000_000L, System.currentTimeMillis() * 1_000_000L + 5_000_000L);
            assertThat(attempts.get()).isEqualTo(1);
        }
    }

    @Test
    void deferredSubmissionsAreSentOnFlushAndTheirRttsLieWithinTheProbesLifetime() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.defaults())) {
            int n = 50;
            int base = Ipv4.parse("127.3.0.1");
            long[] rtt = new long[n];
            long[] lifetime = new long[n];
            AtomicInteger replies = new AtomicInteger();
            for (int round = 0; round < 5; round++) {
                long submitted = System.nanoTime();
                for (int i = 0; i < n / 5; i++) {
                    int k = round * (n / 5) + i;
                    assertThat(engine.trySubmitDeferred(base + k, SECOND, 0, Lane.MONITOR, (r, a) -> {
                        rtt[k] = r.rttNanos();
                        lifetime[k] = System.nanoTime() - submitted;
                        if (r.outcome() == Outcome.REPLY) {
                            replies.incrementAndGet();
                        }
                    })).isTrue();
                }
                engine.flushSubmissions();
                int expected = (round + 1) * (n / 5);
                // well before the sender's 50 ms idle wake-up would have sent them without a flush
                await(() -> replies.get() == expected, Duration.ofSeconds(5), expected + " replies");
            }
            // Low rate: the receiver gathers replies for about a millisecond; the RTT comes from
            // the kernel's receive stamp, so it is positive and never longer than the probe lived.
            for (int k = 0; k < n; k++) {
                assertThat(rtt[k]).as("rtt of probe %d", k).isPositive().isLessThanOrEqualTo(lifetime[k]);
            }
        }
    }

    @Test
    void pingsIpv6Loopback() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.defaults())) {
            Privileged.require(engine.ipv6SocketKind() != null, "no ICMPv6 socket could be opened");
            Inet6Address lo = (Inet6Address) InetAddress.getByName("::1");
            AtomicReference<Outcome> outcome = new AtomicReference<>();
            AtomicReference<Inet6Address> who = new AtomicReference<>();
            assertThat(engine.trySubmit(lo, SECOND, 1, Lane.MONITOR, (a, sent, o, rtt, n) -> {
                who.set(a);
                outcome.set(o);
            })).isTrue();
            await(() -> outcome.get() != null, Duration.ofSeconds(5), "a reply from ::1");
            assertThat(outcome.get()).isEqualTo(Outcome.REPLY);
            assertThat(who.get()).isEqualTo(lo);
        }
    }

    @Test
    void repliesToAnotherPingersProbesAreIgnoredAndCounted() throws Exception {
        IcmpEngineConfig raw = IcmpEngineConfig.builder().requiredKind(SocketKind.RAW).build();
        try (IcmpEngine watcher = Privileged.engine(raw); IcmpEngine other = Privileged.engine(raw)) {
            // Another pinger (its own identifier and secret) pings loopback; the watcher's raw
            // socket sees every one of those replies and must not take any for its own.
            CountDownLatch done = new CountDownLatch(200);
            int base = Ipv4.parse("127.40.0.1");
            for (int i = 0; i < 200; i++) {
                assertThat(other.trySubmit(base + i, SECOND, 0, Lane.MONITOR, (r, a) -> done.countDown())).isTrue();
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(other.counters().replies()).isEqualTo(200);
            await(() -> watcher.counters().ignoredForeign() >= 200, Duration.ofSeconds(5), "the other pinger's replies counted as foreign");
            IcmpCounters c = watcher.counters();
            assertThat(c.replies()).isZero();
            assertThat(c.ignoredLate()).isZero();
            assertThat(c.probes()).isZero();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1_000, 10_000})
    void achievedRateIsWithinTenPercentOfTheLimit(int pps) throws Exception {
        // Measured from the engine's own send timestamps over many packets, not from the wall time
        // of a busy test, so a loaded machine does not make it flaky.
        int n = pps == 1_000 ? 2_500 : 20_000;
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().rateLimitPps(pps).laneQueueCapacity(n).build())) {
            long[] sentAt = new long[n];
            CountDownLatch done = new CountDownLatch(n);
            int base = Ipv4.parse("127.20.0.1");
            for (int i = 0; i < n; i++) {
                int idx = i;
                assertThat(engine.trySubmit(base + i, SECOND, 0, Lane.SWEEP, (r, a) -> {
                    sentAt[idx] = r.sentAtEpochNanos();
                    done.countDown();
                })).isTrue();
            }
            assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
            long first = Arrays.stream(sentAt).min().orElseThrow();
            long last = Arrays.stream(sentAt).max().orElseThrow();
            double achieved = (n - 1) * 1e9 / (last - first);
            System.out.printf("rate limit %d pps: achieved %.1f pps over %d packets%n", pps, achieved, n);
            assertThat(achieved).isBetween(pps * 0.9, pps * 1.1);
        }
    }

    @Test
    void rateLimitCanBeChangedWhileRunning() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().rateLimitPps(200).build())) {
            AtomicLong done = new AtomicLong();
            int base = Ipv4.parse("127.21.0.1");
            for (int i = 0; i < 3_000; i++) {
                engine.submit(base + i, SECOND, 0, Lane.SWEEP, (r, a) -> done.incrementAndGet());
            }
            await(() -> done.get() >= 20, Duration.ofSeconds(10), "a few probes at 200 pps");
            assertThat(done.get()).isLessThan(2_000);
            engine.setRateLimitPps(0);
            assertThat(engine.rateLimitPps()).isZero();
            await(() -> done.get() == 3_000, Duration.ofSeconds(10), "the rest unlimited");
        }
    }

    @Test
    void monitorLaneGoesBeforeAQueuedSweep() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().rateLimitPps(2_000).build())) {
            AtomicLong sweepDone = new AtomicLong();
            Sweep sweep = Sweep.start(engine, TargetSet.of("127.22.0.0/18"), SweepOptions.defaults(), (a, r) -> { });
            await(() -> engine.queued(Lane.SWEEP) > 1_000, Duration.ofSeconds(10), "a sweep backlog");
            List<Long> monitorDoneAt = new CopyOnWriteArrayList<>();
            long start = System.nanoTime();
            long backlogEnd = sweep.progress().completed() + engine.queued(Lane.SWEEP);
            int base = Ipv4.parse("127.23.0.1");
            for (int i = 0; i < 100; i++) {
                assertThat(engine.trySubmit(base + i, SECOND, 0, Lane.MONITOR, (r, a) -> {
                    assertThat(r.outcome()).isEqualTo(Outcome.REPLY);
                    monitorDoneAt.add(sweep.progress().completed());
                })).isTrue();
            }
            await(() -> monitorDoneAt.size() == 100, Duration.ofSeconds(10), "100 monitor probes");
            // at 2,000 pps, 100 monitor probes take ~50 ms; had they queued behind the sweep's
            // backlog of > 1,000 they would have waited > 500 ms
            long completedDuring = sweep.progress().completed();
            // every monitor probe finished before the sweep probes queued ahead of it were done
            assertThat(monitorDoneAt).allMatch(c -> c < backlogEnd);
            assertThat(sweep.isDone()).isFalse();
            assertThat(engine.queued(Lane.SWEEP)).isGreaterThan(0);
            sweep.cancel();
            System.out.println("monitor lane: 100 probes done while the sweep completed " + completedDuring
                    + " in " + (System.nanoTime() - start) / 1_000_000 + " ms");
        }
    }

    @Test
    void cancelledSweepStopsSendingAtOnceAndReportsWhatItFound() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().rateLimitPps(5_000).build())) {
            var found = ConcurrentHashMap.<Integer>newKeySet();
            Sweep sweep = Sweep.start(engine, TargetSet.of("127.24.0.0/16"), SweepOptions.defaults(), (a, r) -> found.add(a));
            await(() -> sweep.progress().alive() >= 300, Duration.ofSeconds(20), "300 addresses found");
            sweep.cancel();
            long sentAtCancel = engine.counters().sent();
            SweepSummary s = sweep.await(Duration.ofSeconds(2));
            assertThat(s.cancelled()).isTrue();
            assertThat(s.alive()).isBetween(300L, 65_534L - 1);
            assertThat(found).hasSize((int) s.alive());
            await(() -> engine.queued(Lane.SWEEP) == 0 && engine.counters().inFlight() == 0, Duration.ofSeconds(5), "engine drained");
            // at most the batches already built at the moment of cancel go out afterwards: the one
            // the sender is sending and the one the send helper is sending
            assertThat(engine.counters().sent() - sentAtCancel).isLessThanOrEqualTo(2L * engine.config().batchSize());
            assertThat(engine.counters().cancelled()).isPositive();
        }
    }

    @Test
    void closeCompletesQueuedProbesWithErrorAndInFlightOnesWithTimeout() throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.dropEchoRequestsTo("127.30.0.0/16");
            IcmpEngine engine = ns.engine(IcmpEngineConfig.builder().requiredKind(SocketKind.RAW).maxInFlight(10).build());
            ConcurrentHashMap<Outcome, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            int base = Ipv4.parse("127.30.0.1");
            for (int i = 0; i < 50; i++) {
                engine.trySubmit(base + i, 60 * SECOND, 0, Lane.MONITOR,
                        (r, a) -> outcomes.computeIfAbsent(r.outcome(), k -> new AtomicInteger()).incrementAndGet());
            }
            await(() -> engine.counters().inFlight() == 10, Duration.ofSeconds(5), "10 probes in flight");
            long t0 = System.nanoTime();
            engine.close();
            assertThat(System.nanoTime() - t0).isLessThan(3 * SECOND);
            assertThat(outcomes.get(Outcome.TIMEOUT)).hasValue(10);
            assertThat(outcomes.get(Outcome.ERROR)).hasValue(40);
            engine.close(); // idempotent
            assertThatThrownBy(() -> engine.trySubmit(base, SECOND, 0, Lane.MONITOR, (r, a) -> { }))
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aReplyWaitingUnreadWhileTheReceiverIsStalledIsNotReportedAsATimeout() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.defaults())) {
            CountDownLatch stalled = new CountDownLatch(1);
            // Stimulus, not synchronisation: this listener holds the receiver thread for 400 ms,
            // as a descheduled receiver on a loaded machine would be.
            engine.trySubmit(Ipv4.parse("127.0.0.1"), SECOND, 0, Lane.MONITOR, (r, a) -> {
                stalled.countDown();
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertThat(stalled.await(5, TimeUnit.SECONDS)).isTrue();
            ConcurrentHashMap<Outcome, AtomicInteger> outcomes = new ConcurrentHashMap<>();
            CountDownLatch done = new CountDownLatch(50);
            int base = Ipv4.parse("127.31.0.1");
            for (int i = 0; i < 50; i++) {
                engine.trySubmit(base + i, TimeUnit.MILLISECONDS.toNanos(100), 0, Lane.MONITOR, (r, a) -> {
                    outcomes.computeIfAbsent(r.outcome(), k -> new AtomicInteger()).incrementAndGet();
                    done.countDown();
                });
            }
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(outcomes).containsOnlyKeys(Outcome.REPLY);
            assertThat(outcomes.get(Outcome.REPLY)).hasValue(50);
        }
    }

    @Test
    void aThrowingListenerIsCountedAndTheEngineCarriesOn() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.defaults())) {
            int addr = Ipv4.parse("127.0.0.2");
            engine.trySubmit(addr, SECOND, 0, Lane.MONITOR, (r, a) -> {
                throw new IllegalStateException("listener bug");
            });
            await(() -> engine.counters().listenerErrors() == 1, Duration.ofSeconds(5), "the error counted");
            AtomicReference<Outcome> next = new AtomicReference<>();
            engine.trySubmit(addr, SECOND, 0, Lane.MONITOR, (r, a) -> next.set(r.outcome()));
            await(() -> next.get() != null, Duration.ofSeconds(5), "the next probe");
            assertThat(next.get()).isEqualTo(Outcome.REPLY);
        }
    }

    @Test
    void rejectsBadArgumentsWithClearErrors() throws Exception {
        assertThatThrownBy(() -> IcmpEngineConfig.builder().rateLimitPps(-1).batchSize(0).slotCapacity(10).maxInFlight(11).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rateLimitPps").hasMessageContaining("batchSize").hasMessageContaining("maxInFlight");
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().slotCapacity(1000).build())) {
            assertThatThrownBy(() -> engine.setMaxInFlight(1001)).hasMessageContaining("1000");
            assertThatThrownBy(() -> engine.setRateLimitPps(-5)).hasMessageContaining("rateLimitPps");
            assertThatThrownBy(() -> engine.trySubmit(1, 0, 0, Lane.SWEEP, (r, a) -> { })).hasMessageContaining("timeoutNanos");
        }
    }
}
