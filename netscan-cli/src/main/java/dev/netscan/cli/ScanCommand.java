package dev.netscan.cli;

import dev.netscan.core.AddressBook;
import dev.netscan.core.Ipv4;
import dev.netscan.core.Ipv6;
import dev.netscan.core.InvalidTargetException;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.Profile;
import dev.netscan.core.SnmpInfo;
import dev.netscan.core.TargetSet;
import dev.netscan.discovery.IcmpEngine;
import dev.netscan.discovery.IcmpEngineConfig;
import dev.netscan.discovery.Sweep;
import dev.netscan.discovery.SweepListener;
import dev.netscan.discovery.SweepOptions;
import dev.netscan.discovery.SweepProgress;
import dev.netscan.discovery.SweepSummary;
import dev.netscan.discovery.snmp.SnmpCounters;
import dev.netscan.discovery.snmp.SnmpListener;
import dev.netscan.discovery.snmp.SnmpOutcome;
import dev.netscan.discovery.snmp.SnmpScanner;
import dev.netscan.discovery.snmp.SnmpSettings;
import dev.netscan.service.Settings;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet6Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code netscan scan}: one-shot discovery of targets, then SNMP of every live device, then print. */
@Command(name = "scan", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sweeps the targets with ICMP echo, asks every live device over SNMP, and prints what it found.",
            "TARGET is an IPv4 or IPv6 address or range (e.g. 192.168.1.0/24, 2001:db8::/120); IPv6 ranges up to",
            "a /112 (65,536 addresses) are swept. IPv6 addresses are printed in RFC 5952 form."},
        footer = {"", "Secrets: --community, or NETSCAN_SNMP_COMMUNITY; v3 passphrases only from --auth-pass-file /",
            "--priv-pass-file or NETSCAN_SNMP_AUTH_PASS / NETSCAN_SNMP_PRIV_PASS. They are never echoed.",
            "Exit codes: 0 done, 2 bad usage or input, 3 no permission for ICMP, 1 anything else."})
