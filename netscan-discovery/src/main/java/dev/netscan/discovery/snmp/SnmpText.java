package dev.netscan.discovery.snmp;

/**
 * Turns the bytes an untrusted SNMP agent sends into text that is safe to store, log and write as
 * line protocol.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>At most {@link #MAX_INPUT_BYTES} bytes of input are looked at (an SNMP message over UDP is
 *       smaller anyway).</li>
 *   <li>Valid UTF-8 is decoded code point by code point. If the bytes are not valid UTF-8 (stray
 *       continuation bytes, overlong forms, surrogates, values above U+10FFFF, a sequence cut
 *       short), the whole value is shown as hex instead: {@code 0x} followed by two lowercase hex
 *       digits per byte, e.g. {@code 0x00fe10} for the bytes 00 FE 10 (binary values such as MAC
 *       addresses come out readable this way).</li>
 *   <li>Line breaks (CR, LF, CRLF, NEL U+0085, U+2028, U+2029), tabs and spaces are folded: a run
 *       of them becomes a single space.</li>
 *   <li>Other control characters (C0 including NUL, DEL, C1) and invisible format characters
 *       (Unicode category Cf: bidirectional overrides, zero-width characters, BOM) are removed.</li>
 *   <li>Leading and trailing spaces are trimmed.</li>
 *   <li>The result is cut to at most {@link #MAX_BYTES} bytes of UTF-8, at a code point boundary.</li>
 * </ol>
 * So the result never contains a line break or control character and can never start a new line
 * of line protocol or of a log. It is idempotent: sanitising the UTF-8 of a result gives the same
 * result.
 *
 * <p>Stateless and thread-safe.
 */
public final class SnmpText {

    /** The most UTF-8 bytes a sanitised value has. */
    public static final int MAX_BYTES = 1024;

    /** The most input bytes looked at. */
    public static final int MAX_INPUT_BYTES = 65_536;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private SnmpText() {}

    /**
     * Sanitises {@code raw} as described in the class comment.
     *
     * @param raw the bytes as received; may be null
     * @return the sanitised text, or null when {@code raw} is null
     */
    public static String sanitize(byte[] raw) {
        if (raw == null) {
            return null;
        }
        int end = Math.min(raw.length, MAX_INPUT_BYTES);
        StringBuilder out = new StringBuilder(Math.min(end, MAX_BYTES));
        int outBytes = 0;
        boolean pendingSpace = false;
        int i = 0;
        while (i < end) {
            int b0 = raw[i] & 0xFF;
            if (b0 > 0x20 && b0 < 0x7F) { // fast path: printable ASCII other than space
                i++;
                if (outBytes >= MAX_BYTES) {
                    continue;
                }
                int need = pendingSpace && outBytes > 0 ? 2 : 1;
                if (outBytes + need > MAX_BYTES) {
                    outBytes = MAX_BYTES;
                    continue;
                }
                if (need == 2) {
                    out.append(' ');
                }
                pendingSpace = false;
                out.append((char) b0);
                outBytes += need;
                continue;
            }
            int cp;
            int len;
            if (b0 < 0x80) {
                cp = b0;
                len = 1;
            } else if (b0 >= 0xC2 && b0 <= 0xDF) {
                len = 2;
                if (i + 1 >= end || !cont(raw[i + 1])) {
                    return hex(raw, end);
                }
                cp = ((b0 & 0x1F) << 6) | (raw[i + 1] & 0x3F);
            } else if (b0 >= 0xE0 && b0 <= 0xEF) {
                len = 3;
                if (i + 2 >= end || !cont(raw[i + 1]) || !cont(raw[i + 2])) {
                    return hex(raw, end);
                }
                cp = ((b0 & 0x0F) << 12) | ((raw[i + 1] & 0x3F) << 6) | (raw[i + 2] & 0x3F);
                if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) {
                    return hex(raw, end);
                }
            } else if (b0 >= 0xF0 && b0 <= 0xF4) {
                len = 4;
                if (i + 3 >= end || !cont(raw[i + 1]) || !cont(raw[i + 2]) || !cont(raw[i + 3])) {
                    return hex(raw, end);
                }
                cp = ((b0 & 0x07) << 18) | ((raw[i + 1] & 0x3F) << 12) | ((raw[i + 2] & 0x3F) << 6) | (raw[i + 3] & 0x3F);
                if (cp < 0x10000 || cp > 0x10FFFF) {
                    return hex(raw, end);
                }
            } else {
                return hex(raw, end);
            }
            i += len;
            if (isBreak(cp)) {
                pendingSpace = true;
                continue;
            }
            if (isRemoved(cp)) {
                continue;
            }
            if (cp == ' ') {
                pendingSpace = true;
                continue;
            }
            if (outBytes >= MAX_BYTES) {
                continue; // keep validating the rest: invalid UTF-8 anywhere turns the value into hex
            }
            int spaceBytes = pendingSpace && outBytes > 0 ? 1 : 0;
            int cpBytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (outBytes + spaceBytes + cpBytes > MAX_BYTES) {
                outBytes = MAX_BYTES; // full: nothing more is appended
                continue;
            }
            if (spaceBytes == 1) {
                out.append(' ');
            }
            pendingSpace = false;
            out.appendCodePoint(cp);
            outBytes += spaceBytes + cpBytes;
        }
        return out.toString();
    }

    /**
     * Sanitises text that came from an agent as something other than an OCTET STRING (for
     * example the decimal text of an INTEGER): the same rules applied to its UTF-8.
     *
     * @param text may be null
     * @return the sanitised text, or null when {@code text} is null
     */
    public static String sanitize(String text) {
        return text == null ? null : sanitize(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static boolean cont(byte b) {
        return (b & 0xC0) == 0x80;
    }

    /** Line breaks and other whitespace controls that are folded into one space. */
    private static boolean isBreak(int cp) {
        return cp == '\n' || cp == '\r' || cp == '\t' || cp == 0x0B || cp == 0x0C
                || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
    }

    /** Control and invisible format characters that are dropped. */
    private static boolean isRemoved(int cp) {
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.FORMAT || type == Character.CONTROL;
    }

    private static String hex(byte[] raw, int end) {
        int bytes = Math.min(end, (MAX_BYTES - 2) / 2);
        StringBuilder out = new StringBuilder(2 + bytes * 2);
        out.append("0x");
        for (int i = 0; i < bytes; i++) {
            out.append(HEX[(raw[i] >> 4) & 0xF]).append(HEX[raw[i] & 0xF]);
        }
        return out.toString();
    }
}
