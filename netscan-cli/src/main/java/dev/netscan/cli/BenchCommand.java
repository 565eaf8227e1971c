package dev.netscan.cli;

import dev.netscan.core.Cidr;
import dev.netscan.core.Ipv4;
import dev.netscan.core.NetscanConfig;
import dev.netscan.discovery.monitor.PingScheduler;
import dev.netscan.service.Json;
import dev.netscan.service.NetscanService;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code netscan bench}: the operator's capacity check. Runs the monitoring service itself
 * ({@link NetscanService}: discovery sweep, schedule, engine, file sink) against loopback
 * addresses for {@code --duration}, measures what it sustains in the steady part of the run
 * (echoes, CPU per echo, lateness, timeouts, local outcomes), runs fping on the same addresses
 * when it is installed, and prints a recommendation.
 *
 * <p>Only loopback addresses are probed ({@value #BASE}, upwards); the sweep and the pings are
 * bounded by the duration.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures what monitoring sustains on this host: it runs the service against loopback addresses,",
            "reports devices at an interval, CPU per echo and lateness, compares with fping when installed,",
            "and recommends how many devices this host can watch."},
        footer = {"", "Only loopback addresses are probed. Needs the same ICMP permission as scan and monitor.",
            "Exit codes: 0 done, 2 bad usage, 3 no permission for ICMP, 1 anything else."})