final class ScanCommand implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "TARGET", description = "Addresses or CIDR ranges to sweep.")
    List<String> targets = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "TARGET", description = "Address or range never probed (repeatable).")
    List<String> excludes = new ArrayList<>();

    /** Probes a second of a one-shot scan unless --rate or --profile says otherwise. */
    static final long DEFAULT_RATE_PPS = 20_000;
    /** Probes in flight of a one-shot scan unless --in-flight or --profile says otherwise. */
    static final int DEFAULT_IN_FLIGHT = 16_384;

    @Option(names = "--rate", paramLabel = "PPS|max",
            description = {"Probes per second, or max: no rate limit, bounded only by --in-flight",
                "(default: " + DEFAULT_RATE_PPS + ", or the --profile's when one is given)."})
    String rate;

    @Option(names = "--in-flight", paramLabel = "N",
            description = "Probes in flight at once (default: " + DEFAULT_IN_FLIGHT + ", or the --profile's when one is given).")
    Integer inFlight;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Wait for each echo reply, e.g. 500ms (default: ${DEFAULT-VALUE}).", defaultValue = "1s")
    Duration timeout;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "1",
            description = "Extra probes to a silent address (default: ${DEFAULT-VALUE}).")
    int retries;

    @Option(names = "--allow-large", description = "Allow ranges wider than /16 (up to /8).")
    boolean allowLarge;

    @Option(names = "--profile", paramLabel = "NAME",
            description = {"standard or high-performance: use its rate and in-flight limits (the ones the service's",
                "background sweeps use) instead of the one-shot defaults."})
    String profile;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table",
            description = "table, json, csv or lp (line protocol) (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the probe order (default: random).")
    Long seed;

    @Option(names = "--no-snmp", description = "Do not ask live devices over SNMP.")
    boolean noSnmp;

    @Option(names = "--snmp-version", paramLabel = "V", defaultValue = "2c", description = "1, 2c or 3 (default: ${DEFAULT-VALUE}).")
    String snmpVersion;

    @Option(names = "--snmp-port", paramLabel = "PORT", defaultValue = "161", description = "Default: ${DEFAULT-VALUE}.")
    int snmpPort;

    @Option(names = "--snmp-timeout", paramLabel = "DURATION", converter = DurationConverter.class, defaultValue = "1s",
            description = "Default: ${DEFAULT-VALUE}.")
    Duration snmpTimeout;

    @Option(names = "--snmp-retries", paramLabel = "N", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    int snmpRetries;

    @Option(names = "--snmp-in-flight", paramLabel = "N",
            description = "Devices asked over SNMP at once (default: every live device at once, up to 8,192"
                    + " or --in-flight if larger; each agent always has at most one request in flight).")
    Integer snmpInFlight;

    @Option(names = "--community", paramLabel = "COMMUNITY",
            description = "v1/v2c community (default: $NETSCAN_SNMP_COMMUNITY, else public).")
    String community;

    @Option(names = "--snmp-user", paramLabel = "USER", description = "v3 user.")
    String snmpUser;

    @Option(names = "--auth-protocol", paramLabel = "P", description = "v3: SHA, SHA-224, SHA-256, SHA-384, SHA-512, or MD5 (weak, warned).")
    String authProtocol;

    @Option(names = "--auth-pass-file", paramLabel = "FILE", description = "v3 authentication passphrase (first line).")
    Path authPassFile;

    @Option(names = "--priv-protocol", paramLabel = "P", description = "v3: AES, AES-192, AES-256, or DES (weak, warned).")
    String privProtocol;

    @Option(names = "--priv-pass-file", paramLabel = "FILE", description = "v3 privacy passphrase (first line).")
    Path privPassFile;

    @Override
    public Integer call() throws Exception {
        ScanFormat fmt;
        try {
            fmt = ScanFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException("--format: " + e.getMessage());
        }
        Profile p = profile == null ? Profile.STANDARD : Profile.byKey(profile);
        if (p == null) {
            throw new Main.UsageException("--profile: unknown profile \"" + profile + "\": use standard or high-performance");
        }
        TargetSet.Builder set = TargetSet.builder();
        for (String t : targets) {
            try {
                set.include(t);
            } catch (InvalidTargetException e) {
                throw new Main.UsageException(e.getMessage());
            }
        }
        for (String x : excludes) {
            try {
                set.exclude(x);
            } catch (InvalidTargetException e) {
                throw new Main.UsageException("--exclude: " + e.getMessage());
            }
        }
        TargetSet all = set.build();
        SweepOptions options = SweepOptions.builder().timeout(timeout).retries(retries).allowLarge(allowLarge)
                .seed(seed != null ? seed : System.nanoTime()).build();
        try {
            Sweep.checkSize(all, options);
        } catch (IllegalArgumentException e) {
            throw new Main.UsageException(e.getMessage() + (allowLarge ? "" : "; pass --allow-large to sweep up to a /8"));
        }
        NetscanConfig.Builder cb = NetscanConfig.builder().profile(p).pingTimeout(timeout).sweepRetries(retries)
                .snmpEnabled(!noSnmp).snmpVersion(snmpVersion).snmpPort(snmpPort).snmpTimeout(snmpTimeout)
                .snmpRetries(snmpRetries)
                // a one-shot scan has no ping interval; give validation one that --timeout fits in
                .pingInterval(timeout.compareTo(Duration.ofSeconds(1)) > 0 ? timeout : Duration.ofSeconds(1));
        if (snmpInFlight != null) {
            cb.snmpMaxInFlight(snmpInFlight);
        }
        long ratePps = ratePps();
        if (ratePps > 0) {
            cb.pingRateLimitPps(ratePps);
        }
        if (inFlight != null || profile == null) {
            cb.icmpMaxInFlight(inFlight != null ? inFlight : DEFAULT_IN_FLIGHT);
        }
        if ("3".equals(snmpVersion)) {
            cb.snmpUser(snmpUser).snmpAuthProtocol(authProtocol).snmpPrivProtocol(privProtocol)
                    .snmpAuthPassphrase(secret(authPassFile, "NETSCAN_SNMP_AUTH_PASS", "--auth-pass-file"))
                    .snmpPrivPassphrase(secret(privPassFile, "NETSCAN_SNMP_PRIV_PASS", "--priv-pass-file"));
        } else {
            String c = community != null ? community : System.getenv("NETSCAN_SNMP_COMMUNITY");
            cb.snmpCommunity(c != null ? c : "public");
        }
        NetscanConfig config = cb.build();
        SnmpSettings snmpSettings = noSnmp ? null : Settings.snmp(config);

        long t0 = System.nanoTime();
        Map<String, ScanReport.Row> rows = new ConcurrentHashMap<>();
        SweepSummary summary;
        int engineInFlight = config.icmpMaxInFlight();
        try (IcmpEngine engine = IcmpEngine.start(IcmpEngineConfig.builder()
                .rateLimitPps(ratePps == 0 ? 0 : config.pingRateLimitPps())
                .slotCapacity(Math.max(131_072, engineInFlight)).maxInFlight(engineInFlight)
                .laneQueueCapacity(Math.max(8_192, Math.min(engineInFlight, 65_536)))
                .ipv6(all.ipv6Size() > 0).build())) {
            if (all.ipv6Size() > 0 && engine.ipv6SocketKind() == null && !quiet) {
                System.err.println("netscan: no ICMPv6 socket could be opened; the " + all.ipv6Size()
                        + " IPv6 targets are counted as errors");
            }
            Sweep sweep = Sweep.start(engine, all, options, new SweepListener() {
                @Override
                public void onAlive(int ip, long rtt) {
                    rows.put(Ipv4.format(ip), new ScanReport.Row(Ipv4.format(ip), ip, rtt / 1e6, SnmpInfo.UNKNOWN, epochNanos()));
                }

                @Override
                public void onAliveIpv6(Inet6Address address, long rtt, long answeredAtEpochMillis) {
                    String text = Ipv6.format(address);
                    rows.put(text, new ScanReport.Row(text, 0, rtt / 1e6, SnmpInfo.UNKNOWN, epochNanos()));
                }
            });
            Thread progress = !quiet && Terminal.stderrIsTerminal() ? startProgress(sweep, System.err) : null;
            summary = sweep.await();
            if (progress != null) {
                progress.interrupt();
                progress.join(1_000);
                System.err.print("\r\033[K");
                System.err.flush();
            }
        }
        if (snmpSettings != null) {
            long s0 = System.nanoTime();
            SnmpCounters c = askSnmp(snmpInFlight != null ? snmpSettings : sizedToLiveDevices(snmpSettings, rows.size(), inFlight), rows);
            if (!quiet && c != null) {
                System.err.println(snmpSummary(c) + " in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - s0) + " ms");
            }
        }
        List<ScanReport.Row> sorted = byAddress(rows.values());
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        ScanReport report = new ScanReport(summary.targets(), sorted.size(), elapsedMs,
                summary.achievedRatePps(), sorted);
        // one write per 64 KiB instead of one per row (System.out flushes at every line)
        PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, System.out.charset());
        fmt.print(report, out);
        out.flush();
        return Main.EXIT_OK;
    }

    /** --rate as probes a second: 0 for max (no limit), -1 for the profile's (when --profile was given). */
    private long ratePps() {
        if (rate == null) {
            return profile == null ? DEFAULT_RATE_PPS : -1;
        }
        if ("max".equalsIgnoreCase(rate.strip())) {
            return 0;
        }
        try {
            long v = Long.parseLong(rate.strip().replace("_", ""));
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new Main.UsageException("--rate: must be a number of probes per second (at least 1) or max, was \"" + rate + "\"");
    }

    /**
     * IPv4 rows first in unsigned address order, then IPv6 rows in numeric order. Each IPv6 address is
     * parsed once, not at every comparison (a /112 sweep has 65,536 rows), and nothing is boxed.
     */
    static List<ScanReport.Row> byAddress(Collection<ScanReport.Row> rows) {
        List<ScanReport.Row> v4 = new ArrayList<>(rows.size());
        List<Ipv6Row> v6 = new ArrayList<>();
        for (ScanReport.Row r : rows) {
            if (isIpv6(r)) {
                Inet6Address a = Ipv6.parse(r.address());
                v6.add(new Ipv6Row(Ipv6.high(a), Ipv6.low(a), r));
            } else {
                v4.add(r);
            }
        }
        v4.sort((a, b) -> Integer.compareUnsigned(a.ipv4(), b.ipv4()));
        v6.sort((a, b) -> a.high != b.high ? Long.compareUnsigned(a.high, b.high) : Long.compareUnsigned(a.low, b.low));
        for (Ipv6Row r : v6) {
            v4.add(r.row);
        }
        return v4;
    }

    private record Ipv6Row(long high, long low, ScanReport.Row row) {}

    private static boolean isIpv6(ScanReport.Row r) {
        return r.ipv4() == 0 && r.address().contains(":");
    }

    /**
     * A one-shot scan asks every live device at once, up to {@link SnmpSettings#MAX_SIZED_IN_FLIGHT}
     * or the user's {@code --in-flight} when that is larger (a user who asks for 65,536 probes in
     * flight gets as many SNMP queries too). Politeness per agent does not depend on it (one
     * request per agent at a time).
     */
    private static SnmpSettings sizedToLiveDevices(SnmpSettings s, int devices, Integer userInFlight) {
        int cap = Math.max(SnmpSettings.MAX_SIZED_IN_FLIGHT, userInFlight == null ? 0 : Math.min(userInFlight, 65_536));
        return s.toBuilder().maxInFlight(Math.max(1, Math.min(devices, cap))).build();
    }

    /** One line on stderr: how every device's SNMP query ended (the outcomes of {@link SnmpCounters}). */
    static String snmpSummary(SnmpCounters c) {
        return "SNMP: " + c.successes() + " answered, " + c.noAgent() + " no agent (port unreachable), "
                + c.timeouts() + " timed out, " + c.authFailures() + " auth failures, " + c.errors() + " errors, "
                + c.localRefusals() + " not sent (local)";
    }

    /**
     * Asks every live device, IPv6 ones (over UDP/IPv6) under their {@link AddressBook} key;
     * returns the scanner's counters, or null when there was nothing to ask.
     */
    private static SnmpCounters askSnmp(SnmpSettings settings, Map<String, ScanReport.Row> rows) throws Exception {
        IntArrayList ips = new IntArrayList();
        for (ScanReport.Row r : rows.values()) {
            ips.add(isIpv6(r) ? AddressBook.shared().intern(Ipv6.parse(r.address())) : r.ipv4());
        }
        if (ips.isEmpty()) {
            return null;
        }
        CountDownLatch done = new CountDownLatch(ips.size());
        SnmpListener listener = new SnmpListener() {
            @Override
            public void onSuccess(int ipv4, SnmpInfo info, long ts) {
                rows.computeIfPresent(AddressBook.shared().text(ipv4), (k, r) -> new ScanReport.Row(r.address(), r.ipv4(),
                        r.rttMillis(), info, r.seenAtEpochNanos()));
                done.countDown();
            }

            @Override
            public void onFailure(int ipv4, SnmpOutcome outcome, String detail) {
                done.countDown();
            }
        };
        try (SnmpScanner scanner = SnmpScanner.builder(settings).listener(listener).warnings(w -> { }).build()) {
            scanner.start();
            scanner.submitAll(ips);
            long perRound = settings.timeout().toMillis() * (settings.retries() + 1);
            long rounds = (ips.size() + settings.maxInFlight() - 1) / settings.maxInFlight();
            done.await(perRound * rounds * 8 + 5_000, TimeUnit.MILLISECONDS);
            // outcomes are counted just after the listener returns: let the last ones land (bounded)
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (scanner.counters().completed() < ips.size() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            return scanner.counters();
        }
    }

    private static String secret(Path file, String env, String option) {
        if (file != null) {
            try {
                List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                if (lines.isEmpty() || lines.getFirst().isEmpty()) {
                    throw new Main.UsageException(option + ": " + file + " is empty");
                }
                return lines.getFirst();
            } catch (IOException e) {
                throw new Main.UsageException(option + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        return System.getenv(env);
    }

    private static Thread startProgress(Sweep sweep, PrintStream err) {
        long start = System.nanoTime();
        return Thread.ofVirtual().name("netscan-progress").start(() -> {
            while (!sweep.isDone()) {
                SweepProgress p = sweep.progress();
                double secs = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
                int width = 30;
                int filled = p.total() == 0 ? width : (int) (width * p.completed() / p.total());
                err.printf(Locale.ROOT, "\r[%s%s] %d/%d probed, %d alive, %.0f/s, %s left\033[K",
                        "#".repeat(filled), " ".repeat(width - filled), p.submitted(), p.total(), p.alive(),
                        p.submitted() / secs, eta(p.etaNanos()));
                err.flush();
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static String eta(long nanos) {
        if (nanos < 0) {
            return "?";
        }
        long s = TimeUnit.NANOSECONDS.toSeconds(nanos);
        return s >= 60 ? s / 60 + "m" + s % 60 + "s" : s + "s";
    }

    private static long epochNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
