package dev.netscan.core;

/**
 * An IPv6 prefix such as {@code 2001:db8::/120}. A bare address is a {@code /128}.
 *
 * <p>{@link #parse(String)} is strict in the way {@link Cidr#parse} is: the address is parsed by
 * {@link Ipv6#parse}, the prefix length is 0-128 without leading zeros, and no host bits may be
 * set ({@code 2001:db8::1/120} is refused, naming {@code 2001:db8::/120}).
 *
 * <p>Host addresses: for prefixes up to /126 the all-zero host (the Subnet-Router anycast address
 * of RFC 4291 2.6.1, answered by a router on behalf of the link) is not a host; /127 (RFC 6164
 * point-to-point) and /128 have every address as a host. IPv6 has no broadcast address.
 *
 * @param high the first 64 bits of the prefix, host bits zero
 * @param low the last 64 bits of the prefix, host bits zero
 * @param prefixLength 0 to 128
 */
public record Cidr6(long high, long low, int prefixLength) {

    public Cidr6 {
        if (prefixLength < 0 || prefixLength > 128) {
            throw new InvalidTargetException(Ipv6.format(high, low) + "/" + prefixLength, "prefix length must be 0 to 128");
        }
        if ((high & ~maskHigh(prefixLength)) != 0 || (low & ~maskLow(prefixLength)) != 0) {
            throw new InvalidTargetException(Ipv6.format(high, low) + "/" + prefixLength, "host bits are set; the prefix is "
                    + Ipv6.format(high & maskHigh(prefixLength), low & maskLow(prefixLength)) + "/" + prefixLength);
        }
    }

    /**
     * Parses {@code address/len} or a bare address.
     *
     * @throws InvalidTargetException naming the input and what is wrong
     */
    public static Cidr6 parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidTargetException(String.valueOf(text), "empty target");
        }
        int slash = text.indexOf('/');
        String addressText = slash < 0 ? text : text.substring(0, slash);
        long[] hl = new long[2];
        try {
            Ipv6.parseInto(addressText, hl);
        } catch (InvalidTargetException e) {
            throw new InvalidTargetException(text, e.reason());
        }
        if (slash < 0) {
            return new Cidr6(hl[0], hl[1], 128);
        }
        if (text.indexOf('/', slash + 1) >= 0) {
            throw new InvalidTargetException(text, "more than one '/'");
        }
        String prefixText = text.substring(slash + 1);
        if (prefixText.isEmpty()) {
            throw new InvalidTargetException(text, "prefix length is missing after '/'");
        }
        if (prefixText.length() > 3 || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidTargetException(text, "prefix length \"" + InvalidTargetException.sanitize(prefixText)
                    + "\" is not a number from 0 to 128");
        }
        if (prefixText.length() > 1 && prefixText.charAt(0) == '0') {
            throw new InvalidTargetException(text, "prefix length \"" + prefixText + "\" has a leading zero");
        }
        int prefix = Integer.parseInt(prefixText);
        if (prefix > 128) {
            throw new InvalidTargetException(text, "prefix length " + prefix + " is greater than 128");
        }
        long mh = maskHigh(prefix);
        long ml = maskLow(prefix);
        if ((hl[0] & ~mh) != 0 || (hl[1] & ~ml) != 0) {
            throw new InvalidTargetException(text,
                    "host bits are set; did you mean " + Ipv6.format(hl[0] & mh, hl[1] & ml) + "/" + prefix + "?");
        }
        return new Cidr6(hl[0], hl[1], prefix);
    }

    /** The mask of the first 64 bits for {@code prefixLength}. */
    static long maskHigh(int prefixLength) {
        return prefixLength == 0 ? 0 : prefixLength >= 64 ? -1L : -1L << (64 - prefixLength);
    }

    /** The mask of the last 64 bits for {@code prefixLength}. */
    static long maskLow(int prefixLength) {
        return prefixLength <= 64 ? 0 : -1L << (128 - prefixLength);
    }

    /** The last 64 bits of the last address of the prefix. */
    public long lastLow() {
        return low | ~maskLow(prefixLength);
    }

    /** The first 64 bits of the last address of the prefix. */
    public long lastHigh() {
        return high | ~maskHigh(prefixLength);
    }

    /** True when the address {@code addrHigh}:{@code addrLow} lies in the prefix (anycast address included). */
    public boolean contains(long addrHigh, long addrLow) {
        return (addrHigh & maskHigh(prefixLength)) == high && (addrLow & maskLow(prefixLength)) == low;
    }

    /** Number of host addresses (see the class comment); {@link Long#MAX_VALUE} when it is 2^63 or more. */
    public long hostCount() {
        int hostBits = 128 - prefixLength;
        if (hostBits >= 63) {
            return Long.MAX_VALUE;
        }
        long size = 1L << hostBits;
        return prefixLength >= 127 ? size : size - 1;
    }

    /** The low 64 bits of the first host: the prefix itself for /127 and /128, otherwise the one after it. */
    long firstHostLow() {
        return prefixLength >= 127 ? low : low + 1;
    }

    @Override
    public String toString() {
        return Ipv6.format(high, low) + "/" + prefixLength;
    }
}
