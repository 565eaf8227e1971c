package dev.netscan.service;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.InvalidConfigException;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.governor.GovernorSettings;
import dev.netscan.core.governor.Knobs;
import dev.netscan.discovery.IcmpEngineConfig;
import dev.netscan.discovery.SweepOptions;
import dev.netscan.discovery.snmp.SnmpAuthProtocol;
import dev.netscan.discovery.snmp.SnmpPrivProtocol;
import dev.netscan.discovery.snmp.SnmpSettings;
import dev.netscan.discovery.snmp.SnmpVersion;
import dev.netscan.influx.WriterConfig;
import dev.netscan.state.DeviceRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The one place where the configuration's file keys become each module's typed configuration,
 * and where every module's problems come back keyed by file key.
 *
 * <p>Each rule lives once: {@link NetscanConfig.Builder#build(ConfigProblems)} checks the keys no
 * module owns (networks, intervals of the service, batch bounds, data_dir...); each module's
 * builder checks its own invariants ({@link SnmpSettings}, {@link WriterConfig},
 * {@link IcmpEngineConfig}, {@link GovernorSettings}, {@link SweepOptions}, the
 * {@link DeviceRegistry} builder) under its own names, and this class renames them
 * ({@code maxInFlight} of SNMP to {@code snmp_workers}, {@code authProtocol} to
 * {@code snmp.auth_protocol}, ...). {@link #check(NetscanConfig, ConfigProblems)} runs them all
 * in one pass; the CLI's loader calls it with the file's own problems so a user sees everything
 * at once, and {@link NetscanService.Builder#build()} calls it so an embedder's configuration
 * fails before anything starts.
 */
public final class Settings {
    private Settings() {}

    /**
     * Every module's configuration for one {@link NetscanConfig}.
     *
     * @param snmp SNMP scanner settings (built even when SNMP is disabled, so they are checked)
     * @param writer database writer settings, or null when no {@code influxdb.url} is configured
     * @param engine ICMP engine settings
     * @param governor governor settings
     * @param sweep discovery sweep options (the seed is set per sweep)
     * @param warnings settings that work but deserve a word (MD5, DES), keyed by file key
     */
    public record Modules(SnmpSettings snmp, WriterConfig writer, IcmpEngineConfig engine, GovernorSettings governor,
            SweepOptions sweep, List<InvalidConfigException.Problem> warnings) {}

    private static final Map<String, String> SNMP_KEYS = Map.ofEntries(
            Map.entry("version", "snmp.version"), Map.entry("community", "snmp.community"),
            Map.entry("port", "snmp.port"), Map.entry("timeout", "snmp.timeout"), Map.entry("retries", "snmp.retries"),
            Map.entry("maxInFlight", "snmp_workers"), Map.entry("interval", "snmp_interval"),
            Map.entry("rateLimitPerSecond", "snmp_rate_limit"), Map.entry("burst", "snmp_burst_limit"),
            Map.entry("maxConsecutiveFails", "snmp_max_consecutive_fails"),
            Map.entry("backoff", "snmp_backoff_duration"), Map.entry("v3User", "snmp.user"),
            Map.entry("authProtocol", "snmp.auth_protocol"), Map.entry("authPassphrase", "snmp.auth_passphrase"),
            Map.entry("privProtocol", "snmp.priv_protocol"), Map.entry("privPassphrase", "snmp.priv_passphrase"));
    private static final Map<String, String> WRITER_KEYS = Map.ofEntries(
            Map.entry("api", "influxdb.api_version"), Map.entry("healthDatabase", "influxdb.health_bucket"),
            Map.entry("queueHighWater", "influxdb.queue_capacity"), Map.entry("dataDir", "data_dir"));
    private static final Map<String, String> ENGINE_KEYS = Map.of(
            "rateLimitPps", "ping_rate_limit", "maxInFlight", "icmp_workers", "slotCapacity", "icmp_workers");
    private static final Map<String, String> GOVERNOR_KEYS = Map.of(
            "knobs", "profile", "temperatureThrottleCelsius", "governor.temperature_throttle_c",
            "temperatureCriticalCelsius", "governor.temperature_critical_c");
    private static final Map<String, String> SWEEP_KEYS = Map.of("timeout", "ping_timeout", "retries", "sweep_retries");
    private static final Map<String, String> REGISTRY_KEYS = Map.of("maxDevices", "max_devices",
            "failureThreshold", "ping_failure_threshold", "suspendBase", "suspend_backoff",
            "suspendMax", "suspend_backoff_max");

    /**
     * Every module's configuration.
     *
     * @throws InvalidConfigException with every problem of every module, keyed by file key
     */
    public static Modules of(NetscanConfig c) {
        ConfigProblems problems = new ConfigProblems();
        Modules m = check(c, problems);
        return problems.orThrow(m);
    }

    /**
     * Builds every module's configuration from {@code c}, adding each module's problems to
     * {@code problems} under file keys instead of stopping at the first module that fails; a
     * problem for a key {@code problems} already holds is not repeated. {@code c} may come from
     * {@link NetscanConfig.Builder#build(ConfigProblems)} with problems of its own.
     *
     * @return the modules; a module that failed is null in it. Use it only when
     *     {@code problems} is empty.
     */
    public static Modules check(NetscanConfig c, ConfigProblems problems) {
        SnmpSettings snmp = problems.collect(() -> snmpBuilder(c, problems).build(), keys(SNMP_KEYS, "snmp."));
        if (snmp != null && snmp.weakProtocols()) {
            if (snmp.authProtocol().weak()) {
                problems.warn("snmp.auth_protocol", snmp.authProtocol().netSnmpName()
                        + " is weak; accepted for old agents, prefer SHA-256 or better");
            }
            if (snmp.privProtocol().weak()) {
                problems.warn("snmp.priv_protocol", snmp.privProtocol().netSnmpName()
                        + " is weak; accepted for old agents, prefer AES");
            }
        }
        WriterConfig writer = c.influx() == null ? null
                : problems.collect(() -> writerBuilder(c, problems).build(), keys(WRITER_KEYS, "influxdb."));
        IcmpEngineConfig engine = problems.collect(() -> engineBuilder(c).build(), keys(ENGINE_KEYS, "icmp_engine."));
        GovernorSettings governor = problems.collect(() -> governorBuilder(c, problems).build(),
                keys(GOVERNOR_KEYS, "governor."));
        SweepOptions sweep = problems.collect(() -> SweepOptions.builder().timeout(c.pingTimeout())
                .retries(c.sweepRetries()).allowLarge(c.allowLarge()).build(), keys(SWEEP_KEYS, "sweep."));
        // the registry is built at start (its tables are sized then); its settings are checked now
        problems.collect(() -> {
            registry(c).validate();
            return Boolean.TRUE;
        }, keys(REGISTRY_KEYS, "registry."));
        return new Modules(snmp, writer, engine, governor, sweep, problems.warnings());
    }

    /**
     * SNMP settings from {@code snmp.*}, {@code snmp_*}.
     *
     * @throws InvalidConfigException keyed by file key
     */
    public static SnmpSettings snmp(NetscanConfig c) {
        ConfigProblems problems = new ConfigProblems();
        SnmpSettings s = problems.collect(() -> snmpBuilder(c, problems).build(), keys(SNMP_KEYS, "snmp."));
        return problems.orThrow(s);
    }

    /**
     * Writer settings from {@code influxdb.*}; the spool lives in {@code data_dir/spool}.
     *
     * @throws InvalidConfigException keyed by file key
     * @throws NullPointerException when no database is configured ({@code c.influx()} is null)
     */
    public static WriterConfig writer(NetscanConfig c) {
        java.util.Objects.requireNonNull(c.influx(), "influxdb is not configured");
        ConfigProblems problems = new ConfigProblems();
        WriterConfig w = problems.collect(() -> writerBuilder(c, problems).build(), keys(WRITER_KEYS, "influxdb."));
        return problems.orThrow(w);
    }

    /** The registry's builder from {@code max_devices}, {@code ping_failure_threshold}, {@code suspend_backoff*}. */
    static DeviceRegistry.Builder registry(NetscanConfig c) {
        return DeviceRegistry.builder().maxDevices(c.maxDevices()).failureThreshold(c.failureThreshold())
                .suspendBase(c.suspendBase()).suspendMax(c.suspendMax());
    }

    private static SnmpSettings.Builder snmpBuilder(NetscanConfig c, ConfigProblems problems) {
        NetscanConfig.Snmp s = c.snmp();
        SnmpVersion version = s.version() == null ? null : switch (s.version().strip().toLowerCase(Locale.ROOT)) {
            case "1" -> SnmpVersion.V1;
            case "2c", "2" -> SnmpVersion.V2C;
            case "3" -> SnmpVersion.V3;
            default -> null;
        };
        if (version == null) {
            problems.add("snmp.version", "must be 1, 2c or 3, was " + s.version());
        }
        SnmpAuthProtocol auth = SnmpAuthProtocol.byName(s.authProtocol());
        if (auth == null && s.authProtocol() != null) {
            problems.add("snmp.auth_protocol", "must be one of " + SnmpSettings.AUTH_NAMES + ", was " + s.authProtocol());
        }
        SnmpPrivProtocol priv = s.privProtocol() == null ? SnmpPrivProtocol.NONE : SnmpPrivProtocol.byName(s.privProtocol());
        if (priv == null) {
            problems.add("snmp.priv_protocol", "must be one of " + SnmpSettings.PRIV_NAMES + ", was " + s.privProtocol());
        }
        SnmpSettings.Builder b = SnmpSettings.builder().version(version)
                .port(s.port()).timeout(s.timeout()).retries(s.retries()).maxInFlight(s.maxInFlight())
                .rateLimitPerSecond(s.rateLimitPerSecond()).burst(s.burstLimit())
                .interval(s.interval()).maxConsecutiveFails(s.maxConsecutiveFails()).backoff(s.backoff());
        if (version == SnmpVersion.V3) {
            b.v3User(s.user()).auth(auth, s.authPassphrase()).priv(priv, s.privPassphrase());
        } else {
            b.community(s.community());
        }
        return b;
    }

    private static WriterConfig.Builder writerBuilder(NetscanConfig c, ConfigProblems problems) {
        NetscanConfig.Influx i = c.influx();
        URI url = null;
        try {
            url = URI.create(i.url());
        } catch (IllegalArgumentException e) {
            problems.add("influxdb.url", "is not a URL (" + e.getMessage() + ")");
        }
        WriterConfig.Builder b;
        if (i.apiVersion() == 1) {
            b = WriterConfig.v1(url, i.database()).retentionPolicy(blankToNull(i.retentionPolicy()))
                    .credentials(blankToNull(i.username()), blankToNull(i.password()))
                    .healthDatabase(blankToNull(i.healthBucket()));
        } else {
            problems.check(i.apiVersion() == 2, "influxdb.api_version", "must be 1 or 2, was " + i.apiVersion());
            b = WriterConfig.v2(url, i.org(), i.bucket(), i.token()).healthBucket(blankToNull(i.healthBucket()));
        }
        Path dataDir = c.dataDir();
        return b.batchSize(c.batchSize()).flushInterval(c.flushInterval()).queueCapacity(c.queueCapacity())
                .spoolMaxBytes(c.spoolMaxBytes()).dataDir(dataDir == null ? null : dataDir.resolve("spool"));
    }

    /**
     * ICMP engine settings: the configured rate and in-flight bound; monitoring needs room for
     * every scheduled device, so the in-flight bound is at least {@code max_concurrent_pingers}
     * (up to 131,072), and the slot table grows past its default only when asked to.
     */
    private static IcmpEngineConfig.Builder engineBuilder(NetscanConfig c) {
        // separate budgets (issue 13): the sweep's icmp_workers plus monitoring's max_concurrent_pingers
        int slots = (int) Math.min(1 << 20, Math.max(131_072L, (long) c.icmpMaxInFlight() + c.maxConcurrentPingers()));
        int maxInFlight = (int) Math.min(slots, (long) c.icmpMaxInFlight() + c.maxConcurrentPingers());
        return IcmpEngineConfig.builder().rateLimitPps(c.pingRateLimitPps()).maxInFlight(maxInFlight)
                .slotCapacity(slots)
                // room for a whole interval of the schedule, so a scheduler catching up after a
                // stall (a loaded host) is not refused by a full queue
                .laneQueueCapacity(Math.max(8_192, Math.min(c.maxConcurrentPingers(), 1 << 20)));
    }

    private static GovernorSettings.Builder governorBuilder(NetscanConfig c, ConfigProblems problems) {
        Knobs knobs;
        try {
            knobs = Knobs.of(c);
        } catch (IllegalArgumentException | NullPointerException e) {
            // a knob's own key (ping_rate_limit, icmp_workers, snmp_workers, pacing, batch sizes) was
            // reported already; check the rest against the profile's knobs
            if (problems.isEmpty()) {
                throw e;
            }
            knobs = Knobs.of(c.profile());
        }
        return GovernorSettings.builder().knobs(knobs)
                .sampleInterval(c.healthSampleInterval())
                .memoryWarningPct(c.memoryWarningPct())
                .memoryCriticalPct(c.memoryCriticalPct())
                .temperatureThrottleCelsius(c.temperatureThrottleC())
                .temperatureCriticalCelsius(c.temperatureCriticalC())
                .errorRateBackoffPct(c.errorRateBackoffPct());
    }

    /** Renames a module's key: from {@code map}, else {@code prefix} + the key in snake_case. */
    private static UnaryOperator<String> keys(Map<String, String> map, String prefix) {
        return key -> {
            String mapped = map.get(key);
            return mapped != null ? mapped : prefix + snake(key);
        };
    }

    private static String snake(String camel) {
        StringBuilder sb = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char ch = camel.charAt(i);
            if (Character.isUpperCase(ch)) {
                sb.append('_').append(Character.toLowerCase(ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
