package dev.netscan.discovery;

import dev.netscan.core.Ipv4;
import dev.netscan.core.Ipv6;
import dev.netscan.discovery.icmp.Transceiver;
import java.net.Inet6Address;
import java.nio.ByteBuffer;

/**
 * The ICMP echo engine: one socket per address family, one sender thread, one receiver thread,
 * and every probe of the process multiplexed over them (the sweep and continuous monitoring share
 * one engine). With {@link IcmpEngineConfig#parallelSend()} a send helper thread with a second
 * IPv4 socket sends the full batches the sender hands it, so sweeps use two cores.
 *
 * <h2>How a probe travels</h2>
 * A probe is submitted to a {@link Lane} queue ({@link #trySubmit} never blocks; {@link #submit}
 * blocks only its caller while the lane is full). The sender takes retries first, then the
 * {@link Lane#MONITOR} lane, then {@link Lane#SWEEP}, as far as the in-flight bound and, for
 * sweep probes and retries only, the rate limit (a token bucket with nanosecond precision: the
 * sweep's politeness budget; monitoring is paced by its own schedule) allow (sweep probes may hold at most 7/8 of
 * the bound, so a sweep of dead addresses never starves monitoring of slots, and no more than
 * {@link #setSweepMaxInFlight}), gives each probe a slot in a table of primitive arrays, writes
 * echo requests and sends them with one {@code sendmmsg} per batch. The receiver waits in
 * {@code poll} (10 ms at most, so {@link #close()} is noticed promptly), drains the sockets with
 * {@code recvmmsg} (at low rates, when a wake-up read less than one batch and the sockets give
 * receive timestamps, it then waits 2 ms so replies are read in batches rather than one wake-up
 * each; RTTs come from the kernel's timestamps, so the wait does not lengthen them), and
 * attributes each reply through its payload token: a reply counts only when its token verifies
 * for the address that answered and the slot is still waiting for that generation. Deadlines
 * live in an indexed min-heap the sender owns; an expired probe is retried or completed as a
 * timeout.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Every accepted probe yields exactly one result: REPLY (with RTT from
 *       {@link System#nanoTime()}, measured from the attempt that was answered), TIMEOUT (no reply
 *       within the timeout after every retry), UNREACHABLE (an ICMP error quoting our request:
 *       raw sockets only, datagram sockets do not deliver ICMP errors), or ERROR (the kernel
 *       refused to send it, or its listener was cancelled before it was sent); or, for IPv4, a
 *       local outcome through {@link ProbeListener#onLocal}: SEND_BUFFER_FULL when the send buffer
 *       stayed full (ENOBUFS / EAGAIN) through a send's retries, RECEIVE_QUEUE_OVERFLOW for a
 *       timeout while the socket's receive queue had dropped packets (its SO_MEMINFO drop counter,
 *       the one SO_RXQ_OVFL reports; at most one timeout per dropped packet).</li>
 *   <li>Packets that are not replies to our pending probes (our own echo requests looped back on
 *       a raw socket, other processes' replies, late replies, truncated or malformed packets) are
 *       counted in {@link #counters()} and otherwise ignored; parsing never throws.</li>
 *   <li>More than 65,536 probes may be in flight: identity is slot + generation + token bound to
 *       the address, not the 16-bit sequence.</li>
 *   <li>A probe times out only once the receiver has read every packet that arrived before its
 *       deadline, so a reply waiting in the socket buffer while the receiver is descheduled is
 *       never reported as a timeout (timeouts may then be reported a little late: up to the
 *       receiver's 10 ms poll when idle, plus its 2 ms batching wait at low rates). RTT ends at
 *       the kernel's receive timestamp of the reply (SO_TIMESTAMPNS), or when the receiver reads
 *       it where the socket gives no timestamps.</li>
 *   <li>{@link #close()} is bounded in time: it stops the threads (the receiver notices within
 *       its 10 ms poll; each thread is waited for a second at most, should a listener block it),
 *       closes the sockets, then completes probes still queued (never sent) with ERROR and probes
 *       in flight (sent, not answered) with TIMEOUT, on the calling thread.</li>
 * </ul>
 *
 * <p>The loops, their cross-thread protocol and the parts they use live in the internal package
 * {@code dev.netscan.discovery.icmp} ({@code Transceiver}); this class validates and documents
 * the API.
 *
 * <h2>Thread safety</h2>
 * All public methods are thread-safe. Listeners run on engine threads and must be fast and
 * non-blocking (see {@link ProbeListener}).
 */
public final class IcmpEngine implements AutoCloseable {
    private final IcmpEngineConfig config;
    /** The sockets, threads and loops; all state lives there. */
    private final Transceiver engine;

