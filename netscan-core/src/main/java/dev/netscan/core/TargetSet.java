package dev.netscan.core;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The host addresses to probe: the union of several CIDR ranges of either family minus
 * exclusions, held as sorted disjoint intervals (memory grows with the number of ranges, never
 * with the number of addresses, so a /8 costs a few words).
 *
 * <p>The IPv4 part is the fast path every IPv4 sweep walks: {@link #contains(int)},
 * {@link #addressAt(long)} and {@link #permutation(long)} work on {@code int} addresses and
 * allocate nothing. The IPv6 part lives beside it ({@link #ipv6Size()}, {@link #ipv6At(long)},
 * {@link #ipv6Permutation(long)}); {@link #size()} counts both.
 *
 * <p>Host addresses follow {@link Cidr} and {@link Cidr6}: network and broadcast addresses of
 * included IPv4 ranges up to /30, and the Subnet-Router anycast address of IPv6 prefixes up to
 * /126, are not targets. Exclusions remove every address they cover, of their own family.
 *
 * <p>IPv6 prefixes are swept only up to {@link #IPV6_MAX_PREFIX_ADDRESSES} addresses (/112 or
 * narrower); a wider one, a multicast or link-local one, or an IPv4-mapped one is refused with an
 * {@link InvalidTargetException} that says why and, for wide on-link networks, points to on-link
 * discovery. Exclusions of any width are accepted.
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()} or {@link #of(String...)}.
 */
public final class TargetSet {
    /** Most addresses of one included IPv6 prefix: a /112. */
    public static final long IPV6_MAX_PREFIX_ADDRESSES = 1L << 16;
    /** The shortest IPv6 prefix length swept (a /112 holds {@link #IPV6_MAX_PREFIX_ADDRESSES}). */
    public static final int IPV6_MIN_PREFIX_LENGTH = 112;

    /** Interval starts and ends (inclusive), unsigned, ascending, disjoint and non-adjacent. */
    private final long[] starts;
    private final long[] ends;
    /** offsets[i] = number of addresses in intervals before i; offsets[length] = size. */
    private final long[] offsets;
    private final List<Cidr> includes;
    private final List<Cidr> excludes;
    private final Ipv6Ranges v6;
    private final List<Cidr6> includes6;
    private final List<Cidr6> excludes6;

    private TargetSet(long[] starts, long[] ends, List<Cidr> includes, List<Cidr> excludes,
            List<Cidr6> includes6, List<Cidr6> excludes6) {
        this.starts = starts;
        this.ends = ends;
        this.offsets = new long[starts.length + 1];
        for (int i = 0; i < starts.length; i++) {
            offsets[i + 1] = offsets[i] + (ends[i] - starts[i] + 1);
        }
        this.includes = Collections.unmodifiableList(new ArrayList<>(includes));
        this.excludes = Collections.unmodifiableList(new ArrayList<>(excludes));
        this.includes6 = List.copyOf(includes6);
        this.excludes6 = List.copyOf(excludes6);
        this.v6 = Ipv6Ranges.of(this.includes6, this.excludes6);
    }

    /** A set of the given ranges or addresses (either family), with no exclusions. */
    public static TargetSet of(String... targets) {
        Builder b = builder();
        for (String t : targets) {
            b.include(t);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Number of target addresses of both families. */
    public long size() {
        return offsets[starts.length] + v6.size();
    }

    /** Number of IPv4 target addresses: the indices of {@link #addressAt(long)}. */
    public long ipv4Size() {
        return offsets[starts.length];
    }

    /** Number of IPv6 target addresses: the indices of {@link #ipv6At(long)}. */
    public long ipv6Size() {
        return v6.size();
    }

    /** True when there is no target of either family. */
    public boolean isEmpty() {
        return size() == 0;
    }

    /** True when {@code ipv4} is a target. O(log ranges). */
    public boolean contains(int ipv4) {
        long u = Ipv4.toUnsigned(ipv4);
        int i = Arrays.binarySearch(starts, u);
        if (i >= 0) {
            return true;
        }
        int before = -i - 2;
        return before >= 0 && u <= ends[before];
    }

    /** True when {@code address} (its scope ignored) is an IPv6 target. O(log ranges). */
    public boolean contains(Inet6Address address) {
        return v6.contains(Ipv6.high(address), Ipv6.low(address));
    }

    /**
     * The {@code index}-th IPv4 target in ascending address order.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < ipv4Size()}
     */
    public int addressAt(long index) {
        long size = offsets[starts.length];
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " outside [0, " + size + ")");
        }
        int i = Arrays.binarySearch(offsets, index);
        int interval = i >= 0 ? i : -i - 2;
        // offsets may repeat only at the end; a hit on offsets[k] means interval k starts there
        while (interval + 1 < starts.length && offsets[interval + 1] <= index) {
            interval++;
        }
        return (int) (starts[interval] + (index - offsets[interval]));
    }

    /**
     * The {@code index}-th IPv6 target in ascending address order, without a scope.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < ipv6Size()}
     */
    public Inet6Address ipv6At(long index) {
        return v6.addressAt(index);
    }

    /**
     * Every IPv4 target exactly once, in an order that looks random and depends on {@code seed},
     * without materialising the list: O(1) memory whatever the size.
     */
    public AddressPermutation permutation(long seed) {
        return new AddressPermutation(this, seed);
    }

    /** Every IPv6 target exactly once, in an order that looks random and depends on {@code seed}; O(1) memory. */
    public Ipv6Permutation ipv6Permutation(long seed) {
        return new Ipv6Permutation(this, seed);
    }

    /** The included IPv4 ranges as given (before merging and exclusion). */
    public List<Cidr> includes() {
        return includes;
    }

    /** The excluded IPv4 ranges as given. */
    public List<Cidr> excludes() {
        return excludes;
    }

    /** The included IPv6 prefixes as given (before merging and exclusion). */
    public List<Cidr6> ipv6Includes() {
        return includes6;
    }

    /** The excluded IPv6 prefixes as given. */
    public List<Cidr6> ipv6Excludes() {
        return excludes6;
    }

    /** The shortest prefix among the included IPv4 ranges (32 when there are none). */
    public int widestPrefix() {
        int w = 32;
        for (Cidr c : includes) {
            w = Math.min(w, c.prefixLength());
        }
        return w;
    }

    /** Number of disjoint address intervals of both families after merging and exclusion. */
    public int intervalCount() {
        return starts.length + v6.intervalCount();
    }

    @Override
    public String toString() {
        List<Object> in = new ArrayList<>(includes);
        in.addAll(includes6);
        List<Object> out = new ArrayList<>(excludes);
        out.addAll(excludes6);
        return "TargetSet" + in + (out.isEmpty() ? "" : " minus " + out) + " (" + size() + " addresses)";
    }

    /** Collects ranges and exclusions; not thread-safe. */
    public static final class Builder {
        private final List<Cidr> includes = new ArrayList<>();
        private final List<Cidr> excludes = new ArrayList<>();
        private final List<Cidr6> includes6 = new ArrayList<>();
        private final List<Cidr6> excludes6 = new ArrayList<>();

        private Builder() {}

        /**
         * Adds a range or address of either family given as text (text with a {@code ':'} is
         * IPv6).
         *
         * @throws InvalidTargetException when it is malformed, or an IPv6 prefix that is not swept
         *     (see the class comment)
         */
        public Builder include(String target) {
            if (isIpv6(target)) {
                return include(Cidr6.parse(target), target);
            }
            return include(Cidr.parse(target));
        }

        /** Adds an IPv4 range. */
        public Builder include(Cidr range) {
            includes.add(range);
            return this;
        }

        /**
         * Adds an IPv6 prefix.
         *
         * @throws InvalidTargetException when it is wider than /112, multicast, link-local or IPv4-mapped
         */
        public Builder include(Cidr6 range) {
            return include(range, range.toString());
        }

        private Builder include(Cidr6 range, String asGiven) {
            checkSweepable(range, asGiven);
            includes6.add(range);
            return this;
        }

        /** Removes a range or address of either family given as text from the set. */
        public Builder exclude(String target) {
            if (isIpv6(target)) {
                return exclude(Cidr6.parse(target));
            }
            return exclude(Cidr.parse(target));
        }

        /** Removes an IPv4 range. */
        public Builder exclude(Cidr range) {
            excludes.add(range);
            return this;
        }

        /** Removes an IPv6 prefix of any width. */
        public Builder exclude(Cidr6 range) {
            excludes6.add(range);
            return this;
        }

        public TargetSet build() {
            long[][] inc = new long[includes.size()][];
            for (int i = 0; i < inc.length; i++) {
                Cidr c = includes.get(i);
                inc[i] = new long[] {Ipv4.toUnsigned(c.firstHost()), Ipv4.toUnsigned(c.lastHost())};
            }
            List<long[]> merged = merge(inc);
            long[][] exc = new long[excludes.size()][];
            for (int i = 0; i < exc.length; i++) {
                Cidr c = excludes.get(i);
                exc[i] = new long[] {Ipv4.toUnsigned(c.network()), Ipv4.toUnsigned(c.lastAddress())};
            }
            List<long[]> cut = merge(exc);
            List<long[]> result = subtract(merged, cut);
            long[] s = new long[result.size()];
            long[] e = new long[result.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = result.get(i)[0];
                e[i] = result.get(i)[1];
            }
            return new TargetSet(s, e, includes, excludes, includes6, excludes6);
        }

        private static List<long[]> merge(long[][] ranges) {
            long[][] sorted = ranges.clone();
            Arrays.sort(sorted, (a, b) -> Long.compare(a[0], b[0]));
            List<long[]> out = new ArrayList<>();
            for (long[] r : sorted) {
                if (!out.isEmpty() && r[0] <= out.getLast()[1] + 1) {
                    out.getLast()[1] = Math.max(out.getLast()[1], r[1]);
                } else {
                    out.add(new long[] {r[0], r[1]});
                }
            }
            return out;
        }

        private static List<long[]> subtract(List<long[]> from, List<long[]> cut) {
            List<long[]> out = new ArrayList<>();
            int j = 0;
            for (long[] r : from) {
                long lo = r[0];
                long hi = r[1];
                while (j < cut.size() && cut.get(j)[1] < lo) {
                    j++;
                }
                int k = j;
                while (lo <= hi && k < cut.size() && cut.get(k)[0] <= hi) {
                    long[] c = cut.get(k);
                    if (c[0] > lo) {
                        out.add(new long[] {lo, c[0] - 1});
                    }
                    lo = Math.max(lo, c[1] + 1);
                    k++;
                }
                if (lo <= hi) {
                    out.add(new long[] {lo, hi});
                }
            }
            return out;
        }
    }

    /** True when {@code target} is written as IPv6 (it has a {@code ':'}); IPv4 text never does. */
    public static boolean isIpv6(String target) {
        return target != null && target.indexOf(':') >= 0;
    }

    /**
     * Refuses an IPv6 prefix a sweep cannot or should not probe, saying why and what to use
     * instead.
     *
     * @throws InvalidTargetException naming {@code asGiven}
     */
    static void checkSweepable(Cidr6 range, String asGiven) {
        if (Ipv6.isMulticast(range.high())) {
            throw new InvalidTargetException(asGiven, "is multicast (ff00::/8), which a sweep does not probe; to find "
                    + "the hosts of a link, use on-link discovery (" + DISCOVERY_HINT + ")");
        }
        if (range.prefixLength() < IPV6_MIN_PREFIX_LENGTH) {
            int hostBits = 128 - range.prefixLength();
            throw new InvalidTargetException(asGiven, "/" + range.prefixLength() + " holds 2^" + hostBits
                    + " addresses, too many to sweep: IPv6 prefixes of at most 65,536 addresses (/112 or narrower) "
                    + "are swept; find the hosts of a wider on-link network with on-link discovery (" + DISCOVERY_HINT + ")");
        }
        if (Ipv6.isLinkLocal(range.high())) {
            throw new InvalidTargetException(asGiven, "is link-local (fe80::/10), which needs an interface to reach; "
                    + "use on-link discovery (" + DISCOVERY_HINT + ")");
        }
        if (range.high() == 0 && (range.low() >>> 32) == 0xFFFFL) {
            throw new InvalidTargetException(asGiven, "is an IPv4-mapped address (::ffff:0:0/96); write the IPv4 address "
                    + Ipv4.format((int) range.low()) + (range.prefixLength() < 128 ? "/" + (range.prefixLength() - 96) : "")
                    + " instead");
        }
    }

    /** Where the on-link discovery settings are, for messages. */
    static final String DISCOVERY_HINT = "the discovery.interfaces setting: all-nodes multicast echo and the neighbour table";
}
