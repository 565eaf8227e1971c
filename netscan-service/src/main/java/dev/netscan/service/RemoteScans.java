package dev.netscan.service;

import dev.netscan.core.Cidr;
import dev.netscan.core.AddressPermutation;
import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.core.TargetSet;
import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.Lane;
import dev.netscan.discovery.ProbeListener;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Scans asked for over the API, under caps: at most {@code maxConcurrentScans} running across all
 * clients, at most {@code scansPerMinutePerClient} started per client address in any minute,
 * each scan within the configured networks or {@code api.scan_allowed}, at most
 * {@code maxScanAddresses} addresses, {@code maxScanRatePps} probes a second and
 * {@code maxScanDuration} long; results are kept {@code resultTtl} after the scan ends, then
 * forgotten.
 *
 * <p>Order of checks: validation (400) and scope (403) first, which do not count against any cap;
 * then the concurrency cap and the client's rate (429 with the seconds to wait). Only accepted
 * scans count.
 *
 * <p>A scan probes through the service's {@link IcmpEngine} on the sweep lane (so the governor's
 * limits on discovery apply too), paced by its own rate, from one virtual thread. It does not
 * touch the registry: a remote scan answers a question, it does not add devices. Thread-safe;
 * the clock is injectable.
 */
final class RemoteScans implements AutoCloseable {
    private static final SecureRandom IDS = new SecureRandom();

    /** Why a request was refused, with its HTTP status and, for 429, the seconds to wait. */
    record Refusal(int status, String reason, long retryAfterSeconds) {}

    /** A scan's public state. */
    enum State { RUNNING, DONE, CANCELLED }

    /** One remote scan; counters are written by its feeder and the engine's listener, read by anyone. */
    static final class Scan implements ProbeListener {
        final String id;
        final String client;
        final List<String> targets;
        final long addresses;
        final int ratePps;
        final long createdMillis;
        final long deadlineNanos;
        final AtomicLong submitted = new AtomicLong();
        final AtomicLong completed = new AtomicLong();
        final ConcurrentHashMap<Integer, Long> alive = new ConcurrentHashMap<>(); // ipv4 -> rtt nanos
        volatile State state = State.RUNNING;
        volatile String stopReason;
        volatile long finishedMillis;
        volatile boolean cancelled;
        volatile Thread feeder;

        Scan(String id, String client, List<String> targets, long addresses, int ratePps, long createdMillis, long deadlineNanos) {
            this.id = id;
            this.client = client;
            this.targets = targets;
            this.addresses = addresses;
            this.ratePps = ratePps;
            this.createdMillis = createdMillis;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void onResult(PingResult result, int attempts) {
            if (result.success()) {
                alive.put(result.ipv4(), result.rttNanos());
            }
            completed.incrementAndGet();
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        /** The document {@code GET /api/v1/scans/{id}} answers. */
        Map<String, Object> document() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("state", state.name().toLowerCase(java.util.Locale.ROOT));
            if (stopReason != null) {
                m.put("stop_reason", stopReason);
            }
            m.put("targets", targets);
            m.put("addresses", addresses);
            m.put("rate_pps", ratePps);
            m.put("submitted", submitted.get());
            m.put("completed", completed.get());
            m.put("created", java.time.Instant.ofEpochMilli(createdMillis).toString());
            if (finishedMillis > 0) {
                m.put("finished", java.time.Instant.ofEpochMilli(finishedMillis).toString());
            }
            List<Map<String, Object>> found = new ArrayList<>();
            List<Map.Entry<Integer, Long>> sorted = new ArrayList<>(alive.entrySet());
            sorted.sort((a, b) -> Long.compareUnsigned(Ipv4.toUnsigned(a.getKey()), Ipv4.toUnsigned(b.getKey())));
            for (Map.Entry<Integer, Long> e : sorted) {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("address", Ipv4.format(e.getKey()));
                d.put("rtt_ms", e.getValue() / 1e6);
                found.add(d);
            }
            m.put("alive", found);
            return m;
        }
    }

