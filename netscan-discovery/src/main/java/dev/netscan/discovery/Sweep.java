package dev.netscan.discovery;

import dev.netscan.core.AddressPermutation;
import dev.netscan.core.Ipv6Permutation;
import dev.netscan.core.PingResult;
import dev.netscan.core.TargetSet;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One discovery sweep: every address of a {@link TargetSet} (that the listener
 * {@linkplain SweepListener#accepts accepts}), visited in its permuted order, probed
 * once (plus retries) through a shared {@link IcmpEngine} on the {@link Lane#SWEEP} lane. Each
 * address that answers is passed to the {@link SweepListener} as soon as it answers; the summary
 * comes from {@link #await()} or {@link #completion()}.
 *
 * <p>Speed is set by the engine (its rate limit and in-flight bound, which the health governor
 * may change while the sweep runs); the sweep only feeds it, from one virtual thread that blocks
 * while the sweep lane is full.
 *
 * <p>Both families: the IPv4 targets are fed first, in their permuted order, then the IPv6
 * targets in theirs (through the engine's ICMPv6 socket; without one each IPv6 probe ends at once
 * as an error). IPv6 answers go to {@link SweepListener#onAliveIpv6}.
 *
 * <p>Size limits: more than 65,536 addresses (anything wider than a /16) needs
 * {@link SweepOptions#allowLarge()}; more than 16,777,216 (wider than a /8) is refused.
 *
 * <p>Cancellation: {@link #cancel()} stops submitting at once; probes already queued in the engine
 * are dropped before sending, and the sweep completes immediately with what it found
 * ({@link SweepSummary#cancelled()} true). Replies that arrive after that are not reported.
 *
 * <p>Thread-safe.
 */
public final class Sweep {
    private final IcmpEngine engine;
    private final TargetSet targets;
    private final SweepOptions options;
    private final SweepListener listener;
    private final long total;
    private final long startNanos;
    private final Probes probes = new Probes();
    private final Probes6 probes6 = new Probes6();
    private final AtomicLong submitted = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong alive = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong lostReplies = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong unreachable = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong listenerErrors = new AtomicLong();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final CompletableFuture<SweepSummary> completion = new CompletableFuture<>();
    private volatile boolean cancelled;
    private volatile boolean fed;
    private volatile Thread feeder;
    /** What ended the feeder early, or null; written by the feeder before {@code fed}. */
    private volatile Throwable feederFailure;

    private Sweep(IcmpEngine engine, TargetSet targets, SweepOptions options, SweepListener listener) {
        this.engine = engine;
        this.targets = targets;
        this.options = options;
        this.listener = listener;
        this.total = targets.size();
        this.startNanos = System.nanoTime();
    }

    /**
     * Checks the size limits and starts feeding the engine.
     *
     * @throws IllegalArgumentException when the target set is wider than a /8, or wider than a /16
     *     without {@code allowLarge}; the message names the set and the limit
     * @throws IllegalStateException when the engine is closed
     */
    public static Sweep start(IcmpEngine engine, TargetSet targets, SweepOptions options, SweepListener listener) {
        if (engine == null || targets == null || options == null || listener == null) {
            throw new IllegalArgumentException("engine, targets, options and listener are required");
        }
        checkSize(targets, options);
        Sweep sweep = new Sweep(engine, targets, options, listener);
        if (sweep.total == 0) {
            sweep.fed = true;
            sweep.finish();
            return sweep;
        }
        sweep.feeder = Thread.ofVirtual().name("netscan-sweep-feeder").start(sweep::feed);
        return sweep;
    }

    /** Validates the size limits without sweeping. */
    public static void checkSize(TargetSet targets, SweepOptions options) {
        long n = targets.size();
        int prefix = targets.widestPrefix();
        if (n > SweepOptions.HARD_LIMIT || prefix < 8) {
            throw new IllegalArgumentException("refusing to sweep " + targets + ": it is wider than a /8 ("
                    + n + " addresses, widest range /" + prefix + "); the limit is a /8 (16777216 addresses)");
        }
        if (!options.allowLarge() && (n > SweepOptions.SMALL_LIMIT || prefix < 16)) {
            throw new IllegalArgumentException("sweeping " + targets + " (" + n + " addresses, widest range /" + prefix
                    + ") needs an explicit opt-in: ranges wider than a /16 require allowLarge");
        }
    }

    private void feed() {
        long timeout = options.timeout().toNanos();
        int retries = options.retries();
        AddressPermutation order = targets.permutation(options.seed());
        Ipv6Permutation order6 = targets.ipv6Permutation(options.seed());
        try {
            while (order.hasNext() && !cancelled) {
                int ipv4 = order.nextInt();
                if (!listener.accepts(ipv4)) {
                    continue;
                }
                engine.submit(ipv4, timeout, retries, Lane.SWEEP, probes);
                submitted.incrementAndGet();
            }
            while (order6.hasNext() && !cancelled) {
                Inet6Address address = order6.next();
                if (!listener.acceptsIpv6(address)) {
                    continue;
                }
                // counted before submitting: without an ICMPv6 socket the result comes back at once
                submitted.incrementAndGet();
                engine.submit(address, timeout, retries, Lane.SWEEP, probes6);
            }
        } catch (InterruptedException e) {
            // cancel() interrupts a feeder blocked on a full lane
        } catch (IllegalStateException e) {
            cancelled = true; // engine closed under us: report what we have
        } catch (Throwable t) {
            // the listener's accepts() (or anything else) failing, an OutOfMemoryError included: the
            // sweep ends with what it has instead of never completing (its awaiter would wait forever)
            feederFailure = t;
            listenerErrors.incrementAndGet();
            cancelled = true;
        }
        fed = true;
        if (cancelled || completed.get() == submitted.get()) {
            finish();
        }
    }

    /** The engine-side listener: one shared object, no per-probe allocation. */
    private final class Probes implements ProbeListener {
        @Override
        public void onResult(PingResult result, int attempts) {
            if (counted(result.outcome(), attempts)) {
                try {
                    listener.onAlive(result.ipv4(), result.rttNanos(),
                            (result.sentAtEpochNanos() + result.rttNanos()) / 1_000_000);
                } catch (Throwable e) {
                    // a faulty listener (even an OutOfMemoryError it throws) must not stall
                    // the sweep's completion count nor reach the engine's thread
                    listenerErrors.incrementAndGet();
                }
            }
            completedOne();
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }

    /** The engine-side listener of IPv6 probes. */
    private final class Probes6 implements Ipv6ProbeListener {
        @Override
        public void onResult(Inet6Address address, long sentAtEpochNanos, PingResult.Outcome outcome, long rttNanos,
                int attempts) {
            if (counted(outcome, attempts)) {
                try {
                    listener.onAliveIpv6(address, rttNanos, (sentAtEpochNanos + rttNanos) / 1_000_000);
                } catch (Throwable e) {
                    listenerErrors.incrementAndGet(); // as for IPv4
                }
            }
            completedOne();
        }
    }

    /** Counts one probe's outcome; true when it is a reply to report to the listener. */
    private boolean counted(PingResult.Outcome outcome, int attempts) {
        sent.addAndGet(attempts);
        switch (outcome) {
            case REPLY -> {
                if (attempts > 1) {
                    lostReplies.incrementAndGet();
                }
                if (!finished.get()) {
                    alive.incrementAndGet();
                    return true;
                }
            }
            case TIMEOUT -> timeouts.incrementAndGet();
            case UNREACHABLE -> unreachable.incrementAndGet();
            case ERROR -> errors.incrementAndGet();
        }
        return false;
    }

    private void completedOne() {
        long done = completed.incrementAndGet();
        if (fed && done == submitted.get()) {
            finish();
        }
    }

    private void finish() {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        long elapsed = System.nanoTime() - startNanos;
        long s = sent.get();
        double rate = elapsed > 0 ? s * 1e9 / elapsed : 0;
        completion.complete(new SweepSummary(total, completed.get(), alive.get(), s, Math.max(0, s - completed.get()),
                lostReplies.get(), timeouts.get(), unreachable.get(), errors.get(), Duration.ofNanos(elapsed), rate, cancelled));
    }

    /** Stops the sweep at once (see the class comment). Idempotent; returns immediately. */
    public void cancel() {
        cancelled = true;
        Thread f = feeder;
        if (f != null) {
            f.interrupt();
        }
        finish();
    }

    /**
     * Throwables from the {@link SweepListener} so far (caught; the sweep carries on, or, when
     * {@code accepts} threw, ends cancelled with what it found: see {@link #feederFailure()}).
     */
    public long listenerErrors() {
        return listenerErrors.get();
    }

    /** What ended the feeding early (a listener's {@code accepts} that threw), or null. */
    public Throwable feederFailure() {
        return feederFailure;
    }

    /** True once the summary is available. */
    public boolean isDone() {
        return completion.isDone();
    }

    /** A snapshot of progress; callable at any time. */
    public SweepProgress progress() {
        long done = completed.get();
        long elapsed = System.nanoTime() - startNanos;
        long eta = done == 0 ? -1 : (long) ((double) elapsed / done * (total - done));
        if (isDone()) {
            eta = 0;
        }
        return new SweepProgress(total, submitted.get(), done, alive.get(), eta);
    }

    /** Completes with the summary when the sweep finishes or is cancelled. */
    public CompletableFuture<SweepSummary> completion() {
        return completion.copy();
    }

    /** Waits for the summary. */
    public SweepSummary await() throws InterruptedException {
        try {
            return completion.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("sweep failed", e.getCause());
        }
    }

    /**
     * Waits at most {@code timeout} for the summary.
     *
     * @throws TimeoutException when the sweep is still running
     */
    public SweepSummary await(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            return completion.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("sweep failed", e.getCause());
        }
    }
}
