package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.TargetSet;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real ICMP echo over the host's loopback: all of 127.0.0.0/8 answers on Linux. */
class LoopbackSweepTest {

    @Test
    void findsEveryAddressOfALoopbackSlash24() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.defaults())) {
            Set<Integer> found = ConcurrentHashMap.newKeySet();
            TargetSet targets = TargetSet.of("127.7.3.0/24");
            Sweep sweep = Sweep.start(engine, targets, SweepOptions.builder().timeout(Duration.ofSeconds(1)).build(),
                    (ipv4, rtt) -> found.add(ipv4));
            SweepSummary summary = sweep.await(Duration.ofSeconds(30));
            assertThat(summary.alive()).isEqualTo(254);
            assertThat(found).hasSize(254);
            for (int i = 1; i <= 254; i++) {
                assertThat(found).contains(Ipv4.parse("127.7.3." + i));
            }
            assertThat(summary.timeouts()).isZero();
            assertThat(summary.cancelled()).isFalse();
            System.out.println("loopback /24 on " + engine.socketKind() + ": " + summary + " " + engine.counters());
        }
    }

    @ParameterizedTest(name = "parallelSend={0}")
    @ValueSource(booleans = {true, false})
    void findsEveryAddressOfALoopbackSlash16(boolean parallelSend) throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.builder().parallelSend(parallelSend).build())) {
            IntOpenHashSet found = new IntOpenHashSet();
            TargetSet targets = TargetSet.of("127.9.0.0/16");
            Sweep sweep = Sweep.start(engine, targets, SweepOptions.builder().timeout(Duration.ofSeconds(2)).retries(1).build(),
                    (ipv4, rtt) -> {
                        synchronized (found) {
                            found.add(ipv4);
                        }
                    });
            SweepSummary summary = sweep.await(Duration.ofSeconds(60));
            System.out.println("loopback /16 on " + engine.socketKind() + " parallelSend=" + parallelSend + ": " + summary + " " + engine.counters());
            assertThat(summary.alive()).isEqualTo(65_534);
            synchronized (found) {
                assertThat(found.size()).isEqualTo(65_534);
                assertThat(found.contains(Ipv4.parse("127.9.0.1"))).isTrue();
                assertThat(found.contains(Ipv4.parse("127.9.255.254"))).isTrue();
            }
        }
    }

    @Test
    void aThrowingSweepListenerDoesNotStallTheSweep() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.defaults())) {
            Sweep sweep = Sweep.start(engine, TargetSet.of("127.7.4.0/28"), SweepOptions.defaults(), (ipv4, rtt) -> {
                throw new IllegalStateException("listener bug");
            });
            SweepSummary s = sweep.await(Duration.ofSeconds(30));
            assertThat(s.alive()).isEqualTo(14);
            assertThat(sweep.listenerErrors()).isEqualTo(14);
        }
    }

    @Test
    void probesOnlyTheAddressesTheListenerAccepts() throws Exception {
        try (IcmpEngine engine = Privileged.engine(IcmpEngineConfig.defaults())) {
            Set<Integer> found = ConcurrentHashMap.newKeySet();
            Sweep sweep = Sweep.start(engine, TargetSet.of("127.7.5.0/28"), SweepOptions.defaults(), new SweepListener() {
                @Override
                public void onAlive(int ipv4, long rttNanos) {
                    found.add(ipv4);
                }

                @Override
                public boolean accepts(int ipv4) {
                    return (ipv4 & 1) == 0;
                }
            });
            SweepSummary s = sweep.await(Duration.ofSeconds(30));
            assertThat(found).hasSize(7).allMatch(ip -> (ip & 1) == 0);
            assertThat(s.alive()).isEqualTo(7);
            assertThat(s.sent()).as("odd addresses never probed").isEqualTo(7);
        }
    }
}
