package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The shipped deployment files say what the product does. */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    /** Every measurement and field the dashboard queries is one netscan writes. */
    @Test
    @SuppressWarnings("unchecked")
    void dashboardQueriesOnlyMeasurementsAndFieldsNetscanWrites() throws Exception {
        Map<String, Object> dash = MiniJson.object(Files.readString(ROOT.resolve("deploy/grafana/netscan.json")));
        Map<String, Set<String>> written = Map.of(
                "ping", Set.of("rtt_ms", "success", "outcome"),
                "ping_stats", Set.of("sent", "received", "loss_pct", "rtt_min_ms", "rtt_avg_ms", "rtt_max_ms",
                        "rtt_stddev_ms", "jitter_ms", "rtt_p95_ms"),
                "device_info", Set.of("hostname", "snmp_description", "sys_object_id", "sys_location", "sys_contact",
                        "sys_uptime_s"),
                "health_metrics", Set.of("device_count", "suspended_devices", "pings_sent_total", "alert_level",
                        "memory_used_pct", "heap_used_pct", "rss_bytes", "cpu_temp_c", "throttle_rate_pps",
                        "ping_lateness_p99_us", "influxdb_successful_batches", "influxdb_failed_batches"));
        Pattern filter = Pattern.compile("r\\._measurement == \"([a-z_]+)\" and r\\._field == \"([a-z0-9_]+)\"");
        List<Map<String, Object>> panels = (List<Map<String, Object>>) dash.get("panels");
        assertThat(panels).hasSizeGreaterThan(10);
        for (Map<String, Object> p : panels) {
            for (Map<String, Object> t : (List<Map<String, Object>>) p.get("targets")) {
                Matcher m = filter.matcher((String) t.get("query"));
                assertThat(m.find()).as("panel %s filters a measurement and field", p.get("title")).isTrue();
                assertThat(written).containsKey(m.group(1));
                assertThat(written.get(m.group(1))).as("panel %s", p.get("title")).contains(m.group(2));
            }
        }
    }

    @Test
    void systemdUnitStartsTheLauncherUnprivilegedWithOnlyRawSockets() throws Exception {
        String unit = Files.readString(ROOT.resolve("deploy/netscan.service"));
        assertThat(unit).contains("User=netscan", "AmbientCapabilities=CAP_NET_RAW", "CapabilityBoundingSet=CAP_NET_RAW",
                "NoNewPrivileges=true", "ProtectSystem=strict", "Restart=on-failure", "MemoryMax=",
                "\nExecStart=/usr/lib/netscan/netscan monitor --config /etc/netscan/netscan.yml\n",
                "\nDocumentation=file:/usr/share/doc/netscan/README.md\n");
        assertThat(unit).as("the default java may be older than 25 (Debian 12: 17)").doesNotContain("/usr/bin/java");
        assertThat(unit).containsPattern("\nRestartPreventExitStatus=.*\\b78\\b");
        assertThat(Files.readString(ROOT.resolve("scripts/jdk.sh"))).contains("exit 78");
    }

    /** A script or deployment file that the README, a script or a pom tells users to run exists. */
    @Test
    void everyScriptAndDeploymentFileNamedToUsersExists() throws Exception {
        Pattern named = Pattern.compile("\\b(?:scripts|deploy)/[A-Za-z0-9_.-]*[A-Za-z0-9_]");
        List<Path> sources = new java.util.ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("pom.xml"),
                ROOT.resolve("deploy/install.sh"), ROOT.resolve("deploy/netscan.service")));
        try (var scripts = Files.list(ROOT.resolve("scripts"))) {
            scripts.forEach(sources::add);
        }
        int checked = 0;
        for (Path source : sources) {
            Matcher m = named.matcher(Files.readString(source));
            while (m.find()) {
                assertThat(ROOT.resolve(m.group())).as("%s names %s", ROOT.relativize(source), m.group()).exists();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(10);
    }
}
