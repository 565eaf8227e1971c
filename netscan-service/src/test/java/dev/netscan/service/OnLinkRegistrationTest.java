package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.AddressBook;
import dev.netscan.core.Ipv4;
import dev.netscan.core.Ipv6;
import dev.netscan.core.TargetSet;
import dev.netscan.discovery.OnLinkListener.Source;
import dev.netscan.state.DeviceRegistry;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What on-link discovery registers: like swept devices, minus exclusions, unowned, link-local and class E hosts. */
class OnLinkRegistrationTest {

    @Test
    void registersGlobalIpv6AndIpv4HostsOnceAndSkipsTheRest() throws Exception {
        DeviceRegistry registry = DeviceRegistry.builder().build();
        TargetSet targets = TargetSet.builder().exclude("2001:db8:9::/64").exclude("10.1.0.66").build();
        List<Integer> discovered = new ArrayList<>();
        int notOwned = Ipv4.parse("10.1.0.99");
        OnLinkRegistration r = new OnLinkRegistration(targets, ip -> ip != notOwned, registry, discovered::add);

        r.onFound(InetAddress.getByName("10.1.0.5"), "eth0", Source.NEIGHBOUR_TABLE);
        r.onFound(Ipv6.parse("2001:db8:1::5"), "eth0", Source.ALL_NODES_ECHO);
        r.onFound(Ipv6.parse("2001:db8:1::5"), "eth0", Source.NEIGHBOUR_TABLE); // found twice: registered once
        r.onFound(Inet6Address.getByAddress(null, Ipv6.parse("fe80::1").getAddress(), 2), "eth0", Source.ALL_NODES_ECHO);
        r.onFound(Ipv6.parse("2001:db8:9::7"), "eth0", Source.ALL_NODES_ECHO); // excluded
        r.onFound(InetAddress.getByName("10.1.0.66"), "eth0", Source.NEIGHBOUR_TABLE); // excluded
        r.onFound(InetAddress.getByName("10.1.0.99"), "eth0", Source.NEIGHBOUR_TABLE); // another instance's
        r.onFound(InetAddress.getByName("240.0.0.1"), "eth0", Source.NEIGHBOUR_TABLE); // the IPv6 key range

        int v6 = AddressBook.shared().intern(Ipv6.parse("2001:db8:1::5"));
        assertThat(registry.size()).isEqualTo(2);
        assertThat(registry.contains(Ipv4.parse("10.1.0.5"))).isTrue();
        assertThat(registry.contains(v6)).isTrue();
        assertThat(discovered).containsExactly(Ipv4.parse("10.1.0.5"), v6);
        assertThat(r.linkLocalSkipped.get()).isEqualTo(1);
    }
}
