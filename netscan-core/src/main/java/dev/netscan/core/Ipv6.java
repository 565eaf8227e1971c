package dev.netscan.core;

import java.net.Inet6Address;
import java.net.UnknownHostException;

/**
 * IPv6 addresses as two {@code long} halves ({@code high} holds the first 8 bytes in network
 * order, {@code low} the last 8), and the conversions to and from text and {@link Inet6Address}.
 *
 * <p>{@link #parse} is strict and says what is wrong and where (RFC 4291 text forms: eight groups
 * of one to four hex digits, one {@code ::} at most, an optional dotted-quad tail). A zone index
 * ({@code %eth0}) is refused: a target names an address, not a link. {@link #format} writes the
 * RFC 5952 canonical form (lower case, no leading zeros, the longest run of two or more zero
 * groups, the first of equal runs, shortened to {@code ::}), the same text as guava's
 * {@code InetAddresses.toAddrString}. IPv4-mapped addresses are written with a hex tail
 * ({@code ::ffff:a00:1}), as guava does.
 *
 * <p>All methods are static and thread-safe.
 */
public final class Ipv6 {
    private Ipv6() {}

    /**
     * Parses IPv6 text strictly.
     *
     * @throws InvalidTargetException naming the text and what is wrong, e.g. {@code more than one "::"}
     */
    public static Inet6Address parse(CharSequence text) {
        long[] hl = new long[2];
        parseInto(text, hl);
        return toAddress(hl[0], hl[1]);
    }