    private final HttpSettings settings;
    private final Supplier<IcmpEngine> engine;
    private final Supplier<TargetSet> networks;
    private final LongSupplier wallMillis;
    private final LongSupplier nanoTime;
    private final Duration probeTimeout;
    private final Map<String, Scan> scans = new ConcurrentHashMap<>();
    /** Start times (wall millis) of accepted scans per client, guarded by {@code this}. */
    private final Map<String, ArrayDeque<Long>> starts = new HashMap<>();
    private volatile boolean closed;

    RemoteScans(HttpSettings settings, Supplier<IcmpEngine> engine, Supplier<TargetSet> networks, Duration probeTimeout,
            LongSupplier wallMillis, LongSupplier nanoTime) {
        this.settings = settings;
        this.engine = engine;
        this.networks = networks;
        this.probeTimeout = probeTimeout;
        this.wallMillis = wallMillis;
        this.nanoTime = nanoTime;
    }

    /** Scans running now. */
    int active() {
        int n = 0;
        for (Scan s : scans.values()) {
            if (s.state == State.RUNNING) {
                n++;
            }
        }
        return n;
    }

    /**
     * Checks a request and starts it, or says why not.
     *
     * @param targets CIDRs or addresses
     * @param ratePps probes a second, or 0 for the cap
     * @param maxDuration the scan's own time bound, or null for the cap
     * @return the scan, or the refusal
     */
    Object submit(String client, List<String> targets, int ratePps, Duration maxDuration) {
        if (closed) {
            return new Refusal(503, "the service is stopping", 0);
        }
        if (targets == null || targets.isEmpty()) {
            return new Refusal(400, "targets: at least one CIDR or address is required", 0);
        }
        if (targets.size() > 256) {
            return new Refusal(400, "targets: at most 256 entries, got " + targets.size(), 0);
        }
        if (ratePps < 0 || ratePps > settings.maxScanRatePps()) {
            return new Refusal(400, "rate_pps: must be between 1 and " + settings.maxScanRatePps() + ", was " + ratePps, 0);
        }
        if (maxDuration != null && (maxDuration.isNegative() || maxDuration.isZero() || maxDuration.compareTo(settings.maxScanDuration()) > 0)) {
            return new Refusal(400, "max_duration_s: must be between 1 and " + settings.maxScanDuration().toSeconds() + " seconds", 0);
        }
        TargetSet set;
        List<Cidr> ranges = new ArrayList<>();
        try {
            TargetSet.Builder b = TargetSet.builder();
            for (String t : targets) {
                if (t == null) {
                    return new Refusal(400, "targets: null entry", 0);
                }
                Cidr c = Cidr.parse(t);
                ranges.add(c);
                b.include(c);
            }
            for (Cidr ex : networks.get().excludes()) {
                b.exclude(ex);
            }
            set = b.build();
        } catch (RuntimeException e) {
            return new Refusal(400, "targets: " + e.getMessage(), 0);
        }
        for (Cidr c : ranges) {
            if (!inScope(c)) {
                return new Refusal(403, "target " + c + " is outside the configured networks and api.scan_allowed", 0);
            }
        }
        if (set.size() > settings.maxScanAddresses()) {
            return new Refusal(400, "targets cover " + set.size() + " addresses; a scan may cover at most " + settings.maxScanAddresses(), 0);
        }
        int rate = ratePps == 0 ? settings.maxScanRatePps() : ratePps;
        Duration bound = maxDuration == null ? settings.maxScanDuration() : maxDuration;
        Scan scan;
        synchronized (this) {
            expire();
            long now = wallMillis.getAsLong();
            if (active() >= settings.maxConcurrentScans()) {
                return new Refusal(429, "at most " + settings.maxConcurrentScans() + " scans run at once; try again later",
                        Math.max(1, Math.min(60, soonestEndSeconds())));
            }
            ArrayDeque<Long> mine = starts.computeIfAbsent(client, k -> new ArrayDeque<>());
            while (!mine.isEmpty() && mine.peekFirst() <= now - 60_000) {
                mine.pollFirst();
            }
            if (mine.size() >= settings.scansPerMinutePerClient()) {
                long wait = (mine.peekFirst() + 60_000 - now + 999) / 1000;
                return new Refusal(429, "at most " + settings.scansPerMinutePerClient() + " scans a minute per client",
                        Math.max(1, wait));
            }
            mine.addLast(now);
            byte[] raw = new byte[8];
            IDS.nextBytes(raw);
            scan = new Scan(HexFormat.of().formatHex(raw), client, List.copyOf(targets), set.size(), rate, now,
                    nanoTime.getAsLong() + bound.toNanos());
            scans.put(scan.id, scan);
        }
        TargetSet fixed = set;
        scan.feeder = Thread.ofVirtual().name("netscan-remote-scan-" + scan.id).start(() -> run(scan, fixed));
        return scan;
    }

