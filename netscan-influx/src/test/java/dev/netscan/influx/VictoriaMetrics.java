package dev.netscan.influx;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real database for integration tests: the VictoriaMetrics that scripts/test-servers started
 * (env NETSCAN_TEST_VM_URL), or, when that is absent, one this class starts from the
 * {@code victoria-metrics} binary on a free loopback port with a temporary directory. When neither
 * is possible the test fails naming the package to install.
 */
final class VictoriaMetrics implements AutoCloseable {

    final URI url;
    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();

    private VictoriaMetrics(URI url, Process process) {
        this.url = url;
        this.process = process;
    }

    static VictoriaMetrics obtain(Path tempDir) throws Exception {
        String env = System.getenv("NETSCAN_TEST_VM_URL");
        if (env != null && !env.isBlank()) {
            return new VictoriaMetrics(URI.create(env), null);
        }
        Path bin = null;
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "victoria-metrics");
            if (Files.isExecutable(p)) {
                bin = p;
                break;
            }
        }
        if (bin == null) {
            throw new AssertionError("VictoriaMetrics is needed for this test and was not found: set NETSCAN_TEST_VM_URL "
                    + "(scripts/test starts it) or install the Debian package 'victoria-metrics' (apt-get install victoria-metrics)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(bin.toString(), "-httpListenAddr=127.0.0.1:" + port,
                "-storageDataPath=" + tempDir.resolve("vm"), "-retentionPeriod=100y", "-search.disableCache",
                "-loggerLevel=ERROR")
                .redirectErrorStream(true).redirectOutput(tempDir.resolve("vm.log").toFile()).start();
        VictoriaMetrics vm = new VictoriaMetrics(URI.create("http://127.0.0.1:" + port), p);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (vm.get("/health").statusCode() == 200) return vm;
            } catch (IOException notYet) {
                // starting
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                vm.close();
                throw new AssertionError("victoria-metrics did not start: " + Files.readString(tempDir.resolve("vm.log")));
            }
            LockSupport.parkNanos(50_000_000L);
        }
    }

    HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Makes recently ingested samples searchable. */
    void forceFlush() throws IOException, InterruptedException {
        get("/internal/force_flush");
    }

    record Series(String name, Map<String, String> labels, List<Double> values, List<Long> timestampsMillis) {}

    private static final Pattern METRIC = Pattern.compile("\"metric\":\\{([^}]*)}");
    private static final Pattern LABEL = Pattern.compile("\"([^\"]+)\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern VALUES = Pattern.compile("\"values\":\\[([^]]*)]");
    private static final Pattern TIMES = Pattern.compile("\"timestamps\":\\[([^]]*)]");

    /** Exports every series matching the selector (JSON lines), parsed. */
    List<Series> export(String selector) throws IOException, InterruptedException {
        HttpResponse<String> r = get("/api/v1/export?match[]=" + java.net.URLEncoder.encode(selector, StandardCharsets.UTF_8));
        if (r.statusCode() != 200) throw new AssertionError("export failed: HTTP " + r.statusCode() + " " + r.body());
        List<Series> out = new ArrayList<>();
        for (String line : r.body().split("\n")) {
            if (line.isBlank()) continue;
            Matcher m = METRIC.matcher(line);
            if (!m.find()) throw new AssertionError("unexpected export line " + line);
            Map<String, String> labels = new java.util.TreeMap<>();
            Matcher l = LABEL.matcher(m.group(1));
            while (l.find()) labels.put(l.group(1), l.group(2));
            Matcher v = VALUES.matcher(line);
            Matcher t = TIMES.matcher(line);
            if (!v.find() || !t.find()) throw new AssertionError("unexpected export line " + line);
            List<Double> values = new ArrayList<>();
            for (String s : v.group(1).split(",")) values.add(Double.parseDouble(s));
            List<Long> ts = new ArrayList<>();
            for (String s : t.group(1).split(",")) ts.add(Long.parseLong(s));
            out.add(new Series(labels.get("__name__"), labels, values, ts));
        }
        return out;
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        http.close();
    }
}
