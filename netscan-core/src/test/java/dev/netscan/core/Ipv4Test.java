package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ipv4Test {

    @Test
    void parsesAndFormatsRoundTripForRandomAddresses() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 100_000; i++) {
            int ip = random.nextInt();
            assertThat(Ipv4.parse(Ipv4.format(ip))).isEqualTo(ip);
        }
    }

    @Test
    void parsesBoundaryAddresses() {
        assertThat(Ipv4.parse("0.0.0.0")).isZero();
        assertThat(Ipv4.parse("255.255.255.255")).isEqualTo(-1);
        assertThat(Ipv4.parse("10.0.0.1")).isEqualTo(0x0A000001);
        assertThat(Ipv4.format(0x7F000001)).isEqualTo("127.0.0.1");
        assertThat(Ipv4.toUnsigned(-1)).isEqualTo(0xFFFF_FFFFL);
        assertThat(Ipv4.isLoopback(Ipv4.parse("127.9.9.9"))).isTrue();
        assertThat(Ipv4.isLoopback(Ipv4.parse("128.0.0.1"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "300.1.1.1|octet 1 is greater than 255",
        "1.2.3|expected four octets, found 3",
        "1.2.3.4.5|more than four octets",
        "1..3.4|octet 2 is empty",
        "1.2.3.|octet 4 is empty",
        "01.2.3.4|octet 1 has a leading zero",
        "1.2.3.4a|unexpected character 'a' at position 7",
        "' 1.2.3.4'|contains whitespace at position 0",
        "1.2.3.-4|unexpected character '-' at position 6",
    })
    void refusesMalformedAddressesSayingWhatIsWrong(String text, String reason) {
        assertThatThrownBy(() -> Ipv4.parse(text))
                .isInstanceOf(InvalidTargetException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining(text.strip());
    }

    @Test
    void refusesEmptyAddress() {
        assertThatThrownBy(() -> Ipv4.parse("")).hasMessageContaining("empty address");
    }
}
