package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The IPv6 part of {@link TargetSet}: prefixes, exclusions, mixed lists and the sweep limit. */
class TargetSetIpv6Test {

    private static Set<String> visitAll(TargetSet set, long seed) {
        Set<String> seen = new HashSet<>();
        Ipv6Permutation p = set.ipv6Permutation(seed);
        while (p.hasNext()) {
            Inet6Address a = p.next();
            assertThat(set.contains(a)).as("%s is a target", a).isTrue();
            assertThat(seen.add(Ipv6.format(a))).as("%s visited twice", a).isTrue();
        }
        assertThat(seen).hasSize((int) set.ipv6Size());
        assertThat(p.emitted()).isEqualTo(set.ipv6Size());
        return seen;
    }

    @Test
    void aSlash120HoldsEveryAddressButTheSubnetRouterAnycast() {
        TargetSet set = TargetSet.of("2001:db8::/120");
        assertThat(set.ipv6Size()).isEqualTo(255);
        assertThat(set.ipv4Size()).isZero();
        assertThat(set.size()).isEqualTo(255);
        Set<String> seen = visitAll(set, 7);
        assertThat(seen).contains("2001:db8::1", "2001:db8::ff").doesNotContain("2001:db8::", "2001:db8::100");
        assertThat(Ipv6.format(set.ipv6At(0))).isEqualTo("2001:db8::1");
        assertThat(Ipv6.format(set.ipv6At(254))).isEqualTo("2001:db8::ff");
    }

    @Test
    void aSlash112IsTheWidestPrefixSwept() {
        TargetSet set = TargetSet.of("2001:db8::/112");
        assertThat(set.ipv6Size()).isEqualTo(65_535);
        assertThat(visitAll(set, 3)).hasSize(65_535);
    }

    @Test
    void excludesRemoveIpv6AddressesOfAnyWidth() {
        TargetSet set = TargetSet.builder()
                .include("2001:db8::/120")
                .include("2001:db8::100/120")      // adjacent: merges
                .include("2001:db8:1::/126")
                .include("2001:db8:2::5")
                .exclude("2001:db8::80/121")       // the upper half of the first
                .exclude("2001:db8::101")
                .exclude("2001:db8:1::/64")        // wide exclusions are fine
                .build();
        assertThat(set.ipv6Size()).isEqualTo(127 + 255 - 1 + 1);
        assertThat(set.contains(Ipv6.parse("2001:db8::7f"))).isTrue();
        assertThat(set.contains(Ipv6.parse("2001:db8::80"))).isFalse();
        assertThat(set.contains(Ipv6.parse("2001:db8::100"))).isFalse(); // the second prefix's anycast address
        assertThat(set.contains(Ipv6.parse("2001:db8::102"))).isTrue();
        assertThat(set.contains(Ipv6.parse("2001:db8::101"))).isFalse();
        assertThat(set.contains(Ipv6.parse("2001:db8:1::1"))).isFalse();
        assertThat(set.contains(Ipv6.parse("2001:db8:2::5"))).isTrue();
        visitAll(set, 11);
    }

    @Test
    void anIntervalThatCrossesA64BitBoundaryIsWalkedWithTheCarry() {
        TargetSet set = TargetSet.builder()
                .include("2001:db8:0:0:ffff:ffff:ffff:ff00/120")
                .include("2001:db8:0:1::/120")
                .build();
        assertThat(set.ipv6Size()).isEqualTo(255 + 255);
        Set<String> seen = visitAll(set, 5);
        assertThat(seen).contains("2001:db8::ffff:ffff:ffff:ffff", "2001:db8:0:1::1").doesNotContain("2001:db8:0:1::");
    }

    @Test
    void mixedListsKeepBothFamiliesApart() {
        TargetSet set = TargetSet.builder()
                .include("10.0.0.0/24")
                .include("2001:db8::/124")
                .exclude("10.0.0.7")
                .exclude("2001:db8::7")
                .build();
        assertThat(set.ipv4Size()).isEqualTo(253);
        assertThat(set.ipv6Size()).isEqualTo(14);
        assertThat(set.size()).isEqualTo(253 + 14);
        assertThat(set.permutation(1).size()).isEqualTo(253);
        assertThat(set.includes()).containsExactly(Cidr.parse("10.0.0.0/24"));
        assertThat(set.ipv6Includes()).containsExactly(Cidr6.parse("2001:db8::/124"));
        assertThat(set.ipv6Excludes()).containsExactly(Cidr6.parse("2001:db8::7"));
        assertThat(set.widestPrefix()).isEqualTo(24);
        assertThat(set).hasToString("TargetSet[10.0.0.0/24, 2001:db8::/124] minus [10.0.0.7/32, 2001:db8::7/128] (267 addresses)");
        assertThat(visitAll(set, 2)).doesNotContain("2001:db8::7");
    }

    @Test
    void anIpv6OnlySetIsNotEmpty() {
        TargetSet set = TargetSet.of("::1");
        assertThat(set.isEmpty()).isFalse();
        assertThat(set.permutation(1).hasNext()).isFalse();
        assertThat(Ipv6.format(set.ipv6Permutation(1).next())).isEqualTo("::1");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2001:db8::/64|/64 holds 2^64 addresses, too many to sweep: IPv6 prefixes of at most 65,536 addresses (/112 or narrower) are swept; find the hosts of a wider on-link network with on-link discovery (the discovery.interfaces setting: all-nodes multicast echo and the neighbour table)",
        "2001:db8::/111|/111 holds 2^17 addresses, too many to sweep",
        "ff02::1|is multicast (ff00::/8), which a sweep does not probe",
        "fe80::/120|is link-local (fe80::/10), which needs an interface to reach",
        "::ffff:10.0.0.0/120|is an IPv4-mapped address (::ffff:0:0/96); write the IPv4 address 10.0.0.0/24 instead",
        "::ffff:10.0.0.1|write the IPv4 address 10.0.0.1 instead",
    })
    void refusesIpv6PrefixesASweepCannotProbeSayingWhy(String text, String reason) {
        assertThatThrownBy(() -> TargetSet.builder().include(text))
                .isInstanceOf(InvalidTargetException.class)
                .hasMessageStartingWith("invalid target \"" + text + "\": ")
                .hasMessageContaining(reason);
    }

    @Test
    void aSweepableCidr6IsAcceptedDirectlyAndAWideOneIsNot() {
        assertThat(TargetSet.builder().include(Cidr6.parse("2001:db8::/112")).build().ipv6Size()).isEqualTo(65_535);
        assertThatThrownBy(() -> TargetSet.builder().include(Cidr6.parse("2001:db8::/96")))
                .hasMessageStartingWith("invalid target \"2001:db8::/96\": /96 holds 2^32 addresses");
    }

    @Test
    void ipv6AtRefusesIndicesOutsideTheIpv6Part() {
        TargetSet set = TargetSet.of("10.0.0.1", "2001:db8::1");
        assertThatThrownBy(() -> set.ipv6At(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> set.addressAt(1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
