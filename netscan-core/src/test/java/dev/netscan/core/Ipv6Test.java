package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.net.InetAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ipv6Test {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2001:db8::1|2001:db8::1",
        "2001:DB8:0:0:0:0:0:1|2001:db8::1",
        "2001:0db8:0000:0000:0000:0000:0000:0001|2001:db8::1",
        "::|::",
        "::1|::1",
        "1::|1::",
        "2001:db8:0:1:1:1:1:1|2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1|2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1|2001:db8::1:0:0:1",
        "fe80::1:2:3:4|fe80::1:2:3:4",
        "::ffff:10.0.0.1|::ffff:a00:1",
        "64:ff9b::192.0.2.33|64:ff9b::c000:221",
    })
    void parsesEveryTextFormAndFormatsCanonically(String text, String canonical) {
        Inet6Address a = Ipv6.parse(text);
        assertThat(Ipv6.format(a)).isEqualTo(canonical);
        assertThat(Ipv6.format(Ipv6.high(a), Ipv6.low(a))).isEqualTo(canonical);
        if (InetAddress.ofLiteral(text) instanceof Inet6Address jdk) { // the JDK makes ::ffff:a.b.c.d IPv4
            assertThat(a.getAddress()).isEqualTo(jdk.getAddress());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1:2:3:4:5:6:7|expected eight groups, found 7",
        "1:2:3:4:5:6:7:8:9|more than eight groups",
        "1::2::3|more than one \"::\"",
        "1:::2|':::' at position 1",
        ":::|starts with ':::'",
        ":1::|starts with a single ':'",
        "1:2:3:4:5:6:7:|ends with a single ':'",
        "12345::|group 1 has more than four hex digits",
        "1:2:3:4:5:6:7:8::|\"::\" stands for no group",
        "fe80::1%eth0|zone index at position 7 is not allowed",
        "2001:db8::g|unexpected character 'g' at position 10",
        "'2001:db8:: 1'|contains whitespace at position 10",
        "::1.2.3.256|IPv4 part at position 2: octet 4 is greater than 255",
        "1:2:3:4:5:6:7:1.2.3.4|too many groups before the IPv4 part",
        "1::2:|ends with a single ':'",
        "1:2:3:4::5:6:7:8|\"::\" stands for no group",
    })
    void refusesBadTextSayingWhatAndWhere(String text, String reason) {
        assertThatThrownBy(() -> Ipv6.parse(text))
                .isInstanceOf(InvalidTargetException.class)
                .hasMessage("invalid target \"" + text + "\": " + reason + messageTail(reason))
                .satisfies(e -> assertThat(((InvalidTargetException) e).input()).isEqualTo(text));
    }

    private static String messageTail(String reason) {
        return reason.startsWith("zone index") ? ": a target names an address, not a link"
                : reason.startsWith("\"::\" stands") ? ": eight groups are already given" : "";
    }

    @Test
    void refusesEmptyAndOverlongText() {
        assertThatThrownBy(() -> Ipv6.parse("")).hasMessageContaining("empty address");
        assertThatThrownBy(() -> Ipv6.parse("1".repeat(1000))).hasMessageContaining("too long for an IPv6 address (1000 characters");
    }

    /** The canonical text agrees with guava's InetAddresses.toAddrString, and the parse with the JDK's. */
    @Test
    void formatMatchesGuavaAndParseMatchesTheJdkOnRandomAddresses() throws Exception {
        SplittableRandom rnd = new SplittableRandom(0x516E);
        for (int i = 0; i < 20_000; i++) {
            long high = sparse(rnd);
            long low = sparse(rnd);
            Inet6Address a = Ipv6.toAddress(high, low);
            String text = Ipv6.format(high, low);
            boolean mapped = high == 0 && (low >>> 32) == 0xFFFFL;
            if (!mapped) { // guava and the JDK turn ::ffff:a.b.c.d into an Inet4Address
                assertThat(text).as("%016x%016x", high, low).isEqualTo(InetAddresses.toAddrString(a));
            }
            assertThat(Ipv6.parse(text).getAddress()).isEqualTo(a.getAddress());
            InetAddress jdk = InetAddress.ofLiteral(longForm(high, low));
            assertThat(Ipv6.parse(longForm(high, low)).getAddress()).isEqualTo(
                    jdk instanceof Inet6Address ? jdk.getAddress() : a.getAddress());
        }
    }

    /** Groups that are often zero, so runs of zero groups of every length and place occur. */
    private static long sparse(SplittableRandom rnd) {
        long v = 0;
        for (int g = 0; g < 4; g++) {
            v = v << 16 | (rnd.nextInt(3) == 0 ? rnd.nextInt(0x10000) : 0);
        }
        return v;
    }

    private static String longForm(long high, long low) {
        StringBuilder b = new StringBuilder();
        for (int g = 0; g < 8; g++) {
            long half = g < 4 ? high : low;
            b.append(g > 0 ? ":" : "").append(String.format("%04X", (half >>> (48 - 16 * (g & 3))) & 0xFFFF));
        }
        return b.toString();
    }

    @Test
    void classifiesLinkLocalAndMulticast() {
        assertThat(Ipv6.isLinkLocal(Ipv6.high(Ipv6.parse("fe80::1")))).isTrue();
        assertThat(Ipv6.isLinkLocal(Ipv6.high(Ipv6.parse("febf::1")))).isTrue();
        assertThat(Ipv6.isLinkLocal(Ipv6.high(Ipv6.parse("fec0::1")))).isFalse();
        assertThat(Ipv6.isMulticast(Ipv6.high(Ipv6.parse("ff02::1")))).isTrue();
        assertThat(Ipv6.isMulticast(Ipv6.high(Ipv6.parse("2001:db8::1")))).isFalse();
    }

    /**
     * 20,000 mutated IPv6 texts (fixed seed): whatever the parser accepts, the JDK's parser accepts as the
     * same address, and it survives format/parse; whatever it refuses, it refuses with an
     * {@link InvalidTargetException} naming the input, bounded and free of control characters.
     */
    @Test
    void mutatedTextIsAcceptedOnlyAsTheJdkReadsItAndRefusedWithANamedReason() {
        SplittableRandom rnd = new SplittableRandom(0xF0226);
        String alphabet = "0123456789abcdefABCDEF:::.%/ gG\t\u0000\uff11";
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder b = new StringBuilder(Ipv6.format(sparse(rnd), sparse(rnd)));
            for (int e = rnd.nextInt(4); e > 0; e--) {
                int at = rnd.nextInt(b.length() + 1);
                char c = alphabet.charAt(rnd.nextInt(alphabet.length()));
                switch (rnd.nextInt(3)) {
                    case 0 -> b.insert(at, c);
                    case 1 -> {
                        if (at < b.length()) {
                            b.deleteCharAt(at);
                        }
                    }
                    default -> {
                        if (at < b.length()) {
                            b.setCharAt(at, c);
                        }
                    }
                }
            }
            String text = b.toString();
            Inet6Address ours;
            try {
                ours = Ipv6.parse(text);
            } catch (InvalidTargetException e) {
                assertThat(e.input()).isEqualTo(text);
                assertThat(e.getMessage()).startsWith("invalid target \"").hasSizeLessThan(400)
                        .doesNotContain("\u0000", "\t");
                continue;
            }
            accepted++;
            InetAddress jdk = InetAddress.ofLiteral(text);
            if (jdk instanceof Inet6Address six) {
                assertThat(six.getAddress()).as(text).isEqualTo(ours.getAddress());
            } else {
                assertThat(Ipv6.format(ours)).as(text).startsWith("::ffff:"); // the JDK reads mapped text as IPv4
            }
            assertThat(Ipv6.parse(Ipv6.format(ours))).isEqualTo(ours);
        }
        assertThat(accepted).as("some mutations stay valid").isGreaterThan(2_000);
    }
}
