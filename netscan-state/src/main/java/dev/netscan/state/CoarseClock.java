package dev.netscan.state;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A wall clock in epoch milliseconds that is cheap to read: {@link #millis()} returns a volatile
 * value that a daemon thread refreshes from {@link System#currentTimeMillis()} about every
 * millisecond, so a read costs a nanosecond or two instead of the ~20 ns of a clock read (as
 * measured on the project's benchmark VM).
 *
 * <p>For {@link DeviceRegistry.Builder#clock} when a registry takes millions of operations a
 * second and millisecond last-seen times need not be exact to the millisecond:
 * {@code DeviceRegistry.builder().clock(CoarseClock::millis)}. It is not the registry's default,
 * on purpose: the refresh thread wakes a thousand times a second while the clock is in use, which
 * cost 68 ms of CPU per 5 s (1.4% of a core) on the benchmark VM, more on a Raspberry Pi, and
 * keeps the CPU out of idle states. netscan's service, 20,000 devices pinged once a second, reads
 * the clock 20,000 times a second: 0.4 ms of {@code currentTimeMillis} per second, 35 times less.
 * The coarse clock pays off above roughly 700,000 reads a second.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>Never decreases. If the system clock steps back, the value stays put until the system
 *       clock passes it again.</li>
 *   <li>Lags the system clock by up to about one millisecond, more while the refresh thread is
 *       not scheduled (a loaded machine, a safepoint pause): a value read now may be earlier than
 *       a {@code System.currentTimeMillis()} read just before.</li>
 *   <li>The refresh thread ({@code netscan-coarse-clock}, daemon) starts at the first read and
 *       stops by itself after about a second without reads; the next read restarts it (and
 *       returns a fresh system clock reading).</li>
 * </ul>
 * Thread-safe; allocation-free except when the refresh thread is started.
 */
public final class CoarseClock {
    private static final long TICK_NANOS = 1_000_000L;
    /** Ticks between checks whether anyone still reads the clock (about one second). */
    private static final int IDLE_CHECK_TICKS = 1000;
    private static final int IDLE = 0;
    private static final int RUNNING_UNUSED = 1;
    private static final int RUNNING_USED = 2;

    private static final AtomicInteger STATE = new AtomicInteger(IDLE);
    /** Written by the refresh thread, or by the reader that starts it before it starts. */
    private static volatile long now = System.currentTimeMillis();

    private CoarseClock() {}

    /** The coarse wall clock in epoch milliseconds; see the class contract. */
    public static long millis() {
        if (STATE.get() == RUNNING_USED) {
            return now;
        }
        return slowRead();
    }

    private static long slowRead() {
        while (true) {
            int st = STATE.get();
            if (st == RUNNING_USED) {
                return now;
            }
            if (st == RUNNING_UNUSED) {
                if (STATE.compareAndSet(RUNNING_UNUSED, RUNNING_USED)) {
                    return now;
                }
            } else if (STATE.compareAndSet(IDLE, RUNNING_USED)) {
                long t = advance();
                Thread.ofPlatform().daemon().name("netscan-coarse-clock").start(CoarseClock::refreshLoop);
                return t;
            }
        }
    }

    /** Moves {@link #now} up to the system clock (never down) and returns it. One writer at a time. */
    private static long advance() {
        long t = System.currentTimeMillis();
        long n = now;
        if (t > n) {
            now = t;
            return t;
        }
        return n;
    }

    private static void refreshLoop() {
        int ticks = 0;
        while (true) {
            LockSupport.parkNanos(TICK_NANOS);
            Thread.interrupted(); // nobody should interrupt us; never spin if someone does
            advance();
            if (++ticks >= IDLE_CHECK_TICKS) {
                ticks = 0;
                // Used since the last check: mark unused and go on. Unused for a whole period:
                // stop (unless a reader marks it used right now, then go on).
                if (!STATE.compareAndSet(RUNNING_USED, RUNNING_UNUSED)
                        && STATE.compareAndSet(RUNNING_UNUSED, IDLE)) {
                    return;
                }
            }
        }
    }

    /** Whether the refresh thread is running (for tests). */
    static boolean refreshing() {
        return STATE.get() != IDLE;
    }
}
