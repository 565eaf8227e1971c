package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SnmpTextTest {
    private static final long SEED = 0x5EED_5A17L;

    @Test
    void nullStaysNull() {
        assertThat(SnmpText.sanitize((byte[]) null)).isNull();
        assertThat(SnmpText.sanitize((String) null)).isNull();
    }

    @Test
    void ordinaryTextIsUnchanged() {
        assertThat(sanitize("Linux gw 6.1.0-18-arm64 #1 SMP Debian")).isEqualTo("Linux gw 6.1.0-18-arm64 #1 SMP Debian");
        assertThat(sanitize("Zürich, Büro 3 — 東京")).isEqualTo("Zürich, Büro 3 — 東京");
    }

    @Test
    void newlinesAreFoldedSoNoLineCanBeInjected() {
        assertThat(sanitize("desc\nping,host=evil rtt=1 0\r\nmore")).isEqualTo("desc ping,host=evil rtt=1 0 more");
        assertThat(sanitize("a\u2028b\u2029c\u0085d\te")).isEqualTo("a b c d e");
        assertThat(sanitize("\n\n  padded \r\n")).isEqualTo("padded");
    }

    @Test
    void nulControlAndInvisibleFormatCharactersAreRemoved() {
        assertThat(sanitize("a\u0000b\u0007c\u001bd\u007fe\u0090f")).isEqualTo("abcdef");
        assertThat(sanitize("safe\u202Eevil\u200Bx\uFEFF")).isEqualTo("safeevilx");
    }

    @Test
    void invalidUtf8IsShownAsHex() {
        assertThat(SnmpText.sanitize(new byte[] {0x00, 0x1A, 0x2B, (byte) 0xFF})).isEqualTo("0x001a2bff");
        assertThat(SnmpText.sanitize(new byte[] {'o', 'k', (byte) 0xC0, (byte) 0x80})).as("overlong NUL").isEqualTo("0x6f6bc080");
        assertThat(SnmpText.sanitize(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})).as("surrogate").isEqualTo("0xeda080");
        assertThat(SnmpText.sanitize(new byte[] {(byte) 0xE2, (byte) 0x82})).as("cut short").isEqualTo("0xe282");
    }

    @Test
    void longValuesAreBoundedAtACodePointBoundary() {
        String s = SnmpText.sanitize("é".repeat(2000).getBytes(StandardCharsets.UTF_8));
        assertThat(s.getBytes(StandardCharsets.UTF_8)).hasSize(SnmpText.MAX_BYTES);
        assertThat(s).isEqualTo("é".repeat(512));
        String emoji = SnmpText.sanitize("a😀".repeat(400).getBytes(StandardCharsets.UTF_8));
        assertThat(emoji.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(SnmpText.MAX_BYTES);
        assertThat(emoji.codePoints().allMatch(c -> c == 'a' || c == 0x1F600)).isTrue();
        byte[] bin = new byte[5000];
        bin[0] = (byte) 0xFF;
        assertThat(SnmpText.sanitize(bin)).hasSize(SnmpText.MAX_BYTES).startsWith("0xff00");
    }

    // ---- properties, fixed seed ------------------------------------------------------------

    @Test
    void anyBytesGiveBoundedSingleLineTextWithoutControls() {
        SplittableRandom rnd = new SplittableRandom(SEED);
        for (int i = 0; i < 20_000; i++) {
            byte[] in = randomBytes(rnd);
            String out = SnmpText.sanitize(in);
            assertSafe(in, out);
        }
    }

    @Test
    void sanitisingIsIdempotent() {
        SplittableRandom rnd = new SplittableRandom(SEED + 1);
        for (int i = 0; i < 20_000; i++) {
            byte[] in = randomBytes(rnd);
            String once = SnmpText.sanitize(in);
            assertThat(SnmpText.sanitize(once.getBytes(StandardCharsets.UTF_8))).as("input %s", HexFormat.of().formatHex(in)).isEqualTo(once);
        }
    }

    @Test
    void validUtf8RoundTripsWithOnlyControlsAndSpacingChanged() {
        SplittableRandom rnd = new SplittableRandom(SEED + 2);
        for (int i = 0; i < 20_000; i++) {
            String text = randomText(rnd);
            byte[] in = text.getBytes(StandardCharsets.UTF_8);
            String out = SnmpText.sanitize(in);
            assertSafe(in, out);
            assertThat(out).doesNotStartWith(" ").doesNotEndWith(" ").doesNotContain("  ");
            // what was removed or folded is exactly the controls and the spacing
            String expected = reference(text);
            assertThat(expected).startsWith(out);
            if (expected.getBytes(StandardCharsets.UTF_8).length <= SnmpText.MAX_BYTES) {
                assertThat(out).isEqualTo(expected);
            }
        }
    }

    @Test
    void invalidUtf8HexRoundTripsToTheInputPrefix() {
        SplittableRandom rnd = new SplittableRandom(SEED + 3);
        int checked = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] in = randomBytes(rnd);
            if (isValidUtf8(in)) {
                continue;
            }
            String out = SnmpText.sanitize(in);
            assertThat(out).startsWith("0x");
            byte[] back = HexFormat.of().parseHex(out.substring(2));
            assertThat(back.length).isEqualTo(Math.min(in.length, (SnmpText.MAX_BYTES - 2) / 2));
            for (int k = 0; k < back.length; k++) {
                assertThat(back[k]).isEqualTo(in[k]);
            }
            checked++;
        }
        assertThat(checked).isGreaterThan(1000);
    }

    private static void assertSafe(byte[] in, String out) {
        if (out.getBytes(StandardCharsets.UTF_8).length > SnmpText.MAX_BYTES) {
            fail("longer than " + SnmpText.MAX_BYTES + " bytes for input " + HexFormat.of().formatHex(in));
        }
        out.codePoints().forEach(c -> {
            boolean control = c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F);
            boolean separator = c == 0x2028 || c == 0x2029;
            boolean format = Character.getType(c) == Character.FORMAT;
            boolean loneSurrogate = c >= 0xD800 && c <= 0xDFFF;
            if (control || separator || format || loneSurrogate) {
                fail("forbidden code point U+" + Integer.toHexString(c) + " for input " + HexFormat.of().formatHex(in));
            }
        });
    }

    /** A simple, slow model of the rules for valid text, without the length bound. */
    private static String reference(String text) {
        StringBuilder sb = new StringBuilder();
        text.codePoints().forEach(c -> {
            boolean space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == 0x0B || c == 0x0C || c == 0x85
                    || c == 0x2028 || c == 0x2029;
            boolean removed = c < 0x20 || (c >= 0x7F && c <= 0x9F) || Character.getType(c) == Character.FORMAT;
            if (space) {
                sb.append(' ');
            } else if (!removed) {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString().trim().replaceAll(" +", " ");
    }

    private static boolean isValidUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static byte[] randomBytes(SplittableRandom rnd) {
        return switch (rnd.nextInt(3)) {
            case 0 -> { // raw bytes
                byte[] b = new byte[rnd.nextInt(0, 64)];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) rnd.nextInt(256);
                }
                yield b;
            }
            case 1 -> randomText(rnd).getBytes(StandardCharsets.UTF_8);
            default -> { // mostly text with a corrupted byte, sometimes long
                byte[] b = randomText(rnd).repeat(rnd.nextInt(1, 80)).getBytes(StandardCharsets.UTF_8);
                if (b.length > 0 && rnd.nextBoolean()) {
                    b[rnd.nextInt(b.length)] = (byte) (0x80 + rnd.nextInt(128));
                }
                yield b;
            }
        };
    }

    private static final int[] INTERESTING = {0, 1, 7, 9, 10, 13, 27, 31, ' ', ' ', 'a', 'Z', '=', ',', '"', '\\', 0x7F,
        0x85, 0x9B, 0xA0, 0xE9, 0x2028, 0x2029, 0x200B, 0x202E, 0xFEFF, 0x4E2D, 0xFFFD, 0x1F600, 0x10FFFF};

    private static String randomText(SplittableRandom rnd) {
        int n = rnd.nextInt(0, 48);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c;
            if (rnd.nextInt(3) == 0) {
                c = INTERESTING[rnd.nextInt(INTERESTING.length)];
            } else {
                do {
                    c = rnd.nextInt(0, 0x110000);
                } while (c >= 0xD800 && c <= 0xDFFF);
            }
            sb.appendCodePoint(c);
        }
        return sb.toString();
    }

    private static String sanitize(String s) {
        return SnmpText.sanitize(s.getBytes(StandardCharsets.UTF_8));
    }
}
