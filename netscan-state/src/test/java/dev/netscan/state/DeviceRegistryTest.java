package dev.netscan.state;

import static dev.netscan.core.Ipv4.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.Device;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeviceRegistryTest {
    static final long T0 = 1_700_000_000_000L;
    final ManualClock clock = new ManualClock(T0);
    final RecordingListener events = new RecordingListener();

    DeviceRegistry.Builder builder() {
        return DeviceRegistry.builder().clock(clock).listener(events).expiryTimer(false);
    }

    @Test
    void addReturnsTrueOnlyForNewDevicesAndTouchesKnownOnes() {
        DeviceRegistry r = builder().build();
        int a = parse("10.0.0.1");
        assertThat(r.add(a)).isTrue();
        clock.advanceMillis(500);
        assertThat(r.add(a)).isFalse();
        assertThat(r.size()).isEqualTo(1);
        Device d = r.get(a);
        assertThat(d.firstSeenEpochMillis()).isEqualTo(T0);
        assertThat(d.lastSeenEpochMillis()).isEqualTo(T0 + 500);
        assertThat(d.snmp()).isEqualTo(SnmpInfo.UNKNOWN);
        assertThat(events.drain()).containsExactly("added 10.0.0.1");
        r.checkInvariants();
    }

    @Test
    void getReturnsNullForUnknownAndAnImmutableSnapshotThatLaterChangesDoNotAlter() {
        DeviceRegistry r = builder().build();
        int a = parse("192.168.1.7");
        assertThat(r.get(a)).isNull();
        assertThat(r.lastSeen(a)).isEqualTo(DeviceRegistry.NOT_FOUND);
        assertThat(r.failureStreak(a)).isEqualTo(-1);
        assertThat(r.contains(a)).isFalse();
        r.add(a);
        Device before = r.get(a);
        assertThat(r.get(a)).isSameAs(before); // unchanged device: cached, no allocation
        clock.advanceMillis(10);
        r.touch(a);
        r.recordPingFailure(a);
        assertThat(before.lastSeenEpochMillis()).isEqualTo(T0);
        assertThat(before.failureStreak()).isZero();
        Device after = r.get(a);
        assertThat(after).isNotSameAs(before);
        assertThat(after.lastSeenEpochMillis()).isEqualTo(T0 + 10);
        assertThat(after.failureStreak()).isEqualTo(1);
        assertThat(r.lastSeen(a)).isEqualTo(T0 + 10);
        assertThat(r.contains(a)).isTrue();
    }

    @Test
    void touchMovesLastSeenForwardOnlyAndIgnoresUnknownDevices() {
        DeviceRegistry r = builder().build();
        int a = parse("10.0.0.1");
        r.add(a);
        clock.advanceMillis(100);
        r.touch(a);
        assertThat(r.lastSeen(a)).isEqualTo(T0 + 100);
        clock.set(T0 + 50); // wall clock stepped back
        r.touch(a);
        assertThat(r.lastSeen(a)).isEqualTo(T0 + 100);
        long mod = r.modCount();
        r.touch(parse("10.0.0.2"));
        assertThat(r.contains(parse("10.0.0.2"))).isFalse();
        assertThat(r.modCount()).isEqualTo(mod);
        r.checkInvariants();
    }

    @Test
    void callerSuppliedTimesAreUsedAndNeverMoveLastSeenBack() {
        DeviceRegistry r = builder().failureThreshold(1).build();
        int a = parse("10.0.0.1");
        assertThat(r.add(a, T0 + 1_000)).isTrue();
        assertThat(r.lastSeen(a)).isEqualTo(T0 + 1_000);
        r.touch(a, T0 + 500);
        r.recordPingSuccess(a, T0 + 700);
        assertThat(r.lastSeen(a)).isEqualTo(T0 + 1_000);
        r.recordPingSuccess(a, T0 + 2_000);
        assertThat(r.lastSeen(a)).isEqualTo(T0 + 2_000);
        assertThat(r.recordPingFailure(a, T0 + 3_000)).isTrue();
        assertThat(r.get(a).suspendedUntilEpochMillis()).isEqualTo(T0 + 3_000 + Duration.ofMinutes(5).toMillis());
        assertThat(r.lastSeen(a)).as("a failure is not a sighting").isEqualTo(T0 + 2_000);
        r.checkInvariants();
    }

    @Test
    void evictsLeastRecentlySeenWhenFull() {
        DeviceRegistry r = builder().maxDevices(3).build();
        int a = parse("10.0.0.1"), b = parse("10.0.0.2"), c = parse("10.0.0.3");
        r.add(a);
        clock.advanceMillis(1);
        r.add(b);
        clock.advanceMillis(1);
        r.add(c);
        clock.advanceMillis(1);
        r.recordPingSuccess(a); // a is now the most recent; b the least
        clock.advanceMillis(1);
        events.drain();
        assertThat(r.add(parse("10.0.0.4"))).isTrue();
        assertThat(r.contains(b)).isFalse();
        clock.advanceMillis(1);
        r.add(parse("10.0.0.5"));
        assertThat(r.contains(c)).isFalse();
        assertThat(r.size()).isEqualTo(3);
        assertThat(events.drain()).containsExactly(
                "evicted 10.0.0.2", "added 10.0.0.4", "evicted 10.0.0.3", "added 10.0.0.5");
        r.checkInvariants();
    }

    @Test
    void evictionAlwaysPicksTheMinimumLastSeenAgainstAModel() {
        int max = 200;
        DeviceRegistry r = builder().maxDevices(max).build();
        Int2LongOpenHashMap model = new Int2LongOpenHashMap();
        SplittableRandom rnd = new SplittableRandom(42);
        for (int op = 0; op < 50_000; op++) {
            clock.advanceMillis(1); // distinct times: the least recently seen is unique
            int ip = 0x0A000000 + rnd.nextInt(600);
            switch (rnd.nextInt(4)) {
                case 0, 1 -> {
                    boolean known = model.containsKey(ip);
                    if (!known && model.size() == max) {
                        int oldest = oldest(model);
                        model.remove(oldest);
                    }
                    model.put(ip, clock.getAsLong());
                    assertThat(r.add(ip)).isEqualTo(!known);
                }
                case 2 -> {
                    r.touch(ip);
                    if (model.containsKey(ip)) {
                        model.put(ip, clock.getAsLong());
                    }
                }
                default -> {
                    r.remove(ip);
                    model.remove(ip);
                }
            }
            assertThat(r.size()).isEqualTo(model.size());
        }
        for (var e : model.int2LongEntrySet()) {
            assertThat(r.lastSeen(e.getIntKey())).isEqualTo(e.getLongValue());
        }
        r.checkInvariants();
    }

    @Test
    void evictionPicksAMinimumLastSeenWhenSuppliedTimesArriveOutOfOrderAndTie() {
        int max = 150;
        RecordingListener evictions = new RecordingListener();
        DeviceRegistry r = DeviceRegistry.builder().clock(clock).listener(evictions).expiryTimer(false)
                .maxDevices(max).build();
        Int2LongOpenHashMap model = new Int2LongOpenHashMap();
        SplittableRandom rnd = new SplittableRandom(7);
        long now = T0;
        for (int op = 0; op < 50_000; op++) {
            now += rnd.nextInt(2); // many ties
            // mostly in order; some late timestamps, a few far in the past
            long t = switch (rnd.nextInt(8)) {
                case 0 -> now - rnd.nextInt(100);
                case 1 -> now - rnd.nextLong(1_000_000);
                default -> now;
            };
            int ip = 0x0A000000 + rnd.nextInt(500);
            switch (rnd.nextInt(5)) {
                case 0, 1 -> {
                    boolean known = model.containsKey(ip);
                    long min = known || model.size() < max ? 0 : model.values().longStream().min().orElseThrow();
                    evictions.drain();
                    assertThat(r.add(ip, t)).isEqualTo(!known);
                    if (known) {
                        model.put(ip, Math.max(model.get(ip), t));
                    } else {
                        if (min != 0) {
                            List<String> ev = evictions.drain();
                            assertThat(ev).hasSize(2).first().asString().startsWith("evicted ");
                            int gone = parse(ev.get(0).substring("evicted ".length()));
                            assertThat(model.get(gone)).as("evicted a least recently seen device").isEqualTo(min);
                            model.remove(gone);
                        }
                        model.put(ip, t);
                    }
                }
                case 2 -> {
                    r.recordPingSuccess(ip, t);
                    if (model.containsKey(ip)) {
                        model.put(ip, Math.max(model.get(ip), t));
                    }
                }
                case 3 -> {
                    r.remove(ip);
                    model.remove(ip);
                }
                default -> {
                    if (rnd.nextInt(50) == 0) {
                        long cutoff = now - rnd.nextInt(200);
                        r.prune(cutoff);
                        model.int2LongEntrySet().removeIf(e -> e.getLongValue() < cutoff);
                    } else {
                        r.touch(ip, t);
                        if (model.containsKey(ip)) {
                            model.put(ip, Math.max(model.get(ip), t));
                        }
                    }
                }
            }
            assertThat(r.size()).isEqualTo(model.size());
            if (op % 5_000 == 0) {
                r.checkInvariants();
            }
        }
        for (var e : model.int2LongEntrySet()) {
            assertThat(r.lastSeen(e.getIntKey())).isEqualTo(e.getLongValue());
        }
        r.checkInvariants();
    }

    private static int oldest(Int2LongOpenHashMap model) {
        int best = 0;
        long t = Long.MAX_VALUE;
        for (var e : model.int2LongEntrySet()) {
            if (e.getLongValue() < t) {
                t = e.getLongValue();
                best = e.getIntKey();
            }
        }
        return best;
    }

    @Test
    void suspendsAfterThresholdConsecutiveFailures() {
        DeviceRegistry r = builder().failureThreshold(3).build();
        int a = parse("10.0.0.9");
        r.add(a);
        events.drain();
        assertThat(r.recordPingFailure(a)).isFalse();
        assertThat(r.recordPingFailure(a)).isFalse();
        long mod = r.modCount();
        assertThat(r.recordPingFailure(a)).isTrue();
        assertThat(r.modCount()).isGreaterThan(mod);
        assertThat(r.isSuspended(a)).isTrue();
        assertThat(r.suspendedCount()).isEqualTo(1);
        long until = T0 + Duration.ofMinutes(5).toMillis();
        assertThat(r.suspendedUntil(a)).isEqualTo(until);
        assertThat(r.get(a).suspendedUntilEpochMillis()).isEqualTo(until);
        assertThat(r.get(a).suspensions()).isEqualTo(1);
        // further failures while suspended do not suspend again
        assertThat(r.recordPingFailure(a)).isFalse();
        assertThat(r.failureStreak(a)).isEqualTo(4);
        assertThat(r.suspendedCount()).isEqualTo(1);
        assertThat(events.drain()).containsExactly("suspended 10.0.0.9 until " + until + " #1");
        assertThat(r.recordPingFailure(parse("10.9.9.9"))).isFalse();
        r.checkInvariants();
    }

    @Test
    void successBetweenFailuresResetsTheStreak() {
        DeviceRegistry r = builder().failureThreshold(3).build();
        int a = parse("10.0.0.9");
        r.add(a);
        r.recordPingFailure(a);
        r.recordPingFailure(a);
        r.recordPingSuccess(a);
        assertThat(r.failureStreak(a)).isZero();
        assertThat(r.recordPingFailure(a)).isFalse();
        assertThat(r.recordPingFailure(a)).isFalse();
        assertThat(r.suspendedCount()).isZero();
    }

    @Test
    void backoffDoublesOnRepeatedSuspensionUpToTheCap() {
        DeviceRegistry r = builder().failureThreshold(2).suspendBase(Duration.ofMinutes(5))
                .suspendMax(Duration.ofMinutes(35)).build();
        int a = parse("10.0.0.9");
        r.add(a);
        r.recordPingFailure(a);
        long[] expectedMinutes = {5, 10, 20, 35, 35};
        for (int i = 0; i < expectedMinutes.length; i++) {
            long now = clock.getAsLong();
            assertThat(r.recordPingFailure(a)).as("suspension %d", i + 1).isTrue();
            assertThat(r.suspendedUntil(a)).isEqualTo(now + Duration.ofMinutes(expectedMinutes[i]).toMillis());
            assertThat(r.get(a).suspensions()).isEqualTo(i + 1);
            clock.set(r.get(a).suspendedUntilEpochMillis()); // ends exactly now: half-open
            assertThat(r.processExpiries()).isEqualTo(1);
            assertThat(r.isSuspended(a)).isFalse();
        }
        // a success closes the breaker and forgets the doubling
        r.recordPingSuccess(a);
        r.recordPingFailure(a);
        long now = clock.getAsLong();
        assertThat(r.recordPingFailure(a)).isTrue();
        assertThat(r.suspendedUntil(a)).isEqualTo(now + Duration.ofMinutes(5).toMillis());
        r.checkInvariants();
    }

    @Test
    void successEndsASuspensionAndTellsTheListener() {
        DeviceRegistry r = builder().failureThreshold(1).build();
        int a = parse("10.0.0.9");
        r.add(a);
        r.recordPingFailure(a);
        events.drain();
        clock.advanceMillis(1_000);
        r.recordPingSuccess(a);
        assertThat(r.isSuspended(a)).isFalse();
        assertThat(r.suspendedCount()).isZero();
        assertThat(r.get(a).suspendedUntilEpochMillis()).isZero();
        assertThat(r.get(a).suspensions()).isZero();
        assertThat(r.lastSeen(a)).isEqualTo(T0 + 1_000);
        assertThat(events.drain()).containsExactly("resumed 10.0.0.9 success");
        r.checkInvariants();
    }

    @Test
    void suspendedCountDropsExactlyWhenEachSuspensionEnds() {
        DeviceRegistry r = builder().failureThreshold(1).suspendBase(Duration.ofSeconds(10)).build();
        int[] ips = new int[5];
        for (int i = 0; i < ips.length; i++) {
            ips[i] = 0x0A000001 + i;
            r.add(ips[i]);
            r.recordPingFailure(ips[i]); // suspended until T0 + i*1000 + 10_000
            clock.advanceMillis(1_000);
        }
        assertThat(r.suspendedCount()).isEqualTo(5);
        events.drain();
        for (int i = 0; i < ips.length; i++) {
            long end = T0 + i * 1_000L + 10_000;
            clock.set(end - 1);
            r.processExpiries();
            assertThat(r.suspendedCount()).as("1 ms before end %d", i).isEqualTo(5 - i);
            assertThat(r.isSuspended(ips[i])).isTrue();
            clock.set(end);
            assertThat(r.isSuspended(ips[i])).as("isSuspended reads the clock itself").isFalse();
            r.processExpiries();
            assertThat(r.suspendedCount()).as("at end %d", i).isEqualTo(5 - i - 1);
        }
        assertThat(events.drain()).containsExactly("resumed 10.0.0.1 expired", "resumed 10.0.0.2 expired",
                "resumed 10.0.0.3 expired", "resumed 10.0.0.4 expired", "resumed 10.0.0.5 expired");
        r.checkInvariants();
    }

    @Test
    void anyOperationAppliesSuspensionsThatEnded() {
        DeviceRegistry r = builder().failureThreshold(1).suspendBase(Duration.ofSeconds(1)).build();
        int a = parse("10.0.0.1"), b = parse("10.0.0.2");
        r.add(a);
        r.add(b);
        r.recordPingFailure(a);
        clock.advanceMillis(1_000);
        r.touch(b); // unrelated device
        assertThat(r.suspendedCount()).isZero();
        assertThat(r.get(a).suspendedUntilEpochMillis()).isZero();
    }

    @Test
    void expiryTimerEndsASuspensionOnTimeWithNoOtherCall() throws Exception {
        try (DeviceRegistry r = DeviceRegistry.builder().failureThreshold(1).suspendBase(Duration.ofMillis(200))
                .listener(events).build()) {
            int a = parse("10.0.0.1");
            r.add(a);
            long before = System.currentTimeMillis();
            assertThat(r.recordPingFailure(a)).isTrue();
            long until = r.get(a).suspendedUntilEpochMillis();
            assertThat(until).isBetween(before + 200, System.currentTimeMillis() + 200);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (r.suspendedCount() != 0) {
                assertThat(System.currentTimeMillis()).as("count still 1 after the end").isLessThan(until + 5_000);
                assertThat(System.nanoTime()).as("deadline").isLessThan(deadline);
                Thread.onSpinWait();
            }
            long observed = System.currentTimeMillis();
            assertThat(observed).as("count must not drop before the suspension ends").isGreaterThanOrEqualTo(until);
            assertThat(events.drain()).contains("resumed 10.0.0.1 expired");
        }
    }

    @Test
    void closeIsIdempotentAndTheRegistryStaysUsable() {
        DeviceRegistry r = DeviceRegistry.builder().failureThreshold(1).build();
        r.add(1);
        r.recordPingFailure(1);
        r.close();
        r.close();
        assertThat(r.isSuspended(1)).isTrue();
        r.recordPingSuccess(1);
        assertThat(r.suspendedCount()).isZero();
    }

    @Test
    void pruneNotSeenForReadsTheInjectedClock() {
        DeviceRegistry r = builder().build();
        r.add(0x0A000001);
        clock.advanceMillis(60_000);
        r.add(0x0A000002);
        assertThat(r.pruneNotSeenFor(Duration.ofMinutes(2)).toIntArray()).isEmpty();
        clock.advanceMillis(60_001); // the first was seen 2 min + 1 ms ago by the fake clock, whatever the wall clock says
        assertThat(r.pruneNotSeenFor(Duration.ofMinutes(2)).toIntArray()).containsExactly(0x0A000001);
        assertThat(r.contains(0x0A000002)).isTrue();
        r.checkInvariants();
    }

    @Test
    void pruneRemovesDevicesNotSeenSinceAndSaysWhich() {
        DeviceRegistry r = builder().failureThreshold(1).build();
        for (int i = 0; i < 10; i++) {
            r.add(0x0A000000 + i);
            clock.advanceMillis(10);
        }
        r.recordPingFailure(0x0A000001); // suspended, then pruned: count must follow
        r.touch(0x0A000000);             // seen again: survives
        events.drain();
        long mod = r.modCount();
        var pruned = r.prune(T0 + 50);
        assertThat(pruned.toIntArray()).containsExactly(0x0A000001, 0x0A000002, 0x0A000003, 0x0A000004);
        assertThat(r.size()).isEqualTo(6);
        assertThat(r.suspendedCount()).isZero();
        assertThat(r.contains(0x0A000000)).isTrue();
        assertThat(r.modCount()).isGreaterThan(mod);
        assertThat(events.drain()).containsExactly("pruned 10.0.0.1", "pruned 10.0.0.2", "pruned 10.0.0.3", "pruned 10.0.0.4");
        assertThat(r.prune(T0).toIntArray()).isEmpty();
        r.checkInvariants();
    }

    @Test
    void removeForgetsTheDeviceAndItsSuspension() {
        DeviceRegistry r = builder().failureThreshold(1).build();
        r.add(1);
        r.add(2);
        r.add(3);
        r.recordPingFailure(1);
        r.recordPingFailure(3);
        events.drain();
        assertThat(r.remove(1)).isTrue();
        assertThat(r.remove(1)).isFalse();
        assertThat(r.size()).isEqualTo(2);
        assertThat(r.suspendedCount()).isEqualTo(1);
        assertThat(r.isSuspended(3)).isTrue(); // the moved slot kept its suspension
        assertThat(events.drain()).containsExactly("removed 0.0.0.1");
        r.checkInvariants();
    }

    @Test
    void addressesFillsAReusableListAndModCountTracksMembership() {
        DeviceRegistry r = builder().failureThreshold(1).build();
        IntArrayList into = new IntArrayList(new int[] {99, 98, 97, 96, 95, 94});
        long m0 = r.modCount();
        r.add(5);
        r.add(6);
        r.add(7);
        long m1 = r.modCount();
        assertThat(m1).isNotEqualTo(m0);
        assertThat(r.addresses(into)).isEqualTo(3);
        assertThat(into.toIntArray()).containsExactlyInAnyOrder(5, 6, 7);
        r.touch(5);
        r.updateSnmp(6, new SnmpInfo("sw1", null, null, 5, null, null));
        r.add(7);
        assertThat(r.modCount()).as("no membership/suspension change").isEqualTo(m1);
        r.remove(6);
        assertThat(r.modCount()).isNotEqualTo(m1);
        assertThat(r.addresses(into)).isEqualTo(2);
        assertThat(into.toIntArray()).containsExactlyInAnyOrder(5, 7);
        int[] small = new int[1];
        assertThat(r.copyAddresses(small)).isEqualTo(2);
        assertThat(small[0]).isIn(5, 7);
        int[] big = new int[4];
        assertThat(r.copyAddresses(big)).isEqualTo(2);
        assertThat(new int[] {big[0], big[1]}).containsExactlyInAnyOrder(5, 7);
    }

    @Test
    void updateSnmpStoresIdentityAndMarksSeen() {
        DeviceRegistry r = builder().build();
        int a = parse("10.1.1.1");
        r.add(a);
        clock.advanceMillis(2_000);
        SnmpInfo info = new SnmpInfo("core-sw", "Cisco IOS", "1.3.6.1.4.1.9.1.1", 12345, "noc", "rack 4");
        r.updateSnmp(a, info);
        Device d = r.get(a);
        assertThat(d.snmp()).isEqualTo(info);
        assertThat(d.snmpUpdatedEpochMillis()).isEqualTo(T0 + 2_000);
        assertThat(d.lastSeenEpochMillis()).isEqualTo(T0 + 2_000);
        r.updateSnmp(parse("10.1.1.2"), info); // unknown: ignored
        assertThat(r.size()).isEqualTo(1);
        assertThatThrownBy(() -> r.updateSnmp(a, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void updateStatsStoresTheWindowAndRefusesStatsOfAnotherDevice() {
        DeviceRegistry r = builder().build();
        int a = parse("10.1.1.1");
        r.add(a);
        PingStats s = new PingStats(a, 1L, 2L, 10, 9, 10.0, 0.1, 0.2, 0.3, 0.05, 0.01, 0.29);
        r.updateStats(a, s);
        assertThat(r.get(a).lastStats()).isEqualTo(s);
        assertThat(r.get(a).lastSeenEpochMillis()).isEqualTo(T0);
        PingStats other = new PingStats(parse("10.1.1.2"), 1L, 2L, 10, 9, 10.0, 0.1, 0.2, 0.3, 0.05, 0.01, 0.29);
        assertThatThrownBy(() -> r.updateStats(a, other))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10.1.1.2").hasMessageContaining("10.1.1.1");
    }

    @Test
    void snapshotListsEveryDeviceImmutably() {
        DeviceRegistry r = builder().build();
        for (int i = 0; i < 100; i++) {
            r.add(0x0A000000 + i);
        }
        List<Device> all = r.snapshot();
        assertThat(all).hasSize(100);
        assertThat(all).extracting(Device::ipv4).doesNotHaveDuplicates();
        assertThatThrownBy(() -> all.add(all.get(0))).isInstanceOf(UnsupportedOperationException.class);
        r.add(0x0B000000);
        assertThat(all).hasSize(100);
    }

    @Test
    void builderReportsEveryProblemAtOnce() {
        assertThatThrownBy(() -> DeviceRegistry.builder().maxDevices(0).failureThreshold(0)
                .suspendBase(Duration.ZERO).clock(null).listener(null).build())
                .isInstanceOfSatisfying(dev.netscan.core.InvalidConfigException.class, e -> assertThat(e.messages())
                        .containsExactly("maxDevices: must be between 1 and 16777216, was 0",
                                "failureThreshold: must be at least 1, was 0",
                                "suspendBase: must be at least 1ms, was 0s",
                                "clock: is required",
                                "listener: is required (use RegistryListener.NONE)"));
        assertThatThrownBy(() -> DeviceRegistry.builder().suspendBase(Duration.ofHours(2)).suspendMax(Duration.ofHours(1)).build())
                .hasMessageContaining("suspendMax: must be at least suspendBase (PT2H), was PT1H");
        assertThatThrownBy(() -> DeviceRegistry.builder().suspendMax(Duration.ofDays(1000)).build())
                .hasMessageContaining("suspendMax: must be between 0s and 8760h, was 24000h");
        DeviceRegistry r = DeviceRegistry.builder().build();
        assertThat(r.maxDevices()).isEqualTo(20_000);
    }

    @Test
    void aThrowingListenerIsCountedAndTheChangeStands() {
        DeviceRegistry r = DeviceRegistry.builder().expiryTimer(false).listener(new RegistryListener() {
            @Override
            public void onAdded(int ipv4) {
                throw new IllegalStateException("boom");
            }
        }).build();
        assertThat(r.add(1)).isTrue();
        assertThat(r.contains(1)).isTrue();
        assertThat(r.listenerFailures()).isEqualTo(1);
        r.checkInvariants();
    }

    @Test
    void evictingASuspendedDeviceKeepsTheCountExact() {
        DeviceRegistry r = builder().maxDevices(2).failureThreshold(1).build();
        r.add(1);
        clock.advanceMillis(1);
        r.add(2);
        r.recordPingFailure(1);
        assertThat(r.suspendedCount()).isEqualTo(1);
        clock.advanceMillis(1);
        r.add(3); // evicts 1, the least recently seen
        assertThat(r.contains(1)).isFalse();
        assertThat(r.suspendedCount()).isZero();
        r.checkInvariants();
    }

    @Test
    void holdsAMillionDevicesAndEvictsInOrder() {
        DeviceRegistry r = DeviceRegistry.builder().clock(clock).expiryTimer(false).maxDevices(1_000_000).build();
        for (int i = 0; i < 1_000_000; i++) {
            r.add(i);
            if ((i & 1023) == 1023) {
                clock.advanceMillis(1);
            }
        }
        assertThat(r.size()).isEqualTo(1_000_000);
        clock.advanceMillis(1);
        r.add(2_000_000);
        int firstMillisecondLeft = 0;
        for (int i = 0; i < 1024; i++) {
            firstMillisecondLeft += r.contains(i) ? 1 : 0;
        }
        assertThat(firstMillisecondLeft).as("one of the devices seen in the first millisecond went").isEqualTo(1023);
        assertThat(r.size()).isEqualTo(1_000_000);
        r.checkInvariants();
    }

    @Test
    void holdsIpv6DevicesBesideIpv4OnesAndLetsTheirKeysGoWhenTheyLeave() {
        DeviceRegistry r = builder().maxDevices(3).build();
        dev.netscan.core.AddressBook book = dev.netscan.core.AddressBook.shared();
        int a = r.add(RegistrySnapshotTest.v6("2001:db8:42::a"));
        r.add(0x0A000001);
        int b = r.add(RegistrySnapshotTest.v6("2001:db8:42::b"));
        assertThat(dev.netscan.core.AddressBook.isIpv6Key(a)).isTrue();
        assertThat(r.get(a).address()).isEqualTo("2001:db8:42::a");
        assertThat(r.add(RegistrySnapshotTest.v6("2001:db8:42::a"))).as("same address, same key").isEqualTo(a);
        r.recordPingFailure(b);
        assertThat(r.failureStreak(b)).isEqualTo(1);
        // the book lets an entry go a grace period after nobody holds it; here: still held
        r.remove(a);
        assertThat(book.ipv6(b)).isEqualTo(RegistrySnapshotTest.v6("2001:db8:42::b"));
        r.checkInvariants();
    }

    @Test
    void refusesAClassEKeyTheAddressBookDoesNotKnow() {
        DeviceRegistry r = builder().build();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> r.add(0xFE00_0001))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("254.0.0.1 is in 240.0.0.0/4");
        assertThat(r.size()).isZero();
    }
}
