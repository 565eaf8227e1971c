package dev.netscan.discovery.snmp;

import dev.netscan.core.AddressBook;
import dev.netscan.core.Ipv4;
import dev.netscan.core.SnmpInfo;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayFIFOQueue;
import it.unimi.dsi.fastutil.ints.IntIterable;
import it.unimi.dsi.fastutil.ints.IntIterator;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.snmp4j.AbstractTarget;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcher;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.event.ResponseListener;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv1;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES192;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.util.DefaultPDUFactory;

/**
 * Asks devices who they are over SNMP (the MIB-2 system group), asynchronously, with a bound on
 * how many devices are being asked at once.
 *
 * <p>How one query goes: one GET for sysDescr, sysObjectID, sysUpTime, sysContact, sysName and
 * sysLocation (numeric OIDs {@code 1.3.6.1.2.1.1.N.0}). For every value the GET did not give
 * (noSuchObject, noSuchInstance, endOfMibView, or the whole GET failed with an error status, as
 * SNMPv1 agents do with noSuchName), a GETNEXT on the base OID {@code 1.3.6.1.2.1.1.N} follows, one
 * at a time; an answer is kept only if its OID lies inside that subtree (compared as OIDs, so
 * {@code 1.3.6.1.2.1.1.50.0} is not inside {@code 1.3.6.1.2.1.1.5}). Strings are sanitised with
 * {@link SnmpText}. Values of the wrong type are tolerated: a text field that is not an OCTET
 * STRING takes the value's SNMP text (an INTEGER as decimal, an OID dotted), sanitised;
 * sysObjectID takes an OID, or an OCTET STRING that is a dotted numeric OID, and is null
 * otherwise; sysUpTime takes TimeTicks or any non-negative integer type, and is -1 otherwise.
 *
 * <p>The outcome goes to the {@link SnmpListener}: success when at least one value came back;
 * timeout when the agent stayed silent through all retries (a wrong v1/v2c community looks like
 * this); no agent when the host answered with ICMP port-unreachable (within one round trip: the
 * socket has {@code IP_RECVERR}, see {@link RecvErrUdpTransport}); authentication failure when a
 * v3 agent answers with a USM report (wrong digest, unknown user, decryption error, unsupported
 * level); local refusal when the request could not be sent from this host; error otherwise.
 *
 * <p>Concurrency: {@link #submit(int)} queues a device (once: a device already queued or in
 * flight is not queued again) and starts as many queries as the in-flight bound allows. Requests
 * go out through one snmp4j {@code Snmp} session on one UDP socket; snmp4j's receive thread and
 * timer thread run the continuations (next GETNEXT, completion, starting the next queued device).
 * The bound counts devices; a device holds its slot from its GET to its last GETNEXT, and has one
 * request outstanding at a time. Politeness per agent: an address is queried by at most one query
 * at a time (a submit of an address already queued or in flight is refused), and a query sends
 * its next request only after the previous one ended, so an agent never has more than one of our
 * requests outstanding (snmp4j re-sends a request only after its timeout, when the earlier copy is
 * deemed lost). An optional rate limit ({@link SnmpSettings#rateLimitPerSecond()}, token bucket
 * with {@link SnmpSettings#burst()}) bounds how many queries start per second. All public methods
 * are thread-safe.
 *
 * <p>Lifecycle: {@link #start()} opens the socket; {@link #close()} closes it, drops what is
 * queued, and ends what is in flight without calling the listener. Both are idempotent.
 *
 * <p>Credentials never appear in logs or in the {@code detail} passed to the listener.
 */
