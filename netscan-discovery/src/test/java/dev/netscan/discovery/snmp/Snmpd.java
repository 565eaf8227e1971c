package dev.netscan.discovery.snmp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * net-snmp's {@code snmpd} for tests: the one {@code scripts/test-servers} started (env
 * {@code NETSCAN_TEST_SNMPD=host:port}), else one this harness starts on a free loopback port when
 * {@code /usr/sbin/snmpd} exists (same configuration as scripts/test-servers), else the test
 * fails when {@code CI=true} and is skipped otherwise, saying why.
 */
final class Snmpd implements AutoCloseable {
    static final String COMMUNITY = "netscan-test";
    static final String SNMPD = "/usr/sbin/snmpd";

    final String host;
    final int port;
    private final Process process;
    private final Path dir;

    private Snmpd(String host, int port, Process process, Path dir) {
        this.host = host;
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    static Snmpd obtain() throws Exception {
        String env = System.getenv("NETSCAN_TEST_SNMPD");
        if (env != null && !env.isBlank()) {
            int colon = env.lastIndexOf(':');
            if (colon < 0) {
                fail("NETSCAN_TEST_SNMPD must be host:port, got '" + env + "'");
            }
            return new Snmpd(env.substring(0, colon), Integer.parseInt(env.substring(colon + 1)), null, null);
        }
        if (!Files.isExecutable(Path.of(SNMPD))) {
            String why = "net-snmp snmpd not found (" + SNMPD + ") and NETSCAN_TEST_SNMPD not set: "
                    + "install the Debian package 'snmpd' or run scripts/test";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        return start(false);
    }

    /**
     * An snmpd this harness starts listening on {@code udp6:[::1]} only (the shared one of
     * scripts/test-servers is IPv4), with the same users; fails when CI=true and snmpd is missing.
     */
    static Snmpd obtainIpv6() throws Exception {
        if (!Files.isExecutable(Path.of(SNMPD))) {
            String why = "net-snmp snmpd not found (" + SNMPD + "): install the Debian package 'snmpd'";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        return start(true);
    }

    private static Snmpd start(boolean ipv6) throws Exception {
        Path dir = Files.createTempDirectory("netscan-snmpd");
        String host = ipv6 ? "::1" : "127.0.0.1";
        int port;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), 0))) {
            port = probe.getLocalPort();
        }
        Path conf = dir.resolve("snmpd.conf");
        Files.writeString(conf, (ipv6 ? "rocommunity6 netscan-test ::1\n" : "rocommunity netscan-test 127.0.0.1\n") + """
                sysName netscan-snmpd
                sysLocation loopback-lab
                sysContact ops@example.invalid
                sysDescr net-snmp test agent for netscan
                createUser nsauthsha SHA "netscan-auth-pass-1" AES "netscan-priv-pass-1"
                createUser nsauthsha256 SHA-256 "netscan-auth-pass-2" AES-256 "netscan-priv-pass-2"
                createUser nsauthonly SHA "netscan-auth-pass-3"
                createUser nsmd5des MD5 "netscan-auth-pass-4" DES "netscan-priv-pass-4"
                createUser nsaes192 SHA-512 "netscan-auth-pass-5" AES-192 "netscan-priv-pass-5"
                rouser nsauthsha priv
                rouser nsauthsha256 priv
                rouser nsauthonly auth
                rouser nsmd5des priv
                rouser nsaes192 priv
                """, StandardCharsets.UTF_8);
        ProcessBuilder pb = new ProcessBuilder(SNMPD, "-f", "-C", "-c", conf.toString(), "-m", "",
                "-Lf", dir.resolve("snmpd.log").toString(), ipv6 ? "udp6:[::1]:" + port : "udp:127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("snmpd.out").toFile());
        pb.environment().put("SNMP_PERSISTENT_DIR", dir.toString());
        Process p = pb.start();
        Snmpd d = new Snmpd(host, port, p, dir);
        try {
            d.awaitAnswering();
        } catch (Exception | AssertionError e) {
            String log = Files.exists(dir.resolve("snmpd.log")) ? Files.readString(dir.resolve("snmpd.log")) : "";
            d.close();
            throw new AssertionError("snmpd did not answer on " + host + " port " + port + "; log: " + log, e);
        }
        return d;
    }

    private void awaitAnswering() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try (Snmp snmp = new Snmp(new DefaultUdpTransportMapping(new UdpAddress(host + "/0")))) {
            snmp.listen();
            CommunityTarget<UdpAddress> t = new CommunityTarget<>(new UdpAddress(host + "/" + port), new OctetString(COMMUNITY));
            t.setVersion(SnmpConstants.version2c);
            t.setTimeout(200);
            t.setRetries(0);
            while (true) {
                if (process != null && !process.isAlive()) {
                    throw new AssertionError("snmpd exited with " + process.exitValue());
                }
                PDU pdu = new PDU();
                pdu.add(new VariableBinding(new OID("1.3.6.1.2.1.1.5.0")));
                ResponseEvent<UdpAddress> e = snmp.get(pdu, t);
                if (e.getResponse() != null) {
                    return;
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new AssertionError("no answer within 20 s");
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
