package dev.netscan.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A loop that does not die, for the service's long-running threads (ping scheduler, sweeper,
 * SNMP interval, governor, periodic jobs). Its passes run one after another on one daemon platform
 * thread named {@code netscan-<name>}.
 *
 * <h2>Survival</h2>
 * A pass that throws anything (an {@link OutOfMemoryError} included) is counted
 * ({@link #failures()}), logged at most once a minute, reported to {@link LoopFaults#failed}, and
 * followed by a backoff of 10 ms doubling to 1 s (reset by the next clean pass); then the loop
 * continues. Should the thread end anyway before {@link #close()} (a throwable escaping the
 * handling itself, e.g. a {@code LoopFaults} that throws), its uncaught-exception handler, the
 * watchdog, counts it ({@link #restarts()}), starts a new thread after a pause that doubles with
 * each restart (10 ms up to 1 s) and reports {@link LoopFaults#restarted}. State the pass keeps in
 * fields survives a restart.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread. A pass runs on the loop's thread only, one at a
 * time (a new thread starts only after the old one ended); the pass's fields are confined to it.
 */
public final class SupervisedLoop implements AutoCloseable {

    /** One pass of a loop. */
    @FunctionalInterface
    public interface Pass {
        /**
         * Does one step of work.
         *
         * @return nanoseconds to park before the next pass (ended early by {@link #wake()}); 0 or
         *     less runs the next pass at once
         * @throws Exception anything: counted, reported, backed off, survived
         */
        long run() throws Exception;
    }

    private static final System.Logger LOG = System.getLogger(SupervisedLoop.class.getName());
    private static final long FIRST_BACKOFF_NANOS = 10_000_000L;
    private static final long MAX_BACKOFF_NANOS = 1_000_000_000L;
    private static final long LOG_EVERY_NANOS = 60_000_000_000L;

    private final String name;
    private final Pass pass;
    private final LoopFaults faults;
    /** Set for loops made by {@link #every}; null otherwise. */
    private final Periodic periodic;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong restarts = new AtomicLong();
    private final Object lock = new Object();
    /** The current thread; replaced by the watchdog under {@code lock}; read by any thread. */
    private volatile Thread thread;
    /** Set once by close(); read by the loop. */
    private volatile boolean stopping;
    /** Loop thread only (the log throttle). */
    private long lastLogNanos = Long.MIN_VALUE / 2;

    private SupervisedLoop(String name, Pass pass, LoopFaults faults, Periodic periodic) {
        this.name = Objects.requireNonNull(name, "name");
        this.pass = Objects.requireNonNull(pass, "pass");
        this.faults = Objects.requireNonNull(faults, "faults");
        this.periodic = periodic;
    }

    /**
     * Starts a loop running {@code pass} until {@link #close()}.
     *
     * @param name short name, e.g. {@code ping-scheduler}: the thread is {@code netscan-<name>} and
     *     the name is what {@code faults} is told
     */
    public static SupervisedLoop start(String name, Pass pass, LoopFaults faults) {
        SupervisedLoop l = new SupervisedLoop(name, pass, faults, null);
        l.launch(0);
        return l;
    }

    /**
     * Starts a loop running {@code task} after {@code initialDelay} and then with {@code interval}
     * between the end of one run and the start of the next (fixed delay), or at once after
     * {@link #runNow()}. A run that throws is survived as any pass; the next run is one interval
     * after the failed one started.
     */
    public static SupervisedLoop every(String name, Duration initialDelay, Duration interval, Runnable task, LoopFaults faults) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException(name + ": interval must be > 0, was " + interval);
        }
        Periodic p = new Periodic(Objects.requireNonNull(task, "task"), initialDelay.toNanos(), interval.toNanos());
        SupervisedLoop l = new SupervisedLoop(name, p, faults, p);
        l.launch(0);
        return l;
    }

    private void launch(long firstParkNanos) {
        Thread t = Thread.ofPlatform().name("netscan-" + name).daemon(true).unstarted(() -> run(firstParkNanos));
        t.setUncaughtExceptionHandler(this::watchdog);
        thread = t;
        t.start();
    }

    private void run(long firstParkNanos) {
        if (firstParkNanos > 0) {
            LockSupport.parkNanos(this, firstParkNanos);
        }
        long backoff = 0;
        while (!stopping) {
            long park;
            try {
                park = pass.run();
                backoff = 0;
            } catch (Throwable failure) {
                long n = failures.incrementAndGet();
                backoff = backoff == 0 ? FIRST_BACKOFF_NANOS : Math.min(backoff * 2, MAX_BACKOFF_NANOS);
                park = backoff;
                long now = System.nanoTime();
                if (now - lastLogNanos > LOG_EVERY_NANOS) {
                    lastLogNanos = now;
                    LOG.log(System.Logger.Level.ERROR, "loop " + name + " failed (" + n + " so far); backing off and continuing", failure);
                }
                faults.failed(name, failure, n); // may throw: the thread ends and the watchdog restarts it
            }
            if (park > 0 && !stopping) {
                LockSupport.parkNanos(this, park);
            }
        }
    }

    /** The dying thread's uncaught-exception handler: starts a new thread unless closing. */
    private void watchdog(Thread dead, Throwable cause) {
        long n;
        synchronized (lock) {
            if (stopping || thread != dead) {
                return;
            }
            n = restarts.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "loop " + name + " ended unexpectedly; starting a new thread (restart " + n + ")", cause);
            launch(Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(n - 1, 7)));
        }
        try {
            faults.restarted(name, cause, n);
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "reporting the restart of loop " + name + " failed", t);
        }
    }

    /** Ends a park early: the next pass runs now (a pass must re-check its own due time). */
    public void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * For a loop made by {@link #every}: runs the task as soon as the running one (if any)
     * finishes, then keeps the interval from there.
     *
     * @throws IllegalStateException for a loop made by {@link #start}
     */
    public void runNow() {
        if (periodic == null) {
            throw new IllegalStateException("loop " + name + " is not periodic");
        }
        periodic.requested = true;
        wake();
    }

    /** @return the loop's name as given */
    public String name() {
        return name;
    }

    /** @return passes that threw, since start */
    public long failures() {
        return failures.get();
    }

    /** @return times the thread ended before close and the watchdog started a new one */
    public long restarts() {
        return restarts.get();
    }

    /** @return true while the loop's current thread runs (false after close) */
    public boolean isAlive() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** @return true when the calling thread is the loop's current thread */
    public boolean isLoopThread() {
        return Thread.currentThread() == thread;
    }

    /** Stops the loop and waits at most 5 s for the pass running now. Idempotent. */
    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }

    /**
     * Stops the loop: no pass starts after this; waits at most {@code bound} for the pass
     * running now (not when called from the loop's own thread). Idempotent.
     *
     * @return true when the loop's thread has ended
     */
    public boolean close(Duration bound) {
        Thread t;
        synchronized (lock) {
            stopping = true;
            t = thread;
        }
        if (t == null || t == Thread.currentThread()) {
            return t == null;
        }
        LockSupport.unpark(t);
        try {
            t.join(Math.max(1, bound.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    /** The pass of {@link #every}: due times with fixed delay, and run-now requests. Loop thread. */
    private static final class Periodic implements Pass {
        private final Runnable task;
        private final long intervalNanos;
        private long next;
        volatile boolean requested;

        Periodic(Runnable task, long initialDelayNanos, long intervalNanos) {
            this.task = task;
            this.intervalNanos = intervalNanos;
            this.next = System.nanoTime() + Math.max(0, initialDelayNanos);
        }

        @Override
        public long run() {
            long now = System.nanoTime();
            if (!requested && now - next < 0) {
                return next - now;
            }
            requested = false;
            next = now + intervalNanos; // a run that throws is retried one interval later
            task.run();
            long end = System.nanoTime();
            next = end + intervalNanos;
            return intervalNanos;
        }
    }
}