    private IcmpEngine(IcmpEngineConfig config, Transceiver engine) {
        this.config = config;
        this.engine = engine;
    }

    /**
     * Opens the sockets (in the calling thread's network namespace) and starts the sender and
     * receiver threads.
     *
     * @throws IcmpUnavailableException when no IPv4 ICMP socket of an allowed kind can be opened;
     *     the message names both fixes
     */
    public static IcmpEngine start(IcmpEngineConfig config) {
        return new IcmpEngine(config, Transceiver.start(config));
    }

    // =====================================================================================
    // Public API
    // =====================================================================================

    /**
     * Queues an IPv4 probe without blocking.
     *
     * @param ipv4 the address to probe (see {@link Ipv4})
     * @param timeoutNanos how long to wait for a reply to each attempt, > 0
     * @param retries extra attempts after a timeout, >= 0
     * @param lane the priority lane
     * @param listener receives the single result
     * @return false when the lane's queue is full (nothing was queued; no result will come)
     * @throws IllegalStateException when the engine is closed
     * @throws IllegalArgumentException for a non-positive timeout or negative retries
     */
    public boolean trySubmit(int ipv4, long timeoutNanos, int retries, Lane lane, ProbeListener listener) {
        check(timeoutNanos, retries, lane, listener);
        return engine.offer(lane.ordinal(), ipv4, 0, 0, false, timeoutNanos, retries, listener, true);
    }

    /**
     * As {@link #trySubmit(int, long, int, Lane, ProbeListener)} but without waking the sender:
     * for a caller that queues a batch of probes and then calls {@link #flushSubmissions()} once
     * (one wake-up and no lock contention with the sender per batch instead of per probe). A
     * probe queued this way and never flushed is still sent, when the sender next wakes for
     * another reason (at most about 50 ms later).
     */
    public boolean trySubmitDeferred(int ipv4, long timeoutNanos, int retries, Lane lane, ProbeListener listener) {
        check(timeoutNanos, retries, lane, listener);
        return engine.offer(lane.ordinal(), ipv4, 0, 0, false, timeoutNanos, retries, listener, false);
    }

    /** Wakes the sender for probes queued with {@link #trySubmitDeferred}. Cheap when it is awake. */
    public void flushSubmissions() {
        engine.wakeSender();
    }

    /**
     * Queues an IPv4 probe, blocking the caller while the lane's queue is full. Meant for sweeps;
     * the monitoring scheduler should use {@link #trySubmit}.
     *
     * @throws InterruptedException if interrupted while waiting (nothing was queued)
     * @throws IllegalStateException when the engine is (or becomes) closed
     */
    public void submit(int ipv4, long timeoutNanos, int retries, Lane lane, ProbeListener listener) throws InterruptedException {
        check(timeoutNanos, retries, lane, listener);
        engine.offerBlocking(lane.ordinal(), ipv4, timeoutNanos, retries, listener);
    }

    /**
     * Queues an ICMPv6 probe without blocking. When the engine has no ICMPv6 socket the probe
     * completes at once with ERROR (attempts 0).
     *
     * @return false when the lane's queue is full
     */
    public boolean trySubmit(Inet6Address address, long timeoutNanos, int retries, Lane lane, Ipv6ProbeListener listener) {
        return offer6(address, timeoutNanos, retries, lane, listener, true);
    }

    /**
     * As {@link #trySubmit(Inet6Address, long, int, Lane, Ipv6ProbeListener)} but without waking
     * the sender, as {@link #trySubmitDeferred(int, long, int, Lane, ProbeListener)} does for IPv4:
     * call {@link #flushSubmissions()} after the batch.
     */
    public boolean trySubmitDeferred(Inet6Address address, long timeoutNanos, int retries, Lane lane, Ipv6ProbeListener listener) {
        return offer6(address, timeoutNanos, retries, lane, listener, false);
    }

    private boolean offer6(Inet6Address address, long timeoutNanos, int retries, Lane lane, Ipv6ProbeListener listener, boolean wake) {
        check(timeoutNanos, retries, lane, listener);
        byte[] b = address.getAddress();
        ByteBuffer bb = ByteBuffer.wrap(b);
        long hi = bb.getLong(0);
        long lo = bb.getLong(8);
        if (!engine.hasIpv6Socket()) {
            engine.failWithoutIpv6Socket(listener, hi, lo);
            return true;
        }
        return engine.offer(lane.ordinal(), 0, hi, lo, true, timeoutNanos, retries, listener, wake);
    }

