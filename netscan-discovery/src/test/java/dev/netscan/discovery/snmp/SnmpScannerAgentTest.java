package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.SnmpInfo;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.IpAddress;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;

/** The scanner against a real SNMP agent running in this JVM on loopback (see {@link TestAgent}). */
class SnmpScannerAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int LOCALHOST = Ipv4.parse("127.0.0.1");

    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private TestAgent agent(String community) throws Exception {
        TestAgent a = TestAgent.start(community);
        closeables.add(a);
        return a;
    }

    private SnmpScanner scanner(SnmpSettings.Builder settings, SnmpListener listener) throws Exception {
        SnmpScanner s = SnmpScanner.builder(settings.build()).listener(listener).bindAddress("127.0.0.1")
                .warnings(m -> {}).build();
        closeables.add(s);
        s.start();
        return s;
    }

    /** Outcomes are counted after the listener returns: wait for the counters to catch up. */
    private static void settled(SnmpScanner s, long completed) {
        Await.until(completed + " outcomes counted", WAIT, () -> s.counters().completed() == completed);
    }

    private static SnmpSettings.Builder v2c(int port) {
        return SnmpSettings.builder().version(SnmpVersion.V2C).community("lab-community-7").port(port)
                .timeout(Duration.ofMillis(300)).retries(0);
    }

    @Test
    void readsTheSystemGroupInOneGet() throws Exception {
        TestAgent a = agent("lab-community-7").withSystemGroup("switch-1");
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()), out);

        assertThat(s.submit(LOCALHOST)).isTrue();
        Outcomes.Result r = out.next(WAIT);
        settled(s, 1);

        assertThat(r.outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.info()).isEqualTo(new SnmpInfo("switch-1", "Test agent switch-1", "1.3.6.1.4.1.99999.1", 123_456,
                "ops@example.invalid", "rack 1"));
        assertThat(a.received.get()).isEqualTo(1);
        SnmpCounters c = s.counters();
        assertThat(c.requests()).isEqualTo(1);
        assertThat(c.successes()).isEqualTo(1);
        assertThat(c.fallbacks()).isZero();
        assertThat(c.inFlight()).isZero();
    }

    @Test
    void v1AgentAnsweringNoSuchNameIsReadThroughGetNext() throws Exception {
        TestAgent a = agent("lab-community-7").withSystemGroup("old-router");
        a.mib.remove(new OID("1.3.6.1.2.1.1.4.0")); // no sysContact: a v1 GET of all six fails with noSuchName
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()).version(SnmpVersion.V1), out);

        s.submit(LOCALHOST);
        Outcomes.Result r = out.next(WAIT);
        settled(s, 1);

        assertThat(r.outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.info().sysName()).isEqualTo("old-router");
        assertThat(r.info().sysContact()).isNull();
        // GETNEXT on 1.3.6.1.2.1.1.4 returned sysName 1.3.6.1.2.1.1.5.0, outside the subtree: dropped.
        assertThat(r.info().sysLocation()).isEqualTo("rack 1");
        assertThat(r.info().sysUpTimeHundredths()).isEqualTo(123_456);
        assertThat(s.counters().fallbacks()).isEqualTo(1);
        assertThat(s.counters().requests()).isEqualTo(1 + 6);
    }

    @Test
    void getNextAnswersOutsideTheAskedSubtreeAreDroppedComparingOidsNotStrings() throws Exception {
        TestAgent a = agent("lab-community-7");
        a.put("1.3.6.1.2.1.1.1.0", new OctetString("only descr"));
        // 1.3.6.1.2.1.1.50.0 starts with the string "1.3.6.1.2.1.1.5" but is not inside OID 1.3.6.1.2.1.1.5.
        a.put("1.3.6.1.2.1.1.50.0", new OctetString("not sysName"));
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()), out);

        s.submit(LOCALHOST);
        Outcomes.Result r = out.next(WAIT);
        settled(s, 1);

        assertThat(r.outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.info()).isEqualTo(new SnmpInfo(null, "only descr", null, -1, null, null));
        assertThat(s.counters().fallbacks()).isEqualTo(1);
    }

    @Test
    void instancesFoundOnlyByGetNextAreKept() throws Exception {
        TestAgent a = agent("lab-community-7");
        // An agent that registered sysName under a wrong instance (.5.1 instead of .5.0).
        a.put("1.3.6.1.2.1.1.5.1", new OctetString("odd-instance"));
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()), out);

        s.submit(LOCALHOST);
        Outcomes.Result r = out.next(WAIT);
        settled(s, 1);

        assertThat(r.outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.info().sysName()).isEqualTo("odd-instance");
        assertThat(r.info().sysDescr()).isNull();
    }

    @Test
    void agentWithoutSystemGroupIsAnError() throws Exception {
        TestAgent a = agent("lab-community-7");
        a.put("1.3.6.1.2.1.2.1.0", new Integer32(3)); // ifNumber only
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()), out);

        s.submit(LOCALHOST);
        Outcomes.Result r = out.next(WAIT);
        settled(s, 1);

        assertThat(r.outcome()).isEqualTo(SnmpOutcome.ERROR);
        assertThat(s.counters().errors()).isEqualTo(1);
    }

    @Test
    void hostileValuesAreBoundedSanitisedAndTolerated() throws Exception {
        TestAgent a = agent("lab-community-7");
        byte[] big = new byte[60_000]; // the largest kind of string that still fits one UDP datagram
        Arrays.fill(big, (byte) 'A');
        a.put("1.3.6.1.2.1.1.1.0", new OctetString(big));
        a.put("1.3.6.1.2.1.1.2.0", new OctetString("not an oid\n"));
        a.put("1.3.6.1.2.1.1.3.0", new OctetString("12345")); // wrong type for TimeTicks
        a.put("1.3.6.1.2.1.1.4.0", new OctetString("evil\u0000contact\r\nping,host=x rtt=1 1\n".getBytes(StandardCharsets.UTF_8)));
        a.put("1.3.6.1.2.1.1.5.0", new OctetString(new byte[] {0x00, (byte) 0xFE, (byte) 0xC0, 0x10, 0x0A}));
        a.put("1.3.6.1.2.1.1.6.0", new Integer32(-42)); // wrong type for a string
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()), out);

        s.submit(LOCALHOST);
        Outcomes.Result r = out.next(WAIT);
        settled(s, 1);

        assertThat(r.outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        SnmpInfo info = r.info();
        assertThat(info.sysDescr()).hasSize(SnmpText.MAX_BYTES).matches("A+");
        assertThat(info.sysObjectId()).isNull();
        assertThat(info.sysUpTimeHundredths()).isEqualTo(-1);
        assertThat(info.sysContact()).isEqualTo("evilcontact ping,host=x rtt=1 1");
        assertThat(info.sysName()).isEqualTo("0x00fec0100a");
        assertThat(info.sysLocation()).isEqualTo("-42");
        for (String v : new String[] {info.sysDescr(), info.sysContact(), info.sysName(), info.sysLocation()}) {
            assertThat(v).doesNotContain("\n", "\r", "\u0000");
        }
    }

    @Test
    void wrongTypesThatStillMeanSomethingAreUsed() throws Exception {
        TestAgent a = agent("lab-community-7").withSystemGroup("typed");
        a.put("1.3.6.1.2.1.1.2.0", new OctetString(".1.3.6.1.4.1.8072.3.2.10")); // OID sent as a string
        a.put("1.3.6.1.2.1.1.3.0", new Counter32(777)); // uptime as a counter
        a.put("1.3.6.1.2.1.1.5.0", new IpAddress("10.1.2.3")); // name as an address
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()), out);

        s.submit(LOCALHOST);
        SnmpInfo info = out.next(WAIT).info();

        assertThat(info.sysObjectId()).isEqualTo("1.3.6.1.4.1.8072.3.2.10");
        assertThat(info.sysUpTimeHundredths()).isEqualTo(777);
        assertThat(info.sysName()).isEqualTo("10.1.2.3");
    }

    @Test
    void tenMegabyteValueCannotCrossUdpSoTheOtherFieldsStillArrive() throws Exception {
        TestAgent a = agent("lab-community-7").withSystemGroup("huge");
        byte[] tenMb = new byte[10 << 20];
        Arrays.fill(tenMb, (byte) 'x');
        a.put("1.3.6.1.2.1.1.1.0", new OctetString(tenMb));
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()), out);

        s.submit(LOCALHOST);
        Outcomes.Result r = out.next(WAIT);
        settled(s, 1);

        // The agent answers tooBig to the GET (and to the GETNEXT for sysDescr); the fallback reads the rest.
        assertThat(r.outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.info().sysDescr()).isNull();
        assertThat(r.info().sysName()).isEqualTo("huge");
        assertThat(r.info().sysLocation()).isEqualTo("rack 1");
        assertThat(s.counters().fallbacks()).isEqualTo(1);
    }

    @Test
    void wrongCommunityTimesOutWhileAGoodDeviceOnTheSamePortSucceeds() throws Exception {
        TestAgent good = agent("lab-community-7").withSystemGroup("good");
        TestAgent wrong = TestAgent.start("127.0.0.2", good.port(), "another-community");
        closeables.add(wrong);
        wrong.withSystemGroup("wrong");
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(good.port()), out);
        int wrongIp = Ipv4.parse("127.0.0.2");

        s.submit(wrongIp);
        s.submit(LOCALHOST);

        assertThat(out.nextFor(LOCALHOST, WAIT).outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        Await.until("the wrong-community device ends", WAIT, () -> out.last.containsKey(wrongIp));
        settled(s, 2);
        Outcomes.Result r = out.last.get(wrongIp);
        assertThat(r.outcome()).isEqualTo(SnmpOutcome.TIMEOUT);
        assertThat(r.detail()).doesNotContain("lab-community-7");
        assertThat(wrong.received.get()).isZero(); // it heard nothing with its own community
        assertThat(s.counters().timeouts()).isEqualTo(1);
        assertThat(s.counters().successes()).isEqualTo(1);
    }

    @Test
    void repliesFromTheAgentsMainLoopbackAddressAreAccepted() throws Exception {
        // An agent bound to 0.0.0.0 answers for any 127.x.y.z from source 127.0.0.1 (the benchmark's set-up).
        TestAgent a = TestAgent.start("0.0.0.0", 0, "lab-community-7");
        closeables.add(a);
        a.withSystemGroup("any-loopback");
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()), out);
        int ip = Ipv4.parse("127.0.3.7");

        s.submit(ip);

        Outcomes.Result r = out.nextFor(ip, WAIT);
        assertThat(r.outcome()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.info().sysName()).isEqualTo("any-loopback");
    }

    @Test
    void neverHasMoreDevicesInFlightThanTheBound() throws Exception {
        TestAgent a = TestAgent.start("0.0.0.0", 0, "lab-community-7");
        closeables.add(a);
        a.silent.set(true); // every request times out, so slots are held for the whole timeout
        Outcomes out = new Outcomes();
        AtomicInteger worst = new AtomicInteger();
        a.onRequest(arrived -> worst.accumulateAndGet(arrived - out.completed.get(), Math::max));
        SnmpScanner s = scanner(v2c(a.port()).timeout(Duration.ofMillis(100)).maxInFlight(7), out);

        for (int i = 1; i <= 40; i++) {
            assertThat(s.submit(Ipv4.parse("127.0.1." + i))).isTrue();
        }
        assertThat(s.submit(Ipv4.parse("127.0.1.1"))).as("already queued or in flight").isFalse();
        assertThat(s.counters().inFlight()).isEqualTo(7);
        assertThat(s.counters().queued()).isEqualTo(33);

        Await.until("all 40 time out", WAIT, () -> out.completed.get() == 40);
        settled(s, 40);
        assertThat(worst.get()).isEqualTo(7);
        assertThat(a.received.get()).isEqualTo(40);
        assertThat(s.counters().timeouts()).isEqualTo(40);
        assertThat(s.counters().inFlight()).isZero();
    }

    @Test
    void raisingTheBoundAtRunTimeStartsQueuedDevicesAtOnce() throws Exception {
        TestAgent a = TestAgent.start("0.0.0.0", 0, "lab-community-7");
        closeables.add(a);
        a.silent.set(true);
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()).timeout(Duration.ofSeconds(5)).maxInFlight(1), out);
        for (int i = 1; i <= 10; i++) {
            s.submit(Ipv4.parse("127.0.2." + i));
        }
        Await.until("the first request arrives", WAIT, () -> a.received.get() == 1);
        assertThat(s.counters().queued()).isEqualTo(9);

        s.setMaxInFlight(10);

        Await.until("all ten requests arrive", WAIT, () -> a.received.get() == 10);
        assertThat(s.counters().inFlight()).isEqualTo(10);
        assertThat(s.counters().queued()).isZero();
    }

    @Test
    void loweringTheBoundAtRunTimeLetsCurrentQueriesFinishThenHoldsTheNewBound() throws Exception {
        TestAgent a = TestAgent.start("0.0.0.0", 0, "lab-community-7");
        closeables.add(a);
        a.silent.set(true);
        Outcomes out = new Outcomes();
        AtomicInteger worstAfter = new AtomicInteger();
        a.onRequest(arrived -> {
            if (arrived > 8) {
                worstAfter.accumulateAndGet(arrived - out.completed.get(), Math::max);
            }
        });
        SnmpScanner s = scanner(v2c(a.port()).timeout(Duration.ofMillis(100)).maxInFlight(8), out);
        for (int i = 1; i <= 20; i++) {
            s.submit(Ipv4.parse("127.0.5." + i));
        }
        Await.until("the first eight arrive", WAIT, () -> a.received.get() == 8);

        s.setMaxInFlight(2);

        Await.until("all 20 end", WAIT, () -> out.completed.get() == 20);
        assertThat(worstAfter.get()).isEqualTo(2);
        assertThat(s.maxInFlight()).isEqualTo(2);
    }

    @Test
    void aFailingListenerDoesNotStopTheScanner() throws Exception {
        TestAgent a = agent("lab-community-7").withSystemGroup("sturdy");
        AtomicInteger calls = new AtomicInteger();
        SnmpListener throwing = new SnmpListener() {
            @Override
            public void onSuccess(int ipv4, SnmpInfo info, long ts) {
                calls.incrementAndGet();
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onFailure(int ipv4, SnmpOutcome outcome, String detail) {}
        };
        SnmpScanner s = scanner(v2c(a.port()), throwing);
        s.submit(LOCALHOST);
        settled(s, 1);
        s.submit(LOCALHOST);
        settled(s, 2);
        assertThat(calls.get()).isEqualTo(2);
        assertThat(s.counters().successes()).isEqualTo(2);
        assertThat(s.counters().inFlight()).isZero();
    }

    @Test
    void weakCommunityIsWarnedAboutOnceWithoutQuotingIt() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        SnmpScanner s = SnmpScanner.builder(SnmpSettings.builder().community("public").build())
                .bindAddress("127.0.0.1").warnings(warnings::add).build();
        closeables.add(s);
        s.start();
        s.start();
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("well-known default").doesNotContain("'public'");

        List<String> none = new CopyOnWriteArrayList<>();
        SnmpScanner strong = SnmpScanner.builder(SnmpSettings.builder().community("x7-Lab-Ro").build())
                .bindAddress("127.0.0.1").warnings(none::add).build();
        closeables.add(strong);
        strong.start();
        assertThat(none).isEmpty();
    }

    @Test
    void closeDropsQueuedWorkAndRefusesMore() throws Exception {
        TestAgent a = TestAgent.start("0.0.0.0", 0, "lab-community-7");
        closeables.add(a);
        a.silent.set(true);
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(v2c(a.port()).timeout(Duration.ofSeconds(5)).maxInFlight(2), out);
        for (int i = 1; i <= 5; i++) {
            s.submit(Ipv4.parse("127.0.4." + i));
        }
        s.close();
        s.close();
        assertThat(s.submit(LOCALHOST)).isFalse();
        assertThat(s.counters().queued()).isZero();
        assertThat(s.counters().inFlight()).isZero();
        assertThat(out.completed.get()).isZero();
    }
}
