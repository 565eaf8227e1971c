package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * ICMP port-unreachable on loopback, for real: the kernel answers a datagram to a loopback port
 * nobody listens on with port-unreachable (loopback is exempt from the ICMP rate limit), and the
 * scanner's socket reads it from its error queue (IP_RECVERR, no privilege).
 */
class SnmpNoAgentTest {
    /** Far longer than any wait below: an outcome seen within WAIT can only have come from the ICMP error. */
    private static final Duration LONG_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    /** A loopback UDP port nobody listens on (bound, then closed). */
    static int unusedPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    private SnmpScanner scanner(SnmpSettings settings, SnmpListener listener) throws Exception {
        SnmpScanner s = SnmpScanner.builder(settings).listener(listener).bindAddress("127.0.0.1").warnings(m -> {}).build();
        closeables.add(s);
        s.start();
        return s;
    }

    private static SnmpSettings.Builder settings(int port) {
        return SnmpSettings.builder().community("lab-community-7").port(port).timeout(LONG_TIMEOUT).retries(1);
    }

    @Test
    void portUnreachableEndsEveryQueryAsNoAgentWithoutWaitingForTheTimeout() throws Exception {
        int port = unusedPort();
        Outcomes outcomes = new Outcomes();
        SnmpScanner s = scanner(settings(port).maxInFlight(256).build(), outcomes);
        int base = Ipv4.parse("127.3.0.1");
        int n = 1_000;
        for (int i = 0; i < n; i++) {
            assertThat(s.submit(base + i)).isTrue();
        }
        Await.until(n + " outcomes", WAIT, () -> s.counters().completed() == n);
        assertThat(outcomes.last.values()).hasSize(n)
                .allSatisfy(r -> assertThat(r.outcome()).isEqualTo(SnmpOutcome.NO_AGENT));
        assertThat(outcomes.last.values()).allSatisfy(r -> assertThat(r.detail()).isEqualTo("ICMP port unreachable"));
        SnmpCounters c = s.counters();
        assertThat(c.noAgent()).isEqualTo(n);
        assertThat(c.timeouts() + c.errors() + c.localRefusals() + c.successes()).isZero();
        assertThat(c.requests()).isEqualTo(n); // one request each: no retry was sent
        assertThat(c.inFlight()).isZero();
    }

    @Test
    void anAgentAndAnEmptyPortOnTheSameSocketEachGetTheirOwnOutcome() throws Exception {
        TestAgent agent = TestAgent.start("127.0.0.1", 0, "lab-community-7").withSystemGroup("sw1");
        closeables.add(agent);
        Outcomes outcomes = new Outcomes();
        // the agent listens on 127.0.0.1 only: the same port on 127.3.1.x refuses
        SnmpScanner s = scanner(settings(agent.port()).build(), outcomes);
        int refusing = Ipv4.parse("127.3.1.1");
        s.submit(Ipv4.parse("127.0.0.1"));
        s.submit(refusing);
        Await.until("2 outcomes", WAIT, () -> s.counters().completed() == 2);
        assertThat(outcomes.last.get(Ipv4.parse("127.0.0.1")).outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(outcomes.last.get(Ipv4.parse("127.0.0.1")).info().sysName()).isEqualTo("sw1");
        assertThat(outcomes.last.get(refusing).outcome()).isEqualTo(SnmpOutcome.NO_AGENT);
    }

    @Test
    void theCircuitBreakerCountsNoAgentAsAFailure() throws Exception {
        int port = unusedPort();
        Outcomes outcomes = new Outcomes();
        SnmpEnrichment e = SnmpEnrichment.builder(settings(port).maxConsecutiveFails(2).build())
                .listener(outcomes).bindAddress("127.0.0.1").warnings(m -> {}).build();
        closeables.add(e);
        e.start();
        int ip = Ipv4.parse("127.3.2.1");
        assertThat(e.deviceDiscovered(ip)).isTrue();
        Await.until("first outcome", WAIT, () -> outcomes.completed.get() == 1);
        Await.until("slot free", WAIT, () -> e.counters().inFlight() == 0);
        assertThat(e.failStreak(ip)).isEqualTo(1);
        assertThat(e.isSuspended(ip)).isFalse();
        assertThat(e.deviceDiscovered(ip)).isTrue();
        Await.until("second outcome", WAIT, () -> outcomes.completed.get() == 2);
        assertThat(e.isSuspended(ip)).isTrue();
        assertThat(e.deviceDiscovered(ip)).isFalse();
        assertThat(e.counters().noAgent()).isEqualTo(2);
    }

    @Test
    void anAgentNeverHasMoreThanOneOfOurRequestsOutstanding() throws Exception {
        // an agent that lacks sysContact and sysLocation: each query is a GET and two GETNEXTs
        TestAgent agent = TestAgent.start("lab-community-7");
        closeables.add(agent);
        agent.put("1.3.6.1.2.1.1.1.0", new org.snmp4j.smi.OctetString("slow agent"))
                .put("1.3.6.1.2.1.1.5.0", new org.snmp4j.smi.OctetString("slow"));
        CountingRelay relay = new CountingRelay(agent.port(), 5);
        closeables.add(relay);
        Outcomes outcomes = new Outcomes();
        SnmpScanner s = scanner(settings(relay.port()).timeout(Duration.ofSeconds(5)).maxInFlight(64).build(), outcomes);
        int ip = Ipv4.parse("127.0.0.1");
        int queries = 20;
        // four threads keep asking for the same agent as fast as they can
        Thread[] askers = new Thread[4];
        for (int t = 0; t < askers.length; t++) {
            askers[t] = Thread.ofPlatform().start(() -> {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (outcomes.completed.get() < queries && System.nanoTime() < deadline) {
                    s.submit(ip);
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000); // leave the CPU to the relay and agent
                }
            });
        }
        for (Thread t : askers) {
            t.join();
        }
        Await.until("queries settle", WAIT, () -> s.counters().inFlight() == 0);
        assertThat(outcomes.completed.get()).isGreaterThanOrEqualTo(queries);
        assertThat(outcomes.last.get(ip).outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(relay.requests.get()).isGreaterThanOrEqualTo(queries * 3);
        assertThat(relay.maxOutstanding.get()).isEqualTo(1);
    }
}
