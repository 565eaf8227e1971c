package dev.netscan.influx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.influx.LineProtocolParser.Field;
import dev.netscan.influx.LineProtocolParser.Point;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link LineProtocolEncoder} from a fixed seed: points whose measurement, tag keys and
 * values, field keys and string values are random text with every special character of line
 * protocol, unicode (lone surrogates included) and control characters, written through both the
 * text and the pre-escaped {@link LineProtocolEncoder.Name} paths, mixed with misuse (NaN, empty
 * keys, {@code #} names, calls out of order). Each line is read back by the independent
 * {@link LineProtocolParser}.
 *
 * <p>A crash is an exception other than the documented {@link IllegalArgumentException} /
 * {@link IllegalStateException}, or one that left a partial line behind. An escape is output that
 * does not parse back to what was meant after the documented sanitising
 * ({@link LineProtocolEncoderTest#sanitised}): an extra line, tag or field (injection), a value
 * changed, a control byte other than the line's final newline, or bytes that are not UTF-8.
 *
 * <p>The suite runs 10,000 cases; {@code netscan-bench/scripts/fuzz.sh} runs 1,000,000 through
 * {@code -Dnetscan.fuzz.cases}.
 */
class LineProtocolFuzzTest {
    private static final long CASES = Long.getLong("netscan.fuzz.cases", 10_000);
    private static final long SEED = Long.getLong("netscan.fuzz.seed", 0x11E5L);

    private long crashes;
    private long escapes;
    private final List<String> examples = new ArrayList<>();

    @Test
    void whatIsWrittenParsesBackToWhatWasMeantAndNothingEscapesItsField() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        LineProtocolEncoder e = new LineProtocolEncoder(Precision.NANOSECONDS, 64);
        long written = 0;
        long refused = 0;
        long start = System.nanoTime();
        for (long i = 0; i < CASES; i++) {
            if (e.size() > 1 << 20) {
                e.reset();
            }
            int before = e.size();
            Point expected;
            try {
                expected = point(rnd, e);
            } catch (IllegalArgumentException | IllegalStateException x) {
                refused++;
                if (e.size() != before || e.inLine()) {
                    fail(true, "a refused point left a partial line: " + x, e, before);
                }
                continue;
            } catch (RuntimeException x) {
                fail(true, x.toString(), e, before);
                e.abortLine();
                continue;
            }
            written++;
            check(e, before, expected);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("FUZZ line-protocol encoding: seed %d, cases %d (written %d, refused %d), crashes %d, escapes %d, %.0f cases/s%n",
                SEED, CASES, written, refused, crashes, escapes, CASES / seconds);
        assertThat(examples).as("crashes %d, escapes %d", crashes, escapes).isEmpty();
        assertThat(written).isGreaterThan(CASES / 2);
    }

    private void check(LineProtocolEncoder e, int before, Point expected) {
        byte[] line = Arrays.copyOfRange(e.array(), before, e.size());
        for (int k = 0; k < line.length - 1; k++) {
            if ((line[k] & 0xFF) < 0x20 || line[k] == 0x7F) {
                fail(false, "control byte " + line[k] + " at " + k, e, before);
                return;
            }
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line)).toString();
        } catch (CharacterCodingException x) {
            fail(false, "not UTF-8", e, before);
            return;
        }
        try {
            List<Point> back = LineProtocolParser.parseAll(text);
            if (!back.equals(List.of(expected))) {
                fail(false, "parsed back as " + back + ", meant " + expected, e, before);
            }
        } catch (RuntimeException x) {
            fail(false, "does not parse: " + x.getMessage(), e, before);
        }
    }

    /** Writes one point, maybe misusing the encoder; returns what it must parse back to. */
    private static Point point(SplittableRandom rnd, LineProtocolEncoder e) {
        String m = text(rnd, 16);
        boolean named = rnd.nextInt(4) == 0;
        if (rnd.nextInt(50) != 0 && (m.isEmpty() || m.charAt(0) == '#')) {
            m = "m" + m; // else: refused, as documented
        }
        if (named) {
            e.measurement(LineProtocolEncoder.Name.of(m));
        } else {
            e.measurement(m);
        }
        List<Map.Entry<String, String>> tags = new ArrayList<>();
        int nt = rnd.nextInt(0, 5);
        for (int t = 0; t < nt; t++) {
            String k = "t" + t + text(rnd, 8);
            if (rnd.nextInt(8) == 0) {
                int ipv4 = rnd.nextInt();
                if (named) {
                    e.tagIpv4(LineProtocolEncoder.Name.of(k), ipv4);
                } else {
                    e.tagIpv4(k, ipv4);
                }
                tags.add(Map.entry(LineProtocolEncoderTest.sanitised(k), Ipv4.format(ipv4)));
                continue;
            }
            String v = text(rnd, 24);
            e.tag(rnd.nextInt(200) == 0 ? "" : k, v); // an empty key is refused
            if (!v.isEmpty()) {
                tags.add(Map.entry(LineProtocolEncoderTest.sanitised(k), LineProtocolEncoderTest.sanitised(v)));
            }
        }
        Map<String, Field> fields = new LinkedHashMap<>();
        int nf = rnd.nextInt(rnd.nextInt(100) == 0 ? 0 : 1, 6); // no field: refused at endLine
        for (int f = 0; f < nf; f++) {
            String k = "f" + f + text(rnd, 8);
            String sk = LineProtocolEncoderTest.sanitised(k);
            LineProtocolEncoder.Name nk = named ? LineProtocolEncoder.Name.of(k) : null;
            switch (rnd.nextInt(7)) {
                case 0 -> {
                    long v = rnd.nextLong();
                    if (named) e.intField(nk, v); else e.intField(k, v);
                    fields.put(sk, Field.i(v));
                }
                case 1 -> {
                    long v = rnd.nextLong();
                    e.uintField(k, v);
                    fields.put(sk, Field.u(v));
                }
                case 2 -> {
                    double v = Double.longBitsToDouble(rnd.nextLong()); // NaN and infinities: refused
                    if (named) e.floatField(nk, v); else e.floatField(k, v);
                    fields.put(sk, Field.f(v));
                }
                case 3 -> {
                    boolean v = rnd.nextBoolean();
                    if (named) e.boolField(nk, v); else e.boolField(k, v);
                    fields.put(sk, Field.b(v));
                }
                case 4 -> {
                    long unscaled = rnd.nextLong(-1_000_000_000_000L, 1_000_000_000_000L);
                    int scale = rnd.nextInt(0, 10);
                    e.decimalField(named ? nk : LineProtocolEncoder.Name.of(k), unscaled, scale);
                    fields.put(sk, Field.f(Double.parseDouble(java.math.BigDecimal.valueOf(unscaled, scale).toString())));
                }
                default -> {
                    String v = text(rnd, 64);
                    if (named) e.stringField(nk, v); else e.stringField(k, v);
                    fields.put(sk, Field.s(LineProtocolEncoderTest.sanitised(v)));
                }
            }
            if (rnd.nextInt(300) == 0) {
                e.tag("late", "tag"); // after a field: refused
            }
        }
        long ts = rnd.nextLong();
        e.endLine(ts);
        return new Point(LineProtocolEncoderTest.sanitised(m), tags, fields, ts);
    }

    /** Random text of every kind, now and then long. */
    private static String text(SplittableRandom rnd, int maxLen) {
        return LineProtocolEncoderTest.randomText(rnd, rnd.nextInt(100) == 0 ? 2_000 : maxLen);
    }

    private void fail(boolean crash, String what, LineProtocolEncoder e, int from) {
        if (crash) {
            crashes++;
        } else {
            escapes++;
        }
        if (examples.size() < 10) {
            int to = Math.min(e.array().length, Math.max(from, Math.min(from + 300, e.size())));
            examples.add((crash ? "crash: " : "escape: ") + what + " in "
                    + new String(e.array(), from, to - from, StandardCharsets.UTF_8).replace("\n", "\\n"));
        }
    }
}
