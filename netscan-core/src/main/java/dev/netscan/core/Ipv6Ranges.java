package dev.netscan.core;

import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The IPv6 part of a {@link TargetSet}: sorted, disjoint, non-adjacent intervals of 128-bit
 * addresses, each with the number of addresses before it, so the {@code i}-th target is found by
 * a binary search. Built once (merging the included prefixes' hosts, then cutting out every
 * excluded prefix); immutable afterwards and thread-safe.
 *
 * <p>Each included prefix holds at most {@link TargetSet#IPV6_MAX_PREFIX_ADDRESSES} addresses, so
 * the counts fit in a {@code long} for any realistic list.
 */
final class Ipv6Ranges {
    static final Ipv6Ranges EMPTY = new Ipv6Ranges(List.of());

    /** Interval starts (high and low halves), ascending by unsigned 128-bit order. */
    private final long[] startHigh;
    private final long[] startLow;
    /** offsets[i] = number of addresses in intervals before i; offsets[length] = size. */
    private final long[] offsets;
    /** Interval ends (inclusive), for {@link #contains}. */
    private final long[] endHigh;
    private final long[] endLow;

    private Ipv6Ranges(List<U128[]> intervals) {
        int n = intervals.size();
        startHigh = new long[n];
        startLow = new long[n];
        endHigh = new long[n];
        endLow = new long[n];
        offsets = new long[n + 1];
        for (int i = 0; i < n; i++) {
            U128[] r = intervals.get(i);
            startHigh[i] = r[0].high;
            startLow[i] = r[0].low;
            endHigh[i] = r[1].high;
            endLow[i] = r[1].low;
            // every interval is a merge of prefixes of at most 2^16 addresses: the span fits in a long
            offsets[i + 1] = offsets[i] + (r[1].low - r[0].low) + 1;
        }
    }

    /** The hosts of {@code includes} minus every address of {@code excludes}. */
    static Ipv6Ranges of(List<Cidr6> includes, List<Cidr6> excludes) {
        if (includes.isEmpty()) {
            return EMPTY;
        }
        List<U128[]> inc = new ArrayList<>();
        for (Cidr6 c : includes) {
            inc.add(new U128[] {new U128(c.high(), c.firstHostLow()), new U128(c.lastHigh(), c.lastLow())});
        }
        List<U128[]> exc = new ArrayList<>();
        for (Cidr6 c : excludes) {
            exc.add(new U128[] {new U128(c.high(), c.low()), new U128(c.lastHigh(), c.lastLow())});
        }
        return new Ipv6Ranges(subtract(merge(inc), merge(exc)));
    }

    long size() {
        return offsets[startHigh.length];
    }

    int intervalCount() {
        return startHigh.length;
    }

    /** True when {@code high}:{@code low} is a target. O(log intervals). */
    boolean contains(long high, long low) {
        int lo = 0;
        int hi = startHigh.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (U128.compare(startHigh[mid], startLow[mid], high, low) > 0) {
                hi = mid - 1;
            } else if (U128.compare(endHigh[mid], endLow[mid], high, low) < 0) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** The {@code index}-th target in ascending order, {@code 0 <= index < size()}. */
    Inet6Address addressAt(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException("index " + index + " outside [0, " + size() + ")");
        }
        int i = Arrays.binarySearch(offsets, index);
        int interval = i >= 0 ? i : -i - 2;
        while (interval + 1 < startHigh.length && offsets[interval + 1] <= index) {
            interval++;
        }
        long delta = index - offsets[interval];
        long low = startLow[interval] + delta;
        long high = startHigh[interval] + (Long.compareUnsigned(low, startLow[interval]) < 0 ? 1 : 0);
        return Ipv6.toAddress(high, low);
    }

    /** Sorts and merges overlapping or adjacent intervals. */
    private static List<U128[]> merge(List<U128[]> ranges) {
        List<U128[]> sorted = new ArrayList<>(ranges);
        sorted.sort((a, b) -> a[0].compareTo(b[0]));
        List<U128[]> out = new ArrayList<>();
        for (U128[] r : sorted) {
            if (!out.isEmpty()) {
                U128[] last = out.getLast();
                if (last[1].isMax() || r[0].compareTo(last[1].plusOne()) <= 0) {
                    if (r[1].compareTo(last[1]) > 0) {
                        last[1] = r[1];
                    }
                    continue;
                }
            }
            out.add(new U128[] {r[0], r[1]});
        }
        return out;
    }

    /** {@code from} minus {@code cut}; both sorted, merged. */
    private static List<U128[]> subtract(List<U128[]> from, List<U128[]> cut) {
        List<U128[]> out = new ArrayList<>();
        int j = 0;
        for (U128[] r : from) {
            U128 lo = r[0];
            U128 hi = r[1];
            while (j < cut.size() && cut.get(j)[1].compareTo(lo) < 0) {
                j++;
            }
            boolean open = true;
            for (int k = j; open && k < cut.size() && cut.get(k)[0].compareTo(hi) <= 0; k++) {
                U128[] c = cut.get(k);
                if (c[0].compareTo(lo) > 0) {
                    out.add(new U128[] {lo, c[0].minusOne()});
                }
                if (c[1].compareTo(hi) >= 0) {
                    open = false; // the cut reaches past this interval's end (maybe to the last address)
                } else if (c[1].compareTo(lo) >= 0) {
                    lo = c[1].plusOne();
                }
            }
            if (open) {
                out.add(new U128[] {lo, hi});
            }
        }
        return out;
    }

    /** An unsigned 128-bit value; build-time only. */
    private record U128(long high, long low) implements Comparable<U128> {
        static int compare(long ah, long al, long bh, long bl) {
            int c = Long.compareUnsigned(ah, bh);
            return c != 0 ? c : Long.compareUnsigned(al, bl);
        }

        @Override
        public int compareTo(U128 o) {
            return compare(high, low, o.high, o.low);
        }

        boolean isMax() {
            return high == -1L && low == -1L;
        }

        U128 plusOne() {
            return low == -1L ? new U128(high + 1, 0) : new U128(high, low + 1);
        }

        U128 minusOne() {
            return low == 0 ? new U128(high - 1, -1L) : new U128(high, low - 1);
        }
    }
}
