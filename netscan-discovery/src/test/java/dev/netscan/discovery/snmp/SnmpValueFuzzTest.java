package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.snmp4j.PDU;
import org.snmp4j.asn1.BERInputStream;
import org.snmp4j.asn1.BEROutputStream;
import org.snmp4j.smi.AbstractVariable;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.IpAddress;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.Opaque;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * Fuzzes SNMP value decoding from a fixed seed: random BER values (every SMI tag and then some,
 * short, long, indefinite and lying lengths, hostile contents) decoded by snmp4j as the scanner's
 * transport does, and whole response PDUs of hostile varbinds, encoded, mutated and decoded again;
 * every value that decodes goes through the scanner's conversions ({@code SnmpValues.textOf},
 * {@code objectIdOf}, {@code uptimeOf}).
 *
 * <p>A crash is any throwable from the scanner's conversions, and any {@link Error} from snmp4j's
 * decoding. snmp4j's exceptions for undecodable bytes ({@link IOException}, and
 * {@link IllegalArgumentException} for an unknown tag) are documented: its
 * {@code MessageDispatcherImpl.processMessage} catches every {@link Exception} a message's
 * decoding throws and drops that message ({@code SnmpHostileAgentTest} shows the scanner going on).
 * An escape is a converted value that is too long (over
 * {@link SnmpText#MAX_BYTES} bytes of UTF-8) or carries a character that must not reach the line
 * protocol or a log: C0 controls (NUL, CR, LF, ...), DEL, C1 controls, line and paragraph
 * separators, invisible format characters, a lone surrogate; an object identifier that is not
 * dotted decimal; an uptime below -1.
 *
 * <p>The suite runs 10,000 cases; {@code netscan-bench/scripts/fuzz.sh} runs 1,000,000 through
 * {@code -Dnetscan.fuzz.cases}.
 */
class SnmpValueFuzzTest {
    private static final long CASES = Long.getLong("netscan.fuzz.cases", 10_000);
    private static final long SEED = Long.getLong("netscan.fuzz.seed", 0x5A4DL);
    private static final int[] TAGS = {
        0x02, 0x04, 0x05, 0x06, 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x03, 0x09, 0x30, 0x80, 0x81, 0x82, 0xA2, 0x1F, 0xFF,
    };
    private static final String[] HOSTILE = {
        "evil\u0000contact", "line\r\nping,host=x rtt=1 1\n", "\u001b[31mred\u001b[0m", "\u2028sep\u2029", "\u202Eevil\u202C",
        "\uFEFFbom", "tab\there", "\u0085nel", "caf\u00e9 \ud83d\ude00", "\u200bzero\u200dwidth", "a\u007fb\u0080c\u009fd",
    };

    private long crashes;
    private long escapes;
    private long decoded;
    private final List<String> examples = new ArrayList<>();

    @Test
    void decodedValuesAreBoundedAndSanitisedAndOnlyUndecodableBytesThrow() throws IOException {
        SplittableRandom rnd = new SplittableRandom(SEED);
        long start = System.nanoTime();
        for (long i = 0; i < CASES; i++) {
            if (rnd.nextInt(3) == 0) {
                pdu(rnd);
            } else {
                value(randomBer(rnd));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("FUZZ SNMP value decoding: seed %d, cases %d (values decoded %d), crashes %d, escapes %d, %.0f cases/s%n",
                SEED, CASES, decoded, crashes, escapes, CASES / seconds);
        assertThat(examples).as("crashes %d, escapes %d", crashes, escapes).isEmpty();
        assertThat(decoded).isGreaterThan(CASES / 4);
    }

    /** One BER value, decoded as snmp4j decodes a varbind's value. */
    private void value(byte[] ber) {
        Variable v;
        try {
            v = AbstractVariable.createFromBER(new BERInputStream(ByteBuffer.wrap(ber)));
        } catch (Exception e) {
            return; // documented: snmp4j drops a message it cannot decode
        } catch (Throwable e) {
            crash(ber, e);
            return;
        }
        convert(ber, v);
    }

    /** A response PDU of hostile varbinds, encoded, maybe mutated, decoded. */
    private void pdu(SplittableRandom rnd) throws IOException {
        PDU pdu = new PDU();
        pdu.setType(PDU.RESPONSE);
        pdu.setRequestID(new Integer32(rnd.nextInt()));
        int n = 1 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            pdu.add(new VariableBinding(new OID("1.3.6.1.2.1.1." + (1 + rnd.nextInt(6)) + ".0"), hostileVariable(rnd)));
        }
        BEROutputStream out = new BEROutputStream(ByteBuffer.allocate(pdu.getBERLength()));
        pdu.encodeBER(out);
        byte[] ber = out.getBuffer().array();
        int edits = rnd.nextInt(4);
        for (int e = 0; e < edits && ber.length > 0; e++) {
            ber[rnd.nextInt(ber.length)] = (byte) rnd.nextInt();
        }
        PDU back = new PDU();
        try {
            back.decodeBER(new BERInputStream(ByteBuffer.wrap(ber)));
        } catch (Exception e) {
            return; // as above
        } catch (Throwable e) {
            crash(ber, e);
            return;
        }
        for (VariableBinding vb : back.getVariableBindings()) {
            if (vb.getVariable() != null) {
                convert(ber, vb.getVariable());
            }
        }
    }

    private void convert(byte[] ber, Variable v) {
        decoded++;
        String text;
        String oid;
        long uptime;
        try {
            text = SnmpValues.textOf(v);
            oid = SnmpValues.objectIdOf(v);
            uptime = SnmpValues.uptimeOf(v);
        } catch (Throwable e) {
            crash(ber, e);
            return;
        }
        String bad = text == null ? "text is null" : unsafe(text);
        if (bad == null && oid != null) {
            bad = oid.length() > SnmpText.MAX_BYTES || !oid.matches("[0-9]+(\\.[0-9]+)*") ? "object id " + oid : null;
        }
        if (bad == null && uptime < -1) {
            bad = "uptime " + uptime;
        }
        if (bad != null) {
            escapes++;
            example("escape (" + v.getClass().getSimpleName() + "): " + bad + " from " + hex(ber));
        }
    }

    /** Why {@code s} must not reach the line protocol, or null when it may. */
    static String unsafe(String s) {
        if (s.getBytes(StandardCharsets.UTF_8).length > SnmpText.MAX_BYTES) {
            return "longer than " + SnmpText.MAX_BYTES + " bytes";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int type = Character.getType(c);
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || type == Character.FORMAT
                    || (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(++i))))) {
                return String.format("character U+%04X at %d", (int) c, i);
            }
        }
        return null;
    }

    private void crash(byte[] ber, Throwable e) {
        crashes++;
        example("crash: " + e + " on " + hex(ber));
    }

    private void example(String s) {
        if (examples.size() < 10) {
            examples.add(s);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(b.length, 64); i++) {
            s.append(String.format("%02x", b[i] & 0xFF));
        }
        return s.append(b.length > 64 ? "... (" + b.length + " bytes)" : "").toString();
    }

    // ---- generators

    private static byte[] randomBer(SplittableRandom rnd) {
        int tag = rnd.nextInt(8) == 0 ? rnd.nextInt(256) : TAGS[rnd.nextInt(TAGS.length)];
        byte[] content = content(rnd);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(tag);
        int claimed = switch (rnd.nextInt(6)) {
            case 0 -> rnd.nextInt(Math.max(1, content.length * 2 + 2)); // a length that lies
            case 1 -> rnd.nextInt(); // absurd
            default -> content.length;
        };
        switch (rnd.nextInt(5)) {
            case 0 -> b.write(0x80); // indefinite
            case 1 -> {
                b.write(0x84);
                b.write(claimed >>> 24);
                b.write(claimed >>> 16);
                b.write(claimed >>> 8);
                b.write(claimed);
            }
            default -> {
                if (claimed >= 0 && claimed < 0x80) {
                    b.write(claimed);
                } else {
                    b.write(0x82);
                    b.write(claimed >>> 8);
                    b.write(claimed);
                }
            }
        }
        b.writeBytes(content);
        return b.toByteArray();
    }

    private static byte[] content(SplittableRandom rnd) {
        switch (rnd.nextInt(25)) {
            case 0, 1, 2, 3, 4 -> {
                return HOSTILE[rnd.nextInt(HOSTILE.length)].getBytes(StandardCharsets.UTF_8);
            }
            case 5 -> {
                byte[] big = new byte[rnd.nextInt(1_000, 65_000)];
                for (int i = 0; i < big.length; i++) {
                    big[i] = (byte) (rnd.nextInt(20) == 0 ? rnd.nextInt(0x20) : 'A' + rnd.nextInt(26));
                }
                return big;
            }
            default -> {
                byte[] b = new byte[rnd.nextInt(rnd.nextInt(10) == 0 ? 2_000 : 20)];
                rnd.nextBytes(b);
                return b;
            }
        }
    }

    static Variable hostileVariable(SplittableRandom rnd) {
        return switch (rnd.nextInt(11)) {
            case 0, 1 -> new OctetString(HOSTILE[rnd.nextInt(HOSTILE.length)]);
            case 2 -> new OctetString(content(rnd));
            case 3 -> {
                int[] ids = new int[rnd.nextInt(2, 128)];
                ids[0] = rnd.nextInt(3); // what BER can encode: the first two arcs share one byte
                ids[1] = rnd.nextInt(40);
                for (int i = 2; i < ids.length; i++) {
                    ids[i] = rnd.nextInt();
                }
                yield new OID(ids);
            }
            case 4 -> new Integer32(rnd.nextInt());
            case 5 -> new Counter64(rnd.nextLong());
            case 6 -> new Opaque(content(rnd));
            case 7 -> new IpAddress(new byte[] {(byte) rnd.nextInt(), (byte) rnd.nextInt(), (byte) rnd.nextInt(), (byte) rnd.nextInt()});
            case 8 -> new TimeTicks(rnd.nextLong(0, 1L << 32));
            case 9 -> rnd.nextBoolean() ? new Counter32(rnd.nextLong(0, 1L << 32)) : new Gauge32(rnd.nextLong(0, 1L << 32));
            default -> rnd.nextBoolean() ? new Null() : Null.noSuchObject;
        };
    }
}
