package dev.netscan.influx;

import dev.netscan.core.PingResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

/** Deterministic ping results for writer tests, their expected lines, and assertion helpers. */
final class TestPoints {
    private TestPoints() {}

    static final long T0 = 1_700_000_000_000_000_000L;

    /** {@code count} results over {@code devices} devices (10.0.x.y), one second apart per device. */
    static List<PingResult> pings(int count, int devices) {
        List<PingResult> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int dev = i % devices;
            int ip = 0x0A000000 | (dev + 1);
            long ts = T0 + (long) (i / devices) * 1_000_000_000L + dev;
            out.add(i % 7 == 3 ? PingResult.failed(ip, ts, PingResult.Outcome.TIMEOUT)
                    : PingResult.reply(ip, ts, 100_000L + (i % 5_000) * 137L));
        }
        return out;
    }

    static List<String> lines(List<PingResult> pings) {
        LineProtocolEncoder e = new LineProtocolEncoder(Precision.NANOSECONDS, 1 << 16);
        for (PingResult p : pings) Measurements.ping(e, p);
        List<String> out = new ArrayList<>();
        for (String l : e.toString().split("\n")) out.add(l);
        return out;
    }

    /** Asserts nothing was lost and nothing unexpected arrived; duplicates are allowed only as identical lines. */
    static void assertAllDeliveredAllowingIdenticalDuplicates(List<String> expected, List<String> got) {
        Set<String> exp = new LinkedHashSet<>(expected);
        Set<String> seen = new LinkedHashSet<>(got);
        if (!seen.equals(exp)) {
            Set<String> missing = new LinkedHashSet<>(exp);
            missing.removeAll(seen);
            Set<String> extra = new LinkedHashSet<>(seen);
            extra.removeAll(exp);
            throw new AssertionError("missing " + missing.size() + " (e.g. " + missing.stream().limit(3).toList()
                    + "), unexpected " + extra.size() + " (e.g. " + extra.stream().limit(3).toList() + ")");
        }
        // Identity = measurement+tags+timestamp: a duplicate must be the same full line.
        Map<String, String> byIdentity = new HashMap<>();
        for (String l : got) {
            String id = l.substring(0, l.indexOf(' ')) + l.substring(l.lastIndexOf(' '));
            String prev = byIdentity.putIfAbsent(id, l);
            if (prev != null && !prev.equals(l)) throw new AssertionError("same identity, different values: " + prev + " / " + l);
        }
    }

    /** Asserts that, per device (ip tag), lines arrived in offer order. */
    static void assertOrderPerDevice(List<String> got) {
        Map<String, Long> last = new HashMap<>();
        for (String l : got) {
            String key = l.substring(0, l.indexOf(' '));
            long ts = Long.parseLong(l.substring(l.lastIndexOf(' ') + 1));
            Long prev = last.put(key, ts);
            if (prev != null && prev > ts) throw new AssertionError("out of order for " + key + ": " + prev + " then " + ts);
        }
    }

    static void await(Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                Thread.getAllStackTraces().forEach((t, st) -> {
                    if (t.getName().startsWith("netscan-influx")) {
                        System.err.println("thread " + t.getName() + " " + t.getState());
                        for (StackTraceElement e : st) System.err.println("    at " + e);
                    }
                });
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what.get());
            }
            LockSupport.parkNanos(5_000_000L);
        }
    }
}
