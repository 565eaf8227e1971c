package dev.netscan.influx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.HealthReport;
import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import dev.netscan.influx.LineProtocolParser.Field;
import dev.netscan.influx.LineProtocolParser.Point;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LineProtocolEncoderTest {

    private final LineProtocolEncoder enc = new LineProtocolEncoder(Precision.NANOSECONDS, 16);

    @Test
    void writesAllFieldTypesWithSuffixes() {
        enc.measurement("m").tag("t", "v").intField("i", -42).uintField("u", -1L).floatField("f", 1.5)
                .boolField("b", true).boolField("c", false).stringField("s", "hi").endLine(123);
        assertThat(enc.toString()).isEqualTo("m,t=v i=-42i,u=18446744073709551615u,f=1.5,b=true,c=false,s=\"hi\" 123\n");
    }

    @Test
    void escapesEachElementExactly() {
        enc.measurement("a b,c=d").tag("k ,=", "v ,=").stringField("f ,=\"", "x\"y\\z").endLine(1);
        assertThat(enc.toString()).isEqualTo("a\\ b\\,c=d,k\\ \\,\\==v\\ \\,\\= f\\ \\,\\=\"=\"x\\\"y\\\\z\" 1\n");
    }

    @Test
    void tagEveryLineGoesRightAfterEachMeasurementEscaped() {
        enc.tagEveryLine("instance", "pi 7,a");
        enc.measurement("m").tag("t", "v").intField("i", 1).endLine(1);
        enc.measurement(LineProtocolEncoder.Name.of("n")).intField("i", 2).endLine(2);
        assertThat(enc.toString()).isEqualTo("m,instance=pi\\ 7\\,a,t=v i=1i 1\nn,instance=pi\\ 7\\,a i=2i 2\n");
        assertThat(LineProtocolParser.parseLine(enc.toString().lines().findFirst().orElseThrow()).tag("instance"))
                .isEqualTo("pi 7,a");
        assertThatThrownBy(() -> enc.tagEveryLine("", "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void trailingBackslashInTagValueIsDoubledSoTheLineStillSplits() {
        enc.measurement("m").tag("k", "a\\").tag("k2", "b\\c").intField("f\\", 1).endLine(1);
        assertThat(enc.toString()).isEqualTo("m,k=a\\\\,k2=b\\c f\\\\=1i 1\n");
        Point p = LineProtocolParser.parseLine(enc.toString().strip());
        assertThat(p.tag("k")).isEqualTo("a\\");
        assertThat(p.tag("k2")).isEqualTo("b\\c");
        assertThat(p.fields()).containsKey("f\\");
    }

    @Test
    void controlCharactersAndLoneSurrogatesBecomeReplacementCharacter() {
        enc.measurement("m\n").tag("k", "a\rb").stringField("s", "x\ny\u0000\u007f\ud800z\udc00").endLine(1);
        String out = enc.toString();
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
        assertThat(out).doesNotContain("\r").isEqualTo("m\ufffd,k=a\ufffdb s=\"x\ufffdy\ufffd\ufffd\ufffdz\ufffd\" 1\n");
    }

    @Test
    void surrogatePairsAreEncodedAsOneCodePoint() {
        enc.measurement("m").stringField("s", "\ud83d\ude00").endLine(1);
        assertThat(enc.toString()).isEqualTo("m s=\"\ud83d\ude00\" 1\n");
        assertThat(enc.size()).isEqualTo("m s=\"\" 1\n".length() + 4);
    }

    @Test
    void refusesNanAndInfinityAndLeavesNoPartialLine() {
        enc.measurement("ok").intField("x", 1).endLine(1);
        int before = enc.size();
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            enc.measurement("m").tag("t", "v");
            assertThatThrownBy(() -> enc.floatField("rtt", bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("rtt").hasMessageContaining("'m'").hasMessageContaining("NaN or infinities");
            assertThat(enc.size()).isEqualTo(before);
            assertThat(enc.inLine()).isFalse();
        }
        enc.measurement("ok2").intField("x", 2).endLine(2);
        assertThat(enc.toString()).isEqualTo("ok x=1i 1\nok2 x=2i 2\n");
    }

    @Test
    void refusesBadStructureWithClearErrors() {
        assertThatThrownBy(() -> enc.measurement("")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> enc.measurement("#x")).hasMessageContaining("'#'");
        assertThatThrownBy(() -> enc.intField("f", 1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("before measurement");
        enc.measurement("m");
        assertThatThrownBy(() -> enc.endLine(1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("no field");
        enc.measurement("m").intField("f", 1);
        assertThatThrownBy(() -> enc.tag("t", "v")).isInstanceOf(IllegalStateException.class).hasMessageContaining("tags must come first");
        enc.measurement("m");
        assertThatThrownBy(() -> enc.intField("", 1)).hasMessageContaining("field key must not be empty");
        assertThat(enc.size()).isZero();
    }

    @Test
    void emptyTagValueIsLeftOut() {
        enc.measurement("m").tag("a", "").tag("b", null).tag("c", "1").intField("f", 1).endLine(5);
        assertThat(enc.toString()).isEqualTo("m,c=1 f=1i 5\n");
    }

    @Test
    void convertsTimestampsToEachPrecision() {
        long ts = 1_700_000_000_123_456_789L;
        String[] expected = {"1700000000123456789", "1700000000123456", "1700000000123", "1700000000"};
        Precision[] ps = Precision.values();
        for (int i = 0; i < ps.length; i++) {
            LineProtocolEncoder e = new LineProtocolEncoder(ps[i], 64);
            e.measurement("m").intField("f", 1).endLine(ts);
            assertThat(e.toString()).isEqualTo("m f=1i " + expected[i] + "\n");
        }
        LineProtocolEncoder s = new LineProtocolEncoder(Precision.SECONDS, 64);
        s.measurement("m").intField("f", 1).endLine(-1);
        assertThat(s.toString()).isEqualTo("m f=1i -1\n");
    }

    @Test
    void writesExtremeIntegers() {
        enc.measurement("m").intField("a", Long.MIN_VALUE).intField("b", Long.MAX_VALUE).intField("c", 0)
                .uintField("d", 0).uintField("e", Long.MIN_VALUE).endLine(0);
        assertThat(enc.toString()).isEqualTo("m a=-9223372036854775808i,b=9223372036854775807i,c=0i,d=0u,e=9223372036854775808u 0\n");
    }

    @Test
    void floatsAreShortestRoundTrip() {
        double[] samples = {0.1, 0.3, 1.0 / 3, 2.0 / 3, 1e-7, 1.23e-5, 9.99e14, 1e15, 1e300, -0.0, 0.0,
                Double.MIN_VALUE, Double.MAX_VALUE, -123.456, 0.123456, 42, 4.35, 100.0, 1e21, 5e-324};
        for (double d : samples) {
            LineProtocolEncoder e = new LineProtocolEncoder(Precision.NANOSECONDS, 64);
            e.measurement("m").floatField("f", d).endLine(0);
            String text = e.toString();
            String num = text.substring(4, text.length() - 3);
            assertThat(Double.doubleToRawLongBits(Double.parseDouble(num))).as(num).isEqualTo(Double.doubleToRawLongBits(d));
            assertThat(significantDigits(num)).as("%s vs %s", num, Double.toString(d))
                    .isLessThanOrEqualTo(significantDigits(Double.toString(d)));
        }
    }

    @Test
    void randomFloatsRoundTripAndAreNoLongerThanJdkShortest() {
        SplittableRandom rnd = new SplittableRandom(6);
        LineProtocolEncoder e = new LineProtocolEncoder(Precision.NANOSECONDS, 64);
        for (int i = 0; i < 200_000; i++) {
            double d = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(rnd.nextLong());
                case 1 -> rnd.nextDouble() * 1000;
                case 2 -> rnd.nextInt(10_000_000) / 1e6;
                default -> rnd.nextLong(1, 1L << 40) / Math.pow(10, rnd.nextInt(0, 20));
            };
            if (!Double.isFinite(d)) continue;
            e.reset();
            e.measurement("m").floatField("f", d).endLine(0);
            String text = e.toString();
            String num = text.substring(4, text.length() - 3);
            assertThat(Double.parseDouble(num)).as(num).isEqualTo(d);
            assertThat(significantDigits(num)).as("%s vs %s", num, Double.toString(d))
                    .isLessThanOrEqualTo(significantDigits(Double.toString(d)));
        }
    }

    private static int significantDigits(String num) {
        String mant = num.replace("-", "").split("[eE]")[0].replace(".", "");
        mant = mant.replaceFirst("^0+", "").replaceFirst("0+$", "");
        return Math.max(1, mant.length());
    }

    // ------------------------------------------------------------------------------------------
    // Property test: random everything, encode, parse back, compare (modulo sanitisation).

    private static final char[] SPECIAL = {',', '=', ' ', '"', '\\', '\n', '\r', '\t', '\u0000', '\u001f', '\u007f',
            '#', '\'', 'i', 'u', 't', 'f', '.', '-', '\u00e9', '\u20ac', '\ud800', '\udbff', '\udc00', '\udfff', '\ufffd', '\u0085'};

    static String randomText(SplittableRandom rnd, int maxLen) {
        int n = rnd.nextInt(0, maxLen + 1);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            int kind = rnd.nextInt(10);
            if (kind < 5) {
                b.append(SPECIAL[rnd.nextInt(SPECIAL.length)]);
            } else if (kind < 8) {
                b.append((char) rnd.nextInt(0x20, 0x7F));
            } else if (kind == 8) {
                b.appendCodePoint(rnd.nextInt(0x10000, 0x110000)); // valid pair
            } else {
                b.append((char) rnd.nextInt(0, 0x10000)); // anything, lone surrogates included
            }
        }
        return b.toString();
    }

    /** The documented sanitisation: control chars and lone surrogates become U+FFFD. */
    static String sanitised(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append('\ufffd');
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                b.append(c).append(s.charAt(++i));
            } else if (Character.isSurrogate(c)) {
                b.append('\ufffd');
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    @Test
    void randomPointsEncodeAndParseBackEqual() {
        SplittableRandom rnd = new SplittableRandom(0x6E657473L);
        LineProtocolEncoder e = new LineProtocolEncoder(Precision.NANOSECONDS, 32);
        for (int round = 0; round < 3_000; round++) {
            e.reset();
            int points = rnd.nextInt(1, 6);
            List<Point> expected = new ArrayList<>();
            for (int pi = 0; pi < points; pi++) {
                String m = randomText(rnd, 12);
                if (m.isEmpty() || m.charAt(0) == '#') m = "m" + m;
                e.measurement(m);
                List<Map.Entry<String, String>> tags = new ArrayList<>();
                int nt = rnd.nextInt(0, 4);
                for (int t = 0; t < nt; t++) {
                    String k = "k" + t + randomText(rnd, 6);
                    String v = randomText(rnd, 10);
                    e.tag(k, v);
                    if (!v.isEmpty()) tags.add(Map.entry(sanitised(k), sanitised(v)));
                }
                Map<String, Field> fields = new LinkedHashMap<>();
                int nf = rnd.nextInt(1, 6);
                for (int f = 0; f < nf; f++) {
                    String k = "f" + f + randomText(rnd, 6);
                    switch (rnd.nextInt(5)) {
                        case 0 -> { long v = rnd.nextLong(); e.intField(k, v); fields.put(sanitised(k), Field.i(v)); }
                        case 1 -> { long v = rnd.nextLong(); e.uintField(k, v); fields.put(sanitised(k), Field.u(v)); }
                        case 2 -> {
                            double v = Double.longBitsToDouble(rnd.nextLong());
                            if (!Double.isFinite(v)) v = rnd.nextDouble();
                            e.floatField(k, v); fields.put(sanitised(k), Field.f(v));
                        }
                        case 3 -> { boolean v = rnd.nextBoolean(); e.boolField(k, v); fields.put(sanitised(k), Field.b(v)); }
                        default -> { String v = randomText(rnd, 20); e.stringField(k, v); fields.put(sanitised(k), Field.s(sanitised(v))); }
                    }
                }
                long ts = rnd.nextLong();
                e.endLine(ts);
                expected.add(new Point(sanitised(m), tags, fields, ts));
            }
            String body = e.toString();
            assertThat(body.chars().filter(c -> c == '\n').count()).isEqualTo(points);
            assertThat(body).doesNotContain("\r");
            assertThat(LineProtocolParser.parseAll(e.toByteArray())).as(body).isEqualTo(expected);
            assertThat(e.lines()).isEqualTo(points);
        }
    }

    @Test
    void preEscapedNamesWriteTheSameBytesAsText() {
        LineProtocolEncoder.Name m = LineProtocolEncoder.Name.of("a b,c=d\\");
        LineProtocolEncoder.Name k = LineProtocolEncoder.Name.of("k ,=");
        enc.measurement(m).tagIpv4(k, 0x7F000001).intField(k, 1).floatField(k, 0.5).boolField(k, true)
                .stringField(k, "x").decimalField(k, 123_456, 6).endLine(1);
        LineProtocolEncoder other = new LineProtocolEncoder(Precision.NANOSECONDS, 64);
        other.measurement("a b,c=d\\").tag("k ,=", "127.0.0.1").intField("k ,=", 1).floatField("k ,=", 0.5)
                .boolField("k ,=", true).stringField("k ,=", "x").floatField("k ,=", 0.123456).endLine(1);
        assertThat(enc.toString()).isEqualTo(other.toString());
        assertThatThrownBy(() -> LineProtocolEncoder.Name.of("#x")).hasMessageContaining("'#'");
    }

    @Test
    void decimalFieldMatchesShortestDoubleForNanosAsMillis() {
        SplittableRandom rnd = new SplittableRandom(11);
        LineProtocolEncoder a = new LineProtocolEncoder(Precision.NANOSECONDS, 64);
        LineProtocolEncoder b = new LineProtocolEncoder(Precision.NANOSECONDS, 64);
        LineProtocolEncoder.Name k = LineProtocolEncoder.Name.of("rtt_ms");
        for (int i = 0; i < 100_000; i++) {
            long nanos = i < 50 ? i : rnd.nextLong(0, 100_000_000_000L);
            a.reset();
            b.reset();
            a.measurement("m").decimalField(k, nanos, 6).endLine(0);
            b.measurement("m").floatField("rtt_ms", nanos / 1_000_000.0).endLine(0);
            assertThat(a.toString()).as("nanos %d", nanos).isEqualTo(b.toString());
        }
    }

    // ------------------------------------------------------------------------------------------
    // netscan measurements

    @Test
    void pingLinesUseGoServiceNames() {
        int ip = Ipv4.parse("10.1.2.3");
        Measurements.ping(enc, PingResult.reply(ip, 1_000_000_000L, 1_234_000));
        Measurements.ping(enc, PingResult.failed(ip, 2_000_000_000L, PingResult.Outcome.TIMEOUT));
        assertThat(enc.toString()).isEqualTo(
                "ping,ip=10.1.2.3 rtt_ms=1.234,success=true,outcome=\"reply\" 1000000000\n"
                        + "ping,ip=10.1.2.3 success=false,outcome=\"timeout\" 2000000000\n");
    }

    @Test
    void ipv6DevicesAreTaggedWithTheirCanonicalAddress() throws Exception {
        int key = dev.netscan.core.AddressBook.shared().intern(
                (java.net.Inet6Address) java.net.InetAddress.getByName("2001:0DB8:0000:0000:0001:0000:0000:00A1"));
        Measurements.ping(enc, PingResult.reply(key, 1_000_000_000L, 1_234_000));
        Measurements.pingStats(enc, new PingStats(key, 5, 60, 1, 1, 0, 1, 1, 1, 0, Double.NaN, 1));
        Measurements.deviceEvent(enc, new dev.netscan.core.DeviceEvent(key, "down", "", 9));
        enc.measurement("m").tagAddress(LineProtocolEncoder.Name.of("ip"), 0xF000_0000 | 0x0FFF_FFFF).intField("x", 1).endLine(1);
        assertThat(enc.toString()).as("a key not in the book falls back to its dotted form").endsWith("m,ip=255.255.255.255 x=1i 1\n");
        List<Point> points = LineProtocolParser.parseAll(enc.toString());
        assertThat(points.subList(0, 3)).allSatisfy(p -> assertThat(p.tags()).first().isEqualTo(Map.entry("ip", "2001:db8::1:0:0:a1")));
        assertThat(enc.toString()).startsWith("ping,ip=2001:db8::1:0:0:a1 rtt_ms=1.234,");
    }

    @Test
    void deviceInfoWritesKnownFieldsOnly() {
        int ip = Ipv4.parse("192.168.0.1");
        assertThat(Measurements.deviceInfo(enc, ip, SnmpInfo.UNKNOWN, 5)).isFalse();
        Measurements.deviceInfo(enc, ip, new SnmpInfo("sw1", "Cisco \"IOS\"", "1.3.6.1.4.1.9", 12_345, null, "rack 4"), 7);
        assertThat(enc.toString()).isEqualTo("device_info,ip=192.168.0.1 hostname=\"sw1\",snmp_description=\"Cisco \\\"IOS\\\"\","
                + "sys_object_id=\"1.3.6.1.4.1.9\",sys_location=\"rack 4\",sys_uptime_s=123i 7\n");
    }

    @Test
    void pingStatsSkipsNanFields() {
        Measurements.pingStats(enc, new PingStats(Ipv4.parse("10.0.0.1"), 9, 60_000_000_000L, 10, 0, 100.0,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        assertThat(enc.toString()).isEqualTo("ping_stats,ip=10.0.0.1 sent=10i,received=0i,loss_pct=100 9\n");
    }

    @Test
    void healthWritesTypedFields() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("devices", 20_000L);
        f.put("heap_used_pct", 41.5);
        f.put("cpu_temp_c", Double.NaN);
        f.put("throttled", true);
        f.put("throttle_state", "normal");
        Measurements.health(enc, new HealthReport(3, f));
        assertThat(enc.toString()).isEqualTo("health_metrics devices=20000i,heap_used_pct=41.5,throttle_state=\"normal\",throttled=true 3\n");
    }
}
