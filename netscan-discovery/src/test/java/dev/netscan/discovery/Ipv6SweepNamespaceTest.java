package dev.netscan.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.Ipv6;
import dev.netscan.core.TargetSet;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * IPv6 sweeps for real, inside a network namespace the test creates: a chosen set of IPv6
 * addresses answers on its loopback (a local route for a /121 and single addresses), the rest of
 * the /120 is routed into one end of a veth pair without neighbour discovery (NOARP), whose other
 * end drops the frames (not addressed to it): those addresses time out.
 */
class Ipv6SweepNamespaceTest {

    @ParameterizedTest
    @EnumSource(SocketKind.class)
    void aSlash120SweepFindsExactlyTheAddressesPresentBesideIpv4(SocketKind kind) throws Exception {
        try (NetNamespace ns = NetNamespace.create()) {
            ns.exec("ip", "link", "add", "void0", "type", "veth", "peer", "name", "void1");
            ns.exec("ip", "link", "set", "void0", "arp", "off");
            ns.exec("ip", "link", "set", "void0", "up");
            ns.exec("ip", "link", "set", "void1", "up");
            ns.exec("ip", "-6", "route", "add", "2001:db8:5::/120", "dev", "void0");
            ns.exec("ip", "-6", "route", "add", "local", "2001:db8:5::/121", "dev", "lo");
            ns.exec("ip", "-6", "addr", "add", "2001:db8:5::c8/128", "dev", "lo", "nodad");
            ns.exec("ip", "-6", "addr", "add", "2001:db8:5::fe/128", "dev", "lo", "nodad");
            ns.allowDatagramIcmp(kind == SocketKind.DATAGRAM);
            try (IcmpEngine engine = ns.engine(IcmpEngineConfig.builder().requiredKind(kind).build())) {
                assertThat(engine.ipv6SocketKind()).isEqualTo(kind);
                Set<String> found6 = ConcurrentHashMap.newKeySet();
                Set<Integer> found4 = ConcurrentHashMap.newKeySet();
                TargetSet targets = TargetSet.builder()
                        .include("2001:db8:5::/120")
                        .include("127.0.0.0/30")
                        .exclude("2001:db8:5::10")
                        .exclude("2001:db8:5::fe")
                        .build();
                Sweep sweep = Sweep.start(engine, targets,
                        SweepOptions.builder().timeout(Duration.ofSeconds(1)).retries(1).seed(3).build(),
                        new SweepListener() {
                            @Override
                            public void onAlive(int ipv4, long rttNanos) {
                                assertThat(found4.add(ipv4)).isTrue();
                            }

                            @Override
                            public void onAliveIpv6(Inet6Address address, long rttNanos, long atMillis) {
                                assertThat(found6.add(Ipv6.format(address))).as("reported twice: %s", address).isTrue();
                                assertThat(rttNanos).isPositive();
                            }
                        });
                SweepSummary s = sweep.await(Duration.ofSeconds(60));

                Set<String> expected = new HashSet<>();
                for (int i = 1; i < 0x80; i++) {
                    expected.add("2001:db8:5::" + Integer.toHexString(i));
                }
                expected.remove("2001:db8:5::10");
                expected.add("2001:db8:5::c8");
                assertThat(found6).isEqualTo(expected);
                assertThat(found4).containsExactlyInAnyOrder(Ipv4.parse("127.0.0.1"), Ipv4.parse("127.0.0.2"));
                assertThat(s.targets()).isEqualTo(253 + 2);
                assertThat(s.alive()).isEqualTo(127 + 2);
                assertThat(s.timeouts()).isEqualTo(253 - 127);
                assertThat(s.errors()).isZero();
                assertThat(s.probed()).isEqualTo(255);
                System.out.println(kind + " IPv6 /120: " + s);
            }
        }
    }
}