    /**
     * Parses {@code text} into {@code out[0]} (high half) and {@code out[1]} (low half).
     *
     * @throws InvalidTargetException naming the text and what is wrong
     */
    static void parseInto(CharSequence text, long[] out) {
        if (text == null || text.isEmpty()) {
            throw new InvalidTargetException(String.valueOf(text), "empty address");
        }
        String s = text.toString();
        int len = s.length();
        if (len > 45) {
            throw new InvalidTargetException(s, "too long for an IPv6 address (" + len + " characters, at most 45)");
        }
        int[] groups = new int[8];
        int count = 0;
        int gap = -1; // index in groups where "::" stands
        int i = 0;
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (s.charAt(0) == ':') {
            throw new InvalidTargetException(s, "starts with a single ':'");
        }
        while (i < len) {
            int start = i;
            int value = 0;
            while (i < len && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 0x80) {
                if (i - start == 4) {
                    throw new InvalidTargetException(s, "group " + (count + 1) + " has more than four hex digits");
                }
                value = value << 4 | Character.digit(s.charAt(i), 16);
                i++;
            }
            if (i < len && s.charAt(i) == '.') {
                // a dotted-quad tail: the last 32 bits
                if (count > 6) {
                    throw new InvalidTargetException(s, "too many groups before the IPv4 part");
                }
                int v4;
                try {
                    v4 = Ipv4.parse(s.substring(start));
                } catch (InvalidTargetException e) {
                    throw new InvalidTargetException(s, "IPv4 part at position " + start + ": " + e.reason());
                }
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xFFFF;
                i = len;
                break;
            }
            if (i == start) {
                char c = i < len ? s.charAt(i) : ' ';
                if (c == '%') {
                    throw new InvalidTargetException(s, "zone index at position " + i
                            + " is not allowed: a target names an address, not a link");
                }
                if (Character.isWhitespace(c)) {
                    throw new InvalidTargetException(s, "contains whitespace at position " + i);
                }
                if (c == ':') {
                    throw new InvalidTargetException(s, gap >= 0 && i == 2 ? "starts with ':::'"
                            : "empty group at position " + i);
                }
                throw new InvalidTargetException(s, "unexpected character '" + Ipv4.printable(c) + "' at position " + i);
            }
            if (count == 8) {
                throw new InvalidTargetException(s, "more than eight groups");
            }
            groups[count++] = value;
            if (i == len) {
                break;
            }
            char c = s.charAt(i);
            if (c != ':') {
                if (c == '%') {
                    throw new InvalidTargetException(s, "zone index at position " + i
                            + " is not allowed: a target names an address, not a link");
                }
                if (Character.isWhitespace(c)) {
                    throw new InvalidTargetException(s, "contains whitespace at position " + i);
                }
                throw new InvalidTargetException(s, "unexpected character '" + Ipv4.printable(c) + "' at position " + i);
            }
            i++;
            if (i < len && s.charAt(i) == ':') {
                if (gap >= 0) {
                    throw new InvalidTargetException(s, "more than one \"::\"");
                }
                gap = count;
                i++;
                if (i < len && s.charAt(i) == ':') {
                    throw new InvalidTargetException(s, "':::' at position " + (i - 2));
                }
            } else if (i == len) {
                throw new InvalidTargetException(s, "ends with a single ':'");
            }
        }
        if (gap < 0 && count != 8) {
            throw new InvalidTargetException(s, "expected eight groups, found " + count);
        }
        if (gap >= 0 && count == 8) {
            throw new InvalidTargetException(s, "\"::\" stands for no group: eight groups are already given");
        }
        int[] full = new int[8];
        if (gap < 0) {
            full = groups;
        } else {
            int tail = count - gap;
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - tail, tail);
        }
        long high = 0;
        long low = 0;
        for (int g = 0; g < 4; g++) {
            high = high << 16 | full[g];
            low = low << 16 | full[g + 4];
        }
        out[0] = high;
        out[1] = low;
    }

    /** The address of {@code high} and {@code low}, without a scope. */
    public static Inet6Address toAddress(long high, long low) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[i + 8] = (byte) (low >>> (56 - 8 * i));
        }
        try {
            // Inet6Address.getByAddress keeps IPv4-mapped addresses IPv6 (InetAddress's would not)
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
    }

    /** The first 8 bytes of {@code address} as a big-endian long. */
    public static long high(Inet6Address address) {
        return half(address.getAddress(), 0);
    }

    /** The last 8 bytes of {@code address} as a big-endian long. */
    public static long low(Inet6Address address) {
        return half(address.getAddress(), 8);
    }

    private static long half(byte[] b, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) {
            v = v << 8 | (b[i] & 0xFF);
        }
        return v;
    }

    /** The RFC 5952 text of {@code address}, with its zone ({@code %eth0} or {@code %2}) when it has one. */
    public static String format(Inet6Address address) {
        byte[] b = address.getAddress();
        StringBuilder out = appendTo(new StringBuilder(48), half(b, 0), half(b, 8));
        if (address.getScopedInterface() != null) {
            out.append('%').append(address.getScopedInterface().getName());
        } else if (address.getScopeId() != 0) {
            out.append('%').append(address.getScopeId());
        }
        return out.toString();
    }

    /** The RFC 5952 text of the address {@code high}:{@code low}. */
    public static String format(long high, long low) {
        return appendTo(new StringBuilder(39), high, low).toString();
    }

    /** Appends the RFC 5952 text of {@code high}:{@code low} to {@code out}. */
    public static StringBuilder appendTo(StringBuilder out, long high, long low) {
        // the longest run of zero groups (at least two; the first of equal runs)
        int bestStart = -1;
        int bestLen = 1;
        int runStart = -1;
        for (int g = 0; g <= 8; g++) {
            boolean zero = g < 8 && group(high, low, g) == 0;
            if (zero && runStart < 0) {
                runStart = g;
            } else if (!zero && runStart >= 0) {
                if (g - runStart > bestLen) {
                    bestStart = runStart;
                    bestLen = g - runStart;
                }
                runStart = -1;
            }
        }
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                out.append("::");
                g += bestLen - 1;
                continue;
            }
            if (g > 0 && g != bestStart + bestLen) {
                out.append(':');
            }
            out.append(Integer.toHexString(group(high, low, g)));
        }
        return out;
    }

    private static int group(long high, long low, int g) {
        long half = g < 4 ? high : low;
        return (int) (half >>> (48 - 16 * (g & 3))) & 0xFFFF;
    }

    /** True for the link-local unicast prefix fe80::/10. */
    public static boolean isLinkLocal(long high) {
        return (high >>> 54) == (0xfe80L >>> 6);
    }

    /** True for the multicast prefix ff00::/8. */
    public static boolean isMulticast(long high) {
        return (high >>> 56) == 0xffL;
    }
}
