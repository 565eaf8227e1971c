package dev.netscan.core;

/**
 * An IPv4 CIDR range such as {@code 192.168.1.0/24}. A bare address is a {@code /32}.
 *
 * <p>{@link #parse(String)} is strict: the network address must have no host bits set
 * ({@code 10.0.0.1/24} is refused, naming {@code 10.0.0.0/24}), the prefix is 0-32, and nothing
 * but the address and prefix may appear.
 *
 * <p>Host addresses: for prefixes up to /30 the network and broadcast addresses are not hosts;
 * /31 (RFC 3021 point-to-point) and /32 have every address as a host.
 *
 * @param network the network address as an int, host bits zero
 * @param prefixLength 0 to 32
 */
public record Cidr(int network, int prefixLength) {

    public Cidr {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new InvalidTargetException(Ipv4.format(network) + "/" + prefixLength, "prefix length must be 0 to 32");
        }
        if ((network & ~mask(prefixLength)) != 0) {
            throw new InvalidTargetException(Ipv4.format(network) + "/" + prefixLength,
                    "host bits are set; the network is " + Ipv4.format(network & mask(prefixLength)) + "/" + prefixLength);
        }
    }

    /** The single address {@code ipv4} as a /32. */
    public static Cidr ofAddress(int ipv4) {
        return new Cidr(ipv4, 32);
    }

    /**
     * Parses {@code a.b.c.d/len} or a bare {@code a.b.c.d}.
     *
     * @throws InvalidTargetException naming the input and what is wrong
     */
    public static Cidr parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidTargetException(String.valueOf(text), "empty target");
        }
        if (text.isBlank()) {
            throw new InvalidTargetException(text, "target is only whitespace");
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                throw new InvalidTargetException(text, "contains whitespace at position " + i);
            }
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            return new Cidr(parseAddress(text, text), 32);
        }
        if (text.indexOf('/', slash + 1) >= 0) {
            throw new InvalidTargetException(text, "more than one '/'");
        }
        int address = parseAddress(text.substring(0, slash), text);
        String prefixText = text.substring(slash + 1);
        if (prefixText.isEmpty()) {
            throw new InvalidTargetException(text, "prefix length is missing after '/'");
        }
        if (prefixText.length() > 2 || !prefixText.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidTargetException(text, "prefix length \"" + InvalidTargetException.sanitize(prefixText)
                    + "\" is not a number from 0 to 32");
        }
        if (prefixText.length() == 2 && prefixText.charAt(0) == '0') {
            throw new InvalidTargetException(text, "prefix length \"" + prefixText + "\" has a leading zero");
        }
        int prefix = Integer.parseInt(prefixText);
        if (prefix > 32) {
            throw new InvalidTargetException(text, "prefix length " + prefix + " is greater than 32");
        }
        if ((address & ~mask(prefix)) != 0) {
            throw new InvalidTargetException(text,
                    "host bits are set; did you mean " + Ipv4.format(address & mask(prefix)) + "/" + prefix + "?");
        }
        return new Cidr(address, prefix);
    }

    private static int parseAddress(String address, String whole) {
        try {
            return Ipv4.parse(address);
        } catch (InvalidTargetException e) {
            throw new InvalidTargetException(whole, e.reason());
        }
    }

    /** The netmask for {@code prefixLength}, e.g. 0xFFFFFF00 for 24. */
    public static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /** Number of addresses in the range, network and broadcast included. */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    /** True when {@code ipv4} lies in the range (network and broadcast included). */
    public boolean contains(int ipv4) {
        return (ipv4 & mask(prefixLength)) == network;
    }

    /** The last address of the range (the broadcast address for prefixes up to /30). */
    public int lastAddress() {
        return network | ~mask(prefixLength);
    }

    /** First host address: the network address itself for /31 and /32, otherwise the one after it. */
    public int firstHost() {
        return prefixLength >= 31 ? network : network + 1;
    }

    /** Last host address: the broadcast address itself for /31 and /32, otherwise the one before it. */
    public int lastHost() {
        return prefixLength >= 31 ? lastAddress() : lastAddress() - 1;
    }

    /** Number of host addresses (see the class comment). */
    public long hostCount() {
        return prefixLength >= 31 ? size() : size() - 2;
    }

    @Override
    public String toString() {
        return Ipv4.format(network) + "/" + prefixLength;
    }
}