public final class SnmpScanner implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(SnmpScanner.class.getName());

    /** Base OIDs of the fields, in field order: sysDescr, sysObjectID, sysUpTime, sysContact, sysName, sysLocation. */
    static final OID[] BASE = {
        new OID(new int[] {1, 3, 6, 1, 2, 1, 1, 1}),
        new OID(new int[] {1, 3, 6, 1, 2, 1, 1, 2}),
        new OID(new int[] {1, 3, 6, 1, 2, 1, 1, 3}),
        new OID(new int[] {1, 3, 6, 1, 2, 1, 1, 4}),
        new OID(new int[] {1, 3, 6, 1, 2, 1, 1, 5}),
        new OID(new int[] {1, 3, 6, 1, 2, 1, 1, 6}),
    };
    static final OID[] INSTANCE = new OID[BASE.length];

    /**
     * The GET's variable bindings, shared by every request: snmp4j only reads a request's bindings
     * (to encode them) and decodes answers into new ones, so one set serves all queries.
     */
    private static final VariableBinding[] GET_BINDINGS = new VariableBinding[BASE.length];

    static {
        for (int i = 0; i < BASE.length; i++) {
            INSTANCE[i] = new OID(BASE[i]).append(0);
            GET_BINDINGS[i] = new VariableBinding(INSTANCE[i]);
        }
    }

    /**
     * Receive buffer per request in flight: each may bring back one answer or one ICMP error at
     * once (a scan's 20,000 requests to hosts without an agent bring 20,000 port-unreachables
     * within milliseconds), and the kernel drops what does not fit, which turns a fast no_agent
     * into a timeout. About the truesize of one queued datagram.
     */
    private static final int RECEIVE_BYTES_PER_REQUEST = 2_048;
    private static final long MAX_RECEIVE_BUFFER = 64L << 20;

    private static final int F_DESCR = 0;
    private static final int F_OBJECT_ID = 1;
    private static final int F_UPTIME = 2;
    private static final int F_CONTACT = 3;
    private static final int F_NAME = 4;
    private static final int F_LOCATION = 5;
    private static final int ALL_FIELDS = (1 << BASE.length) - 1;

    private final SnmpSettings settings;
    private final SnmpListener listener;
    private final InstantSource clock;
    private final Consumer<String> warnings;
    private final String bindAddress;
    private final int receiveBufferBytes;
    private final Continuation continuation = new Continuation();
    /** The v1/v2c community, encoded once (snmp4j only reads it); null for v3. */
    private final OctetString community;

    /** Guards queue, active, inFlight, started, closed. Critical sections are a few field updates. */
    private final Object lock = new Object();
    /** Devices waiting for a slot, in submit order. Guarded by lock. */
    private final IntArrayFIFOQueue queue = new IntArrayFIFOQueue();
    /** Devices queued or in flight (dedupe). Guarded by lock. */
    private final IntOpenHashSet active = new IntOpenHashSet();
    /** Queries in flight by address (to settle one on ICMP port-unreachable). Guarded by lock. */
    private final Int2ObjectOpenHashMap<Query> running = new Int2ObjectOpenHashMap<>();
    /** Query starts per second, or null without a rate limit. Guarded by lock. */
    private final SnmpRateLimit rateLimit;
    /** Wakes pump when the next token is due; created on first need. Guarded by lock. */
    private ScheduledExecutorService pacer;
    /** True while a pacer wake-up is scheduled. Guarded by lock. */
    private boolean wakeupPending;
    /** Devices in flight. Guarded by lock. */
    private int inFlight;
    private boolean started;
    private boolean closed;
    /** The in-flight bound; written by setMaxInFlight, read by pump. */
    private volatile int maxInFlight;

    /** Written once in start() under lock, read by I/O paths after a happens-before through lock. */
    private Snmp snmp;
    /** The session's IPv4 and IPv6 transports (the latter null when no IPv6 socket opened); as {@link #snmp}. */
    private RecvErrUdpTransport transport4;
    private RecvErrUdpTransport transport6;

    private final LongAdder requests = new LongAdder();
    private final LongAdder successes = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder authFailures = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder noAgent = new LongAdder();
    private final LongAdder localRefusals = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder fallbacks = new LongAdder();

    private SnmpScanner(Builder b) {
        this.settings = b.settings;
        this.listener = b.listener;
        this.clock = b.clock;
        this.warnings = b.warnings;
        this.bindAddress = b.bindAddress;
        this.receiveBufferBytes = b.receiveBufferBytes == 0 ? 0
                : (int) Math.max(b.receiveBufferBytes, Math.min(MAX_RECEIVE_BUFFER, (long) settings.maxInFlight() * RECEIVE_BYTES_PER_REQUEST));
        this.maxInFlight = settings.maxInFlight();
        this.community = settings.version() == SnmpVersion.V3 || settings.community() == null
                ? null : new OctetString(settings.community());
        this.rateLimit = settings.rateLimitPerSecond() > 0
                ? new SnmpRateLimit(settings.rateLimitPerSecond(), settings.burst(), System.nanoTime())
                : null;
    }

    /**
     * A builder for a scanner with these settings.
     *
     * @param settings validated settings; not null
     */
    public static Builder builder(SnmpSettings settings) {
        return new Builder(Objects.requireNonNull(settings, "settings"));
    }

    /**
     * Opens the UDP socket and starts snmp4j's receive thread; warns once (through the warning
     * sink) when the community is weak. Idempotent.
     *
     * @throws IOException when the socket cannot be opened
     * @throws IllegalStateException after {@link #close()}
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("SNMP scanner is closed");
            }
            if (started) {
                return;
            }
            if (settings.weakCommunity()) {
                warn("SNMP " + settings.version() + " community is a well-known default (empty, public, private, ...): "
                        + "anyone on the network can read these agents; configure a strong community or SNMPv3");
            }
            if (settings.weakProtocols()) {
                warn("SNMPv3 with " + settings.authProtocol().netSnmpName() + " authentication and "
                        + settings.privProtocol().netSnmpName() + " privacy: MD5 and DES are weak; accepted for old "
                        + "agents, but configure SHA-256 or better and AES where the agents allow it");
            }
            boolean bindV6 = bindAddress.indexOf(':') >= 0;
            RecvErrUdpTransport transport = new RecvErrUdpTransport(new UdpAddress((bindV6 ? "0.0.0.0" : bindAddress) + "/0"),
                    receiveBufferBytes, this::onPortUnreachable);
            transport.setThreadName("netscan-snmp-rx");
            RecvErrUdpTransport v6 = new RecvErrUdpTransport(new UdpAddress((bindV6 ? bindAddress : "::") + "/0"),
                    receiveBufferBytes, this::onPortUnreachable);
            v6.setThreadName("netscan-snmp-rx6");
            try {
                v6.listen();
            } catch (IOException e) {
                warn("SNMP over IPv6 is off: cannot open a UDP/IPv6 socket (" + e.getMessage() + "); IPv6 devices "
                        + "are not asked over SNMP");
                v6 = null;
            }
            MessageDispatcher dispatcher = new MessageDispatcherImpl();
            switch (settings.version()) {
                case V1 -> dispatcher.addMessageProcessingModel(new MPv1());
                case V2C -> dispatcher.addMessageProcessingModel(new MPv2c());
                case V3 -> dispatcher.addMessageProcessingModel(v3Model());
            }
            Snmp s = new Snmp(dispatcher, transport);
            if (v6 != null) {
                s.addTransportMapping(v6);
            }
            if (settings.version() == SnmpVersion.V3) {
                acceptUnauthenticatedUsmReports();
                USM usm = (USM) ((MPv3) dispatcher.getMessageProcessingModel(MPv3.ID))
                        .getSecurityModels().getSecurityModel(new Integer32(SecurityModel.SECURITY_MODEL_USM));
                usm.addUser(new UsmUser(new OctetString(settings.v3User()),
                        authOid(settings.authProtocol()), new OctetString(settings.authPassphrase()),
                        privOid(settings.privProtocol()),
                        settings.privPassphrase() == null ? null : new OctetString(settings.privPassphrase())));
            }
            try {
                s.listen();
            } catch (IOException e) {
                s.close();
                throw new IOException("SNMP scanner: cannot open UDP socket on " + bindAddress + ": " + e.getMessage(), e);
            }
            snmp = s;
            transport4 = transport;
            transport6 = v6;
            started = true;
        }
        pump();
    }

    /**
     * An agent that rejects our credentials answers with an unauthenticated (noAuthNoPriv) USM
     * report (usmStatsWrongDigests, usmStatsDecryptionErrors); snmp4j's default ("standard")
     * drops a report whose security level is below the request's, which turns a wrong passphrase
     * into a timeout. {@code noAuthNoPrivIfNeeded} delivers it, so a wrong passphrase is reported
     * as an authentication failure (what net-snmp's tools do too). This is a JVM-wide snmp4j
     * setting; we change it only from its default and only when a v3 scanner starts. An
     * unauthenticated report can only end a query early as an authentication failure; it can
     * never supply values.
     */
    private static void acceptUnauthenticatedUsmReports() {
        if (org.snmp4j.SNMP4JSettings.getReportSecurityLevelStrategy()
                == org.snmp4j.SNMP4JSettings.ReportSecurityLevelStrategy.standard) {
            org.snmp4j.SNMP4JSettings.setReportSecurityLevelStrategy(
                    org.snmp4j.SNMP4JSettings.ReportSecurityLevelStrategy.noAuthNoPrivIfNeeded);
        }
    }

    private MPv3 v3Model() {
        SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.none);
        protocols.addAuthenticationProtocol(new AuthMD5());
        protocols.addAuthenticationProtocol(new AuthSHA());
        protocols.addAuthenticationProtocol(new AuthHMAC128SHA224());
        protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
        protocols.addAuthenticationProtocol(new AuthHMAC256SHA384());
        protocols.addAuthenticationProtocol(new AuthHMAC384SHA512());
        protocols.addPrivacyProtocol(new PrivDES());
        protocols.addPrivacyProtocol(new PrivAES128());
        protocols.addPrivacyProtocol(new PrivAES192());
        protocols.addPrivacyProtocol(new PrivAES256());
        byte[] engineId = MPv3.createLocalEngineID();
        USM usm = new USM(protocols, new OctetString(engineId), 0);
        SecurityModels models = new SecurityModels();
        models.addSecurityModel(usm);
        return new MPv3(engineId, new DefaultPDUFactory(), protocols, models, CounterSupport.getInstance());
    }

    private static OID authOid(SnmpAuthProtocol p) {
        return switch (p) {
            case MD5 -> AuthMD5.ID;
            case SHA1 -> AuthSHA.ID;
            case SHA224 -> AuthHMAC128SHA224.ID;
            case SHA256 -> AuthHMAC192SHA256.ID;
            case SHA384 -> AuthHMAC256SHA384.ID;
            case SHA512 -> AuthHMAC384SHA512.ID;
        };
    }

    private static OID privOid(SnmpPrivProtocol p) {
        return switch (p) {
            case NONE -> null;
            case DES -> PrivDES.ID;
            case AES128 -> PrivAES128.ID;
            case AES192 -> PrivAES192.ID;
            case AES256 -> PrivAES256.ID;
        };
    }

    /**
     * Queues a device for a query unless it is already queued or in flight, and starts queries up
     * to the in-flight bound. Does not block on the network (sending a datagram is the most it
     * does).
     *
     * @param ipv4 the device address
     * @return true if queued; false if already queued or in flight, or the scanner is closed
     * @throws IllegalStateException before {@link #start()}
     */
    public boolean submit(int ipv4) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            if (!started) {
                throw new IllegalStateException("SNMP scanner not started");
            }
            if (!active.add(ipv4)) {
                return false;
            }
            queue.enqueue(ipv4);
        }
        pump();
        return true;
    }

    /**
     * {@link #submit(int) Submits} every address.
     *
     * @return how many were queued
     */
    public int submitAll(IntIterable ipv4s) {
        // One submit (and pump) per address, not all queued first: a pump on the receive thread
        // (after each outcome) then finds nothing to send, and that thread stays free to read the
        // answers and port-unreachables. With all queued first it sent too, fell behind on a burst
        // of 20,000 port-unreachables and snmp4j re-sent every request not settled within its
        // timeout (measured: 35,000 requests for 20,476 devices, twice the time).
        int n = 0;
        for (IntIterator it = ipv4s.iterator(); it.hasNext(); ) {
            if (submit(it.nextInt())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Changes the in-flight bound at run time (the governor turns it down under load). Lowering it
     * lets current queries finish; raising it starts queued ones at once.
     *
     * @param max 1-65,536
     * @throws IllegalArgumentException outside that range
     */
    public void setMaxInFlight(int max) {
        if (max < 1 || max > 65_536) {
            throw new IllegalArgumentException("SNMP maxInFlight " + max + " is outside 1-65536");
        }
        maxInFlight = max;
        pump();
    }

    /** The current in-flight bound. */
    public int maxInFlight() {
        return maxInFlight;
    }

    /** The settings this scanner uses. */
    public SnmpSettings settings() {
        return settings;
    }

    /** A snapshot of the counters ({@code suspended} is 0 here). */
    public SnmpCounters counters() {
        int f;
        int q;
        synchronized (lock) {
            f = inFlight;
            q = queue.size();
        }
        return new SnmpCounters(requests.sum(), f, q, successes.sum(), timeouts.sum(), authFailures.sum(),
                noAgent.sum(), errors.sum(), localRefusals.sum(), rateLimited.sum(), fallbacks.sum(), 0);
    }

    /** Stops: closes the socket, drops queued devices, abandons in-flight ones without callbacks. Idempotent. */
    @Override
    public void close() {
        Snmp s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            active.clear();
            running.clear();
            inFlight = 0;
            s = snmp;
            if (pacer != null) {
                pacer.shutdownNow();
            }
        }
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing SNMP session: {0}", e.getClass().getName());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** A host answered a request to {@code ipv4:port} with ICMP port-unreachable: settle its query. */
    private void onPortUnreachable(int ipv4, int port) {
        if (port != settings.port()) {
            return;
        }
        Query q;
        synchronized (lock) {
            q = running.get(ipv4);
        }
        if (q != null) {
            q.noAgent();
        }
    }

    /** Starts queued devices while there is room (and, with a rate limit, a token). */
    private void pump() {
        while (true) {
            int ipv4;
            Query q;
            synchronized (lock) {
                if (closed || !started || inFlight >= maxInFlight || queue.isEmpty()) {
                    return;
                }
                if (rateLimit != null) {
                    long waitNanos = rateLimit.tryAcquire(System.nanoTime());
                    if (waitNanos > 0) {
                        rateLimited.increment();
                        scheduleWakeup(waitNanos);
                        return;
                    }
                }
                ipv4 = queue.dequeueInt();
                inFlight++;
                q = new Query(ipv4);
                running.put(ipv4, q);
            }
            startQuery(q);
        }
    }

    /** Sends a query's first request: one GET for every field. */
    private void startQuery(Query q) {
        int key = q.ipv4;
        InetAddress to = AddressBook.shared().inetAddress(key);
        RecvErrUdpTransport via = AddressBook.isIpv6Key(key) ? transport6 : transport4;
        if (to == null || via == null) {
            // our side: the address left the book (the device left), or no IPv6 socket
            q.fail(SnmpOutcome.LOCAL_REFUSAL, to == null ? "address no longer known" : "no UDP/IPv6 socket", false);
            return;
        }
        q.address = new UdpAddress(to, settings.port());
        q.target = target(q.address);
        ((AbstractTarget<UdpAddress>) q.target).setPreferredTransports(List.of(via));
        PDU pdu = newPdu(PDU.GET);
        pdu.addAll(GET_BINDINGS);
        send(q, pdu);
    }

    /** Called under lock: one wake-up at a time, on a daemon thread made on first need. */
    private void scheduleWakeup(long delayNanos) {
        if (wakeupPending) {
            return;
        }
        if (pacer == null) {
            pacer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform()
                    .name("netscan-snmp-pacer").daemon(true).factory());
        }
        wakeupPending = true;
        pacer.schedule(() -> {
            synchronized (lock) {
                wakeupPending = false;
            }
            pump();
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    private Target<UdpAddress> target(UdpAddress address) {
        Target<UdpAddress> t;
        if (settings.version() == SnmpVersion.V3) {
            UserTarget<UdpAddress> u = new UserTarget<>();
            u.setAddress(address);
            u.setSecurityName(new OctetString(settings.v3User()));
            u.setSecurityLevel(settings.privProtocol() == SnmpPrivProtocol.NONE
                    ? SecurityLevel.AUTH_NOPRIV : SecurityLevel.AUTH_PRIV);
            u.setVersion(SnmpConstants.version3);
            t = u;
        } else {
            CommunityTarget<UdpAddress> c = new CommunityTarget<>(address, community);
            c.setVersion(settings.version() == SnmpVersion.V1 ? SnmpConstants.version1 : SnmpConstants.version2c);
            t = c;
        }
        t.setTimeout(settings.timeout().toMillis());
        t.setRetries(settings.retries());
        return t;
    }

    private PDU newPdu(int type) {
        PDU pdu = settings.version() == SnmpVersion.V3 ? new ScopedPDU() : new PDU();
        pdu.setType(type);
        return pdu;
    }

    /** Sends one request of a query; on a local failure ends the query (without pumping) and returns false. */
    private boolean send(Query q, PDU pdu) {
        q.current = pdu;
        requests.increment();
        try {
            snmp.send(pdu, q.target, q, continuation);
            return true;
        } catch (IOException | RuntimeException e) {
            // A send that fails locally (socket closed, no buffer space, local firewall) ends this query as
            // our refusal, never the device's failure.
            // No pump here: the caller (pump's loop or a continuation) goes on, so failing sends do not recurse.
            q.fail(SnmpOutcome.LOCAL_REFUSAL, "send failed: " + e.getClass().getSimpleName(), false);
            return false;
        }
    }

    private void warn(String message) {
        try {
            warnings.accept(message);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, message);
        }
    }

    /** snmp4j's callback for every request; one instance for all (no per-request lambda). */
    private final class Continuation implements ResponseListener {
        @Override
        public <A extends org.snmp4j.smi.Address> void onResponse(ResponseEvent<A> event) {
            Query q = (Query) event.getUserObject();
            Snmp s = snmp;
            if (s != null) {
                s.cancel(event.getRequest(), this); // frees snmp4j's pending entry (its documented contract)
            }
            if (q == null || event.getRequest() != q.current) {
                return; // a late duplicate for a request already handled
            }
            q.onResponse(event);
        }
    }

    /** One device's query. Touched by one thread at a time: snmp4j delivers one event per request, and the next request is sent only after the previous one's event. */
    private final class Query {
        final int ipv4;
        UdpAddress address;
        Target<UdpAddress> target;
        /** The request outstanding; volatile for the receive thread's {@link #noAgent()}. */
        volatile PDU current;
        /** True once the agent answered the GET; volatile for {@link #noAgent()}. */
        volatile boolean fallback;
        int missing = ALL_FIELDS;
        int fallbackField = -1;
        boolean done;
        String descr;
        String objectId;
        long uptime = -1;
        String contact;
        String name;
        String location;

        Query(int ipv4) {
            this.ipv4 = ipv4;
        }

        /** The host refused our datagram (ICMP port-unreachable): no agent, unless it already answered. */
        void noAgent() {
            PDU pdu = current;
            if (fallback || pdu == null) {
                return; // an agent that answered the GET exists; let the GETNEXT end on its own
            }
            Snmp s = snmp;
            if (s != null) {
                s.cancel(pdu, continuation); // no timeout event will follow
            }
            fail(SnmpOutcome.NO_AGENT, "ICMP port unreachable", true);
        }

        void onResponse(ResponseEvent<?> event) {
            PDU response = event.getResponse();
            if (response == null) {
                SnmpOutcome outcome = event.getError() == null ? SnmpOutcome.TIMEOUT : SnmpOutcome.ERROR;
                String detail = event.getError() == null
                        ? "no answer after " + (settings.retries() + 1) + " attempt(s) of " + settings.timeout().toMillis() + " ms"
                        : "error: " + event.getError().getClass().getSimpleName();
                if (fallback) {
                    finishFallback(outcome, detail);
                } else {
                    fail(outcome, detail, true);
                }
                return;
            }
            if (response.getType() == PDU.REPORT) {
                String report = SnmpValues.reportName(response);
                SnmpOutcome outcome = report.startsWith("usmStats") ? SnmpOutcome.AUTH_FAILURE : SnmpOutcome.ERROR;
                if (fallback) {
                    finishFallback(outcome, "report " + report);
                } else {
                    fail(outcome, "report " + report, true);
                }
                return;
            }
            if (!fallback) {
                if (response.getErrorStatus() == PDU.noError) {
                    for (VariableBinding vb : response.getVariableBindings()) {
                        OID oid = vb.getOid();
                        for (int f = 0; f < INSTANCE.length; f++) {
                            if ((missing & (1 << f)) != 0 && INSTANCE[f].equals(oid)) {
                                if (store(f, vb.getVariable())) {
                                    missing &= ~(1 << f);
                                }
                                break;
                            }
                        }
                    }
                }
                if (missing == 0) {
                    succeed();
                } else {
                    fallback = true;
                    fallbacks.increment();
                    nextFallback();
                }
            } else {
                if (response.getErrorStatus() == PDU.noError && response.size() > 0) {
                    VariableBinding vb = response.get(0);
                    OID oid = vb.getOid();
                    OID base = BASE[fallbackField];
                    if (oid != null && oid.size() > base.size() && oid.startsWith(base) && store(fallbackField, vb.getVariable())) {
                        missing &= ~(1 << fallbackField);
                    }
                }
                nextFallback();
            }
        }

        private void nextFallback() {
            int next = -1;
            for (int f = fallbackField + 1; f < BASE.length; f++) {
                if ((missing & (1 << f)) != 0) {
                    next = f;
                    break;
                }
            }
            if (next < 0) {
                finishFallback(SnmpOutcome.ERROR, "agent answered without any system-group value");
                return;
            }
            if (isClosed()) {
                return;
            }
            fallbackField = next;
            PDU pdu = newPdu(PDU.GETNEXT);
            pdu.add(new VariableBinding(BASE[next]));
            if (!send(this, pdu)) {
                pump();
            }
        }

        /** Ends a query that reached the fallback: success with what it has, else the given failure. */
        private void finishFallback(SnmpOutcome failure, String detail) {
            if (missing != ALL_FIELDS) {
                succeed();
            } else {
                fail(failure, detail, true);
            }
        }

        /** Stores a field's value if it is usable; returns whether it was. */
        private boolean store(int field, Variable v) {
            if (v == null || v.isException() || v.getSyntax() == org.snmp4j.smi.SMIConstants.SYNTAX_NULL) {
                return false;
            }
            switch (field) {
                case F_OBJECT_ID -> objectId = SnmpValues.objectIdOf(v);
                case F_UPTIME -> uptime = SnmpValues.uptimeOf(v);
                case F_DESCR -> descr = SnmpValues.textOf(v);
                case F_CONTACT -> contact = SnmpValues.textOf(v);
                case F_NAME -> name = SnmpValues.textOf(v);
                case F_LOCATION -> location = SnmpValues.textOf(v);
                default -> throw new AssertionError(field);
            }
            return field == F_UPTIME ? uptime >= 0 : field == F_OBJECT_ID ? objectId != null : true;
        }

        private void succeed() {
            if (!complete()) {
                return;
            }
            SnmpInfo info = new SnmpInfo(name, descr, objectId, uptime, contact, location);
            Instant now = clock.instant();
            long ts = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            try {
                listener.onSuccess(ipv4, info, ts);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "SNMP listener failed for {0}: {1}", AddressBook.shared().text(ipv4), e.getClass().getName());
            }
            successes.increment(); // after the listener: a counted outcome has been delivered
            pump();
        }

        void fail(SnmpOutcome outcome, String detail, boolean pumpAfter) {
            if (!complete()) {
                return;
            }
            try {
                listener.onFailure(ipv4, outcome, SnmpText.sanitize(settings.redact(detail)));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "SNMP listener failed for {0}: {1}", AddressBook.shared().text(ipv4), e.getClass().getName());
            }
            switch (outcome) { // after the listener: a counted outcome has been delivered
                case TIMEOUT -> timeouts.increment();
                case AUTH_FAILURE -> authFailures.increment();
                case NO_AGENT -> noAgent.increment();
                case LOCAL_REFUSAL -> localRefusals.increment();
                default -> errors.increment();
            }
            if (pumpAfter) {
                pump();
            }
        }

        /** Frees the slot; false when already done or the scanner closed (then no callback). */
        private boolean complete() {
            synchronized (lock) {
                if (done) {
                    return false;
                }
                done = true;
                if (closed) {
                    return false;
                }
                inFlight--;
                active.remove(ipv4);
                running.remove(ipv4, this);
                return true;
            }
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Builds a {@link SnmpScanner}. Not thread-safe. */
    public static final class Builder {
        private final SnmpSettings settings;
        private SnmpListener listener = SnmpListener.NONE;
        private InstantSource clock = InstantSource.system();
        private Consumer<String> warnings = message -> LOG.log(System.Logger.Level.WARNING, message);
        private String bindAddress = "0.0.0.0";
        private int receiveBufferBytes = 4 << 20;

        private Builder(SnmpSettings settings) {
            this.settings = settings;
        }

        /** Where outcomes go (default: nowhere). */
        public Builder listener(SnmpListener l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /** The clock for success timestamps (default: system clock). */
        public Builder clock(InstantSource c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /** Where configuration warnings go (default: {@code System.Logger} at WARNING). Messages never contain credentials. */
        public Builder warnings(Consumer<String> sink) {
            this.warnings = Objects.requireNonNull(sink, "warnings");
            return this;
        }

        /** Local address of the UDP socket (default {@code 0.0.0.0}); tests use {@code 127.0.0.1}. */
        public Builder bindAddress(String address) {
            this.bindAddress = Objects.requireNonNull(address, "bindAddress");
            return this;
        }

        /**
         * SO_RCVBUF to ask for, in bytes (default 4 MiB); the scanner asks for at least 2 KiB per
         * request in flight (up to 64 MiB), since every request in flight may bring one datagram
         * at once. The kernel caps the request at net.core.rmem_max unless the process has
         * CAP_NET_ADMIN. 0 keeps the system default.
         */
        public Builder receiveBufferBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("receiveBufferBytes " + bytes + " is negative");
            }
            this.receiveBufferBytes = bytes;
            return this;
        }

        /** Builds the scanner; call {@link SnmpScanner#start()} before submitting. */
        public SnmpScanner build() {
            return new SnmpScanner(this);
        }
    }
}
