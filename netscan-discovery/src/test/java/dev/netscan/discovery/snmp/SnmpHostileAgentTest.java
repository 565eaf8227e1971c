package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.SnmpInfo;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.snmp4j.PDU;
import org.snmp4j.asn1.BER;
import org.snmp4j.asn1.BEROutputStream;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;

/**
 * The scanner against hostile SNMP peers on loopback: an agent ({@link TestAgent}) that answers
 * with random oversized, wrong-typed, NUL- and newline-laden varbinds, and a socket that sends the
 * scanner responses to requests it never sent (hostile varbinds, unknown BER tags, junk) while a
 * real query is outstanding. Results must be bounded and sanitised, nothing may be attributed
 * that was not asked for, and the scanner must go on working.
 */
class SnmpHostileAgentTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int LOCALHOST = Ipv4.parse("127.0.0.1");
    private static final String COMMUNITY = "lab-community-7";
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private SnmpScanner scanner(TestAgent a, Duration timeout, int retries, Outcomes out) throws Exception {
        SnmpScanner s = SnmpScanner.builder(SnmpSettings.builder().version(SnmpVersion.V2C).community(COMMUNITY).port(a.port())
                .timeout(timeout).retries(retries).build()).listener(out).bindAddress("127.0.0.1").warnings(m -> {}).build();
        closeables.add(s);
        s.start();
        return s;
    }

    @Test
    void randomHostileVarbindsGiveBoundedSanitisedResults() throws Exception {
        TestAgent a = TestAgent.start(COMMUNITY);
        closeables.add(a);
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(a, Duration.ofMillis(500), 0, out);
        SplittableRandom rnd = new SplittableRandom(1406);
        int rounds = 40;
        for (int round = 0; round < rounds; round++) {
            a.mib.clear();
            for (int field = 1; field <= 6; field++) {
                a.put("1.3.6.1.2.1.1." + field + ".0", SnmpValueFuzzTest.hostileVariable(rnd));
            }
            assertThat(s.submit(LOCALHOST)).isTrue();
            Outcomes.Result r = out.next(WAIT);
            assertThat(r).as("round %d has an outcome", round).isNotNull();
            if (r.info() != null) {
                SnmpInfo i = r.info();
                for (String v : new String[] {i.sysName(), i.sysDescr(), i.sysContact(), i.sysLocation()}) {
                    assertThat(v == null ? null : SnmpValueFuzzTest.unsafe(v)).as("round %d: %s", round, i).isNull();
                }
                assertThat(i.sysObjectId()).satisfiesAnyOf(o -> assertThat(o).isNull(), o -> assertThat(o).matches("[0-9]+(\\.[0-9]+)*"));
                assertThat(i.sysUpTimeHundredths()).isGreaterThanOrEqualTo(-1);
            } else {
                assertThat(SnmpValueFuzzTest.unsafe(String.valueOf(r.detail()))).isNull();
            }
        }
        long completed = rounds;
        Await.until(completed + " outcomes counted", WAIT, () -> s.counters().completed() == completed);
        System.out.println("hostile varbinds: " + s.counters());
    }

    @Test
    void responsesToRequestsNeverSentAreIgnoredAndTheRealAnswerStillCounts() throws Exception {
        TestAgent a = TestAgent.start(COMMUNITY).withSystemGroup("real-1");
        closeables.add(a);
        a.silent.set(true); // the first attempt goes unanswered: the query stays outstanding
        Outcomes out = new Outcomes();
        SnmpScanner s = scanner(a, Duration.ofSeconds(5), 1, out);
        assertThat(s.submit(LOCALHOST)).isTrue();
        Await.until("the agent sees the request", WAIT, () -> a.received.get() >= 1);
        UdpAddress scannerAt = (UdpAddress) a.lastPeer;

        SplittableRandom rnd = new SplittableRandom(61);
        int forged = 0;
        try (DatagramSocket sock = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"))) {
            for (int i = 0; i < 1_000; i++) {
                byte[] msg = switch (i % 4) {
                    case 0, 1 -> response(rnd, i % 2 == 0 ? COMMUNITY : "other");
                    case 2 -> unknownTagResponse(rnd);
                    default -> {
                        byte[] junk = new byte[rnd.nextInt(1, 1400)];
                        rnd.nextBytes(junk);
                        yield junk;
                    }
                };
                sock.send(new DatagramPacket(msg, msg.length, scannerAt.getInetAddress(), scannerAt.getPort()));
                forged++;
            }
        }
        a.silent.set(false); // the retry is answered

        Outcomes.Result r = out.next(WAIT);
        assertThat(r.outcome()).as("%s after %d attempts seen by the agent", r, a.received.get()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.info()).isEqualTo(new SnmpInfo("real-1", "Test agent real-1", "1.3.6.1.4.1.99999.1", 123_456,
                "ops@example.invalid", "rack 1"));
        // the scanner still works after all that: a second query is answered
        assertThat(s.submit(LOCALHOST)).isTrue();
        Outcomes.Result second = out.next(WAIT);
        assertThat(second.outcome()).as("%s", second).isEqualTo(SnmpOutcome.SUCCESS);
        Await.until("2 outcomes counted", WAIT, () -> s.counters().completed() == 2);
        SnmpCounters c = s.counters();
        System.out.println("unsolicited responses: " + forged + " sent; " + c);
        assertThat(c.successes()).isEqualTo(2);
        assertThat(c.completed()).isEqualTo(2);
    }

    /** A v2c Response with a random request ID (never sent) and hostile system-group varbinds. */
    private static byte[] response(SplittableRandom rnd, String community) throws Exception {
        PDU pdu = new PDU();
        pdu.setType(PDU.RESPONSE);
        pdu.setRequestID(new Integer32(rnd.nextInt()));
        for (int field = 1; field <= 6; field++) {
            org.snmp4j.smi.Variable v = SnmpValueFuzzTest.hostileVariable(rnd);
            // small: a flood of 60 KB datagrams would only measure how fast this machine decodes them,
            // and a real answer queued behind them would time out (the oversized case is the agent test's)
            if (rnd.nextBoolean() || v.getBERLength() > 1_000) {
                v = new OctetString("forged\u0000\r\nping,host=x rtt=1 1\n");
            }
            pdu.add(new VariableBinding(new OID("1.3.6.1.2.1.1." + field + ".0"), v));
        }
        Integer32 version = new Integer32(1);
        OctetString c = new OctetString(community);
        int length = version.getBERLength() + c.getBERLength() + pdu.getBERLength();
        BEROutputStream os = new BEROutputStream(ByteBuffer.allocate(length + 8));
        BER.encodeHeader(os, BER.SEQUENCE, length);
        version.encodeBER(os);
        c.encodeBER(os);
        pdu.encodeBER(os);
        ByteBuffer b = os.getBuffer();
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** A response whose first varbind value has a tag no SMI type has. */
    private static byte[] unknownTagResponse(SplittableRandom rnd) throws Exception {
        byte[] ok = response(rnd, COMMUNITY);
        // find the first OCTET STRING or other value after the first OID of a varbind and retag it
        for (int i = 0; i + 1 < ok.length; i++) {
            if (ok[i] == 0x06 && ok[i + 1] == 8 && i + 10 < ok.length) {
                ok[i + 10] = (byte) 0x1F;
                break;
            }
        }
        return ok;
    }
}
