package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Cidr6Test {

    @Test
    void parsesPrefixWithHostsAndContainment() {
        Cidr6 c = Cidr6.parse("2001:DB8::/120");
        assertThat(c).hasToString("2001:db8::/120");
        assertThat(c.hostCount()).isEqualTo(255); // the Subnet-Router anycast address is not a host
        Inet6 first = Inet6.of("2001:db8::");
        assertThat(c.contains(first.high, first.low)).isTrue();
        Inet6 last = Inet6.of("2001:db8::ff");
        assertThat(c.contains(last.high, last.low)).isTrue();
        assertThat(c.lastLow()).isEqualTo(last.low);
        Inet6 outside = Inet6.of("2001:db8::100");
        assertThat(c.contains(outside.high, outside.low)).isFalse();
    }

    @Test
    void keepsEveryAddressOfSlash127AndSlash128() {
        assertThat(Cidr6.parse("2001:db8::/127").hostCount()).isEqualTo(2);
        Cidr6 single = Cidr6.parse("2001:db8::7");
        assertThat(single.prefixLength()).isEqualTo(128);
        assertThat(single.hostCount()).isEqualTo(1);
        assertThat(single).hasToString("2001:db8::7/128");
    }

    @Test
    void countsHugePrefixesWithoutOverflow() {
        assertThat(Cidr6.parse("::/0").hostCount()).isEqualTo(Long.MAX_VALUE);
        assertThat(Cidr6.parse("2001:db8::/64").hostCount()).isEqualTo(Long.MAX_VALUE);
        assertThat(Cidr6.parse("2001:db8::/66").hostCount()).isEqualTo((1L << 62) - 1);
        Cidr6 all = Cidr6.parse("::/0");
        assertThat(all.lastHigh()).isEqualTo(-1L);
        assertThat(all.lastLow()).isEqualTo(-1L);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2001:db8::/129|prefix length 129 is greater than 128",
        "2001:db8::1/120|host bits are set; did you mean 2001:db8::/120?",
        "2001:db8:0:0:1::/63|host bits are set; did you mean 2001:db8::/63?",
        "2001:db8::/|prefix length is missing after '/'",
        "2001:db8::/x|prefix length \"x\" is not a number from 0 to 128",
        "2001:db8::/1280|prefix length \"1280\" is not a number from 0 to 128",
        "2001:db8::/064|prefix length \"064\" has a leading zero",
        "2001:db8::/64/8|more than one '/'",
        "2001:db8:/64|ends with a single ':'",
        "2001:db8::%eth0/64|zone index at position 10 is not allowed: a target names an address, not a link",
    })
    void refusesBadPrefixesSayingWhatIsWrong(String text, String reason) {
        assertThatThrownBy(() -> Cidr6.parse(text))
                .isInstanceOf(InvalidTargetException.class)
                .hasMessage("invalid target \"" + text + "\": " + reason)
                .satisfies(e -> assertThat(((InvalidTargetException) e).input()).isEqualTo(text));
    }

    /** An address as its two halves, for readable assertions. */
    private record Inet6(long high, long low) {
        static Inet6 of(String text) {
            var a = Ipv6.parse(text);
            return new Inet6(Ipv6.high(a), Ipv6.low(a));
        }
    }
}
