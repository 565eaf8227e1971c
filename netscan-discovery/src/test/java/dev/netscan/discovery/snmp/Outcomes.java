package dev.netscan.discovery.snmp;

import dev.netscan.core.Ipv4;
import dev.netscan.core.SnmpInfo;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A listener that records every outcome, for tests. */
final class Outcomes implements SnmpListener {
    record Result(int ipv4, SnmpOutcome outcome, SnmpInfo info, String detail) {}

    final BlockingQueue<Result> results = new LinkedBlockingQueue<>();
    final ConcurrentHashMap<Integer, Result> last = new ConcurrentHashMap<>();
    final AtomicInteger completed = new AtomicInteger();

    @Override
    public void onSuccess(int ipv4, SnmpInfo info, long timestampEpochNanos) {
        add(new Result(ipv4, SnmpOutcome.SUCCESS, info, null));
    }

    @Override
    public void onFailure(int ipv4, SnmpOutcome outcome, String detail) {
        add(new Result(ipv4, outcome, null, detail));
    }

    private void add(Result r) {
        last.put(r.ipv4(), r);
        completed.incrementAndGet();
        results.add(r);
    }

    /** The next outcome, or an AssertionError after the timeout. */
    Result next(Duration timeout) throws InterruptedException {
        Result r = results.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no SNMP outcome within " + timeout);
        }
        return r;
    }

    /** The next outcome for this device (others are kept in {@link #last}). */
    Result nextFor(int ipv4, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Result r = left <= 0 ? null : results.poll(left, TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("no SNMP outcome for " + Ipv4.format(ipv4) + " within " + timeout);
            }
            if (r.ipv4() == ipv4) {
                return r;
            }
        }
    }
}
