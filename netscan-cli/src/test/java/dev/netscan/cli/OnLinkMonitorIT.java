package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code monitor} with a dual-stack configuration and on-link discovery, end to end through the
 * packaged jar: netscan runs inside a network namespace the test creates, joined by a veth pair to
 * a second one holding the "device" (10.77.0.2 and 2001:db8:77::2). Packets only cross that pair.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OnLinkMonitorIT {
    @TempDir
    Path dir;

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
        }
    }

    @Test
    void monitorRegistersTheHostsOnLinkDiscoveryFindsAndWritesThemCanonically() throws Exception {
        String a = "nsonlink-" + ProcessHandle.current().pid() + "-a";
        String b = "nsonlink-" + ProcessHandle.current().pid() + "-b";
        try {
            try {
                run("ip", "netns", "add", a);
                run("ip", "netns", "add", b);
            } catch (IOException e) {
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail("CI=true but this test cannot create network namespaces: " + e.getMessage());
                }
                Assumptions.abort("cannot create network namespaces (needs root and iproute2): " + e.getMessage());
            }
            for (String ns : List.of(a, b)) {
                run("ip", "-n", ns, "link", "set", "lo", "up");
                run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0",
                        "net.ipv6.conf.default.accept_dad=0");
            }
            run("ip", "link", "add", "vA", "netns", a, "type", "veth", "peer", "name", "vB", "netns", b);
            run("ip", "-n", a, "addr", "add", "10.77.0.1/24", "dev", "vA");
            run("ip", "-n", b, "addr", "add", "10.77.0.2/24", "dev", "vB");
            run("ip", "-n", a, "-6", "addr", "add", "2001:db8:77::1/64", "dev", "vA", "nodad");
            run("ip", "-n", b, "-6", "addr", "add", "2001:db8:77::2/64", "dev", "vB", "nodad");
            run("ip", "-n", a, "link", "set", "vA", "up");
            run("ip", "-n", b, "link", "set", "vB", "up");

            Path cfg = dir.resolve("netscan.yml");
            Files.writeString(cfg, """
                    networks: ["10.77.0.2", "2001:db8:77::100/126"]
                    discovery:
                      interfaces: [vA]
                    ping_interval: 1s
                    ping_stats_window: 5s
                    health_check_port: 0
                    data_dir: "%s"
                    snmp:
                      enabled: false
                    """.formatted(dir.resolve("data")));
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", a));
            command.addAll(CliIT.command("monitor", "--config", cfg.toString(), "--duration", "15s"));
            Path log = dir.resolve("monitor.log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("monitor did not stop after its 15 s duration: " + Files.readString(log));
            }
            String output = Files.readString(log);
            assertThat(p.exitValue()).as(output).isZero();
            StringBuilder points = new StringBuilder();
            try (Stream<Path> files = Files.list(dir.resolve("data").resolve("metrics"))) {
                for (Path f : files.toList()) {
                    points.append(Files.readString(f));
                }
            }
            List<String> pings = points.toString().lines().filter(l -> l.startsWith("ping,")).toList();
            // found by the all-nodes echo (from vA's global address), not in networks, and pinged
            assertThat(pings).as(output).anySatisfy(l -> assertThat(l).startsWith("ping,ip=2001:db8:77::2 ")
                    .contains("outcome=\"reply\""));
            assertThat(pings).anySatisfy(l -> assertThat(l).startsWith("ping,ip=10.77.0.2 "));
            assertThat(points.toString()).doesNotContain("ip=fe80");
            assertThat(output).contains("link-local hosts found and not registered");
        } finally {
            for (String ns : List.of(a, b)) {
                try {
                    run("ip", "netns", "del", ns);
                } catch (IOException e) {
                    // never created
                }
            }
        }
    }
}
