package dev.netscan.discovery.snmp;

import java.io.IOException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.snmp4j.CommandResponder;
import org.snmp4j.agent.CommandProcessor;
import org.snmp4j.agent.DefaultMOServer;
import org.snmp4j.agent.DuplicateRegistrationException;
import org.snmp4j.agent.mo.MOAccessImpl;
import org.snmp4j.agent.mo.MOScalar;
import org.snmp4j.agent.mo.snmp.CoexistenceInfo;
import org.snmp4j.agent.mo.snmp.CoexistenceInfoProvider;
import org.snmp4j.agent.security.VACM;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv3;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.util.DefaultPDUFactory;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.Snmp;
import org.snmp4j.mp.MPv1;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * A real SNMP v1/v2c agent running inside the test JVM on a loopback UDP socket: snmp4j-agent's
 * {@link CommandProcessor} does the agent's protocol work (GET/GETNEXT processing, v2c exceptions,
 * v1 noSuchName conversion, tooBig when a response exceeds the message size), serving one
 * read-only {@code MOScalar} per entry of {@link #mib}, where tests put any {@link Variable}
 * values, including hostile ones (binary, wrong types, huge). A wrong community gets silence,
 * like real agents (RFC 3584).
 *
 * <p>Why not snmp4j-agent's {@code BaseAgent}: it needs VACM/USM configuration and boot-counter
 * files, and its MIB implementations type-check values, which would stop the test from serving
 * the wrong-typed and oversized values the scanner must survive.
 */
final class TestAgent implements CommandResponder, AutoCloseable {
    final NavigableMap<OID, Variable> mib = new ConcurrentSkipListMap<>();
    final AtomicInteger received = new AtomicInteger();
    final AtomicBoolean silent = new AtomicBoolean();
    private final OctetString community;
    private final Snmp snmp;
    private final DefaultUdpTransportMapping transport;
    private volatile IntConsumer onRequest = i -> {};
    /** Where the last request with the right community came from (the scanner's socket). */
    volatile org.snmp4j.smi.Address lastPeer;
    private final CommandProcessor processor;
    /** The MO server matching {@link #mib} as of serverVersion; guarded by this. */
    private DefaultMOServer server;
    private int serverVersion;

    private TestAgent(String bind, String community, UsmUser... v3Users) throws IOException {
        this.community = new OctetString(community);
        this.transport = new DefaultUdpTransportMapping(new UdpAddress(bind));
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv1());
        dispatcher.addMessageProcessingModel(new MPv2c());
        OctetString engineId = new OctetString(MPv3.createLocalEngineID());
        if (v3Users.length > 0) {
            SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.none);
            protocols.addAuthenticationProtocol(new AuthSHA());
            protocols.addAuthenticationProtocol(new AuthHMAC128SHA224());
            protocols.addAuthenticationProtocol(new AuthHMAC192SHA256());
            protocols.addAuthenticationProtocol(new AuthHMAC256SHA384());
            protocols.addAuthenticationProtocol(new AuthHMAC384SHA512());
            protocols.addPrivacyProtocol(new PrivAES128());
            protocols.addPrivacyProtocol(new PrivAES256());
            USM usm = new USM(protocols, engineId, 0);
            for (UsmUser u : v3Users) {
                usm.addUser(u);
            }
            SecurityModels models = new SecurityModels();
            models.addSecurityModel(usm);
            dispatcher.addMessageProcessingModel(new MPv3(engineId.getValue(), new DefaultPDUFactory(), protocols, models,
                    CounterSupport.getInstance()));
        }
        this.snmp = new Snmp(dispatcher, transport);
        snmp.addCommandResponder(this);
        processor = new CommandProcessor(engineId);
        processor.setVacm(new AllowAll());
        processor.setCoexistenceProvider(new OneCommunity(this.community, engineId));
        snmp.listen();
    }

    /** An agent on 127.0.0.1 on a free port. */
    static TestAgent start(String community) throws IOException {
        return new TestAgent("127.0.0.1/0", community);
    }

    /** An agent on 127.0.0.1 on a free port that also speaks SNMPv3 (USM) to these users. */
    static TestAgent startV3(UsmUser... users) throws IOException {
        return new TestAgent("127.0.0.1/0", "unused-v1-community", users);
    }

    /** An agent on {@code address:port} (e.g. a second loopback address on the same port as another agent). */
    static TestAgent start(String address, int port, String community) throws IOException {
        return new TestAgent(address + "/" + port, community);
    }

    int port() {
        return transport.getListenAddress().getPort();
    }

    TestAgent put(String oid, Variable value) {
        mib.put(new OID(oid), value);
        return this;
    }

    /** Called with the running count each time a request with the right community arrives. */
    void onRequest(IntConsumer c) {
        onRequest = c;
    }

    /** The usual system group. */
    TestAgent withSystemGroup(String name) {
        put("1.3.6.1.2.1.1.1.0", new OctetString("Test agent " + name));
        put("1.3.6.1.2.1.1.2.0", new OID("1.3.6.1.4.1.99999.1"));
        put("1.3.6.1.2.1.1.3.0", new org.snmp4j.smi.TimeTicks(123_456));
        put("1.3.6.1.2.1.1.4.0", new OctetString("ops@example.invalid"));
        put("1.3.6.1.2.1.1.5.0", new OctetString(name));
        put("1.3.6.1.2.1.1.6.0", new OctetString("rack 1"));
        return this;
    }

    @Override
    public <A extends org.snmp4j.smi.Address> void processPdu(CommandResponderEvent<A> event) {
        if (event.getMessageProcessingModel() != MPv3.ID && !community.equals(new OctetString(event.getSecurityName()))) {
            event.setProcessed(true);
            return; // wrong community: silence, as RFC 3584 agents do
        }
        lastPeer = event.getPeerAddress();
        int n = received.incrementAndGet();
        onRequest.accept(n);
        if (silent.get()) {
            event.setProcessed(true);
            return;
        }
        refreshServer();
        processor.processPdu(event); // marks the event processed and answers through the dispatcher
    }

    @Override
    public void close() throws IOException {
        snmp.close();
    }

    /**
     * Registers one read-only {@link MOScalar} per {@link #mib} entry in a fresh
     * {@link DefaultMOServer} when the map changed since the last request (tests change it before
     * they query). MOScalar serves whatever Variable it holds, so wrong types go out as they are.
     */
    private synchronized void refreshServer() {
        int version = mib.hashCode();
        if (server != null && version == serverVersion) {
            return;
        }
        DefaultMOServer fresh = new DefaultMOServer();
        for (Map.Entry<OID, Variable> e : mib.entrySet()) {
            try {
                fresh.register(new MOScalar<>(e.getKey(), MOAccessImpl.ACCESS_READ_ONLY, e.getValue()), null);
            } catch (DuplicateRegistrationException ex) {
                throw new IllegalStateException("test MIB has overlapping objects at " + e.getKey(), ex);
            }
        }
        if (server != null) {
            processor.removeMOServer(server);
        }
        processor.addMOServer(fresh);
        server = fresh;
        serverVersion = version;
    }

    /** Maps the one community to the default context (RFC 3584 coexistence, minimal). */
    private record OneCommunity(OctetString community, OctetString engineId) implements CoexistenceInfoProvider {
        @Override
        public CoexistenceInfo[] getCoexistenceInfo(OctetString c) {
            return community.equals(c) ? new CoexistenceInfo[] {new CoexistenceInfo(c, engineId, new OctetString())} : null;
        }

        @Override
        public OctetString getCommunity(OctetString securityName, OctetString contextEngineId, OctetString contextName) {
            return community;
        }

        @Override
        public boolean passesFilter(org.snmp4j.smi.Address address, CoexistenceInfo info) {
            return true;
        }
    }

    /** Grants every access: the test agent has one community and one view of everything. */
    private static final class AllowAll implements VACM {
        @Override
        public int isAccessAllowed(OctetString context, OctetString securityName, int securityModel, int securityLevel,
                int viewType, OID oid) {
            return VACM.VACM_OK;
        }

        @Override
        public int isAccessAllowed(OctetString viewName, OID oid) {
            return VACM.VACM_OK;
        }

        @Override
        public OctetString getViewName(OctetString context, OctetString securityName, int securityModel, int securityLevel,
                int viewType) {
            return new OctetString("all");
        }
    }
}