    /**
     * Queues an ICMPv6 probe, blocking the caller while the lane's queue is full; the IPv6 twin of
     * {@link #submit(int, long, int, Lane, ProbeListener)}, for sweeps. When the engine has no
     * ICMPv6 socket the probe completes at once with ERROR (attempts 0), on the calling thread.
     *
     * @throws InterruptedException if interrupted while waiting (nothing was queued)
     * @throws IllegalStateException when the engine is (or becomes) closed
     */
    public void submit(Inet6Address address, long timeoutNanos, int retries, Lane lane, Ipv6ProbeListener listener)
            throws InterruptedException {
        check(timeoutNanos, retries, lane, listener);
        if (engine.hasIpv6Socket()) {
            engine.offerBlocking6(lane.ordinal(), Ipv6.high(address), Ipv6.low(address), timeoutNanos, retries, listener);
        } else {
            engine.failWithoutIpv6Socket(listener, Ipv6.high(address), Ipv6.low(address));
        }
    }

    private void check(long timeoutNanos, int retries, Lane lane, Object listener) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeoutNanos must be > 0, was " + timeoutNanos);
        }
        if (retries < 0) {
            throw new IllegalArgumentException("retries must be >= 0, was " + retries);
        }
        if (lane == null || listener == null) {
            throw new IllegalArgumentException("lane and listener are required");
        }
    }

    /**
     * Sets the rate limit of {@link Lane#SWEEP} probes and retries in echo requests per second;
     * 0 = unlimited. {@link Lane#MONITOR} probes are not rate-limited (their scheduler paces
     * them). Takes effect at once.
     */
    public void setRateLimitPps(long pps) {
        if (pps < 0) {
            throw new IllegalArgumentException("rateLimitPps must be >= 0 (0 = unlimited), was " + pps);
        }
        engine.setRateLimitPps(pps);
    }

    /** The current rate limit in packets per second; 0 = unlimited. */
    public long rateLimitPps() {
        return engine.rateLimitPps();
    }

    /**
     * Sets the bound on probes in flight, 1 to the configured slot capacity. Lowering it never
     * cancels probes already in flight; new ones wait until the count falls below the bound.
     * {@link Lane#SWEEP} probes may use at most {@code max - max / 8} of it; the rest is kept for
     * {@link Lane#MONITOR}.
     */
    public void setMaxInFlight(int max) {
        if (max < 1 || max > engine.capacity()) {
            throw new IllegalArgumentException("maxInFlight must be 1 to " + engine.capacity() + " (the slot capacity), was " + max);
        }
        engine.setMaxInFlight(max);
    }

    /** The current bound on probes in flight. */
    public int maxInFlight() {
        return engine.maxInFlight();
    }

    /**
     * Caps {@link Lane#SWEEP} probes in flight below their share of {@link #maxInFlight()}, so a
     * governor can slow discovery without touching the room monitoring needs. At least 1;
     * {@link Integer#MAX_VALUE} (the default) means no extra cap. Lowering it never cancels
     * probes already in flight.
     */
    public void setSweepMaxInFlight(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("sweepMaxInFlight must be at least 1, was " + max);
        }
        engine.setSweepMaxInFlight(max);
    }

    /** The current extra cap on sweep probes in flight. */
    public int sweepMaxInFlight() {
        return engine.sweepMaxInFlight();
    }

    /** The kind of the IPv4 socket in use. */
    public SocketKind socketKind() {
        return engine.socketKind();
    }

    /** The kind of the ICMPv6 socket, or null when there is none. */
    public SocketKind ipv6SocketKind() {
        return engine.ipv6SocketKind();
    }

    /** The configuration the engine started with (rate and in-flight bound may have changed since). */
    public IcmpEngineConfig config() {
        return config;
    }

    /** Probes queued in {@code lane} and not yet taken by the sender. */
    public int queued(Lane lane) {
        return engine.queued(lane.ordinal());
    }

    /** A snapshot of the counters; callable at any time from any thread. */
    public IcmpCounters counters() {
        return engine.counters();
    }

    /**
     * Stops the engine: no new submissions, threads stopped (bounded: each is waited for a second
     * at most), sockets closed, then pending probes completed on the calling thread: queued ones with ERROR,
     * in-flight ones with TIMEOUT. Idempotent. If a listener keeps an engine thread busy beyond
     * the one-second bound, close returns without completing the pending probes (completing them
     * would race that thread). Must not be called from a listener.
     *
     * @throws IllegalStateException when called on an engine thread (from a listener)
     */
    @Override
    public void close() {
        engine.close();
    }

    /** The unexpected error that stopped an engine thread, or null (a healthy engine). */
    public Throwable failure() {
        return engine.failure();
    }
}
