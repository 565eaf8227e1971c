package dev.netscan.discovery;

import dev.netscan.core.Ipv4;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingResult.Outcome;
import dev.netscan.discovery.icmp.DeadlineHeap;
import dev.netscan.discovery.icmp.EchoCodec;
import dev.netscan.discovery.icmp.IcmpSocket;
import dev.netscan.discovery.icmp.Libc;
import dev.netscan.discovery.icmp.SlotRing;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The ICMP echo engine: one socket per address family, one sender thread, one receiver thread,
 * and every probe of the process multiplexed over them (the sweep and continuous monitoring share
 * one engine).
 *
 * <h2>How a probe travels</h2>
 * A probe is submitted to a {@link Lane} queue ({@link #trySubmit} never blocks; {@link #submit}
 * blocks only its caller while the lane is full). The sender takes retries first, then the
 * {@link Lane#MONITOR} lane, then {@link Lane#SWEEP}, as far as the rate limit (a token bucket
 * with nanosecond precision) and the in-flight bound allow (sweep probes may hold at most 7/8 of
 * the bound, so a sweep of dead addresses never starves monitoring of slots), gives each probe a slot in a table of
 * primitive arrays, writes echo requests and sends them with one {@code sendmmsg} per batch. The
 * receiver waits in {@code poll} (100 ms at most, so {@link #close()} is never stuck), drains the
 * socket with {@code recvmmsg} (at low rates, when a wake-up read less than one batch, it then
 * waits 2 ms so replies are read in batches rather than one wake-up each; RTTs come from the
 * kernel's receive timestamps, so the wait does not lengthen them), and attributes each reply through its payload token (see
 * {@link EchoCodec}): a reply counts only when its token verifies for the address that answered
 * and the slot is still waiting for that generation. Deadlines live in an indexed min-heap the
 * sender owns; an expired probe is retried or completed as a timeout.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Every accepted probe yields exactly one result: REPLY (with RTT from
 *       {@link System#nanoTime()}, measured from the attempt that was answered), TIMEOUT (no reply
 *       within the timeout after every retry), UNREACHABLE (an ICMP error quoting our request:
 *       raw sockets only, datagram sockets do not deliver ICMP errors), or ERROR (the kernel
 *       refused to send it, or its listener was cancelled before it was sent).</li>
 *   <li>Packets that are not replies to our pending probes (our own echo requests looped back on
 *       a raw socket, other processes' replies, late replies, truncated or malformed packets) are
 *       counted in {@link #counters()} and otherwise ignored; parsing never throws.</li>
 *   <li>More than 65,536 probes may be in flight: identity is slot + generation + token bound to
 *       the address, not the 16-bit sequence.</li>
 *   <li>A probe times out only once the receiver has read every packet that arrived before its
 *       deadline, so a reply waiting in the socket buffer while the receiver is descheduled is
 *       never reported as a timeout (timeouts may then be reported a little late: about 10 ms
 *       when idle, plus the receiver's 2 ms batching wait at low rates). RTT ends at
 *       the kernel's receive timestamp of the reply (SO_TIMESTAMPNS), or when the receiver
 *       reads it where the socket gives no timestamps.</li>
 *   <li>{@link #close()} returns within about a second: it stops the threads (the receiver
 *       notices within its 10 ms poll), closes the sockets, then completes probes still queued
 *       (never sent) with ERROR and probes in flight (sent, not answered) with TIMEOUT, on the
 *       calling thread.</li>
 * </ul>
 *
 * <h2>Thread safety</h2>
 * All public methods are thread-safe. Listeners run on engine threads and must be fast and
 * non-blocking (see {@link ProbeListener}).
 */
public final class IcmpEngine implements AutoCloseable {
    private static final long PHASE_FREE = 0;
    private static final long PHASE_SENT = 1;
    private static final long PHASE_DONE = 2;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    /** Receiver's poll timeout: bounds how late an idle engine notices close() and how stale {@code drainedUpToNanos} gets. */
    private static final int POLL_MILLIS = 10;
    private static final int RECV_BUFFER = 512;
    /** A batch that left this much later than its recorded send time gets its deadlines restarted. */
    private static final long LATE_SEND_NANOS = 1_000_000;
    /** At low packet rates the receiver waits this long after a wakeup so replies arrive in batches. */
    private static final long RECEIVE_GATHER_NANOS = 2_000_000;
    private static final boolean LITTLE_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.LITTLE_ENDIAN;

    // ---- sender counters (written only by the sender thread, or by close() after it stopped) ----
    private static final int C_PROBES = 0, C_SENT = 1, C_RETRIES = 2, C_TIMEOUTS = 3, C_SEND_ERRORS = 4,
            C_CANCELLED = 5, C_MAX_IN_FLIGHT = 6, C_SENDER_LISTENER_ERRORS = 7, C_IN_FLIGHT = 8;
    // ---- receiver counters (written only by the receiver thread) ----
    private static final int R_REPLIES = 0, R_UNREACHABLE = 1, R_MALFORMED = 2, R_REQUESTS = 3, R_OTHER = 4,
            R_FOREIGN = 5, R_LATE = 6, R_LISTENER_ERRORS = 7;

    private final IcmpEngineConfig config;
    private final IcmpSocket socket4;
    private final IcmpSocket socket6;
    private final SocketKind kind4;
    private final SocketKind kind6;
    /** Per-engine random secret keyed into every payload token. Immutable. */
    private final long secret;
    /** ICMP identifier our raw-socket requests carry (datagram sockets: the kernel picks it). */
    private final int ident;
    /** epoch nanos = System.nanoTime() + epochOffsetNanos (fixed at start). */
    private final long epochOffsetNanos;
    private final int capacity;

    // ---- slot table: fields written by the sender before it publishes stamp[s] = SENT with
    //      release semantics; read by the receiver after an acquire read of the stamp. Fields of a
    //      slot change only while it is FREE, which needs a CAS SENT -> DONE first, so a reader
    //      whose CAS succeeded saw consistent fields. stamp = (generation << 2) | phase. ----
    private final long[] stamp;
    private final int[] addr4;
    private final long[] addr6Hi;
    private final long[] addr6Lo;
    private final boolean[] isV6;
    private final long[] firstSentNanos;
    private final long[] timeoutNanos;
    private final int[] retriesLeft;
    /** Written by the sender only; the receiver reads it after its CAS (a concurrent retry may make it one higher). */
    private final int[] attempts;
    private final Object[] listeners;
    /** Lane index of each slot's probe; sender-owned. */
    private final byte[] laneOf;

    // ---- sender-owned ----
    /** Probes in flight per lane (sweep probes may hold at most 7/8 of the bound). */
    private final int[] inFlightByLane = new int[2];
    private final int[] freeStack;
    private int freeTop;
    private final DeadlineHeap deadlines;
    private final long[] retryFifo;
    private int retryHead;
    private int retryCount;
    private int sequence;
    /** Token bucket state: theoretical send time of the next packet, ns since {@code originNanos}. */
    private double tat;
    private final long originNanos;

    /** Slots the receiver completed, handed back to the sender (SPSC). */
    private final SlotRing freed;

    private final LaneQueue[] lanes;
    private final long[] senderCounters = new long[9];
    private final long[] receiverCounters = new long[8];

    /**
     * Every packet that reached our sockets before this System.nanoTime() value has been parsed and
     * attributed. Written by the receiver; the sender times a probe out only when its deadline is
     * before this, so a reply sitting unread in the socket buffer (receiver descheduled on a
     * loaded machine) is never turned into a false timeout.
     */
    private volatile long drainedUpToNanos;
    /**
     * Set by a sender that has a due deadline the receiver has not drained up to yet, with that
     * deadline in {@link #drainAwaitedNanos}: the receiver wakes it once it has, instead of the
     * sender polling (with every probe timing out, polling every 200 us cost 3,400 wake-ups a
     * second and most of a core's tenth; docs/bench/monitor.md).
     */
    private volatile boolean senderAwaitsDrain;
    private volatile long drainAwaitedNanos;
    private volatile long rateLimitPps;
    private volatile int maxInFlight;
    /** Extra cap on {@link Lane#SWEEP} probes in flight (the governor's knob); written by anyone, read by the sender. */
    private volatile int sweepMaxInFlight = Integer.MAX_VALUE;
    private volatile boolean closing;
    private volatile Throwable failure;
    private volatile boolean senderParked;
    /** Set by a parking sender that has work but no free slot: only then does a reply wake it. */
    private volatile boolean senderWantsSlots;
    private final Thread sender;
    private final Thread receiver;

    // ---- parallel send (IPv4): a second socket and thread that send full batches the sender
    //      hands over, so the kernel's per-packet send work runs on two cores during sweeps ----
    private final IcmpSocket helperSocket4;
    private final Thread helper;
    /** Batch handed to the helper; written by the sender (release), cleared by the helper. */
    private volatile SendBatch handoff;
    private volatile boolean helperParked;
    /** Written only by the helper thread: [0] = packets sent. */
    private final long[] helperCounters = new long[1];
    /** Send batches are shared between the sender and the helper; closed by close(). */
    private final Arena batchArena = Arena.ofShared();
    private final Object closeLock = new Object();
    private boolean closed;

    private IcmpEngine(IcmpEngineConfig config, IcmpSocket socket4, IcmpSocket socket6, IcmpSocket helperSocket4) {
        this.config = config;
        this.socket4 = socket4;
        this.socket6 = socket6;
        this.helperSocket4 = helperSocket4;
        this.kind4 = socket4.raw ? SocketKind.RAW : SocketKind.DATAGRAM;
        this.kind6 = socket6 == null ? null : socket6.raw ? SocketKind.RAW : SocketKind.DATAGRAM;
        SecureRandom random = new SecureRandom();
        this.secret = random.nextLong();
        this.ident = random.nextInt(1 << 16);
        Instant now = Instant.now();
        long nano = System.nanoTime();
        this.epochOffsetNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano() - nano;
        this.originNanos = nano;
        this.drainedUpToNanos = nano;
        this.capacity = config.slotCapacity();
        this.stamp = new long[capacity];
        this.addr4 = new int[capacity];
        this.addr6Hi = new long[capacity];
        this.addr6Lo = new long[capacity];
        this.isV6 = new boolean[capacity];
        this.firstSentNanos = new long[capacity];
        this.timeoutNanos = new long[capacity];
        this.retriesLeft = new int[capacity];
        this.attempts = new int[capacity];
        this.listeners = new Object[capacity];
        this.laneOf = new byte[capacity];
        this.freeStack = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeStack[i] = capacity - 1 - i;
        }
        this.freeTop = capacity;
        this.deadlines = new DeadlineHeap(capacity);
        this.retryFifo = new long[capacity];
        this.freed = new SlotRing(capacity);
        this.lanes = new LaneQueue[] {new LaneQueue(config.laneQueueCapacity()), new LaneQueue(config.laneQueueCapacity())};
        this.rateLimitPps = config.rateLimitPps();
        this.maxInFlight = config.maxInFlight();
        this.sender = new Thread(() -> guarded(this::sendLoop), "netscan-icmp-sender");
        this.receiver = new Thread(() -> guarded(this::receiveLoop), "netscan-icmp-receiver");
        sender.setDaemon(true);
        receiver.setDaemon(true);
        this.helper = helperSocket4 == null ? null : new Thread(() -> guarded(this::helperLoop), "netscan-icmp-send-helper");
        if (helper != null) {
            helper.setDaemon(true);
        }
    }

    /**
     * Opens the sockets (in the calling thread's network namespace) and starts the sender and
     * receiver threads.
     *
     * @throws IcmpUnavailableException when no IPv4 ICMP socket of an allowed kind can be opened;
     *     the message names both fixes
     */
    public static IcmpEngine start(IcmpEngineConfig config) {
        IcmpSocket s4 = openSocket(config, Libc.AF_INET, true);
        IcmpSocket s6 = null;
        if (config.ipv6()) {
            s6 = openSocket(config, Libc.AF_INET6, false);
        }
        IcmpSocket helper = null;
        if (config.parallelSend()) {
            // A raw helper socket receives nothing (its filter blocks every type); a datagram one
            // gets the replies to what it sent, so it needs the full receive buffer.
            int rcv = s4.raw ? 16 * 1024 : config.receiveBufferBytes();
            helper = IcmpSocket.open(s4.raw, Libc.AF_INET, rcv, config.sendBufferBytes(), true).socket();
        }
        IcmpEngine engine = new IcmpEngine(config, s4, s6, helper);
        engine.sender.start();
        engine.receiver.start();
        if (engine.helper != null) {
            engine.helper.start();
        }
        return engine;
    }

    private static IcmpSocket openSocket(IcmpEngineConfig config, int family, boolean required) {
        SocketKind want = config.requiredKind();
        int dgramErrno = -1;
        int rawErrno = -1;
        if (want == null || want == SocketKind.DATAGRAM) {
            IcmpSocket.Attempt a = IcmpSocket.open(false, family, config.receiveBufferBytes(), config.sendBufferBytes(), false);
            if (a.socket() != null) {
                return a.socket();
            }
            dgramErrno = a.errno();
        }
        if (want == null || want == SocketKind.RAW) {
            IcmpSocket.Attempt a = IcmpSocket.open(true, family, config.receiveBufferBytes(), config.sendBufferBytes(), false);
            if (a.socket() != null) {
                return a.socket();
            }
            rawErrno = a.errno();
        }
        if (!required) {
            return null;
        }
        StringBuilder m = new StringBuilder("cannot open an ICMP socket: ");
        if (dgramErrno >= 0) {
            m.append("datagram ICMP socket refused (").append(Libc.errnoName(dgramErrno)).append("; net.ipv4.ping_group_range is \"")
                    .append(pingGroupRange()).append("\", which must contain this process's group id)");
        }
        if (rawErrno >= 0) {
            m.append(dgramErrno >= 0 ? ", and " : "").append("raw ICMP socket refused (").append(Libc.errnoName(rawErrno))
                    .append("; it needs the CAP_NET_RAW capability)");
        }
        m.append(". Fix either: allow datagram ICMP sockets with `sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"` "
                + "(or a range containing your group; persist it in /etc/sysctl.d/), or grant raw sockets with "
                + "`setcap cap_net_raw+ep <path to the java binary>` or, under systemd, AmbientCapabilities=CAP_NET_RAW "
                + "in the service unit.");
        throw new IcmpUnavailableException(m.toString());
    }

    private static String pingGroupRange() {
        try {
            // procfs reports size 0: read the stream to its end (Files.readString stops short here)
            try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ping_group_range"))) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim().replace('\t', ' ');
            }
        } catch (IOException | RuntimeException e) {
            return "unreadable";
        }
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
        return lanes[lane.ordinal()].offer(ipv4, 0, 0, false, timeoutNanos, retries, listener, true);
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
        return lanes[lane.ordinal()].offer(ipv4, 0, 0, false, timeoutNanos, retries, listener, false);
    }

    /** Wakes the sender for probes queued with {@link #trySubmitDeferred}. Cheap when it is awake. */
    public void flushSubmissions() {
        wakeSender();
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
        lanes[lane.ordinal()].offerBlocking(ipv4, 0, 0, false, timeoutNanos, retries, listener);
    }

    /**
     * Queues an ICMPv6 probe without blocking. When the engine has no ICMPv6 socket the probe
     * completes at once with ERROR (attempts 0).
     *
     * @return false when the lane's queue is full
     */
    public boolean trySubmit(Inet6Address address, long timeoutNanos, int retries, Lane lane, Ipv6ProbeListener listener) {
        check(timeoutNanos, retries, lane, listener);
        byte[] b = address.getAddress();
        ByteBuffer bb = ByteBuffer.wrap(b);
        long hi = bb.getLong(0);
        long lo = bb.getLong(8);
        if (socket6 == null) {
            deliver6(listener, hi, lo, System.nanoTime() + epochOffsetNanos, Outcome.ERROR, -1, 0, false);
            return true;
        }
        return lanes[lane.ordinal()].offer(0, hi, lo, true, timeoutNanos, retries, listener, true);
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

    /** Sets the send rate limit in echo requests per second (retries included); 0 = unlimited. Takes effect at once. */
    public void setRateLimitPps(long pps) {
        if (pps < 0) {
            throw new IllegalArgumentException("rateLimitPps must be >= 0 (0 = unlimited), was " + pps);
        }
        rateLimitPps = pps;
        wakeSender();
    }

    /** The current rate limit in packets per second; 0 = unlimited. */
    public long rateLimitPps() {
        return rateLimitPps;
    }

    /**
     * Sets the bound on probes in flight, 1 to the configured slot capacity. Lowering it never
     * cancels probes already in flight; new ones wait until the count falls below the bound.
     * {@link Lane#SWEEP} probes may use at most {@code max - max / 8} of it; the rest is kept for
     * {@link Lane#MONITOR}.
     */
    public void setMaxInFlight(int max) {
        if (max < 1 || max > capacity) {
            throw new IllegalArgumentException("maxInFlight must be 1 to " + capacity + " (the slot capacity), was " + max);
        }
        maxInFlight = max;
        wakeSender();
    }

    /** The current bound on probes in flight. */
    public int maxInFlight() {
        return maxInFlight;
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
        sweepMaxInFlight = max;
        wakeSender();
    }

    /** The current extra cap on sweep probes in flight. */
    public int sweepMaxInFlight() {
        return sweepMaxInFlight;
    }

    /** The kind of the IPv4 socket in use. */
    public SocketKind socketKind() {
        return kind4;
    }

    /** The kind of the ICMPv6 socket, or null when there is none. */
    public SocketKind ipv6SocketKind() {
        return kind6;
    }

    /** The configuration the engine started with (rate and in-flight bound may have changed since). */
    public IcmpEngineConfig config() {
        return config;
    }

    /** Probes queued in {@code lane} and not yet taken by the sender. */
    public int queued(Lane lane) {
        return lanes[lane.ordinal()].size;
    }

    /** A snapshot of the counters; callable at any time from any thread. */
    public IcmpCounters counters() {
        return new IcmpCounters(kind4, kind6, socket4.receiveBufferBytes,
                sc(C_PROBES), sc(C_SENT) + (long) LONGS.getOpaque(helperCounters, 0), sc(C_RETRIES), rc(R_REPLIES), sc(C_TIMEOUTS), rc(R_UNREACHABLE),
                sc(C_SEND_ERRORS), sc(C_CANCELLED), sc(C_IN_FLIGHT), sc(C_MAX_IN_FLIGHT),
                rc(R_MALFORMED), rc(R_REQUESTS), rc(R_OTHER), rc(R_FOREIGN), rc(R_LATE),
                sc(C_SENDER_LISTENER_ERRORS) + rc(R_LISTENER_ERRORS));
    }

    private long sc(int i) {
        return (long) LONGS.getOpaque(senderCounters, i);
    }

    private long rc(int i) {
        return (long) LONGS.getOpaque(receiverCounters, i);
    }

    private static void bump(long[] counters, int i, long delta) {
        LONGS.setOpaque(counters, i, counters[i] + delta);
    }

    /**
     * Stops the engine: no new submissions, threads stopped (bounded: about a second at most),
     * sockets closed, then pending probes completed on the calling thread: queued ones with ERROR,
     * in-flight ones with TIMEOUT. Idempotent. If a listener keeps an engine thread busy beyond
     * the one-second bound, close returns without completing the pending probes (completing them
     * would race that thread). Must not be called from a listener.
     *
     * @throws IllegalStateException when called on an engine thread (from a listener)
     */
    @Override
    public void close() {
        if (Thread.currentThread() == sender || Thread.currentThread() == receiver) {
            throw new IllegalStateException("close() called from a listener on an engine thread; close from another thread");
        }
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        for (LaneQueue q : lanes) {
            q.lock.lock();
            try {
                closing = true;
                q.notFull.signalAll();
            } finally {
                q.lock.unlock();
            }
        }
        LockSupport.unpark(sender);
        if (helper != null) {
            LockSupport.unpark(helper);
        }
        joinQuietly(sender);
        joinQuietly(receiver);
        if (helper != null) {
            joinQuietly(helper);
        }
        socket4.close();
        if (socket6 != null) {
            socket6.close();
        }
        if (helperSocket4 != null) {
            helperSocket4.close();
        }
        if (sender.isAlive() || receiver.isAlive() || (helper != null && helper.isAlive())) {
            // A listener is blocking an engine thread; do not race it for the slot table.
            return;
        }
        batchArena.close();
        for (int s = 0; s < capacity; s++) {
            long st = stamp[s];
            if ((st & 3) == PHASE_SENT) {
                stamp[s] = (st & ~3L) | PHASE_DONE;
                bump(senderCounters, C_TIMEOUTS, 1);
                complete(s, Outcome.TIMEOUT, -1, false);
            }
        }
        for (LaneQueue q : lanes) {
            q.drainAsErrors();
        }
        LONGS.setOpaque(senderCounters, C_IN_FLIGHT, 0L);
    }

    private static void joinQuietly(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        boolean interrupted = false;
        while (t.isAlive()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs an engine loop; an unexpected error (a bug: the loops catch everything they expect) is
     * kept for {@link #failure()} and reported on stderr rather than lost with the thread.
     */
    private void guarded(Runnable loop) {
        try {
            loop.run();
        } catch (Throwable t) {
            failure = t;
            System.err.println("netscan ICMP engine: thread " + Thread.currentThread().getName() + " failed: " + t);
            t.printStackTrace();
        }
    }

    /** The unexpected error that stopped an engine thread, or null (a healthy engine). */
    public Throwable failure() {
        return failure;
    }

    private void wakeSender() {
        if (senderParked) {
            LockSupport.unpark(sender);
        }
    }

    // =====================================================================================
    // Result delivery (any engine thread)
    // =====================================================================================

    /** Delivers slot {@code s}'s result; the caller has made the slot DONE. Returns false when the listener threw. */
    private boolean complete(int s, Outcome outcome, long rttNanos, boolean receiverThread) {
        long sentEpoch = firstSentNanos[s] + epochOffsetNanos;
        int n = attempts[s];
        Object l = listeners[s];
        try {
            if (isV6[s]) {
                deliver6((Ipv6ProbeListener) l, addr6Hi[s], addr6Lo[s], sentEpoch, outcome, rttNanos, n, receiverThread);
            } else {
                PingResult r = outcome == Outcome.REPLY
                        ? PingResult.reply(addr4[s], sentEpoch, rttNanos)
                        : PingResult.failed(addr4[s], sentEpoch, outcome);
                ((ProbeListener) l).onResult(r, n);
            }
            return true;
        } catch (RuntimeException | Error e) {
            if (e instanceof VirtualMachineError vme) {
                throw vme;
            }
            bump(receiverThread ? receiverCounters : senderCounters,
                    receiverThread ? R_LISTENER_ERRORS : C_SENDER_LISTENER_ERRORS, 1);
            return false;
        }
    }

    private void deliver6(Ipv6ProbeListener l, long hi, long lo, long sentEpoch, Outcome outcome, long rtt, int n, boolean receiverThread) {
        byte[] b = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
        Inet6Address a;
        try {
            a = (Inet6Address) InetAddress.getByAddress(b);
        } catch (UnknownHostException | ClassCastException e) {
            throw new IllegalStateException("16 bytes are always an IPv6 address", e);
        }
        l.onResult(a, sentEpoch, outcome, rtt, n);
    }

    // =====================================================================================
    // Sender
    // =====================================================================================

    private void sendLoop() {
        try (Arena arena = Arena.ofConfined()) {
            SendBatch b4 = new SendBatch(batchArena, false, config.batchSize());
            SendBatch other4 = helper == null ? null : new SendBatch(batchArena, false, config.batchSize());
            SendBatch b6 = socket6 == null ? null : new SendBatch(batchArena, true, config.batchSize());
            MemorySegment errno = Libc.newErrnoSegment(arena);
            int[] cancelledSlots = new int[config.batchSize()];
            while (!closing) {
                if (other4 != null && !other4.busy && other4.count > 0) {
                    drainFailures(other4); // the helper finished it
                }
                drainFreed();
                long now = System.nanoTime();
                // Probes in the batch the helper is still sending must not expire before they
                // have even left: cap expiry below that batch's earliest deadline.
                expire(now, other4 != null && other4.busy ? other4.minDeadline - 1 : Long.MAX_VALUE);
                int budget = config.batchSize();
                long pps = rateLimitPps;
                double interval = pps > 0 ? 1e9 / pps : 0;
                if (pps > 0) {
                    double t = now - originNanos;
                    // Up to 50 ms of unused tokens carry over, so a sender descheduled for a few
                    // tens of ms (a loaded machine) catches up and the long-run rate stays exact.
                    double burst = Math.max(1, pps / 20) * interval;
                    if (tat < t - burst) {
                        tat = t - burst;
                    }
                    long tokens = (long) ((t - tat) / interval);
                    budget = (int) Math.min(budget, Math.max(0, tokens));
                }
                long sendNanos = System.nanoTime();
                b4.reset();
                if (b6 != null) {
                    b6.reset();
                }
                int used = 0;
                // 1. retries
                while (used < budget && retryCount > 0) {
                    long e = retryFifo[retryHead];
                    retryHead = (retryHead + 1) % capacity;
                    retryCount--;
                    int s = (int) (e >>> 32);
                    long st = (long) LONGS.getAcquire(stamp, s);
                    if ((st & 3) != PHASE_SENT || (int) (st >>> 2) != (int) e) {
                        continue; // answered meanwhile
                    }
                    attempts[s]++;
                    bump(senderCounters, C_RETRIES, 1);
                    addToBatch(s, st, sendNanos, isV6[s] ? b6 : b4);
                    used++;
                }
                // 2. new probes, monitor lane first
                int bound = maxInFlight;
                int room = bound - (capacity - freeTop);
                int cancelled = 0;
                for (int lane = 0; lane < lanes.length && used < budget && room > 0; lane++) {
                    LaneQueue q = lanes[lane];
                    if (q.size == 0) {
                        continue;
                    }
                    // Sweeps may hold at most 7/8 of the in-flight bound: the rest stays free for
                    // monitoring, so a sweep of dead addresses cannot starve the schedule.
                    int laneRoom = lane == 0 ? room
                            : Math.min(room, Math.min(sweepShare(bound), sweepMaxInFlight) - inFlightByLane[1]);
                    q.lock.lock();
                    try {
                        while (q.count > 0 && used < budget && laneRoom > 0 && freeTop > 0) {
                            int s = freeStack[--freeTop];
                            room--;
                            laneRoom--;
                            laneOf[s] = (byte) lane;
                            inFlightByLane[lane]++;
                            boolean cancelledProbe = q.take(s);
                            long st = ((((long) (int) (stamp[s] >>> 2)) + 1) & 0xFFFF_FFFFL) << 2;
                            attempts[s] = 0;
                            firstSentNanos[s] = sendNanos;
                            bump(senderCounters, C_PROBES, 1);
                            if (cancelledProbe) {
                                LONGS.setRelease(stamp, s, st | PHASE_DONE);
                                cancelledSlots[cancelled++] = s;
                                if (cancelled == cancelledSlots.length) {
                                    break;
                                }
                                continue;
                            }
                            attempts[s] = 1;
                            LONGS.setRelease(stamp, s, st | PHASE_SENT);
                            addToBatch(s, st | PHASE_SENT, sendNanos, isV6[s] ? b6 : b4);
                            used++;
                        }
                        if (q.waiters > 0) {
                            q.notFull.signalAll();
                        }
                    } finally {
                        q.lock.unlock();
                    }
                    if (cancelled == cancelledSlots.length) {
                        break;
                    }
                }
                publishInFlight();
                for (int i = 0; i < cancelled; i++) {
                    int s = cancelledSlots[i];
                    bump(senderCounters, C_CANCELLED, 1);
                    complete(s, Outcome.ERROR, -1, false);
                    freeSlot(s);
                }
                if (used > 0) {
                    if (pps > 0) {
                        tat += used * interval;
                    }
                    if (b4.count == b4.slots.length && other4 != null && !other4.busy) {
                        // A full batch: let the helper send it on its own socket while this
                        // thread builds (and sends) the next one.
                        drainFailures(other4);
                        other4.reset();
                        b4.commit();
                        b4.busy = true;
                        handoff = b4;
                        if (helperParked) {
                            LockSupport.unpark(helper);
                        }
                        SendBatch t = b4;
                        b4 = other4;
                        other4 = t;
                    } else if (b4.count > 0) {
                        flush(b4, socket4, errno, senderCounters, C_SENT);
                        drainFailures(b4);
                    }
                    if (b6 != null && b6.count > 0) {
                        flush(b6, socket6, errno, senderCounters, C_SENT);
                        drainFailures(b6);
                    }
                    publishInFlight();
                    continue;
                }
                if (cancelled > 0) {
                    continue;
                }
                // Nothing sent: wait for the next event (deadline, token, submission, freed slot).
                long wait = TimeUnit.MILLISECONDS.toNanos(50);
                boolean awaitDrain = false;
                long awaited = 0;
                if (deadlines.size() > 0) {
                    awaited = deadlines.peekDeadline();
                    long untilDeadline = awaited - System.nanoTime();
                    if (untilDeadline > 0) {
                        wait = Math.min(wait, untilDeadline);
                    } else {
                        // Due, but the receiver has not yet read up to it (expire() just ran):
                        // it wakes us when it has, within its poll timeout; the bounded wait is
                        // only a safety net.
                        awaitDrain = true;
                        wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(2L * POLL_MILLIS));
                    }
                }
                boolean lanesWaiting = lanes[0].size > 0 || (lanes[1].size > 0 && inFlightByLane[1] < sweepShare(bound));
                boolean work = retryCount > 0 || (lanesWaiting && room > 0 && freeTop > 0);
                boolean tokenStarved = work && pps > 0 && budget == 0;
                if (work && !tokenStarved) {
                    continue;
                }
                if (tokenStarved) {
                    double t = System.nanoTime() - originNanos;
                    wait = Math.min(wait, (long) (tat + interval - t) + 1);
                }
                if (wait <= 0) {
                    continue;
                }
                // Replies free slots; they need to wake us only when queued probes wait for one.
                senderWantsSlots = lanes[0].size > 0 || lanes[1].size > 0;
                if (awaitDrain) {
                    drainAwaitedNanos = awaited;
                    senderAwaitsDrain = true;
                }
                senderParked = true;
                // Re-check after publishing the flag: a submitter or the receiver that saw it
                // false has already made its work visible here (both sides use volatiles).
                boolean newWork = freed.size() > 0 || (awaitDrain && drainedUpToNanos - awaited >= 0)
                        || (!tokenStarved && room > 0 && (lanes[0].size > 0
                                || (lanes[1].size > 0 && inFlightByLane[1] < sweepShare(bound))));
                if (!newWork && !closing) {
                    LockSupport.parkNanos(this, wait);
                }
                senderParked = false;
                if (awaitDrain) {
                    senderAwaitsDrain = false;
                }
            }
        }
    }

    private void publishInFlight() {
        long inFlight = capacity - freeTop;
        LONGS.setOpaque(senderCounters, C_IN_FLIGHT, inFlight);
        if (inFlight > senderCounters[C_MAX_IN_FLIGHT]) {
            LONGS.setOpaque(senderCounters, C_MAX_IN_FLIGHT, inFlight);
        }
    }

    private static int sweepShare(int bound) {
        return bound - bound / 8;
    }

    private void freeSlot(int s) {
        inFlightByLane[laneOf[s]]--;
        deadlines.remove(s);
        listeners[s] = null;
        freeStack[freeTop++] = s;
    }

    private void drainFreed() {
        int s;
        while ((s = freed.poll()) >= 0) {
            freeSlot(s);
        }
    }

    private void expire(long now, long helperCap) {
        long drained = drainedUpToNanos;
        long limit = drained - now < 0 ? drained : now;
        if (helperCap != Long.MAX_VALUE && helperCap - limit < 0) {
            limit = helperCap;
        }
        while (deadlines.size() > 0 && deadlines.peekDeadline() - limit <= 0) {
            int s = deadlines.poll();
            long st = (long) LONGS.getAcquire(stamp, s);
            if ((st & 3) != PHASE_SENT) {
                continue; // answered; the receiver hands the slot back through `freed`
            }
            Object l = listeners[s];
            boolean cancelled = !isV6[s] && ((ProbeListener) l).isCancelled();
            if (retriesLeft[s] > 0 && !cancelled) {
                retriesLeft[s]--;
                int tail = (retryHead + retryCount) % capacity;
                retryFifo[tail] = ((long) s << 32) | ((st >>> 2) & 0xFFFF_FFFFL);
                retryCount++;
                continue;
            }
            if (LONGS.compareAndSet(stamp, s, st, (st & ~3L) | PHASE_DONE)) {
                bump(senderCounters, C_TIMEOUTS, 1);
                complete(s, Outcome.TIMEOUT, -1, false);
                freeSlot(s);
            }
        }
    }

    private void addToBatch(int s, long st, long sendNanos, SendBatch b) {
        int i = b.count++;
        int seq = sequence++ & 0xFFFF;
        int gen = (int) (st >>> 2);
        long hi = isV6[s] ? addr6Hi[s] : 0;
        long lo = isV6[s] ? addr6Lo[s] : Ipv4.toUnsigned(addr4[s]);
        long token = EchoCodec.token(secret, s, gen, sendNanos, seq, hi, lo);
        int pkt = i * EchoCodec.REQUEST_LENGTH;
        // Packets and addresses are built in heap arrays and copied to native memory per batch
        // (commit): plain array stores stay cheap while the JIT has not compiled this yet.
        int a = i * b.addrSize;
        if (b.v6) {
            EchoCodec.writeRequest6(b.heapPackets, pkt, ident, seq, s, gen, sendNanos, token);
            EchoCodec.putLong(b.heapAddrs, a + (int) Libc.SIN6_ADDR, hi);
            EchoCodec.putLong(b.heapAddrs, a + (int) Libc.SIN6_ADDR + 8, lo);
        } else {
            EchoCodec.writeRequest4(b.heapPackets, pkt, ident, seq, s, gen, sendNanos, token);
            EchoCodec.putInt(b.heapAddrs, a + (int) Libc.SIN_ADDR, addr4[s]);
        }
        b.slots[i] = s;
        b.gens[i] = gen;
        b.sendNanos = sendNanos;
        long deadline = sendNanos + timeoutNanos[s];
        if (i == 0 || deadline - b.minDeadline < 0) {
            b.minDeadline = deadline;
        }
        deadlines.put(s, deadline);
    }

    /** The helper thread: sends the batches the sender hands over. */
    private void helperLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            while (!closing) {
                SendBatch b = handoff;
                if (b != null) {
                    handoff = null;
                    flush(b, helperSocket4, errno, helperCounters, 0);
                    b.busy = false; // publishes failed[] and sentDoneNanos to the sender
                    continue;
                }
                helperParked = true;
                if (handoff == null && !closing) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(50));
                }
                helperParked = false;
            }
        }
    }

    /**
     * Sender thread, once a flushed batch is back: completes the probes the kernel refused, and
     * when the batch left noticeably later than its recorded send time (a descheduled thread),
     * restarts its probes' timeouts from when they really left.
     */
    private void drainFailures(SendBatch b) {
        for (int i = 0; i < b.failedCount; i++) {
            failSend(b.failed[i]);
        }
        b.failedCount = 0;
        if (b.count > 0 && b.sentDoneNanos - b.sendNanos > LATE_SEND_NANOS) {
            for (int i = 0; i < b.count; i++) {
                int s = b.slots[i];
                long st = (long) LONGS.getAcquire(stamp, s);
                if (st == ((((long) b.gens[i]) & 0xFFFF_FFFFL) << 2 | PHASE_SENT) && deadlines.contains(s)) {
                    deadlines.put(s, b.sentDoneNanos + timeoutNanos[s]);
                }
            }
        }
        b.count = 0;
        b.committed = 0;
    }

    /**
     * Sends a batch; slots the kernel refused are recorded in {@code b.failed} for the sender to
     * complete (this may run on the helper thread, which must not touch the slot table).
     */
    private void flush(SendBatch b, IcmpSocket socket, MemorySegment errno, long[] counters, int sentIndex) {
        b.commit();
        b.failedCount = 0;
        int i = 0;
        int transient_ = 0;
        long mm = Libc.MMSGHDR.byteSize();
        while (i < b.count) {
            int r = Libc.sendmmsg(errno, socket.fd, b.msgs.asSlice(i * mm), b.count - i, Libc.MSG_DONTWAIT);
            if (r > 0) {
                i += r;
                bump(counters, sentIndex, r);
                transient_ = 0;
                continue;
            }
            int e = r < 0 ? Libc.errno(errno) : Libc.EAGAIN;
            if ((e == Libc.EAGAIN || e == Libc.ENOBUFS || e == Libc.EINTR) && transient_ < 2_000 && !closing) {
                transient_++;
                // Socket buffer full: give the kernel a moment to drain it.
                LockSupport.parkNanos(transient_ < 10 ? 20_000 : 200_000);
                continue;
            }
            b.failed[b.failedCount++] = b.slots[i];
            i++;
            transient_ = 0;
        }
        b.sentDoneNanos = System.nanoTime();
    }

    private void failSend(int s) {
        long st = (long) LONGS.getAcquire(stamp, s);
        if ((st & 3) == PHASE_SENT && LONGS.compareAndSet(stamp, s, st, (st & ~3L) | PHASE_DONE)) {
            bump(senderCounters, C_SEND_ERRORS, 1);
            complete(s, Outcome.ERROR, -1, false);
            freeSlot(s);
        }
    }

    /** Pre-built sendmmsg vectors: message i points at address i and packet i. Sender-owned. */
    private static final class SendBatch {
        final boolean v6;
        final MemorySegment msgs;
        final MemorySegment iovs;
        final MemorySegment addrs;
        final MemorySegment packets;
        final int[] slots;
        final int[] failed;
        final int[] gens;
        final int addrSize;
        /** Heap copies of {@code packets} and {@code addrs}, written per probe, copied to native memory by {@link #commit}. */
        final byte[] heapPackets;
        final byte[] heapAddrs;
        /** Probes already copied to native memory. */
        int committed;
        /** Recorded send time of the batch's probes (their payloads carry it), and their earliest deadline. */
        long sendNanos;
        long minDeadline;
        /** When the flush finished (written by the flushing thread). */
        long sentDoneNanos;
        /** Filled by whichever thread flushed the batch; read by the sender once {@code busy} is false. */
        int failedCount;
        int count;
        /** True while the helper owns the batch (set by the sender, cleared by the helper). */
        volatile boolean busy;

        void reset() {
            count = 0;
            committed = 0;
            failedCount = 0;
        }

        /** Copies the probes added since the last commit to native memory (two bulk copies). Idempotent. */
        void commit() {
            int from = committed;
            int n = count - from;
            if (n <= 0) {
                return;
            }
            MemorySegment.copy(heapPackets, from * EchoCodec.REQUEST_LENGTH, packets, ValueLayout.JAVA_BYTE,
                    (long) from * EchoCodec.REQUEST_LENGTH, n * EchoCodec.REQUEST_LENGTH);
            MemorySegment.copy(heapAddrs, from * addrSize, addrs, ValueLayout.JAVA_BYTE, (long) from * addrSize, n * addrSize);
            committed = count;
        }

        SendBatch(Arena arena, boolean v6, int n) {
            this.v6 = v6;
            long addrSize = v6 ? Libc.SOCKADDR_IN6.byteSize() : Libc.SOCKADDR_IN.byteSize();
            msgs = arena.allocate(Libc.MMSGHDR, n);
            iovs = arena.allocate(Libc.IOVEC, n);
            addrs = arena.allocate(addrSize * n, 8);
            packets = arena.allocate((long) EchoCodec.REQUEST_LENGTH * n, 8);
            slots = new int[n];
            failed = new int[n];
            gens = new int[n];
            this.addrSize = (int) addrSize;
            heapPackets = new byte[EchoCodec.REQUEST_LENGTH * n];
            heapAddrs = new byte[(int) addrSize * n];
            for (int i = 0; i < n; i++) {
                long a = i * addrSize;
                if (v6) {
                    addrs.set(ValueLayout.JAVA_SHORT, a + Libc.SIN6_FAMILY, (short) Libc.AF_INET6);
                } else {
                    addrs.set(ValueLayout.JAVA_SHORT, a + Libc.SIN_FAMILY, (short) Libc.AF_INET);
                }
                long iov = i * Libc.IOVEC.byteSize();
                iovs.set(ValueLayout.ADDRESS, iov + Libc.IOV_BASE, packets.asSlice((long) i * EchoCodec.REQUEST_LENGTH));
                setSize(iovs, iov + Libc.IOV_LEN, EchoCodec.REQUEST_LENGTH);
                long m = i * Libc.MMSGHDR.byteSize();
                msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_NAME, addrs.asSlice(a));
                msgs.set(ValueLayout.JAVA_INT, m + Libc.MSG_NAMELEN, (int) addrSize);
                msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_IOV, iovs.asSlice(iov));
                setSize(msgs, m + Libc.MSG_IOVLEN, 1);
            }
            MemorySegment.copy(addrs, ValueLayout.JAVA_BYTE, 0, heapAddrs, 0, heapAddrs.length); // families preset
        }
    }

    private static void setSize(MemorySegment seg, long offset, long value) {
        if (Libc.C_SIZE_T.byteSize() == 8) {
            seg.set(ValueLayout.JAVA_LONG, offset, value);
        } else {
            seg.set(ValueLayout.JAVA_INT, offset, (int) value);
        }
    }

    // =====================================================================================
    // Receiver
    // =====================================================================================

    private void receiveLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            java.util.List<IcmpSocket> list = new java.util.ArrayList<>();
            list.add(socket4);
            if (socket6 != null) {
                list.add(socket6);
            }
            if (helperSocket4 != null && !helperSocket4.raw) {
                list.add(helperSocket4); // a datagram socket gets the replies to what it sent
            }
            IcmpSocket[] sockets = list.toArray(IcmpSocket[]::new);
            int nfds = sockets.length;
            boolean allStamped = true;
            for (IcmpSocket sk : sockets) {
                allStamped &= sk.receiveTimestamps;
            }
            MemorySegment fds = arena.allocate(Libc.POLLFD, nfds);
            for (int i = 0; i < nfds; i++) {
                long p = i * Libc.POLLFD.byteSize();
                fds.set(ValueLayout.JAVA_INT, p + Libc.POLL_FD, sockets[i].fd);
                fds.set(ValueLayout.JAVA_SHORT, p + Libc.POLL_EVENTS, Libc.POLLIN);
            }
            RecvBatch batch = new RecvBatch(arena, config.batchSize());
            EchoCodec.ParsedReply parsed = new EchoCodec.ParsedReply();
            while (!closing) {
                long before = System.nanoTime();
                int r = Libc.poll(errno, fds, nfds, POLL_MILLIS);
                if (r == 0) {
                    drained(before); // nothing arrived while we waited
                    continue;
                }
                if (r < 0) {
                    continue;
                }
                boolean emptied = true;
                int read = 0;
                for (int i = 0; i < nfds && !closing; i++) {
                    short revents = fds.get(ValueLayout.JAVA_SHORT, i * Libc.POLLFD.byteSize() + Libc.POLL_REVENTS);
                    if (revents != 0) {
                        int k = drain(sockets[i], batch, errno, parsed);
                        if (k < 0) {
                            emptied = false;
                            read += batch.n;
                        } else {
                            read += k;
                        }
                    }
                }
                if (emptied) {
                    // sockets not ready at `before` had nothing; ready ones were read until empty
                    drained(before);
                }
                if (allStamped && read < batch.n && !closing) {
                    // Low rate (the wakeup read less than one batch): let replies gather for a
                    // moment instead of waking per packet. RTTs do not suffer: they come from the
                    // kernel's receive timestamps. At sweep rates a wakeup reads full batches and
                    // this never waits.
                    LockSupport.parkNanos(this, RECEIVE_GATHER_NANOS);
                }
            }
        }
    }

    /** Receiver: publishes the drain horizon and wakes a sender waiting for it to pass a deadline. */
    private void drained(long upToNanos) {
        drainedUpToNanos = upToNanos;
        if (senderAwaitsDrain && upToNanos - drainAwaitedNanos >= 0) {
            LockSupport.unpark(sender);
        }
    }

    /**
     * Reads {@code socket} until empty, returning the packets read, or for a bounded number of
     * batches (returns -1: more may be waiting).
     */
    private int drain(IcmpSocket socket, RecvBatch b, MemorySegment errno, EchoCodec.ParsedReply parsed) {
        int mm = (int) Libc.MMSGHDR.byteSize();
        int addrLen = (int) Libc.SOCKADDR_IN6.byteSize();
        boolean v6 = socket.family == Libc.AF_INET6;
        boolean stamps = socket.receiveTimestamps;
        int total = 0;
        // Bounded: at most 64 batches per readiness, then poll again (lets close() be noticed).
        for (int round = 0; round < 64 && !closing; round++) {
            // one bulk copy restores every name length, control length and flag the kernel rewrote
            MemorySegment.copy(b.template, 0, b.msgs, 0, b.template.byteSize());
            int k = Libc.recvmmsg(errno, socket.fd, b.msgs, b.n, Libc.MSG_DONTWAIT);
            if (k <= 0) {
                return total;
            }
            long now = System.nanoTime();
            // Bulk copies to the heap, then plain array reads: cheap before and after the JIT.
            MemorySegment.copy(b.msgs, ValueLayout.JAVA_LONG_UNALIGNED, 0, b.msgWords, 0, k * mm / 8);
            MemorySegment.copy(b.addrs, ValueLayout.JAVA_BYTE, 0, b.heapAddrs, 0, k * addrLen);
            MemorySegment.copy(b.buffers, ValueLayout.JAVA_BYTE, 0, b.heapBuffers, 0, k * RECV_BUFFER);
            long realMinusMono = 0;
            if (stamps) {
                MemorySegment.copy(b.control, ValueLayout.JAVA_LONG_UNALIGNED, 0, b.ctlWords, 0, k * RecvBatch.CONTROL / 8);
                // CLOCK_REALTIME - CLOCK_MONOTONIC now, to bring the kernel's receive stamps
                // (realtime) onto System.nanoTime()'s scale; only the short gap between a
                // packet's arrival and now is measured on the realtime clock.
                if (Libc.clockGettime(errno, Libc.CLOCK_REALTIME, b.timespec) == 0) {
                    long mono = System.nanoTime();
                    realMinusMono = b.timespec.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L
                            + b.timespec.get(ValueLayout.JAVA_LONG, 8) - mono;
                    now = mono;
                } else {
                    stamps = false;
                }
            }
            boolean freedAny = false;
            for (int i = 0; i < k; i++) {
                int len = intAt(b.msgWords, (long) i * mm + Libc.MSG_LEN);
                len = Math.min(Math.max(len, 0), RECV_BUFFER);
                int off = i * RECV_BUFFER;
                int a = i * addrLen;
                int result;
                if (v6) {
                    long hi = EchoCodec.be64(b.heapAddrs, a + (int) Libc.SIN6_ADDR);
                    long lo = EchoCodec.be64(b.heapAddrs, a + (int) Libc.SIN6_ADDR + 8);
                    result = EchoCodec.parse6(b.heapBuffers, off, len, hi, lo, socket.raw ? ident : -1, secret, capacity, parsed);
                } else {
                    int src = EchoCodec.be32(b.heapAddrs, a + (int) Libc.SIN_ADDR);
                    result = EchoCodec.parse4(b.heapBuffers, off, len, socket.raw, src, socket.raw ? ident : -1, secret, capacity, parsed);
                }
                long arrived = now;
                if (stamps && result == EchoCodec.REPLY) {
                    long kernel = receiveStamp(b, i, mm);
                    if (kernel != 0) {
                        long mono = kernel - realMinusMono;
                        // a stamp off the scale (realtime stepped meanwhile) falls back to now
                        if (mono - parsed.sendNanos >= 0 && mono - now <= 0) {
                            arrived = mono;
                        }
                    }
                }
                freedAny |= accept(result, parsed, v6, arrived);
            }
            total += k;
            if (freedAny && senderParked && senderWantsSlots) {
                LockSupport.unpark(sender);
            }
            if (k < b.n) {
                return total;
            }
        }
        return closing ? total : -1;
    }

    /** The kernel's receive time (CLOCK_REALTIME ns) of message {@code i}, or 0 when it has none. */
    private static long receiveStamp(RecvBatch b, int i, int mm) {
        long controlLen = b.msgWords[(i * mm + (int) Libc.MSG_CONTROLLEN) >>> 3];
        int flags = intAt(b.msgWords, (long) i * mm + Libc.MSG_FLAGS);
        if (controlLen < Libc.CMSG_SPACE_TIMESPEC || (flags & Libc.MSG_CTRUNC) != 0) {
            return 0;
        }
        int c = i * RecvBatch.CONTROL;
        long cmsgLen = b.ctlWords[(c + (int) Libc.CMSG_LEN_OFFSET) >>> 3];
        int level = intAt(b.ctlWords, c + Libc.CMSG_LEVEL);
        int type = intAt(b.ctlWords, c + Libc.CMSG_TYPE);
        if (level != Libc.SOL_SOCKET || type != Libc.SCM_TIMESTAMPNS || cmsgLen < Libc.CMSG_DATA + 16) {
            return 0;
        }
        int d = (c + (int) Libc.CMSG_DATA) >>> 3;
        long sec = b.ctlWords[d];
        long nsec = b.ctlWords[d + 1];
        if (sec <= 0 || nsec < 0 || nsec >= 1_000_000_000L) {
            return 0;
        }
        return sec * 1_000_000_000L + nsec;
    }

    /** The native-order 32-bit int at byte offset {@code off} of memory copied into {@code words}. */
    private static int intAt(long[] words, long off) {
        long w = words[(int) (off >>> 3)];
        boolean lowHalf = (off & 4) == 0;
        return (int) (lowHalf == LITTLE_ENDIAN ? w : w >>> 32);
    }

    /**
     * Applies one parse result: attributes it to its slot or counts why it was ignored. Receiver
     * thread. Returns true when a slot was handed back to the sender.
     */
    private boolean accept(int result, EchoCodec.ParsedReply p, boolean v6, long arrivedNanos) {
        switch (result) {
            case EchoCodec.REPLY, EchoCodec.UNREACHABLE -> {
                int s = p.slot;
                long expected = ((p.gen & 0xFFFF_FFFFL) << 2) | PHASE_SENT;
                long st = (long) LONGS.getAcquire(stamp, s);
                if (st != expected) {
                    bump(receiverCounters, R_LATE, 1);
                    return false;
                }
                boolean sameAddress = v6 ? (isV6[s] && addr6Hi[s] == p.addrHi && addr6Lo[s] == p.addrLo)
                        : (!isV6[s] && addr4[s] == p.ipv4);
                if (!sameAddress) {
                    bump(receiverCounters, R_FOREIGN, 1);
                    return false;
                }
                if (!LONGS.compareAndSet(stamp, s, expected, (expected & ~3L) | PHASE_DONE)) {
                    bump(receiverCounters, R_LATE, 1);
                    return false;
                }
                if (result == EchoCodec.REPLY) {
                    bump(receiverCounters, R_REPLIES, 1);
                    complete(s, Outcome.REPLY, Math.max(0, arrivedNanos - p.sendNanos), true);
                } else {
                    bump(receiverCounters, R_UNREACHABLE, 1);
                    complete(s, Outcome.UNREACHABLE, -1, true);
                }
                freed.offer(s);
                return true;
            }
            case EchoCodec.IGNORED_MALFORMED -> bump(receiverCounters, R_MALFORMED, 1);
            case EchoCodec.IGNORED_OWN_REQUEST -> bump(receiverCounters, R_REQUESTS, 1);
            case EchoCodec.IGNORED_OTHER_TYPE -> bump(receiverCounters, R_OTHER, 1);
            default -> bump(receiverCounters, R_FOREIGN, 1);
        }
        return false;
    }

    /** Pre-built recvmmsg vectors and their heap mirrors. Receiver-owned. */
    private static final class RecvBatch {
        /** Control buffer bytes per message (room for one SCM_TIMESTAMPNS and then some). */
        static final int CONTROL = 64;
        final int n;
        final MemorySegment msgs;
        /** msgs as built, copied over msgs before every recvmmsg. */
        final MemorySegment template;
        final MemorySegment iovs;
        final MemorySegment addrs;
        final MemorySegment buffers;
        final MemorySegment control;
        final MemorySegment timespec;
        final long[] msgWords;
        final long[] ctlWords;
        final byte[] heapAddrs;
        final byte[] heapBuffers;

        RecvBatch(Arena arena, int n) {
            this.n = n;
            long addrSize = Libc.SOCKADDR_IN6.byteSize();
            msgs = arena.allocate(Libc.MMSGHDR, n);
            iovs = arena.allocate(Libc.IOVEC, n);
            addrs = arena.allocate(addrSize * n, 8);
            buffers = arena.allocate((long) RECV_BUFFER * n, 8);
            control = arena.allocate((long) CONTROL * n, 8);
            timespec = arena.allocate(Libc.TIMESPEC);
            for (int i = 0; i < n; i++) {
                long iov = i * Libc.IOVEC.byteSize();
                iovs.set(ValueLayout.ADDRESS, iov + Libc.IOV_BASE, buffers.asSlice((long) i * RECV_BUFFER));
                setSize(iovs, iov + Libc.IOV_LEN, RECV_BUFFER);
                long m = i * Libc.MMSGHDR.byteSize();
                msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_NAME, addrs.asSlice(i * addrSize));
                msgs.set(ValueLayout.JAVA_INT, m + Libc.MSG_NAMELEN, (int) addrSize);
                msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_IOV, iovs.asSlice(iov));
                setSize(msgs, m + Libc.MSG_IOVLEN, 1);
                msgs.set(ValueLayout.ADDRESS, m + Libc.MSG_CONTROL, control.asSlice((long) i * CONTROL));
                setSize(msgs, m + Libc.MSG_CONTROLLEN, CONTROL);
                msgs.set(ValueLayout.JAVA_INT, m + Libc.MSG_FLAGS, 0);
            }
            template = arena.allocate(msgs.byteSize(), 8);
            template.copyFrom(msgs);
            msgWords = new long[(int) (msgs.byteSize() / 8)];
            ctlWords = new long[CONTROL * n / 8];
            heapAddrs = new byte[(int) addrSize * n];
            heapBuffers = new byte[RECV_BUFFER * n];
        }
    }

    // =====================================================================================
    // Lane queues
    // =====================================================================================

    /**
     * A bounded FIFO of submitted probes in parallel arrays. Guarded by {@code lock}; {@code size}
     * is a volatile copy of {@code count} for the sender's lock-free emptiness check.
     */
    private final class LaneQueue {
        final ReentrantLock lock = new ReentrantLock();
        final Condition notFull = lock.newCondition();
        final int cap;
        final int[] qAddr4;
        final long[] qHi;
        final long[] qLo;
        final boolean[] qV6;
        final long[] qTimeout;
        final int[] qRetries;
        final Object[] qListener;
        int head;
        int count;
        int waiters;
        volatile int size;

        LaneQueue(int cap) {
            this.cap = cap;
            qAddr4 = new int[cap];
            qHi = new long[cap];
            qLo = new long[cap];
            qV6 = new boolean[cap];
            qTimeout = new long[cap];
            qRetries = new int[cap];
            qListener = new Object[cap];
        }

        boolean offer(int a4, long hi, long lo, boolean v6, long timeout, int retries, Object listener, boolean wake) {
            lock.lock();
            try {
                if (closing) {
                    throw new IllegalStateException("the ICMP engine is closed");
                }
                if (count == cap) {
                    return false;
                }
                put(a4, hi, lo, v6, timeout, retries, listener);
            } finally {
                lock.unlock();
            }
            if (wake) {
                wakeSender();
            }
            return true;
        }

        void offerBlocking(int a4, long hi, long lo, boolean v6, long timeout, int retries, Object listener) throws InterruptedException {
            lock.lockInterruptibly();
            try {
                while (count == cap && !closing) {
                    waiters++;
                    try {
                        notFull.await();
                    } finally {
                        waiters--;
                    }
                }
                if (closing) {
                    throw new IllegalStateException("the ICMP engine is closed");
                }
                put(a4, hi, lo, v6, timeout, retries, listener);
            } finally {
                lock.unlock();
            }
            wakeSender();
        }

        private void put(int a4, long hi, long lo, boolean v6, long timeout, int retries, Object listener) {
            int i = (head + count) % cap;
            qAddr4[i] = a4;
            qHi[i] = hi;
            qLo[i] = lo;
            qV6[i] = v6;
            qTimeout[i] = timeout;
            qRetries[i] = retries;
            qListener[i] = listener;
            count++;
            size = count;
        }

        /** Moves the head probe into slot {@code s}; returns true when its listener is cancelled. Lock held. */
        boolean take(int s) {
            int i = head;
            head = (head + 1) % cap;
            count--;
            size = count;
            addr4[s] = qAddr4[i];
            addr6Hi[s] = qHi[i];
            addr6Lo[s] = qLo[i];
            isV6[s] = qV6[i];
            timeoutNanos[s] = qTimeout[i];
            retriesLeft[s] = qRetries[i];
            Object l = qListener[i];
            qListener[i] = null;
            listeners[s] = l;
            return l instanceof ProbeListener pl && pl.isCancelled();
        }

        /** After the threads stopped: completes every queued probe with ERROR (never sent). */
        void drainAsErrors() {
            long nowEpoch = System.nanoTime() + epochOffsetNanos;
            lock.lock();
            try {
                while (count > 0) {
                    int i = head;
                    head = (head + 1) % cap;
                    count--;
                    Object l = qListener[i];
                    qListener[i] = null;
                    try {
                        if (qV6[i]) {
                            deliver6((Ipv6ProbeListener) l, qHi[i], qLo[i], nowEpoch, Outcome.ERROR, -1, 0, false);
                        } else {
                            ((ProbeListener) l).onResult(PingResult.failed(qAddr4[i], nowEpoch, Outcome.ERROR), 0);
                        }
                    } catch (RuntimeException e) {
                        bump(senderCounters, C_SENDER_LISTENER_ERRORS, 1);
                    }
                }
                size = 0;
            } finally {
                lock.unlock();
            }
        }
    }
}
