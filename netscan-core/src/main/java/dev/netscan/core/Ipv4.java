package dev.netscan.core;

/**
 * IPv4 addresses as {@code int} values (network byte order read as a big-endian int, so
 * {@code 10.0.0.1} is {@code 0x0A000001}). Compare and order them with
 * {@link Integer#compareUnsigned(int, int)} or {@link #toUnsigned(int)}.
 *
 * <p>All methods are static, allocation-free except where they build a {@code String}, and
 * thread-safe.
 */
public final class Ipv4 {
    private Ipv4() {}

    /**
     * Parses dotted-quad text strictly: four decimal octets 0-255, no leading/trailing space, no
     * leading zeros (which some parsers read as octal), no empty parts.
     *
     * @throws InvalidTargetException saying what is wrong and where
     */
    public static int parse(CharSequence text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidTargetException(String.valueOf(text), "empty address");
        }
        int len = text.length();
        int value = 0;
        int octet = -1;
        int digits = 0;
        int dots = 0;
        for (int i = 0; i < len; i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                if (digits > 0 && octet == 0) {
                    throw new InvalidTargetException(text.toString(), "octet " + (dots + 1) + " has a leading zero");
                }
                octet = (octet < 0 ? 0 : octet) * 10 + (c - '0');
                digits++;
                if (octet > 255) {
                    throw new InvalidTargetException(text.toString(), "octet " + (dots + 1) + " is greater than 255");
                }
            } else if (c == '.') {
                if (digits == 0) {
                    throw new InvalidTargetException(text.toString(), "octet " + (dots + 1) + " is empty");
                }
                value = (value << 8) | octet;
                octet = -1;
                digits = 0;
                if (++dots > 3) {
                    throw new InvalidTargetException(text.toString(), "more than four octets");
                }
            } else if (Character.isWhitespace(c)) {
                throw new InvalidTargetException(text.toString(), "contains whitespace at position " + i);
            } else {
                throw new InvalidTargetException(text.toString(), "unexpected character '" + printable(c) + "' at position " + i);
            }
        }
        if (digits == 0) {
            throw new InvalidTargetException(text.toString(), "octet " + (dots + 1) + " is empty");
        }
        if (dots != 3) {
            throw new InvalidTargetException(text.toString(), "expected four octets, found " + (dots + 1));
        }
        return (value << 8) | octet;
    }

    /** Formats as dotted-quad text. */
    public static String format(int ipv4) {
        return new StringBuilder(15)
                .append(ipv4 >>> 24).append('.')
                .append((ipv4 >>> 16) & 0xFF).append('.')
                .append((ipv4 >>> 8) & 0xFF).append('.')
                .append(ipv4 & 0xFF)
                .toString();
    }

    /** Appends dotted-quad text to {@code out} without allocating a String. */
    public static StringBuilder appendTo(StringBuilder out, int ipv4) {
        return out.append(ipv4 >>> 24).append('.')
                .append((ipv4 >>> 16) & 0xFF).append('.')
                .append((ipv4 >>> 8) & 0xFF).append('.')
                .append(ipv4 & 0xFF);
    }

    /** The address as an unsigned value in {@code [0, 2^32)}. */
    public static long toUnsigned(int ipv4) {
        return ipv4 & 0xFFFF_FFFFL;
    }

    /** True for 127.0.0.0/8. */
    public static boolean isLoopback(int ipv4) {
        return (ipv4 >>> 24) == 127;
    }

    static String printable(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
