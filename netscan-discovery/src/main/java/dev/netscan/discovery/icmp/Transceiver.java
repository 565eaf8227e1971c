package dev.netscan.discovery.icmp;

import dev.netscan.core.Ipv4;
import dev.netscan.core.LocalOutcome;
import dev.netscan.discovery.IcmpCounters;
import dev.netscan.discovery.IcmpEngineConfig;
import dev.netscan.discovery.Ipv6ProbeListener;
import dev.netscan.discovery.Lane;
import dev.netscan.discovery.ProbeListener;
import dev.netscan.discovery.SocketKind;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The ICMP engine proper, behind {@link dev.netscan.discovery.IcmpEngine} (which validates and
 * documents the API): the sockets, the sender and receiver loops, the optional send helper, and
 * their cross-thread protocol, documented at the fields. Internal to netscan-discovery: public
 * only because {@code IcmpEngine} sits in the parent package; not exported. Its parts are
 * package-private: {@link SlotTable} (the slot protocol), {@link LaneQueue}, {@link TokenBucket},
 * {@link DeadlineHeap}, {@link SlotRing}, {@link SendBatch} / {@link RecvBatch} (the sendmmsg /
 * recvmmsg vectors), {@link SendHelper}, {@link PollSet}, {@link IcmpSocket} and
 * {@link ProbeOutcomes} (result delivery and counters).
 *
 * <h2>Threads</h2>
 * Sender: reclaims slots, expires deadlines (retry or timeout), takes retries then new probes
 * (monitor lane first) within the token bucket, the in-flight bound and the sweep share, fills
 * the batches and sends them, or parks until the next event. Receiver: polls the sockets (at most
 * {@value #POLL_MILLIS} ms), drains them with recvmmsg, attributes replies by token, slot and
 * generation, hands slots back through {@link #freed}, and publishes how far it has read
 * ({@link #drainedUpToNanos}). Every method here is thread-safe unless its doc says whose it is.
 */
public final class Transceiver implements AutoCloseable {
    /** Receiver's poll timeout: bounds how late an idle engine notices close() and how stale {@code drainedUpToNanos} gets. */
    private static final int POLL_MILLIS = 10;
    /** A batch that left this much later than its recorded send time gets its deadlines restarted. */
    private static final long LATE_SEND_NANOS = 1_000_000;
    /** At low packet rates the receiver waits this long after a wakeup so replies arrive in batches. */
    private static final long RECEIVE_GATHER_NANOS = 2_000_000;
    /** Longest the sender parks without an event. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final LaneQueue.Cancellation CANCELLED = l -> l instanceof ProbeListener pl && pl.isCancelled();

    // ---- immutable after construction ----
    private final IcmpEngineConfig config;
    private final IcmpSocket socket4;
    /** The ICMPv6 socket, or null without IPv6. */
    private final IcmpSocket socket6;
    /** Per-engine random secret keyed into every payload token. */
    private final long secret;
    /** ICMP identifier our raw-socket requests carry (datagram sockets: the kernel picks it). */
    private final int ident;
    private final int capacity;
    /** {@code () -> closing}, for the batches' bounded waits (allocated once). */
    private final BooleanSupplier stopping = () -> this.closing;

    /**
     * The probes in flight. Its stamps are the protocol between the sender and the receiver:
     * whoever wins the CAS SENT -> DONE (receiver: reply; sender: timeout or send error) delivers
     * the result; see {@link SlotTable}. Everything else in it is sender-owned.
     */
    private final SlotTable slots;
    /** Delivers each probe's result and counts outcomes; its sender half is sender-owned, its receiver half receiver-owned. */
    private final ProbeOutcomes outcomes;
    /** Slots the receiver completed, handed back to the sender (SPSC: receiver offers, sender polls). */
    private final SlotRing freed;
    /** Submitted probes per {@link Lane}: any thread offers, the sender takes (under each queue's lock). */
    private final LaneQueue[] lanes;

    // ---- sender-owned (the sender thread only, or close() after it stopped) ----
    private final DeadlineHeap deadlines;
    private final TokenBucket tokens;
    /** Timed-out probes to send again: {@code slot << 32 | generation}, a ring of {@code capacity}. */
    private final long[] retryFifo;
    private int retryHead;
    private int retryCount;
    private int sequence;
    /** Slots of probes found cancelled while taken this round: completed after the lane locks are released. */
    private final int[] cancelledSlots;
    private int cancelledCount;
    /** Sweep probes and retries taken this round (they spend the rate limit's tokens; monitoring probes do not). */
    private int tokensUsed;
    /** Receive-queue drops of the IPv4 socket matched to timeouts; set by the sender loop, sender-owned. */
    private ReceiveQueueDrops drops4;
    /** The batches being filled (IPv4, IPv6 or null) and the IPv4 batch the helper may hold (null without helper). */
    private SendBatch batch4;
    private SendBatch batch6;
    private SendBatch spare4;

    // ---- sender <-> receiver ----
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
    /**
     * True while the sender parks (or is about to: it re-checks for work after setting it).
     * Submitters and the receiver unpark it only when set, so a busy sender costs them nothing.
     */
    private volatile boolean senderParked;
    /** Set by a parking sender that has work but no free slot: only then does a reply wake it. */
    private volatile boolean senderWantsSlots;

    // ---- any thread -> sender (knobs) ----
    private volatile long rateLimitPps;
    private volatile int maxInFlight;
    /** Extra cap on {@link Lane#SWEEP} probes in flight (the governor's knob); written by anyone, read by the sender. */
    private volatile int sweepMaxInFlight = Integer.MAX_VALUE;
    /** Set once by close(); every loop checks it. */
    private volatile boolean closing;
    private volatile Throwable failure;
    private final Thread sender;
    private final Thread receiver;

    /** Sends full IPv4 batches on a second socket and thread (sender <-> helper: see {@link SendHelper}); null without. */
    private final SendHelper sendHelper;
    private final Thread helper;
    /** Send batches are shared between the sender and the helper; closed by close(). */
    private final Arena batchArena = Arena.ofShared();
    private final Object closeLock = new Object();
    private boolean closed;

    private Transceiver(IcmpEngineConfig config, IcmpSocket socket4, IcmpSocket socket6, IcmpSocket helperSocket4) {
        this.config = config;
        this.socket4 = socket4;
        this.socket6 = socket6;
        SecureRandom random = new SecureRandom();
        this.secret = random.nextLong();
        this.ident = random.nextInt(1 << 16);
        Instant now = Instant.now();
        long nano = System.nanoTime();
        long epochOffsetNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano() - nano;
        this.tokens = new TokenBucket(nano);
        this.drainedUpToNanos = nano;
        this.capacity = config.slotCapacity();
        this.slots = new SlotTable(capacity, Lane.values().length);
        this.outcomes = new ProbeOutcomes(slots, epochOffsetNanos);
        this.deadlines = new DeadlineHeap(capacity);
        this.retryFifo = new long[capacity];
        this.cancelledSlots = new int[config.batchSize()];
        this.freed = new SlotRing(capacity);
        this.lanes = new LaneQueue[] {
                new LaneQueue(config.laneQueueCapacity(), this::wakeSender), new LaneQueue(config.laneQueueCapacity(), this::wakeSender)};
        this.rateLimitPps = config.rateLimitPps();
        this.maxInFlight = config.maxInFlight();
        this.sender = new Thread(() -> guarded(this::sendLoop), "netscan-icmp-sender");
        this.receiver = new Thread(() -> guarded(this::receiveLoop), "netscan-icmp-receiver");
        sender.setDaemon(true);
        receiver.setDaemon(true);
        this.sendHelper = helperSocket4 == null ? null : new SendHelper(helperSocket4, stopping);
        this.helper = sendHelper == null ? null : new Thread(() -> guarded(sendHelper::run), "netscan-icmp-send-helper");
        if (helper != null) {
            helper.setDaemon(true);
        }
    }

    /**
     * Opens the sockets (in the calling thread's network namespace) and starts the threads.
     *
     * @throws dev.netscan.discovery.IcmpUnavailableException when no IPv4 ICMP socket of an
     *     allowed kind can be opened
     */
    public static Transceiver start(IcmpEngineConfig config) {
        SocketKind want = config.requiredKind();
        IcmpSocket s4 = IcmpSocket.openEither(want, Libc.AF_INET, config.receiveBufferBytes(), config.sendBufferBytes(), true);
        IcmpSocket s6 = config.ipv6()
                ? IcmpSocket.openEither(want, Libc.AF_INET6, config.receiveBufferBytes(), config.sendBufferBytes(), false)
                : null;
        IcmpSocket helper = null;
        if (config.parallelSend()) {
            // A raw helper socket receives nothing (its filter blocks every type); a datagram one
            // gets the replies to what it sent, so it needs the full receive buffer.
            int rcv = s4.raw ? 16 * 1024 : config.receiveBufferBytes();
            helper = IcmpSocket.open(s4.raw, Libc.AF_INET, rcv, config.sendBufferBytes(), true).socket();
        }
        Transceiver engine = new Transceiver(config, s4, s6, helper);
        engine.sender.start();
        engine.receiver.start();
        if (engine.helper != null) {
            engine.helper.start();
        }
        return engine;
    }

    // ---- front-door operations: IcmpEngine validates the arguments; lanes are Lane ordinals ----

    /** Queues a probe without blocking; false when the lane is full. Wakes the sender when {@code wake}. */
    public boolean offer(int lane, int ipv4, long hi, long lo, boolean v6, long timeoutNanos, int retries, Object listener, boolean wake) {
        return lanes[lane].offer(ipv4, hi, lo, v6, timeoutNanos, retries, listener, wake);
    }

    /** Queues an IPv4 probe, blocking while the lane is full (see {@link LaneQueue#offerBlocking}). */
    public void offerBlocking(int lane, int ipv4, long timeoutNanos, int retries, ProbeListener listener) throws InterruptedException {
        lanes[lane].offerBlocking(ipv4, 0, 0, false, timeoutNanos, retries, listener);
    }

    /** Queues an IPv6 probe, blocking while the lane is full (see {@link LaneQueue#offerBlocking}). */
    public void offerBlocking6(int lane, long hi, long lo, long timeoutNanos, int retries, Ipv6ProbeListener listener)
            throws InterruptedException {
        lanes[lane].offerBlocking(0, hi, lo, true, timeoutNanos, retries, listener);
    }

    /** Whether an ICMPv6 socket is open. */
    public boolean hasIpv6Socket() {
        return socket6 != null;
    }

    /** Without an ICMPv6 socket: completes the probe at once with ERROR (attempts 0) on the calling thread. */
    public void failWithoutIpv6Socket(Ipv6ProbeListener listener, long hi, long lo) {
        outcomes.noIpv6Socket(listener, hi, lo);
    }

    /** Sets the rate limit, packets per second (0 = unlimited), and wakes the sender. */
    public void setRateLimitPps(long pps) {
        rateLimitPps = pps;
        wakeSender();
    }

    /** The current rate limit (0 = unlimited). */
    public long rateLimitPps() {
        return rateLimitPps;
    }

    /** Sets the in-flight bound (1 to {@link #capacity()}) and wakes the sender. */
    public void setMaxInFlight(int max) {
        maxInFlight = max;
        wakeSender();
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    /** Sets the extra cap on sweep probes in flight (at least 1) and wakes the sender. */
    public void setSweepMaxInFlight(int max) {
        sweepMaxInFlight = max;
        wakeSender();
    }

    public int sweepMaxInFlight() {
        return sweepMaxInFlight;
    }

    /** Slots in the table: the highest in-flight bound. */
    public int capacity() {
        return capacity;
    }

    /** The kind of the IPv4 socket. */
    public SocketKind socketKind() {
        return socket4.kind();
    }

    /** Null without an ICMPv6 socket. */
    public SocketKind ipv6SocketKind() {
        return socket6 == null ? null : socket6.kind();
    }

    /** Probes queued in {@code lane}, not yet taken by the sender. */
    public int queued(int lane) {
        return lanes[lane].size();
    }

    /** A snapshot of the counters; callable at any time from any thread. */
    public IcmpCounters counters() {
        return outcomes.snapshot(socket4.kind(), ipv6SocketKind(), socket4.receiveBufferBytes,
                sendHelper == null ? 0 : sendHelper.sent());
    }

    /**
     * Stops the threads (each waited for a second at most), closes the sockets, then completes
     * queued probes with ERROR and in-flight ones with TIMEOUT on the calling thread, unless a
     * listener still holds an engine thread. Idempotent. (Contract: {@code IcmpEngine.close()}.)
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
        closing = true;
        for (LaneQueue q : lanes) {
            q.close();
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
        if (sendHelper != null) {
            sendHelper.socket().close();
        }
        if (sender.isAlive() || receiver.isAlive() || (helper != null && helper.isAlive())) {
            // A listener is blocking an engine thread; do not race it for the slot table.
            return;
        }
        batchArena.close();
        for (int s = 0; s < capacity; s++) {
            if (slots.completeStopped(s)) {
                outcomes.timeout(s);
            }
        }
        for (LaneQueue q : lanes) {
            outcomes.failQueued(q);
        }
        outcomes.noneInFlight();
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

    /** Wakes the sender if it parks (for probes queued without waking it). Cheap when it is awake. */
    public void wakeSender() {
        if (senderParked) {
            LockSupport.unpark(sender);
        }
    }

    // =====================================================================================
    // Sender: each round reclaims slots, expires deadlines, fills batches within the budgets,
    // sends them, or parks until the next event.
    // =====================================================================================

    private void sendLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            drops4 = new ReceiveQueueDrops(socket4, errno, arena);
            batch4 = new SendBatch(batchArena, false, config.batchSize());
            spare4 = helper == null ? null : new SendBatch(batchArena, false, config.batchSize());
            batch6 = socket6 == null ? null : new SendBatch(batchArena, true, config.batchSize());
            while (!closing) {
                reclaimSlots();
                long now = System.nanoTime();
                // Probes in the batch the helper is still sending must not expire before they
                // have even left: cap expiry below that batch's earliest deadline.
                expire(now, spare4 != null && spare4.busy ? spare4.minDeadline - 1 : Long.MAX_VALUE);
                // Separate budgets (issue 13): the rate limit is the sweep's politeness budget and
                // paces sweep probes and retries; monitoring probes are paced by their schedule and
                // bounded only by the in-flight bound.
                long pps = rateLimitPps;
                int budget = config.batchSize();
                int tokenBudget = tokens.available(now, pps, budget);
                long sendNanos = System.nanoTime();
                batch4.reset();
                if (batch6 != null) {
                    batch6.reset();
                }
                int used = takeRetries(tokenBudget, sendNanos);
                tokensUsed = used;
                int bound = maxInFlight;
                int room = bound - slots.inUse();
                used = takeNewProbes(used, budget, tokenBudget, room, bound, sendNanos);
                publishInFlight();
                completeCancelled();
                if (used > 0) {
                    tokens.consume(tokensUsed, pps);
                    sendBatches(errno);
                    publishInFlight();
                } else if (cancelledCount == 0) {
                    awaitEvent(tokenBudget, room, bound, pps);
                }
            }
        }
    }

    /** Hands back the slots of the helper's finished batch and those the receiver freed. */
    private void reclaimSlots() {
        if (spare4 != null && !spare4.busy && spare4.count > 0) {
            drainFailures(spare4); // the helper finished it
        }
        int s;
        while ((s = freed.poll()) >= 0) {
            freeSlot(s);
        }
    }

    /** Moves up to {@code budget} due retries into the batches; returns how many. */
    private int takeRetries(int budget, long sendNanos) {
        int used = 0;
        while (used < budget && retryCount > 0) {
            long e = retryFifo[retryHead];
            retryHead = (retryHead + 1) % capacity;
            retryCount--;
            int s = (int) (e >>> 32);
            long st = slots.stamp(s);
            if (!SlotTable.isSent(st) || SlotTable.generation(st) != (int) e) {
                continue; // answered meanwhile
            }
            slots.markAttempt(s);
            outcomes.retried();
            addToBatch(s, st, sendNanos);
            used++;
        }
        return used;
    }

    /**
     * Takes new probes, monitor lane first, into slots and the batches while the budget
     * ({@code used} of {@code budget} spent), the in-flight {@code room} and free slots allow,
     * and, for sweep probes, the rate limit's {@code tokenBudget} ({@link #tokensUsed} of it
     * spent); probes found cancelled go to {@link #cancelledSlots}. Returns the budget used.
     */
    private int takeNewProbes(int used, int budget, int tokenBudget, int room, int bound, long sendNanos) {
        cancelledCount = 0;
        for (int lane = 0; lane < lanes.length && used < budget && room > 0; lane++) {
            LaneQueue q = lanes[lane];
            if (q.size() == 0) {
                continue;
            }
            // Sweeps may hold at most 7/8 of the in-flight bound: the rest stays free for
            // monitoring, so a sweep of dead addresses cannot starve the schedule.
            int laneRoom = lane == 0 ? room
                    : Math.min(room, Math.min(sweepShare(bound), sweepMaxInFlight) - slots.inUse(1));
            q.lockForTake();
            try {
                while (q.count() > 0 && used < budget && laneRoom > 0 && slots.free() > 0
                        && (lane == 0 || tokensUsed < tokenBudget)) {
                    int s = slots.allocate(lane);
                    room--;
                    laneRoom--;
                    boolean cancelledProbe = q.take(slots, s, CANCELLED);
                    long generation = slots.nextGeneration(s, sendNanos);
                    outcomes.probeTaken();
                    if (cancelledProbe) {
                        slots.publish(s, generation, false);
                        cancelledSlots[cancelledCount++] = s;
                        if (cancelledCount == cancelledSlots.length) {
                            break;
                        }
                        continue;
                    }
                    addToBatch(s, slots.publish(s, generation, true), sendNanos);
                    used++;
                    if (lane != 0) {
                        tokensUsed++;
                    }
                }
            } finally {
                q.unlockAfterTake();
            }
            if (cancelledCount == cancelledSlots.length) {
                break;
            }
        }
        return used;
    }

    /** Completes the probes {@link #takeNewProbes} found cancelled (outside the lane locks). */
    private void completeCancelled() {
        for (int i = 0; i < cancelledCount; i++) {
            int s = cancelledSlots[i];
            outcomes.cancelled(s);
            freeSlot(s);
        }
    }

    /** Writes the echo request of slot {@code s} (stamp {@code st}) into its family's batch and arms its deadline. */
    private void addToBatch(int s, long st, long sendNanos) {
        boolean v6 = slots.isV6(s);
        int seq = sequence++ & 0xFFFF;
        int gen = SlotTable.generation(st);
        int ipv4 = slots.ipv4(s);
        long hi = v6 ? slots.addr6Hi(s) : 0;
        long lo = v6 ? slots.addr6Lo(s) : Ipv4.toUnsigned(ipv4);
        long token = EchoCodec.token(secret, s, gen, sendNanos, seq, hi, lo);
        long deadline = sendNanos + slots.timeoutNanos(s);
        (v6 ? batch6 : batch4).add(s, gen, ident, seq, sendNanos, token, ipv4, hi, lo, deadline);
        deadlines.put(s, deadline);
    }

    /** Sends the filled batches: a full IPv4 batch goes to the helper when it is free. */
    private void sendBatches(MemorySegment errno) {
        if (batch4.count == batch4.capacity() && spare4 != null && !spare4.busy) {
            // A full batch: let the helper send it on its own socket while this thread builds
            // (and sends) the next one.
            drainFailures(spare4);
            spare4.reset();
            sendHelper.handOff(batch4);
            SendBatch t = batch4;
            batch4 = spare4;
            spare4 = t;
        } else if (batch4.count > 0) {
            outcomes.sent(batch4.send(socket4, errno, stopping));
            drainFailures(batch4);
        }
        if (batch6 != null && batch6.count > 0) {
            outcomes.sent(batch6.send(socket6, errno, stopping));
            drainFailures(batch6);
        }
    }

    /**
     * Nothing was sent this round: parks until the next event (a deadline, a token, a
     * submission, a freed slot the queued probes wait for, the receiver draining past a due
     * deadline), or returns at once when there is work after all.
     */
    private void awaitEvent(int tokenBudget, int room, int bound, long pps) {
        long wait = IDLE_PARK_NANOS;
        boolean awaitDrain = false;
        long awaited = 0;
        if (deadlines.size() > 0) {
            awaited = deadlines.peekDeadline();
            long untilDeadline = awaited - System.nanoTime();
            if (untilDeadline > 0) {
                wait = Math.min(wait, untilDeadline);
            } else {
                // Due, but the receiver has not yet read up to it (expire() just ran): it wakes
                // us when it has, within its poll timeout; the bounded wait is only a safety net.
                awaitDrain = true;
                wait = Math.min(wait, TimeUnit.MILLISECONDS.toNanos(2L * POLL_MILLIS));
            }
        }
        boolean monitorWaiting = lanes[0].size() > 0 && room > 0 && slots.free() > 0;
        boolean sweepWaiting = retryCount > 0
                || (lanes[1].size() > 0 && slots.inUse(1) < sweepShare(bound) && room > 0 && slots.free() > 0);
        boolean work = monitorWaiting || sweepWaiting;
        // only sweep probes and retries wait for tokens; monitoring probes never do
        boolean tokenStarved = !monitorWaiting && sweepWaiting && pps > 0 && tokenBudget == 0;
        if (work && !tokenStarved) {
            return;
        }
        if (tokenStarved) {
            wait = Math.min(wait, tokens.nanosUntilNext(System.nanoTime(), pps));
        }
        if (wait <= 0) {
            return;
        }
        // Replies free slots; they need to wake us only when queued probes wait for one.
        senderWantsSlots = lanes[0].size() > 0 || lanes[1].size() > 0;
        if (awaitDrain) {
            drainAwaitedNanos = awaited;
            senderAwaitsDrain = true;
        }
        senderParked = true;
        // Re-check after publishing the flag: a submitter or the receiver that saw it false has
        // already made its work visible here (both sides use volatiles).
        boolean newWork = freed.size() > 0 || (awaitDrain && drainedUpToNanos - awaited >= 0)
                || (room > 0 && (lanes[0].size() > 0
                        || (!tokenStarved && lanes[1].size() > 0 && slots.inUse(1) < sweepShare(bound))));
        if (!newWork && !closing) {
            LockSupport.parkNanos(this, wait);
        }
        senderParked = false;
        if (awaitDrain) {
            senderAwaitsDrain = false;
        }
    }

    private void publishInFlight() {
        outcomes.inFlight(slots.inUse());
    }

    private static int sweepShare(int bound) {
        return bound - bound / 8;
    }

    private void freeSlot(int s) {
        deadlines.remove(s);
        slots.release(s);
    }

    /**
     * Retries or times out the probes whose deadline is before both {@code now} and the
     * receiver's drain horizon (and before {@code helperCap}).
     */
    private void expire(long now, long helperCap) {
        long drained = drainedUpToNanos;
        long limit = drained - now < 0 ? drained : now;
        if (helperCap != Long.MAX_VALUE && helperCap - limit < 0) {
            limit = helperCap;
        }
        while (deadlines.size() > 0 && deadlines.peekDeadline() - limit <= 0) {
            int s = deadlines.poll();
            long st = slots.stamp(s);
            if (!SlotTable.isSent(st)) {
                continue; // answered; the receiver hands the slot back through `freed`
            }
            boolean cancelled = !slots.isV6(s) && ((ProbeListener) slots.listener(s)).isCancelled();
            if (!cancelled && slots.takeRetry(s)) {
                int tail = (retryHead + retryCount) % capacity;
                retryFifo[tail] = ((long) s << 32) | (SlotTable.generation(st) & 0xFFFF_FFFFL);
                retryCount++;
                continue;
            }
            if (slots.complete(s, st)) {
                if (!slots.isV6(s) && drops4 != null && drops4.dropped()) {
                    // the kernel dropped a packet for us meanwhile: this probe's reply may be it,
                    // so the timeout is ours, not the device's (at most one probe per drop)
                    outcomes.local(s, LocalOutcome.RECEIVE_QUEUE_OVERFLOW);
                } else {
                    outcomes.timeout(s);
                }
                freeSlot(s);
            }
        }
    }

    /**
     * Sender thread, once a flushed batch is back: completes the probes the kernel refused, and
     * when the batch left noticeably later than its recorded send time (a descheduled thread),
     * restarts its probes' timeouts from when they really left. Empties the batch.
     */
    private void drainFailures(SendBatch b) {
        for (int i = 0; i < b.failedCount; i++) {
            int s = b.failed[i];
            long st = slots.stamp(s);
            if (SlotTable.isSent(st) && slots.complete(s, st)) {
                int e = b.failedErrno[i];
                if (!slots.isV6(s) && (e == Libc.ENOBUFS || e == Libc.EAGAIN)) {
                    // our send buffer stayed full: the request never left, the device is not to blame
                    outcomes.local(s, LocalOutcome.SEND_BUFFER_FULL);
                } else {
                    outcomes.sendError(s);
                }
                freeSlot(s);
            }
        }
        if (b.count > 0 && b.sentDoneNanos - b.sendNanos > LATE_SEND_NANOS) {
            for (int i = 0; i < b.count; i++) {
                int s = b.slots[i];
                if (slots.stamp(s) == SlotTable.sentStamp(b.gens[i]) && deadlines.contains(s)) {
                    deadlines.put(s, b.sentDoneNanos + slots.timeoutNanos(s));
                }
            }
        }
        b.reset();
    }

    // =====================================================================================
    // Receiver: poll, drain every ready socket, attribute replies, publish the drain horizon.
    // =====================================================================================

    private void receiveLoop() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            List<IcmpSocket> list = new ArrayList<>();
            list.add(socket4);
            if (socket6 != null) {
                list.add(socket6);
            }
            if (sendHelper != null && !sendHelper.socket().raw) {
                list.add(sendHelper.socket()); // a datagram socket gets the replies to what it sent
            }
            IcmpSocket[] sockets = list.toArray(IcmpSocket[]::new);
            int nfds = sockets.length;
            boolean allStamped = true;
            for (IcmpSocket sk : sockets) {
                allStamped &= sk.receiveTimestamps;
            }
            PollSet pollSet = new PollSet(arena, sockets);
            RecvBatch batch = new RecvBatch(arena, config.batchSize());
            EchoCodec.ParsedReply parsed = new EchoCodec.ParsedReply();
            while (!closing) {
                long before = System.nanoTime();
                int r = pollSet.poll(errno, POLL_MILLIS);
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
                    if (pollSet.ready(i)) {
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
        boolean v6 = socket.family == Libc.AF_INET6;
        int total = 0;
        // Bounded: at most 64 batches per readiness, then poll again (lets close() be noticed).
        for (int round = 0; round < 64 && !closing; round++) {
            int k = b.receive(socket, errno);
            if (k <= 0) {
                return total;
            }
            boolean freedAny = false;
            for (int i = 0; i < k; i++) {
                int result = b.parse(i, socket, ident, secret, capacity, parsed);
                long arrived = result == EchoCodec.REPLY ? b.arrivalNanos(i, parsed.sendNanos) : b.readNanos();
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

    /**
     * Applies one parse result: attributes it to its slot or counts why it was ignored. Receiver
     * thread. Returns true when a slot was handed back to the sender.
     */
    private boolean accept(int result, EchoCodec.ParsedReply p, boolean v6, long arrivedNanos) {
        switch (result) {
            case EchoCodec.REPLY, EchoCodec.UNREACHABLE -> {
                int s = p.slot;
                long expected = SlotTable.sentStamp(p.gen);
                if (slots.stamp(s) != expected) {
                    outcomes.late();
                    return false;
                }
                boolean sameAddress = v6 ? (slots.isV6(s) && slots.addr6Hi(s) == p.addrHi && slots.addr6Lo(s) == p.addrLo)
                        : (!slots.isV6(s) && slots.ipv4(s) == p.ipv4);
                if (!sameAddress) {
                    outcomes.foreign();
                    return false;
                }
                if (!slots.complete(s, expected)) {
                    outcomes.late();
                    return false;
                }
                if (result == EchoCodec.REPLY) {
                    outcomes.reply(s, Math.max(0, arrivedNanos - p.sendNanos));
                } else {
                    outcomes.unreachable(s);
                }
                freed.offer(s);
                return true;
            }
            default -> outcomes.ignored(result);
        }
        return false;
    }
}
