package dev.netscan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through the real, packaged {@code netscan-cli.jar} as a subprocess: real ICMP on
 * loopback, net-snmp's snmpd and VictoriaMetrics started by scripts/test (NETSCAN_TEST_SNMPD,
 * NETSCAN_TEST_VM_URL).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CliIT {
    private static final Path JAR = Path.of("target", "netscan-cli.jar").toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    record Result(int exit, String out, String err) {}

    /** The java command line running the packaged jar with {@code args}. */
    static List<String> command(String... args) {
        List<String> c = new ArrayList<>(List.of(JAVA, "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC",
                "-Xmx256m", "-jar", JAR.toString()));
        c.addAll(List.of(args));
        return c;
    }

    private Result run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command(args)).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("netscan " + String.join(" ", args) + " did not finish in 90 s");
        }
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static String requireEnv(String name, String what) {
        String v = System.getenv(name);
        if (v == null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(name + " is not set: CI must run this test against " + what
                        + " (scripts/test starts it)");
            }
            Assumptions.abort(name + " not set: run through scripts/test to start " + what);
        }
        return v;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean ok(String url) {
        try {
            return get(url).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Test
    void scanPrintsOneJsonDocumentWithEveryLiveLoopbackAddress() throws Exception {
        Result r = run("scan", "127.0.0.0/28", "--exclude", "127.0.0.8/30", "--no-snmp", "--format", "json", "-q");
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, Object> doc = MiniJson.object(r.out().strip());
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) doc.get("summary");
        assertThat(summary).containsEntry("targets", 10L).containsEntry("alive", 10L).containsKeys("elapsed_ms", "rate_pps");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> devices = (List<Map<String, Object>>) doc.get("devices");
        assertThat(devices).extracting(d -> d.get("ip")).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3",
                "127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.12", "127.0.0.13", "127.0.0.14");
        for (Map<String, Object> d : devices) {
            assertThat(d).containsKeys("rtt_ms", "sys_name", "sys_descr", "sys_object_id", "sys_location", "sys_contact",
                    "sys_uptime_s");
            assertThat(d.get("sys_name")).isNull();
            assertThat(((Number) d.get("rtt_ms")).doubleValue()).isGreaterThanOrEqualTo(0);
        }
        assertThat(r.err()).as("no progress bar when stderr is not a terminal").isEmpty();
    }

    @Test
    void scanAsksLiveDevicesOverSnmpWithTheCommunityFromTheEnvironment() throws Exception {
        String snmpd = requireEnv("NETSCAN_TEST_SNMPD", "net-snmp's snmpd");
        String port = snmpd.substring(snmpd.lastIndexOf(':') + 1);
        Result r = run(Map.of("NETSCAN_SNMP_COMMUNITY", "netscan-test"), "scan", "127.0.0.1", "--snmp-port", port,
                "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out() + r.err()).doesNotContain("netscan-test");
        @SuppressWarnings("unchecked")
        Map<String, Object> d = ((List<Map<String, Object>>) MiniJson.object(r.out().strip()).get("devices")).getFirst();
        assertThat(d).containsEntry("ip", "127.0.0.1").containsEntry("sys_name", "netscan-snmpd")
                .containsEntry("sys_location", "loopback-lab").containsEntry("sys_contact", "ops@example.invalid")
                .containsEntry("sys_descr", "net-snmp test agent for netscan");
        assertThat((String) d.get("sys_object_id")).startsWith("1.3.6.1.4.1.8072");
        assertThat(((Number) d.get("sys_uptime_s")).longValue()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void progressBarOnlyWhenStderrIsATerminal() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")), "util-linux script(1) gives the pty");
        // script(1) runs the command on a pseudo-terminal and copies what it printed into the log
        Path log = dir.resolve("tty.log");
        String cmd = String.join(" ", command("scan", "127.0.4.0/24", "--no-snmp", "--rate", "500", "--format", "csv"))
                + " >" + dir.resolve("tty.out");
        Process p = new ProcessBuilder("/usr/bin/script", "-q", "-e", "-c", cmd, log.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("script.txt").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        String tty = Files.readString(log);
        assertThat(tty).containsPattern("\\r\\[#* *\\] [0-9]+/254 probed, [0-9]+ alive, [0-9]+/s, (([0-9]+m)?[0-9]+s|\\?) left");
        assertThat(Files.readString(dir.resolve("tty.out"))).doesNotContain("probed").startsWith("ip,rtt_ms");
        Result quiet = run("scan", "127.0.4.0/28", "--no-snmp", "--quiet");
        assertThat(quiet.err()).isEmpty();
    }

    @Test
    void withoutIcmpPermissionExitsThreeAndSaysHowToGrantIt() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path setpriv = Path.of("/usr/bin/setpriv");
        if (!root || !Files.isExecutable(setpriv)) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("CI must run this as root with setpriv(1) (util-linux)");
            }
            Assumptions.abort("needs root and setpriv to drop to an unprivileged user");
        }
        String range;
        try (var in = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ping_group_range"))) {
            range = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim(); // procfs: read to EOF
        }
        Assumptions.assumeTrue(range.startsWith("1\t0") || range.equals("1 0") || range.matches("1\\s+0"),
                "datagram ICMP sockets are allowed for every group here (" + range + ")");
        List<String> c = new ArrayList<>(List.of(setpriv.toString(), "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all"));
        List<String> bench = new ArrayList<>(c);
        c.addAll(command("scan", "127.0.0.1", "--no-snmp"));
        Process p = new ProcessBuilder(c).redirectErrorStream(true).redirectOutput(dir.resolve("noperm.txt").toFile())
                .directory(dir.toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("noperm.txt"));
        assertThat(p.exitValue()).as(out).isEqualTo(3);
        assertThat(out).contains("ping_group_range").contains("cap_net_raw");
        // bench: the same message and exit code
        bench.addAll(command("bench", "--devices", "10", "--duration", "10s", "--no-fping"));
        Process q = new ProcessBuilder(bench).redirectErrorStream(true).redirectOutput(dir.resolve("noperm-bench.txt").toFile())
                .directory(dir.toFile()).start();
        assertThat(q.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String benchOut = Files.readString(dir.resolve("noperm-bench.txt"));
        assertThat(q.exitValue()).as(benchOut).isEqualTo(3);
        assertThat(benchOut.lines().filter(l -> l.startsWith("netscan: cannot open"))).containsExactlyElementsOf(
                out.lines().filter(l -> l.startsWith("netscan: cannot open")).toList());
    }

    @Test
    void scanPingsIpv6LoopbackToo() throws Exception {
        Result r = run("scan", "0:0:0:0:0:0:0:1/128", "127.0.0.1", "--no-snmp", "--format", "json");
        assertThat(r.exit()).as(r.err()).isZero();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> devices = (List<Map<String, Object>>) MiniJson.object(r.out().strip()).get("devices");
        assertThat(devices).extracting(d -> d.get("ip")).containsExactly("127.0.0.1", "::1"); // RFC 5952 text
        Result bad = run("scan", "::1::2");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("invalid target \"::1::2\": more than one \"::\"");
        Result wide = run("scan", "2001:db8::/64", "--no-snmp");
        assertThat(wide.exit()).isEqualTo(2);
        assertThat(wide.err()).contains("invalid target \"2001:db8::/64\": /64 holds 2^64 addresses, too many to sweep")
                .contains("on-link discovery");
    }

    @Test
    void scanPrintsTableCsvAndLineProtocol() throws Exception {
        Result table = run("scan", "127.0.2.0/29", "--no-snmp");
        assertThat(table.exit()).as(table.err()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.getFirst()).startsWith("IP").contains("RTT ms");
        assertThat(lines).filteredOn(l -> l.startsWith("127.0.2.")).hasSize(6);
        assertThat(lines.getLast()).startsWith("6 alive of 6 targets");

        Result csv = run("scan", "127.0.2.0/29", "--no-snmp", "--format", "csv");
        List<String> rows = csv.out().lines().toList();
        assertThat(rows.getFirst()).isEqualTo("ip,rtt_ms,sys_name,sys_descr,sys_object_id,sys_location,sys_contact,sys_uptime_s");
        assertThat(rows.subList(1, rows.size())).hasSize(6).allSatisfy(l -> assertThat(l.split(",", -1)).hasSize(8));

        Result lp = run("scan", "127.0.2.0/29", "--no-snmp", "--format", "lp");
        assertThat(lp.out().lines().toList()).hasSize(6).allSatisfy(l ->
                assertThat(l).matches("ping,ip=127\\.0\\.2\\.[1-6] rtt_ms=[0-9.e-]+,success=true,outcome=\"reply\" [0-9]{19}"));
    }

    @Test
    void badTargetsAndOptionsExitTwoNamingTheValue() throws Exception {
        Result hostBits = run("scan", "10.0.0.1/24");
        assertThat(hostBits.exit()).isEqualTo(2);
        assertThat(hostBits.err()).contains("10.0.0.1/24").contains("did you mean 10.0.0.0/24?");
        Result octet = run("scan", "300.1.1.1");
        assertThat(octet.exit()).isEqualTo(2);
        assertThat(octet.err()).contains("300.1.1.1").contains("greater than 255");
        Result large = run("scan", "10.0.0.0/12");
        assertThat(large.exit()).isEqualTo(2);
        assertThat(large.err()).contains("--allow-large");
        Result format = run("scan", "127.0.0.1", "--format", "xml");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).contains("\"xml\"");
        Result timeout = run("scan", "127.0.0.1", "--timeout", "soon");
        assertThat(timeout.exit()).isEqualTo(2);
        assertThat(timeout.err()).contains("soon");
        Result none = run("scan");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("TARGET");
    }

    @Test
    void badConfigExitsTwoWithEveryProblemByKey() throws Exception {
        Path cfg = dir.resolve("bad.yml");
        Files.writeString(cfg, """
                networks: ["127.0.0.0/33"]
                ping_intervall: 2s
                snmp:
                  port: 0
                """);
        Result r = run("monitor", "--config", cfg.toString(), "--duration", "1s");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("networks[0]").contains("127.0.0.0/33")
                .contains("ping_intervall: unknown key; did you mean ping_interval?").contains("snmp.port");
    }

    @Test
    void helpVersionAndCompletionWork() throws Exception {
        for (String cmd : List.of("scan", "monitor", "health")) {
            Result r = run(cmd, "--help");
            assertThat(r.exit()).isZero();
            assertThat(r.out()).contains("Usage: netscan " + cmd);
        }
        assertThat(run("--version").out()).startsWith("netscan 0.1.0");
        assertThat(run("generate-completion").out()).contains("complete -F");
        Result health = run("health", "--format", "json");
        assertThat(health.exit()).as(health.err()).isZero();
        Map<String, Object> h = MiniJson.object(health.out().strip());
        assertThat(h).containsKeys("level", "fields");
        @SuppressWarnings("unchecked")
        Map<String, Object> f = (Map<String, Object>) h.get("fields");
        assertThat(((Number) f.get("memory_used_pct")).doubleValue()).isBetween(0.0, 100.0);
        assertThat(f).containsKey("cpu_temp_c");
    }

    private static Process monitor(Path log, String... args) throws IOException {
        List<String> a = new ArrayList<>(List.of("monitor"));
        a.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command(a.toArray(String[]::new))).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("SNMPD_COMMUNITY", "netscan-test");
        return pb.start();
    }

    private Path monitorConfig(Path data, int healthPort, String extra) throws IOException {
        String snmpd = System.getenv("NETSCAN_TEST_SNMPD");
        String snmp = snmpd == null ? "snmp:\n  enabled: false\n" : """
                snmp:
                  community: "${SNMPD_COMMUNITY}"
                  port: %s
                  timeout: 500ms
                """.formatted(snmpd.substring(snmpd.lastIndexOf(':') + 1));
        Path cfg = dir.resolve("netscan-" + healthPort + ".yml");
        Files.writeString(cfg, """
                networks: ["127.0.0.0/29"]
                icmp_discovery_interval: 1m
                ping_interval: 1s
                ping_timeout: 500ms
                data_dir: "%s"
                health_check_port: %d
                health_report_interval: 1s
                snapshot_interval: 1s
                %s%s""".formatted(data, healthPort, snmp, extra));
        return cfg;
    }

    @Test
    void monitorWritesLineProtocolFilesAndServesHealthAndMetrics() throws Exception {
        Path data = dir.resolve("data");
        int port = freePort();
        Path cfg = monitorConfig(data, port, "");
        Process p = monitor(dir.resolve("monitor.log"), "--config", cfg.toString(), "--duration", "8s");
        try {
            await("ready", 30_000, () -> ok("http://127.0.0.1:" + port + "/health/ready"));
            await("pings recorded", 15_000, () -> {
                try {
                    Map<String, Object> h = MiniJson.object(get("http://127.0.0.1:" + port + "/health").body());
                    // the governor's first host sample may come after the first pings on a loaded machine
                    return ((Number) h.get("pings_sent_total")).longValue() >= 12 && h.containsKey("memory_used_pct");
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            });
            Map<String, Object> h = MiniJson.object(get("http://127.0.0.1:" + port + "/health").body());
            assertThat(h).containsEntry("status", "ok").containsEntry("device_count", 6L).containsKeys("version",
                    "uptime_s", "suspended_devices", "pings_sent_total", "memory_used_pct", "rss_bytes", "alerts");
            assertThat(get("http://127.0.0.1:" + port + "/health/live").statusCode()).isEqualTo(200);
            String metrics = get("http://127.0.0.1:" + port + "/metrics").body();
            assertThat(metrics).contains("netscan_devices 6.0\n").contains("# TYPE netscan_pings_sent_total counter")
                    .contains("# HELP netscan_pings_sent_total ").doesNotContain("goroutines");
            for (String line : metrics.split("\n")) {
                assertThat(line).matches("# (TYPE|HELP) [a-z0-9_]+ .+|[a-z0-9_]+(\\{[^}]*\\})? -?[0-9.eE+-]+|[a-z0-9_]+(\\{[^}]*\\})? \\+Inf");
            }
            assertThat(get("http://127.0.0.1:" + port + "/").body()).contains("<title>netscan</title>");
            assertThat(get("http://127.0.0.1:" + port + "/api/v1/devices").body()).contains("\"total\":6");
            assertThat(p.waitFor(40, TimeUnit.SECONDS)).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("monitor.log"))).isZero();
        List<String> lp = new ArrayList<>();
        try (Stream<Path> files = Files.list(data.resolve("metrics"))) {
            for (Path f : files.toList()) {
                lp.addAll(Files.readAllLines(f));
            }
        }
        assertThat(lp).anySatisfy(l -> assertThat(l).startsWith("ping,ip=127.0.0.1 rtt_ms="));
        assertThat(lp).anySatisfy(l -> assertThat(l).startsWith("health_metrics "));
        if (System.getenv("NETSCAN_TEST_SNMPD") != null) {
            assertThat(lp).anySatisfy(l -> assertThat(l).startsWith("device_info,ip=127.0.0.1 ").contains("hostname=\"netscan-snmpd\""));
        }
        assertThat(data.resolve("registry.snapshot")).exists();
    }

    @Test
    void monitorWritesToARealDatabase() throws Exception {
        String vm = requireEnv("NETSCAN_TEST_VM_URL", "VictoriaMetrics");
        Path data = dir.resolve("db-data");
        int port = freePort();
        String bucket = "it" + port;
        Path cfg = monitorConfig(data, port, """
                influxdb:
                  url: "%s"
                  api_version: 2
                  org: netscan
                  bucket: %s
                  token: "${TEST_TOKEN}"
                  flush_interval: 500ms
                """.formatted(vm, bucket));
        Result r = run(Map.of("TEST_TOKEN", "t0ken", "SNMPD_COMMUNITY", "netscan-test"), "monitor", "--config",
                cfg.toString(), "--duration", "6s");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).doesNotContain("t0ken");
        String query = URLEncoder.encode("{__name__=\"ping_rtt_ms\",ip=\"127.0.0.3\"}", StandardCharsets.UTF_8);
        await("points in VictoriaMetrics", 15_000, () -> {
            try {
                get(vm + "/internal/force_flush");
                return get(vm + "/api/v1/export?match[]=" + query).body().contains("\"ip\":\"127.0.0.3\"");
            } catch (IOException | InterruptedException e) {
                return false;
            }
        });
        String export = get(vm + "/api/v1/export?match[]=" + query).body();
        assertThat(export.lines().toList()).isNotEmpty();
        Map<String, Object> series = MiniJson.object(export.lines().toList().getFirst());
        @SuppressWarnings("unchecked")
        List<Object> values = (List<Object>) series.get("values");
        assertThat(values.size()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void sigtermFlushesSavesTheRegistryAndARestartRestoresDevices() throws Exception {
        Path data = dir.resolve("term-data");
        int port = freePort();
        Path cfg = monitorConfig(data, port, "");
        Process p = monitor(dir.resolve("term.log"), "--config", cfg.toString());
        try {
            await("ready", 30_000, () -> ok("http://127.0.0.1:" + port + "/health/ready"));
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("stops within 30 s of SIGTERM").isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("term.log"))).isZero();
        assertThat(Files.readString(dir.resolve("term.log"))).contains("netscan: stopped");
        assertThat(data.resolve("registry.snapshot")).exists();

        // restart with nothing to sweep: the devices come back from the snapshot alone
        int port2 = freePort();
        Path cfg2 = dir.resolve("restart.yml");
        Files.writeString(cfg2, Files.readString(cfg).replace("networks: [\"127.0.0.0/29\"]", "networks: []")
                .replace("health_check_port: " + port, "health_check_port: " + port2));
        Process q = monitor(dir.resolve("restart.log"), "--config", cfg2.toString(), "--duration", "20s");
        try {
            await("restarted", 30_000, () -> ok("http://127.0.0.1:" + port2 + "/health/ready"));
            Map<String, Object> h = MiniJson.object(get("http://127.0.0.1:" + port2 + "/health").body());
            assertThat(h).containsEntry("device_count", 6L).containsEntry("sweeps_total", 0L);
            q.destroy();
            assertThat(q.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            q.destroyForcibly();
        }
        assertThat(q.exitValue()).isZero();
    }
}
