package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scan} asks IPv6 devices over SNMP too: net-snmp's snmpd, started by this test on
 * {@code udp6:[::1]} only, answers for {@code ::1}; 127.0.0.1 has no agent there.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ScanIpv6SnmpIT {
    @TempDir
    Path dir;

    @Test
    void scanAsksAnIpv6DeviceOverUdp6AndPrintsItsIdentity() throws Exception {
        Path snmpd = Path.of("/usr/sbin/snmpd");
        if (!Files.isExecutable(snmpd)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but net-snmp's snmpd is missing (apt-get install snmpd; scripts/test installs it)");
            }
            Assumptions.abort("net-snmp's snmpd is not installed");
        }
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getByName("::1"))) {
            port = probe.getLocalPort();
        }
        Files.writeString(dir.resolve("snmpd.conf"), """
                rocommunity6 v6-community ::1
                sysName netscan-v6-snmpd
                sysLocation loopback6
                """);
        Path pidFile = dir.resolve("snmpd.pid");
        ProcessBuilder pb = new ProcessBuilder(snmpd.toString(), "-f", "-C", "-c", dir.resolve("snmpd.conf").toString(),
                "-m", "", "-Lf", dir.resolve("snmpd.log").toString(), "-p", pidFile.toString(), "udp6:[::1]:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("snmpd.out").toFile());
        pb.environment().put("SNMP_PERSISTENT_DIR", dir.toString());
        Process agent = pb.start();
        try {
            awaitListening(port);
            List<String> command = new ArrayList<>(CliIT.command("scan", "::1", "127.0.0.1", "--snmp-port",
                    String.valueOf(port), "--snmp-timeout", "1s", "--format", "json"));
            ProcessBuilder scan = new ProcessBuilder(command).redirectOutput(dir.resolve("out.json").toFile())
                    .redirectError(dir.resolve("err.txt").toFile());
            scan.environment().put("NETSCAN_SNMP_COMMUNITY", "v6-community");
            Process p = scan.start();
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
            String err = Files.readString(dir.resolve("err.txt"));
            assertThat(p.exitValue()).as(err).isZero();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> devices = (List<Map<String, Object>>) MiniJson.object(
                    Files.readString(dir.resolve("out.json")).strip()).get("devices");
            assertThat(devices).extracting(d -> d.get("ip")).containsExactly("127.0.0.1", "::1");
            assertThat(devices.get(1)).containsEntry("sys_name", "netscan-v6-snmpd").containsEntry("sys_location", "loopback6");
            assertThat(devices.get(0)).containsEntry("sys_name", null);
            assertThat(err).contains("SNMP: 1 answered, 1 no agent (port unreachable)");
        } finally {
            agent.destroy();
            if (!agent.waitFor(10, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
            }
        }
    }

    /** Waits (bounded) until something listens on UDP {@code port}, as scripts/test-servers does. */
    private static void awaitListening(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Process ss = new ProcessBuilder("ss", "-Hlun", "sport = :" + port).redirectErrorStream(true).start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor(5, TimeUnit.SECONDS);
            if (!out.isBlank()) {
                return;
            }
            Thread.sleep(50);
        }
        fail("snmpd did not listen on udp6 port " + port + " within 20 s");
    }
}
