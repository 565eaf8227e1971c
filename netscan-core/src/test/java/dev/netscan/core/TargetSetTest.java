package dev.netscan.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetSetTest {

    /** Walks the permutation and asserts every target comes out exactly once and nothing else. */
    private static void assertVisitsEachTargetOnce(TargetSet set, long seed) {
        long base = Integer.toUnsignedLong(set.size() == 0 ? 0 : set.addressAt(0));
        long span = set.size() == 0 ? 0 : Integer.toUnsignedLong(set.addressAt(set.size() - 1)) - base + 1;
        BitSet seen = new BitSet((int) span);
        AddressPermutation p = set.permutation(seed);
        long count = 0;
        while (p.hasNext()) {
            int ip = p.nextInt();
            assertThat(set.contains(ip)).as("%s is a target", Ipv4.format(ip)).isTrue();
            int offset = (int) (Integer.toUnsignedLong(ip) - base);
            assertThat(seen.get(offset)).as("%s visited twice", Ipv4.format(ip)).isFalse();
            seen.set(offset);
            count++;
        }
        assertThat(count).isEqualTo(set.size());
        assertThat(seen.cardinality()).isEqualTo((int) set.size());
        assertThat(p.emitted()).isEqualTo(set.size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.1.2.3/32", "10.1.2.2/31", "10.1.2.0/30", "192.168.7.0/24", "172.16.0.0/16"})
    void permutationVisitsEveryHostOfARangeExactlyOnce(String range) {
        TargetSet set = TargetSet.of(range);
        assertThat(set.size()).isEqualTo(Cidr.parse(range).hostCount());
        assertVisitsEachTargetOnce(set, 1);
        assertVisitsEachTargetOnce(set, 987654321L);
    }

    @Test
    void permutationVisitsSeveralRangesMinusExclusionsExactlyOnce() {
        TargetSet set = TargetSet.builder()
                .include("10.0.0.0/24")
                .include("10.0.1.0/24")     // adjacent: merges
                .include("10.0.0.128/25")   // overlapping: merges
                .include("10.0.5.7")
                .include("10.0.8.0/22")
                .exclude("10.0.0.64/26")
                .exclude("10.0.9.0/24")
                .exclude("10.0.1.254")
                .exclude("10.0.1.255")     // not a target (broadcast of 10.0.1.0/24): no effect
                .build();
        long expected = 254 + 254 + 1 + 1022 - 64 - 256 - 1;
        assertThat(set.contains(Ipv4.parse("10.0.1.254"))).isFalse();
        assertThat(set.contains(Ipv4.parse("10.0.1.253"))).isTrue();
        // 10.0.0.255 and 10.0.1.0 stay targets of their own /24s only as hosts: .255 of the first
        // /24 is its broadcast and .0 of the second its network, so neither is a target.
        assertThat(set.size()).isEqualTo(expected);
        assertThat(set.contains(Ipv4.parse("10.0.0.70"))).isFalse();
        assertThat(set.contains(Ipv4.parse("10.0.0.200"))).isTrue();
        assertThat(set.contains(Ipv4.parse("10.0.9.1"))).isFalse();
        assertThat(set.contains(Ipv4.parse("10.0.10.1"))).isTrue();
        assertThat(set.contains(Ipv4.parse("10.0.5.7"))).isTrue();
        assertThat(set.contains(Ipv4.parse("10.0.5.8"))).isFalse();
        assertVisitsEachTargetOnce(set, 7);
    }

    @Test
    void excludingEverythingLeavesAnEmptySet() {
        TargetSet set = TargetSet.builder().include("10.0.0.0/24").exclude("10.0.0.0/16").build();
        assertThat(set.isEmpty()).isTrue();
        assertThat(set.permutation(1).hasNext()).isFalse();
    }

    @Test
    void twoSeedsGiveDifferentOrders() {
        TargetSet set = TargetSet.of("10.20.0.0/24");
        assertThat(order(set, 1)).isNotEqualTo(order(set, 2));
        assertThat(order(set, 1)).isEqualTo(order(set, 1));
    }

    @Test
    void orderLooksRandomNotSequential() {
        List<Integer> o = order(TargetSet.of("10.20.0.0/16"), 99);
        int ascendingSteps = 0;
        for (int i = 1; i < o.size(); i++) {
            if (o.get(i) == o.get(i - 1) + 1) {
                ascendingSteps++;
            }
        }
        assertThat(ascendingSteps).isLessThan(o.size() / 100);
    }

    @Test
    void slash8CostsConstantMemoryAndIndexesCorrectly() {
        TargetSet set = TargetSet.of("10.0.0.0/8");
        assertThat(set.intervalCount()).isEqualTo(1);
        assertThat(set.size()).isEqualTo((1L << 24) - 2);
        AddressPermutation p = set.permutation(5);
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < 10_000; i++) {
            int ip = p.nextInt();
            assertThat(set.contains(ip)).isTrue();
        }
        long idx = r.nextLong(set.size());
        assertThat(set.addressAt(idx)).isEqualTo(Ipv4.parse("10.0.0.1") + (int) idx);
    }

    @Test
    void addressAtRejectsOutOfRange() {
        TargetSet set = TargetSet.of("10.0.0.0/30");
        assertThatThrownBy(() -> set.addressAt(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> set.addressAt(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void reportsWidestPrefix() {
        assertThat(TargetSet.of("10.0.0.0/24", "10.1.0.0/16").widestPrefix()).isEqualTo(16);
    }

    private static List<Integer> order(TargetSet set, long seed) {
        List<Integer> out = new ArrayList<>();
        AddressPermutation p = set.permutation(seed);
        while (p.hasNext()) {
            out.add(p.nextInt());
        }
        return out;
    }
}
