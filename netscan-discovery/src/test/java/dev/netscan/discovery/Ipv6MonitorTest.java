package dev.netscan.discovery;

import static dev.netscan.discovery.PingSchedulerTest.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.AddressBook;
import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.discovery.monitor.PingScheduler;
import dev.netscan.state.DeviceRegistry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scheduler pings IPv6 devices over the engine's ICMPv6 socket, beside IPv4 ones, inside a
 * namespace this test creates: {@code ip -6 route add local 2001:db8::/112 dev lo} makes every
 * address of that /112 answer there (and nowhere else).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class Ipv6MonitorTest {

    static Inet6Address v6(String text) {
        try {
            return (Inet6Address) InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static NetNamespace namespaceWithLocalIpv6() throws Exception {
        NetNamespace ns = NetNamespace.create();
        try {
            ns.exec("ip", "-6", "route", "add", "local", "2001:db8::/112", "dev", "lo");
        } catch (java.io.IOException e) {
            ns.close();
            Privileged.require(false, "cannot add an IPv6 local route in the test namespace: " + e.getMessage());
        }
        return ns;
    }

    @Test
    void pingsIpv6DevicesOverIcmpv6BesideIpv4OnesOncePerIntervalEach() throws Exception {
        int v6Devices = 1_000;
        int v4Devices = 500;
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(200);
        RecordingSink sink = new RecordingSink();
        try (NetNamespace ns = namespaceWithLocalIpv6();
                IcmpEngine engine = ns.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(10_000).build()) {
            assertThat(engine.ipv6SocketKind()).as("the engine opened an ICMPv6 socket").isNotNull();
            List<Integer> v6Keys = new ArrayList<>();
            for (int i = 1; i <= v6Devices; i++) {
                v6Keys.add(registry.add(v6("2001:db8::" + Integer.toHexString(i))));
            }
            int base = Ipv4.parse("127.30.0.1");
            for (int i = 0; i < v4Devices; i++) {
                registry.add(base + i);
            }
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofMillis(150))
                    .statsWindow(Duration.ofSeconds(1)).build();
            long start = System.nanoTime();
            scheduler.start();
            await("ten intervals", Duration.ofSeconds(30), () -> System.nanoTime() - start >= 10 * intervalNanos);
            scheduler.close();
            long ranNanos = System.nanoTime() - start;
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);

            PingScheduler.Counters c = scheduler.counters();
            assertThat(c.scheduled()).isEqualTo(v6Devices + v4Devices);
            assertThat(c.sendErrors()).isZero();
            assertThat(c.local().total()).isZero();
            Map<Integer, List<PingResult>> byDevice = new HashMap<>();
            for (PingResult r : sink.pings) {
                assertThat(r.outcome()).as("%s answers in the namespace", r.address()).isEqualTo(PingResult.Outcome.REPLY);
                byDevice.computeIfAbsent(r.ipv4(), k -> new ArrayList<>()).add(r);
            }
            assertThat(byDevice).hasSize(v6Devices + v4Devices);
            long maxPerDevice = ranNanos / intervalNanos + 1;
            for (int key : v6Keys) {
                assertThat(byDevice.get(key)).as("results of %s", AddressBook.shared().text(key))
                        .hasSizeBetween(9, (int) maxPerDevice);
                assertThat(byDevice.get(key).getFirst().address()).startsWith("2001:db8::");
                assertThat(registry.get(key).failureStreak()).isZero();
            }
            assertThat(sink.pings).extracting(PingResult::address).contains("2001:db8::1", "2001:db8::3e8", "127.30.0.1");
            // statistics windows for IPv6 devices too
            assertThat(sink.stats).filteredOn(s -> AddressBook.isIpv6Key(s.ipv4())).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.received()).isEqualTo(s.sent()));
            PingStats last = registry.get(v6Keys.getFirst()).lastStats();
            assertThat(last).isNotNull();
            assertThat(last.address()).isEqualTo("2001:db8::1");
        }
    }

    @Test
    void deadIpv6DevicesAreSuspendedAndResumeWhenTheyAnswerAgain() throws Exception {
        RecordingSink sink = new RecordingSink();
        try (NetNamespace ns = namespaceWithLocalIpv6();
                IcmpEngine engine = ns.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().failureThreshold(3)
                        .suspendBase(Duration.ofMillis(600)).suspendMax(Duration.ofMillis(600)).build()) {
            List<Integer> dead = new ArrayList<>();
            List<Integer> alive = new ArrayList<>();
            for (int i = 1; i <= 40; i++) {
                int key = registry.add(v6("2001:db8::" + Integer.toHexString(i)));
                (i < 16 ? dead : alive).add(key); // 2001:db8::1 - ::f are in 2001:db8::/124
            }
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMillis(80))
                    .statsWindow(Duration.ofSeconds(1)).build();
            scheduler.start();
            try {
                await("first replies", Duration.ofSeconds(10), () -> scheduler.counters().replies() >= 80);
                assertThat(registry.suspendedCount()).isZero();

                ip6tables(ns, "-A");
                await("15 dead IPv6 devices suspended", Duration.ofSeconds(20), () -> {
                    int n = registry.suspendedCount();
                    assertThat(n).isLessThanOrEqualTo(15);
                    return n == 15;
                });
                for (int key : dead) {
                    assertThat(registry.isSuspended(key)).as("suspended %s", AddressBook.shared().text(key)).isTrue();
                }
                for (int key : alive) {
                    assertThat(registry.isSuspended(key)).isFalse();
                }
                long skipsBefore = scheduler.counters().suspendedSkips();
                await("suspended devices skipped", Duration.ofSeconds(5),
                        () -> scheduler.counters().suspendedSkips() > skipsBefore);

                ip6tables(ns, "-D");
                await("all resumed", Duration.ofSeconds(20), () -> {
                    for (int key : dead) {
                        if (registry.failureStreak(key) != 0 || registry.isSuspended(key)) {
                            return false;
                        }
                    }
                    return true;
                });
            } finally {
                scheduler.close();
            }
            for (int key : dead) {
                List<PingResult> rs = sink.pingsOf(key);
                assertThat(rs).extracting(PingResult::outcome).contains(PingResult.Outcome.TIMEOUT);
                assertThat(rs.getLast().outcome()).isEqualTo(PingResult.Outcome.REPLY);
            }
            assertThat(sink.pingsOf(alive.getLast())).extracting(PingResult::outcome).containsOnly(PingResult.Outcome.REPLY);
        }
    }

    @Test
    void tenThousandIpv4AndTenThousandIpv6DevicesAtOneSecondEachEverySecond() throws Exception {
        int perFamily = 10_000;
        int seconds = 8;
        RecordingSink sink = new RecordingSink();
        try (NetNamespace ns = namespaceWithLocalIpv6();
                IcmpEngine engine = ns.engine(IcmpEngineConfig.builder().build());
                DeviceRegistry registry = DeviceRegistry.builder().maxDevices(2 * perFamily).build()) {
            int base = Ipv4.parse("127.40.0.1");
            for (int i = 0; i < perFamily; i++) {
                registry.add(base + i);
                registry.add(v6("2001:db8::" + Integer.toHexString(i + 1)));
            }
            PingScheduler scheduler = PingScheduler.builder().engine(engine).registry(registry).sink(sink)
                    .pingInterval(Duration.ofSeconds(1)).pingTimeout(Duration.ofMillis(900))
                    .statsWindow(Duration.ofSeconds(60)).build();
            long start = System.nanoTime();
            scheduler.start();
            await(seconds + " seconds", Duration.ofSeconds(seconds + 20),
                    () -> System.nanoTime() - start >= TimeUnit.SECONDS.toNanos(seconds));
            scheduler.close();
            await("every probe answered", Duration.ofSeconds(10), () -> scheduler.counters().inFlight() == 0);
            PingScheduler.Counters c = scheduler.counters();
            assertThat(c.scheduled()).isEqualTo(2 * perFamily);
            // On a loaded 2-core host the kernel's receive queue may overflow in a burst: those
            // probes end as local outcomes (never the device's loss). They stay rare, and every
            // device is still pinged every second (below).
            assertThat(c.local().total()).as("probes ended on our side, by cause: %s",
                    java.util.Arrays.toString(c.local().byCause())).isLessThanOrEqualTo(c.pingsSent() / 50);
            assertThat(c.sendErrors()).isZero();
            Map<Integer, Integer> replies = new HashMap<>();
            for (PingResult r : sink.pings) {
                assertThat(r.outcome()).as("%s", r.address()).isEqualTo(PingResult.Outcome.REPLY);
                replies.merge(r.ipv4(), 1, Integer::sum);
            }
            assertThat(replies).hasSize(2 * perFamily);
            int v6 = 0;
            for (Map.Entry<Integer, Integer> e : replies.entrySet()) {
                v6 += AddressBook.isIpv6Key(e.getKey()) ? 1 : 0;
                // pinged every second: one per elapsed interval (the first at its phase in the first)
                assertThat(e.getValue()).as("pings of %s in %d s", AddressBook.shared().text(e.getKey()), seconds)
                        .isBetween(seconds - 1, seconds + 1);
            }
            assertThat(v6).isEqualTo(perFamily);
            System.out.printf("MIXED 10k+10k at 1 s: %d replies in %d s, local outcomes %s, lateness p99 %d us, max %d us,"
                    + " late pings %d%n", c.replies(), seconds, java.util.Arrays.toString(c.local().byCause()),
                    c.latenessP99Micros(), c.latenessMaxMicros(), c.latePings());
        }
    }

    private static void ip6tables(NetNamespace ns, String op) throws Exception {
        try {
            ns.exec("ip6tables", "-w", op, "INPUT", "-p", "ipv6-icmp", "--icmpv6-type", "echo-request",
                    "-d", "2001:db8::/124", "-j", "DROP");
        } catch (java.io.IOException e) {
            Privileged.require(false, "ip6tables does not work in the test namespace (install iptables; needs root): "
                    + e.getMessage());
        }
    }
}
