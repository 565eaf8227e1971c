package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.Ipv6;
import dev.netscan.core.OnLinkSettings;
import dev.netscan.core.PingResult;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On-link discovery for real: two network namespaces the test creates, joined by a veth pair
 * ({@code vA} in one, {@code vB} in the other). Packets only ever cross that pair.
 */
class OnLinkDiscoveryTest {

    /** Two namespaces and the veth pair between them, both ends up with IPv4 and IPv6 addresses, DAD off. */
    private static final class Link implements AutoCloseable {
        final NetNamespace a = NetNamespace.create();
        final NetNamespace b = NetNamespace.create();

        Link() throws IOException {
            for (NetNamespace ns : List.of(a, b)) {
                ns.exec("sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
            }
            NetNamespace.run("ip", "link", "add", "vA", "netns", a.name, "type", "veth", "peer", "name", "vB", "netns", b.name);
            a.exec("ip", "addr", "add", "10.77.0.1/24", "dev", "vA");
            b.exec("ip", "addr", "add", "10.77.0.2/24", "dev", "vB");
            a.exec("ip", "-6", "addr", "add", "2001:db8:77::1/64", "dev", "vA", "nodad");
            b.exec("ip", "-6", "addr", "add", "2001:db8:77::2/64", "dev", "vB", "nodad");
            a.exec("ip", "link", "set", "vA", "up");
            b.exec("ip", "link", "set", "vB", "up");
        }

        @Override
        public void close() throws IOException {
            try {
                a.close();
            } finally {
                b.close();
            }
        }
    }

    private static Inet6Address linkLocalOf(NetNamespace ns, String ifName) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            List<InterfaceAddress6> addresses = ns.inside(() -> InterfaceAddress6.read().getOrDefault(ifName, List.of()));
            for (InterfaceAddress6 x : addresses) {
                if (x.address().isLinkLocalAddress() && x.usable()) {
                    return x.address();
                }
            }
            Thread.sleep(20); // the kernel adds the link-local address when the link comes up
        }
        throw new AssertionError(ifName + " got no link-local address in 10 s");
    }

    /** Datagram ICMPv6 sockets where ping_group_range allows them (raw ones otherwise): both kinds. */
    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void theAllNodesEchoFindsThePeersLinkLocalAndGlobalAddressesButNotOurOwn(SocketKind kind) throws Exception {
        try (Link link = new Link()) {
            link.a.allowDatagramIcmp(kind == SocketKind.DATAGRAM);
            Inet6Address peerLinkLocal = linkLocalOf(link.b, "vB");
            linkLocalOf(link.a, "vA");
            Map<String, OnLinkListener.Source> found = new ConcurrentHashMap<>();
            List<String> warnings = Collections.synchronizedList(new ArrayList<>());
            OnLinkSettings settings = new OnLinkSettings(List.of("vA", "nosuch0"), true, false, Duration.ofSeconds(1));
            OnLinkDiscovery discovery = new OnLinkDiscovery(settings, (address, iface, source) -> {
                assertThat(iface).isEqualTo("vA");
                found.put(address instanceof Inet6Address six ? Ipv6.format(six) : address.getHostAddress(), source);
            }, warnings::add);

            OnLinkDiscovery.Round round = link.a.inside(discovery::discover);

            int vA = link.a.inside(() -> InterfaceAddress6.read().get("vA").getFirst().interfaceIndex());
            // scoped to our end of the link (the scope the reply came in on), by index
            String peerText = Ipv6.format(Ipv6.high(peerLinkLocal), Ipv6.low(peerLinkLocal)) + "%" + vA;
            assertThat(found).containsOnlyKeys(peerText, "2001:db8:77::2");
            assertThat(found.values()).containsOnly(OnLinkListener.Source.ALL_NODES_ECHO);
            assertThat(round.echoReplies()).isEqualTo(2);
            assertThat(round.interfacesMissing()).isEqualTo(1);
            assertThat(warnings).containsExactly("on-link discovery: interface nosuch0 does not exist (discovery.interfaces)");
        }
    }

    @Test
    void theNeighbourTableReaderFindsThePeerAfterTrafficAndSkipsUnresolvedEntries() throws Exception {
        try (Link link = new Link()) {
            linkLocalOf(link.a, "vA");
            try (IcmpEngine engine = link.a.engine(IcmpEngineConfig.builder().build())) {
                // traffic: the peer answers (resolved entries); .99 and ::99 never resolve (INCOMPLETE)
                CountDownLatch done = new CountDownLatch(4);
                Map<String, PingResult.Outcome> outcomes = new ConcurrentHashMap<>();
                long timeout = TimeUnit.MILLISECONDS.toNanos(1_500);
                for (String v4 : List.of("10.77.0.2", "10.77.0.99")) {
                    engine.trySubmit(Ipv4.parse(v4), timeout, 0, Lane.MONITOR, (r, n) -> {
                        outcomes.put(v4, r.outcome());
                        done.countDown();
                    });
                }
                for (String v6 : List.of("2001:db8:77::2", "2001:db8:77::99")) {
                    engine.trySubmit(Ipv6.parse(v6), timeout, 0, Lane.MONITOR, (a, sent, o, rtt, n) -> {
                        outcomes.put(v6, o);
                        done.countDown();
                    });
                }
                assertThat(done.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(outcomes).containsEntry("10.77.0.2", PingResult.Outcome.REPLY)
                        .containsEntry("2001:db8:77::2", PingResult.Outcome.REPLY);
            }
            int vA = link.a.inside(() -> InterfaceAddress6.read().get("vA").getFirst().interfaceIndex());
            List<NeighbourTable.Neighbour> table = link.a.inside(() -> NeighbourTable.read(2_000));
            List<String> onVa = table.stream().filter(n -> n.interfaceIndex() == vA)
                    .map(n -> n.address() instanceof Inet4Address v4 ? v4.getHostAddress() : Ipv6.format((Inet6Address) n.address()))
                    .toList();
            assertThat(onVa).contains("10.77.0.2", "2001:db8:77::2").doesNotContain("10.77.0.99", "2001:db8:77::99");
            assertThat(table).allSatisfy(n -> assertThat(NeighbourTable.isLive(n.state())).isTrue());

            // the same through the discovery front door, neighbour table only
            Map<String, OnLinkListener.Source> found = new ConcurrentHashMap<>();
            OnLinkDiscovery discovery = new OnLinkDiscovery(new OnLinkSettings(List.of("vA"), false, true, Duration.ofSeconds(1)),
                    (address, iface, source) -> found.put(address.getHostAddress(), source), w -> { });
            OnLinkDiscovery.Round round = link.a.inside(discovery::discover);
            assertThat(found).containsKeys("10.77.0.2").doesNotContainKey("10.77.0.99");
            assertThat(found.values()).containsOnly(OnLinkListener.Source.NEIGHBOUR_TABLE);
            assertThat(round.neighbours()).isEqualTo(found.size());
        }
    }
}
