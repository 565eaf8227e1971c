package dev.netscan.state;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.LongUnaryOperator;

/**
 * The virtual thread that applies {@link DeviceRegistry}'s suspension ends as they happen, so
 * that {@link DeviceRegistry#suspendedCount()} stays exact without anyone calling in.
 *
 * <p>Invariant: at most one thread is ever started, and none after {@link #close()}; while it
 * runs it sleeps on a condition of the registry's lock until the earliest suspension end (or
 * indefinitely when nothing is suspended), so the registry signals it through
 * {@link #suspended(boolean)} whenever the earliest end moves earlier. All methods except
 * {@link #close()} are called with the registry's lock held; the thread takes that lock itself.
 */
final class ExpiryTimer {
    private final ReentrantLock lock;
    /** Signalled (under lock) when the earliest suspension end moves earlier, or on close. */
    private final Condition changed;
    private final LongSupplier clock;
    /** Applies the suspensions ended by the given time; returns the next end, or Long.MAX_VALUE. */
    private final LongUnaryOperator expire;

    /** Guarded by lock. */
    private Thread thread;
    /** Guarded by lock. */
    private boolean closed;

    ExpiryTimer(ReentrantLock lock, LongSupplier clock, LongUnaryOperator expire) {
        this.lock = lock;
        this.changed = lock.newCondition();
        this.clock = clock;
        this.expire = expire;
    }

    /** Under lock: a device was just suspended, ending earliest of all if {@code earliest}. */
    void suspended(boolean earliest) {
        if (earliest) {
            changed.signal();
        }
        start();
    }

    /** Under lock: starts the thread unless started or closed. */
    void start() {
        if (thread == null && !closed) {
            thread = Thread.ofVirtual().name("netscan-registry-expiry").start(this::loop);
        }
    }

    /** Stops the thread (bounded wait of one second). Idempotent. Called without the lock. */
    void close() {
        Thread t;
        lock.lock();
        try {
            closed = true;
            t = thread;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void loop() {
        lock.lock();
        try {
            while (!closed) {
                long now = clock.getAsLong();
                long next = expire.applyAsLong(now);
                if (next == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.await(next - now, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts us; nothing to clean up.
        } finally {
            lock.unlock();
        }
    }
}
