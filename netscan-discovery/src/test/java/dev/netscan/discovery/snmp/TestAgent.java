package dev.netscan.discovery.snmp;

import java.io.IOException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.snmp4j.CommandResponder;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.MessageException;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.mp.MPv1;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.StatusInformation;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * A real SNMP v1/v2c agent running inside the test JVM on a loopback UDP socket, built on snmp4j's
 * own message dispatcher and {@link CommandResponder} (the agent side of the same stack). It serves
 * whatever {@link Variable} values the test puts in its MIB, including hostile ones (binary, wrong
 * types, huge), answers GET and GETNEXT as RFC 3416 says (v2c exceptions, v1 noSuchName), answers
 * tooBig when a response would not fit in one UDP datagram, and stays silent on a wrong community,
 * like real agents.
 *
 * <p>Why not snmp4j-agent's {@code BaseAgent}: it needs VACM/USM configuration and boot-counter
 * files, and its managed objects check value types, which would stop the test from serving the
 * wrong-typed and oversized values the scanner must survive.
 */
final class TestAgent implements CommandResponder, AutoCloseable {
    /** Largest response we put in one datagram (the UDP payload limit is 65,507 bytes). */
    static final int MAX_RESPONSE_BYTES = 65_000;

    final NavigableMap<OID, Variable> mib = new ConcurrentSkipListMap<>();
    final AtomicInteger received = new AtomicInteger();
    final AtomicBoolean silent = new AtomicBoolean();
    private final OctetString community;
    private final Snmp snmp;
    private final DefaultUdpTransportMapping transport;
    private volatile IntConsumer onRequest = i -> {};

    private TestAgent(String bind, String community) throws IOException {
        this.community = new OctetString(community);
        this.transport = new DefaultUdpTransportMapping(new UdpAddress(bind));
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv1());
        dispatcher.addMessageProcessingModel(new MPv2c());
        this.snmp = new Snmp(dispatcher, transport);
        snmp.addCommandResponder(this);
        snmp.listen();
    }

    /** An agent on 127.0.0.1 on a free port. */
    static TestAgent start(String community) throws IOException {
        return new TestAgent("127.0.0.1/0", community);
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
        event.setProcessed(true);
        if (!community.equals(new OctetString(event.getSecurityName()))) {
            return; // wrong community: silence, as RFC 3584 agents do
        }
        int n = received.incrementAndGet();
        onRequest.accept(n);
        if (silent.get()) {
            return;
        }
        PDU request = event.getPDU();
        boolean v1 = event.getMessageProcessingModel() == MPv1.ID;
        PDU response = new PDU();
        response.setType(PDU.RESPONSE);
        response.setRequestID(request.getRequestID());
        int index = 0;
        for (VariableBinding vb : request.getVariableBindings()) {
            index++;
            OID oid = vb.getOid();
            VariableBinding answer;
            if (request.getType() == PDU.GETNEXT) {
                Map.Entry<OID, Variable> next = mib.higherEntry(oid);
                answer = next == null ? null : new VariableBinding(next.getKey(), next.getValue());
                if (answer == null && !v1) {
                    answer = new VariableBinding(oid, Null.endOfMibView);
                }
            } else {
                Variable v = mib.get(oid);
                answer = v == null ? null : new VariableBinding(oid, v);
                if (answer == null && !v1) {
                    answer = new VariableBinding(oid, Null.noSuchObject);
                }
            }
            if (answer == null) { // v1: the whole request fails
                response = error(request, PDU.noSuchName, index);
                break;
            }
            response.add(answer);
        }
        if (response.getBERLength() > Math.min(MAX_RESPONSE_BYTES, event.getMaxSizeResponsePDU())) {
            response = error(request, PDU.tooBig, 0);
        }
        try {
            event.getMessageDispatcher().returnResponsePdu(event.getMessageProcessingModel(), event.getSecurityModel(),
                    event.getSecurityName(), event.getSecurityLevel(), response, event.getMaxSizeResponsePDU(),
                    event.getStateReference(), new StatusInformation());
        } catch (MessageException e) {
            throw new IllegalStateException("test agent could not answer", e);
        }
    }

    private static PDU error(PDU request, int status, int index) {
        PDU r = new PDU();
        r.setType(PDU.RESPONSE);
        r.setRequestID(request.getRequestID());
        r.setErrorStatus(status);
        r.setErrorIndex(index);
        for (VariableBinding vb : request.getVariableBindings()) {
            r.add(new VariableBinding(vb.getOid()));
        }
        return r;
    }

    @Override
    public void close() throws IOException {
        snmp.close();
    }
}
