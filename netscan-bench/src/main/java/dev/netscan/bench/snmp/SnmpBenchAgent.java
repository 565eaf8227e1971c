package dev.netscan.bench.snmp;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.snmp4j.CommandResponder;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.MessageException;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.StatusInformation;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * The benchmark's SNMP v2c agent: one UDP socket bound to {@code 0.0.0.0:port}, so inside a
 * network namespace it receives requests for every address of 127.0.0.0/8 and answers each with
 * the same MIB-2 system group (a plain 0.0.0.0 socket does not tell which address a request was
 * sent to, so every device answers the same values).
 *
 * <p>Replies leave from 127.0.0.1, not from the address the request went to (a socket bound to
 * 0.0.0.0 lets the kernel pick the source). The scanner accepts that: snmp4j matches a response to
 * its request by request id, not by source address (SnmpScannerAgentTest
 * {@code repliesFromTheAgentsMainLoopbackAddressAreAccepted} proves it), so no per-address socket
 * or IP_PKTINFO is needed.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.netscan.bench.snmp.SnmpBenchAgent PORT COMMUNITY MAX_SECONDS}.
 * Exits after MAX_SECONDS (a bound, so a forgotten agent does not live forever).
 */
public final class SnmpBenchAgent implements CommandResponder {
    private static final OID[] OIDS = new OID[6];
    private static final Variable[] VALUES = {
        new OctetString("netscan benchmark agent"),
        new OID("1.3.6.1.4.1.8072.3.2.10"),
        new TimeTicks(4_200_000),
        new OctetString("ops@example.invalid"),
        new OctetString("bench-device"),
        new OctetString("namespace"),
    };

    static {
        for (int i = 0; i < OIDS.length; i++) {
            OIDS[i] = new OID(new int[] {1, 3, 6, 1, 2, 1, 1, i + 1, 0});
        }
    }

    private final OctetString community;
    final AtomicLong answered = new AtomicLong();

    SnmpBenchAgent(String community) {
        this.community = new OctetString(community);
    }

    /** Starts an agent on {@code bind} (e.g. {@code 0.0.0.0/16161}); returns its session (close it to stop). */
    static Snmp start(String bind, SnmpBenchAgent agent) throws IOException {
        DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping(new UdpAddress(bind));
        transport.setReceiveBufferSize(8 << 20);
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        Snmp snmp = new Snmp(dispatcher, transport);
        snmp.addCommandResponder(agent);
        snmp.listen();
        return snmp;
    }

    @Override
    public <A extends org.snmp4j.smi.Address> void processPdu(CommandResponderEvent<A> event) {
        event.setProcessed(true);
        if (!community.equals(new OctetString(event.getSecurityName()))) {
            return;
        }
        PDU request = event.getPDU();
        PDU response = new PDU();
        response.setType(PDU.RESPONSE);
        response.setRequestID(request.getRequestID());
        for (VariableBinding vb : request.getVariableBindings()) {
            Variable value = Null.noSuchObject;
            for (int i = 0; i < OIDS.length; i++) {
                if (OIDS[i].equals(vb.getOid())) {
                    value = VALUES[i];
                    break;
                }
            }
            response.add(new VariableBinding(vb.getOid(), value));
        }
        try {
            event.getMessageDispatcher().returnResponsePdu(event.getMessageProcessingModel(), event.getSecurityModel(),
                    event.getSecurityName(), event.getSecurityLevel(), response, event.getMaxSizeResponsePDU(),
                    event.getStateReference(), new StatusInformation());
            answered.incrementAndGet();
        } catch (MessageException e) {
            System.err.println("bench agent: could not answer: " + e.getMessage());
        }
    }

    /** Runs the agent until killed or MAX_SECONDS pass. */
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: SnmpBenchAgent PORT COMMUNITY MAX_SECONDS");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        SnmpBenchAgent agent = new SnmpBenchAgent(args[1]);
        long maxSeconds = Long.parseLong(args[2]);
        Snmp snmp = start("0.0.0.0/" + port, agent);
        System.out.println("bench agent listening on 0.0.0.0:" + port);
        System.out.flush();
        new CountDownLatch(1).await(maxSeconds, TimeUnit.SECONDS);
        snmp.close();
        System.out.println("bench agent answered " + agent.answered.get());
    }
}
