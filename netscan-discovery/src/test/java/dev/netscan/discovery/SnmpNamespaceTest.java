package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.SnmpInfo;
import dev.netscan.discovery.snmp.SnmpCounters;
import dev.netscan.discovery.snmp.SnmpEnrichment;
import dev.netscan.discovery.snmp.SnmpListener;
import dev.netscan.discovery.snmp.SnmpOutcome;
import dev.netscan.discovery.snmp.SnmpSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SNMP where the network says nothing or this host refuses: inside a namespace this test creates,
 * with iptables rules that (a) drop the port-unreachable errors the kernel would send (what a
 * firewall or Linux's ICMP rate limit does), so a silent port must end as a timeout; (b) refuse
 * our own sends, which must end as a local refusal that is never the device's failure.
 */
class SnmpNamespaceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static final class Recorder implements SnmpListener {
        final Map<Integer, SnmpOutcome> last = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void onSuccess(int ipv4, SnmpInfo info, long ts) {
            last.put(ipv4, SnmpOutcome.SUCCESS);
            calls.incrementAndGet();
        }

        @Override
        public void onFailure(int ipv4, SnmpOutcome outcome, String detail) {
            last.put(ipv4, outcome);
            calls.incrementAndGet();
        }
    }

    private static SnmpEnrichment enrichmentIn(NetNamespace ns, SnmpSettings settings, SnmpListener l)
            throws InterruptedException {
        return ns.inside(() -> {
            SnmpEnrichment e = SnmpEnrichment.builder(settings).listener(l).bindAddress("127.0.0.1").warnings(m -> {}).build();
            try {
                e.start(); // the socket is opened on this thread, so it lives in the namespace
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
            return e;
        });
    }

    private static void await(String what, java.util.function.BooleanSupplier c) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
    }

    @Test
    void withPortUnreachableSuppressedASilentPortEndsAsATimeout() throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.exec("iptables", "-w", "-A", "OUTPUT", "-p", "icmp", "--icmp-type", "port-unreachable", "-j", "DROP");
            Recorder r = new Recorder();
            SnmpSettings settings = SnmpSettings.builder().community("lab-community-7").port(161)
                    .timeout(Duration.ofMillis(300)).retries(1).maxInFlight(512).build();
            try (SnmpEnrichment e = enrichmentIn(ns, settings, r)) {
                int base = Ipv4.parse("127.3.0.1");
                int n = 500;
                for (int i = 0; i < n; i++) {
                    assertThat(e.deviceDiscovered(base + i)).isTrue();
                }
                await(n + " outcomes", () -> e.counters().completed() == n);
                assertThat(r.last).hasSize(n);
                assertThat(r.last.values()).containsOnly(SnmpOutcome.TIMEOUT);
                SnmpCounters c = e.counters();
                assertThat(c.timeouts()).isEqualTo(n);
                assertThat(c.noAgent()).isZero();
                assertThat(e.failStreak(base)).isEqualTo(1);
            }
        }
    }

    @Test
    void aSendThisHostRefusesIsALocalRefusalAndNeverTheDevicesFailure() throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.exec("iptables", "-w", "-A", "OUTPUT", "-p", "udp", "--dport", "161", "-j", "DROP");
            Recorder r = new Recorder();
            SnmpSettings settings = SnmpSettings.builder().community("lab-community-7").port(161)
                    .timeout(Duration.ofSeconds(30)).retries(1).maxConsecutiveFails(1).build();
            try (SnmpEnrichment e = enrichmentIn(ns, settings, r)) {
                int ip = Ipv4.parse("127.3.0.9");
                assertThat(e.deviceDiscovered(ip)).isTrue();
                await("an outcome", () -> e.counters().completed() == 1);
                assertThat(r.last).containsEntry(ip, SnmpOutcome.LOCAL_REFUSAL);
                assertThat(e.counters().localRefusals()).isEqualTo(1);
                assertThat(e.failStreak(ip)).isZero();
                assertThat(e.isSuspended(ip)).isFalse(); // one failure would have suspended it
            }
        }
    }
}