final class BenchCommand implements Callable<Integer> {
    static final String BASE = "127.64.0.0";
    /** Share of one core the recommendation's extrapolation stays within. */
    private static final double CORE_BUDGET = 0.7;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "20000",
            description = "Loopback devices to watch, 1 to 1048576 (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--interval", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "1s",
            description = "ping_interval (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "60s",
            description = "How long to watch, 10s to 10m (default: ${DEFAULT-VALUE}); fping then runs for half of it.")
    Duration duration;

    @Option(names = "--no-fping", description = "Do not compare with fping even when it is installed.")
    boolean noFping;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("text") && !format.equals("json")) {
            throw new Main.UsageException("--format: must be text or json, was \"" + format + "\"");
        }
        if (devices < 1 || devices > (1 << 20)) {
            throw new Main.UsageException("--devices: must be 1 to 1048576, was " + devices);
        }
        if (duration.compareTo(Duration.ofSeconds(10)) < 0 || duration.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new Main.UsageException("--duration: must be 10s to 10m, was " + NetscanConfig.human(duration));
        }
        if (interval.compareTo(Duration.ofSeconds(1)) < 0 || interval.compareTo(duration.dividedBy(3)) > 0) {
            throw new Main.UsageException("--interval: must be at least 1s and at most a third of --duration, was "
                    + NetscanConfig.human(interval));
        }
        Path dir = Files.createTempDirectory("netscan-bench");
        try {
            Map<String, Object> result = measure(dir);
            if (!noFping) {
                result.put("fping", fping(dir, result));
            }
            result.put("recommendation", recommend(result));
            if (format.equals("json")) {
                System.out.println(Json.write(result));
            } else {
                printText(result);
            }
            return Main.EXIT_OK;
        } finally {
            deleteTree(dir);
        }
    }

    /** The address blocks holding {@code devices} hosts from {@link #BASE}: aligned CIDRs, each losing its network and broadcast address. */
    List<String> networks() {
        List<String> out = new ArrayList<>();
        long ip = Integer.toUnsignedLong(Ipv4.parse(BASE));
        long hosts = 0;
        while (hosts < devices) {
            // the largest aligned block (at most a /16) whose hosts do not overshoot what is left
            int bits = Math.min(Long.numberOfTrailingZeros(ip), 16);
            while (bits > 2 && (1L << bits) - 2 > devices - hosts) {
                bits--;
            }
            long size = 1L << bits;
            out.add(Ipv4.format((int) ip) + "/" + (32 - bits));
            hosts += size - 2;
            ip += size;
        }
        return out;
    }

    private Map<String, Object> measure(Path dir) throws Exception {
        NetscanConfig config = NetscanConfig.builder().networks(networks()).allowLarge(true)
                .pingInterval(interval).pingTimeout(Duration.ofSeconds(1))
                .snmpEnabled(false).healthCheckPort(0).dataDir(dir.resolve("data"))
                .icmpDiscoveryInterval(Duration.ofHours(24)).build();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long t0 = System.nanoTime();
        long end = t0 + duration.toNanos();
        Map<String, Object> m = new LinkedHashMap<>();
        try (NetscanService service = NetscanService.builder(config).build()) {
            service.start(); // no ICMP permission: IcmpUnavailableException, exit 3 with the message scan gives
            System.err.printf(Locale.ROOT, "netscan bench: watching %d loopback devices at %s for %s%n",
                    config.targets().size(), NetscanConfig.human(interval), NetscanConfig.human(duration));
            // steady state: after the first sweep put every device on the schedule, plus a warm-up
            while (System.nanoTime() < end && (!service.ready()
                    || service.schedulerCounters().scheduled() < service.deviceCount())) {
                Thread.sleep(50);
            }
            long sweepDone = System.nanoTime();
            long warmup = Math.max(interval.toNanos() * 2, (end - sweepDone) / 4);
            long from = sweepDone + warmup;
            if (from >= end - interval.toNanos()) {
                throw new IllegalStateException("--duration " + NetscanConfig.human(duration)
                        + " is too short: the first sweep took " + (sweepDone - t0) / 1_000_000 + " ms; give it more");
            }
            sleepUntil(from);
            PingScheduler.Counters c0 = service.schedulerCounters();
            long cpu0 = os.getProcessCpuTime();
            long w0 = System.nanoTime();
            sleepUntil(end);
            PingScheduler.Counters c1 = service.schedulerCounters();
            long cpu1 = os.getProcessCpuTime();
            long window = System.nanoTime() - w0;
            long echoes = c1.replies() - c0.replies();
            m.put("devices", (long) service.deviceCount());
            m.put("interval_ms", interval.toMillis());
            m.put("duration_s", duration.toSeconds());
            m.put("first_sweep_ms", (sweepDone - t0) / 1_000_000);
            m.put("window_s", window / 1e9);
            m.put("echoes", echoes);
            m.put("echoes_per_s", echoes * 1e9 / window);
            m.put("expected_echoes_per_s", service.deviceCount() * 1e9 / interval.toNanos());
            m.put("timeouts", c1.timeouts() - c0.timeouts());
            m.put("send_errors", c1.sendErrors() - c0.sendErrors());
            m.put("local_outcomes", c1.local().total() - c0.local().total());
            m.put("effective_interval_ms", c1.effectiveIntervalNanos() / 1_000_000);
            m.put("lateness_p99_us", c1.latenessP99Micros()); // since start, the first sweep included
            m.put("cpu_pct_of_one_core", 100.0 * (cpu1 - cpu0) / window);
            m.put("cpu_us_per_echo", echoes == 0 ? Double.NaN : (cpu1 - cpu0) / 1e3 / echoes);
            m.put("cores", (long) Runtime.getRuntime().availableProcessors());
        }
        return m;
    }

    /** fping on the same addresses, for half the duration: its CPU per echo (user + system, from bash's {@code times}). */
    private Map<String, Object> fping(Path dir, Map<String, Object> ours) throws Exception {
        Map<String, Object> f = new LinkedHashMap<>();
        Path fping = Stream.of("/usr/bin/fping", "/usr/sbin/fping", "/bin/fping", "/usr/local/bin/fping", "/usr/local/sbin/fping")
                .map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
        if (fping == null) {
            f.put("available", false);
            return f;
        }
        f.put("available", true);
        long n = (long) ours.get("devices");
        StringBuilder list = new StringBuilder();
        for (String cidr : networks()) {
            Cidr c = Cidr.parse(cidr);
            for (long a = Integer.toUnsignedLong(c.firstHost()); a <= Integer.toUnsignedLong(c.lastHost()); a++) {
                list.append(Ipv4.format((int) a)).append('\n');
            }
        }
        Path targets = dir.resolve("fping-targets.txt");
        Files.writeString(targets, list, StandardCharsets.US_ASCII);
        long count = Math.max(5, duration.toSeconds() / 2 / Math.max(1, interval.toSeconds()));
        String cmd = fping + " -C " + count + " -p " + interval.toMillis() + " -i 0 -q -f " + targets
                + " >/dev/null 2>&1; echo rc=$?; times";
        Process p = new ProcessBuilder("bash", "-c", cmd).redirectErrorStream(true).start();
        long limit = count * interval.toMillis() + 60_000;
        if (!p.waitFor(limit, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            f.put("error", "did not finish in " + limit / 1000 + " s");
            return f;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        Matcher rc = Pattern.compile("rc=(\\d+)").matcher(out);
        // times: shell user/sys, then children user/sys, e.g. "0m1.234s 0m0.567s"
        Matcher t = Pattern.compile("(\\d+)m([\\d.]+)s\\s+(\\d+)m([\\d.]+)s").matcher(out);
        double cpuS = -1;
        int lines = 0;
        while (t.find()) {
            if (++lines == 2) {
                cpuS = Integer.parseInt(t.group(1)) * 60 + Double.parseDouble(t.group(2))
                        + Integer.parseInt(t.group(3)) * 60 + Double.parseDouble(t.group(4));
            }
        }
        int code = rc.find() ? Integer.parseInt(rc.group(1)) : -1;
        f.put("command", "fping -C " + count + " -p " + interval.toMillis() + " -i 0 -q -f <" + n + " addresses>");
        f.put("exit", (long) code);
        if (code > 1 || cpuS < 0) { // fping: 0 all answered, 1 some did not, >1 an error
            f.put("error", "fping exited " + code + (cpuS < 0 ? " and its CPU time could not be read" : ""));
            return f;
        }
        double wallS = count * interval.toMillis() / 1e3;
        f.put("cpu_pct_of_one_core", 100.0 * cpuS / wallS);
        f.put("cpu_us_per_echo", cpuS * 1e6 / (count * n));
        return f;
    }

    private static String recommend(Map<String, Object> m) {
        long devicesRun = (long) m.get("devices");
        double perEcho = (double) m.get("cpu_us_per_echo");
        double pct = (double) m.get("cpu_pct_of_one_core");
        long intervalMs = (long) m.get("interval_ms");
        boolean clean = (long) m.get("timeouts") == 0 && (long) m.get("local_outcomes") == 0
                && (long) m.get("send_errors") == 0 && (long) m.get("effective_interval_ms") == intervalMs;
        String at = intervalMs % 1000 == 0 ? intervalMs / 1000 + " s" : intervalMs + " ms";
        StringBuilder r = new StringBuilder();
        if (clean && Double.isFinite(perEcho)) {
            long within = (long) (CORE_BUDGET * 1e6 / perEcho * intervalMs / 1000.0);
            r.append(String.format(Locale.ROOT, "this host can watch %,d devices at %s using %.1f%% of one core; "
                    + "at %.1f us per echo, about %,d devices at %s fit in %.0f%% of one core",
                    devicesRun, at, pct, perEcho, within, at, CORE_BUDGET * 100));
        } else {
            r.append(String.format(Locale.ROOT, "this host did not keep up with %,d devices at %s (%d timeouts, %d local "
                    + "outcomes, effective interval %d ms): watch fewer devices or use a longer ping_interval",
                    devicesRun, at, (long) m.get("timeouts"), (long) m.get("local_outcomes"),
                    (long) m.get("effective_interval_ms")));
        }
        Object fp = m.get("fping");
        if (fp instanceof Map<?, ?> f && f.get("cpu_us_per_echo") instanceof Double fpe && Double.isFinite(perEcho)) {
            r.append(String.format(Locale.ROOT, "; fping on the same addresses: %.1f us per echo (%s)", fpe,
                    fpe >= perEcho ? String.format(Locale.ROOT, "netscan %.2fx cheaper", fpe / perEcho)
                            : String.format(Locale.ROOT, "netscan %.2fx dearer", perEcho / fpe)));
        }
        return r.toString();
    }

    private static void printText(Map<String, Object> m) {
        System.out.printf(Locale.ROOT, "devices %d at %d ms for %d s (first sweep %d ms, measured over the last %.1f s)%n",
                m.get("devices"), m.get("interval_ms"), m.get("duration_s"), m.get("first_sweep_ms"), m.get("window_s"));
        System.out.printf(Locale.ROOT, "echoes/s %.0f of %.0f expected, timeouts %d, send errors %d, local outcomes %d, "
                        + "effective interval %d ms%n", m.get("echoes_per_s"), m.get("expected_echoes_per_s"),
                m.get("timeouts"), m.get("send_errors"), m.get("local_outcomes"), m.get("effective_interval_ms"));
        System.out.printf(Locale.ROOT, "CPU %.1f%% of one core (%d cores), %.2f us per echo, lateness p99 %d us%n",
                m.get("cpu_pct_of_one_core"), m.get("cores"), m.get("cpu_us_per_echo"), m.get("lateness_p99_us"));
        if (m.get("fping") instanceof Map<?, ?> f) {
            if (f.containsKey("cpu_us_per_echo")) {
                System.out.printf(Locale.ROOT, "fping: %.1f%% of one core, %.2f us per echo (%s)%n",
                        f.get("cpu_pct_of_one_core"), f.get("cpu_us_per_echo"), f.get("command"));
            } else {
                System.out.println("fping: " + (Boolean.FALSE.equals(f.get("available")) ? "not installed" : f.get("error")));
            }
        }
        System.out.println(m.get("recommendation"));
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000));
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
