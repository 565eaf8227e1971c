package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

    @Test
    void parsesRangeWithSizeAndHosts() {
        Cidr c = Cidr.parse("192.168.1.0/24");
        assertThat(c.network()).isEqualTo(Ipv4.parse("192.168.1.0"));
        assertThat(c.size()).isEqualTo(256);
        assertThat(c.hostCount()).isEqualTo(254);
        assertThat(Ipv4.format(c.firstHost())).isEqualTo("192.168.1.1");
        assertThat(Ipv4.format(c.lastHost())).isEqualTo("192.168.1.254");
        assertThat(c.contains(Ipv4.parse("192.168.1.255"))).isTrue();
        assertThat(c.contains(Ipv4.parse("192.168.2.0"))).isFalse();
        assertThat(c).hasToString("192.168.1.0/24");
    }

    @Test
    void keepsEveryAddressOfSlash31AndSlash32() {
        Cidr p2p = Cidr.parse("10.0.0.0/31");
        assertThat(p2p.hostCount()).isEqualTo(2);
        assertThat(p2p.firstHost()).isEqualTo(Ipv4.parse("10.0.0.0"));
        assertThat(p2p.lastHost()).isEqualTo(Ipv4.parse("10.0.0.1"));
        Cidr single = Cidr.parse("10.0.0.7");
        assertThat(single.prefixLength()).isEqualTo(32);
        assertThat(single.hostCount()).isEqualTo(1);
        assertThat(Cidr.parse("10.0.0.4/30").hostCount()).isEqualTo(2);
    }

    @Test
    void handlesTheWholeAddressSpace() {
        Cidr all = Cidr.parse("0.0.0.0/0");
        assertThat(all.size()).isEqualTo(1L << 32);
        assertThat(all.contains(Ipv4.parse("255.255.255.255"))).isTrue();
        assertThat(all.lastAddress()).isEqualTo(-1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.0.0.0/33|prefix length 33 is greater than 32",
        "10.0.0.1/24|host bits are set; did you mean 10.0.0.0/24?",
        "300.1.1.1/24|octet 1 is greater than 255",
        "10.0.0.0/|prefix length is missing",
        "10.0.0.0/x|is not a number from 0 to 32",
        "10.0.0.0/-1|is not a number from 0 to 32",
        "10.0.0.0/08|prefix length \"08\" has a leading zero",
        "'10.0.0.0/2\u001b4'|prefix length \"2?4\" is not a number",
        "10.0.0.0/24/8|more than one '/'",
        "'10.0.0.0/24 '|contains whitespace at position 11",
        "' '|target is only whitespace",
    })
    void refusesBadRangesSayingWhatIsWrong(String text, String reason) {
        assertThatThrownBy(() -> Cidr.parse(text))
                .isInstanceOf(InvalidTargetException.class)
                .hasMessageContaining(reason)
                .satisfies(e -> assertThat(((InvalidTargetException) e).input()).isEqualTo(text));
    }

    @Test
    void refusesEmptyTarget() {
        assertThatThrownBy(() -> Cidr.parse("")).hasMessageContaining("empty target");
        assertThatThrownBy(() -> Cidr.parse(null)).hasMessageContaining("empty target");
    }
}
