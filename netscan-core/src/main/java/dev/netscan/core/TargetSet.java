package dev.netscan.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The IPv4 host addresses to probe: the union of several CIDR ranges minus exclusions, held as
 * sorted disjoint intervals (memory grows with the number of ranges, never with the number of
 * addresses, so a /8 costs a few words).
 *
 * <p>Host addresses follow {@link Cidr}: network and broadcast addresses of included ranges up
 * to /30 are not targets. Exclusions remove every address they cover.
 *
 * <p>Immutable and thread-safe. Build with {@link #builder()} or {@link #of(String...)}.
 */
public final class TargetSet {
    /** Interval starts and ends (inclusive), unsigned, ascending, disjoint and non-adjacent. */
    private final long[] starts;
    private final long[] ends;
    /** offsets[i] = number of addresses in intervals before i; offsets[length] = size. */
    private final long[] offsets;
    private final List<Cidr> includes;
    private final List<Cidr> excludes;

    private TargetSet(long[] starts, long[] ends, List<Cidr> includes, List<Cidr> excludes) {
        this.starts = starts;
        this.ends = ends;
        this.offsets = new long[starts.length + 1];
        for (int i = 0; i < starts.length; i++) {
            offsets[i + 1] = offsets[i] + (ends[i] - starts[i] + 1);
        }
        this.includes = Collections.unmodifiableList(new ArrayList<>(includes));
        this.excludes = Collections.unmodifiableList(new ArrayList<>(excludes));
    }

    /** A set of the given ranges or addresses, with no exclusions. */
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

    /** Number of target addresses. */
    public long size() {
        return offsets[starts.length];
    }

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

    /**
     * The {@code index}-th target in ascending address order.
     *
     * @throws IndexOutOfBoundsException unless {@code 0 <= index < size()}
     */
    public int addressAt(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + " outside [0, " + size() + ")");
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
     * Every target exactly once, in an order that looks random and depends on {@code seed},
     * without materialising the list: O(1) memory whatever the size.
     */
    public AddressPermutation permutation(long seed) {
        return new AddressPermutation(this, seed);
    }

    /** The included ranges as given (before merging and exclusion). */
    public List<Cidr> includes() {
        return includes;
    }

    /** The excluded ranges as given. */
    public List<Cidr> excludes() {
        return excludes;
    }

    /** The shortest prefix among the included ranges (32 when there are none). */
    public int widestPrefix() {
        int w = 32;
        for (Cidr c : includes) {
            w = Math.min(w, c.prefixLength());
        }
        return w;
    }

    /** Number of disjoint address intervals after merging and exclusion. */
    public int intervalCount() {
        return starts.length;
    }

    @Override
    public String toString() {
        return "TargetSet" + includes + (excludes.isEmpty() ? "" : " minus " + excludes) + " (" + size() + " addresses)";
    }

    /** Collects ranges and exclusions; not thread-safe. */
    public static final class Builder {
        private final List<Cidr> includes = new ArrayList<>();
        private final List<Cidr> excludes = new ArrayList<>();

        private Builder() {}

        /** Adds a range or address given as text; throws {@link InvalidTargetException} if malformed. */
        public Builder include(String target) {
            return include(Cidr.parse(target));
        }

        public Builder include(Cidr range) {
            includes.add(range);
            return this;
        }

        /** Removes a range or address given as text from the set. */
        public Builder exclude(String target) {
            return exclude(Cidr.parse(target));
        }

        public Builder exclude(Cidr range) {
            excludes.add(range);
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
            return new TargetSet(s, e, includes, excludes);
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
}