    private long soonestEndSeconds() {
        long now = nanoTime.getAsLong();
        long best = Long.MAX_VALUE;
        for (Scan s : scans.values()) {
            if (s.state == State.RUNNING) {
                best = Math.min(best, (s.deadlineNanos - now) / 1_000_000_000L + 1);
            }
        }
        return best == Long.MAX_VALUE ? 1 : best;
    }

    private boolean inScope(Cidr c) {
        for (Cidr n : networks.get().includes()) {
            if (n.contains(c.network()) && n.contains(c.lastAddress())) {
                return true;
            }
        }
        for (Cidr n : settings.scanAllowed()) {
            if (n.contains(c.network()) && n.contains(c.lastAddress())) {
                return true;
            }
        }
        return false;
    }

    private void run(Scan scan, TargetSet set) {
        long timeout = probeTimeout.toNanos();
        long interval = 1_000_000_000L / scan.ratePps;
        long next = nanoTime.getAsLong();
        AddressPermutation order = set.permutation(System.nanoTime());
        try {
            IcmpEngine e = engine.get();
            while (order.hasNext() && !scan.cancelled) {
                long now = nanoTime.getAsLong();
                if (now >= scan.deadlineNanos) {
                    scan.stopReason = "time bound reached";
                    scan.cancelled = true;
                    break;
                }
                if (next > now) {
                    Thread.sleep(Duration.ofNanos(next - now)); // pacing, not synchronisation
                }
                next += interval;
                e.submit(order.nextInt(), timeout, 0, Lane.SWEEP, scan);
                scan.submitted.incrementAndGet();
            }
            // replies to what was sent: the engine answers every probe within the timeout
            long waitUntil = Math.min(scan.deadlineNanos, nanoTime.getAsLong() + timeout + 1_000_000_000L);
            while (!scan.cancelled && scan.completed.get() < scan.submitted.get() && nanoTime.getAsLong() < waitUntil) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            scan.cancelled = true;
        } catch (IllegalStateException e) {
            scan.stopReason = "the ICMP engine closed";
            scan.cancelled = true;
        } finally {
            scan.finishedMillis = wallMillis.getAsLong();
            scan.state = scan.cancelled ? State.CANCELLED : State.DONE;
        }
    }

    /** A scan by id, unless unknown or expired. */
    Optional<Scan> get(String id) {
        synchronized (this) {
            expire();
        }
        return Optional.ofNullable(scans.get(id));
    }

    /** Every scan still kept, newest first. */
    List<Scan> list() {
        synchronized (this) {
            expire();
        }
        List<Scan> all = new ArrayList<>(scans.values());
        all.sort((a, b) -> Long.compare(b.createdMillis, a.createdMillis));
        return all;
    }

    /** Cancels a running scan; false when unknown. */
    boolean cancel(String id) {
        Scan s = scans.get(id);
        if (s == null) {
            return false;
        }
        if (s.state == State.RUNNING) {
            s.stopReason = "cancelled by request";
            s.cancelled = true;
            Thread t = s.feeder;
            if (t != null) {
                t.interrupt();
            }
        }
        return true;
    }

    /** Forgets scans that ended more than {@code resultTtl} ago; caller holds {@code this}. */
    private void expire() {
        long cutoff = wallMillis.getAsLong() - settings.resultTtl().toMillis();
        scans.values().removeIf(s -> s.state != State.RUNNING && s.finishedMillis > 0 && s.finishedMillis <= cutoff);
        starts.values().removeIf(q -> q.isEmpty() || q.peekLast() <= wallMillis.getAsLong() - 60_000);
    }

    @Override
    public void close() {
        closed = true;
        for (Scan s : scans.values()) {
            cancel(s.id);
        }
    }
}
