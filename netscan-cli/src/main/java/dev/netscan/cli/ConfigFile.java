package dev.netscan.cli;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.InvalidConfigException;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.Profile;
import dev.netscan.fleet.FleetConfig;
import dev.netscan.service.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads a netscan YAML configuration file into a {@link NetscanConfig}.
 *
 * <p>It accepts the key names of the Go netscan service (so its users' files keep working) plus
 * netscan's own. {@code ${VAR}} (and {@code ${VAR:-default}}) anywhere in a value expands from the
 * environment, for secrets. Every problem in the file is reported at once, in one
 * {@link InvalidConfigException} naming the file, each problem with its key: a value of the wrong
 * type, an unknown key (with a "did you mean"), a missing environment variable, everything
 * {@link NetscanConfig.Builder#build(ConfigProblems)} finds, and everything each module's own
 * builder finds ({@link Settings#check}), so a file this loader accepts is one the service starts
 * with. Keys of the Go service that netscan does not need are accepted and reported in
 * {@link Result#warnings()}, as are settings that work but are weak (MD5, DES).
 */
public final class ConfigFile {
    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

    /** Go-service keys accepted for compatibility but not used, with why. */
    private static final Map<String, String> IGNORED = Map.of(
            "discovery_interval", "deprecated in the Go service; netscan uses icmp_discovery_interval",
            "snmp_daily_schedule", "replaced by snmp_interval",
            "ping_burst_limit", "netscan paces probes evenly at ping_rate_limit",
            "max_concurrent_snmp_pollers", "netscan has no poller per device; see snmp_workers",
            "min_scan_interval", "icmp_discovery_interval has a floor of 10s",
            "memory_limit_mb", "use governor.memory_warning_pct / memory_critical_pct");

    /** Deeper than any configuration nests flow collections (SnakeYAML refuses more than 50 anyway). */
    private static final int MAX_FLOW_DEPTH = 100;

    /** Longer than any key this loader knows. */
    private static final int MAX_KEY_LENGTH = 40;

    /** The configuration and what was accepted but ignored. */
    public record Result(NetscanConfig config, List<String> warnings, dev.netscan.service.HttpSettings http,
            Optional<FleetConfig> fleet) {
        /** Without HTTP settings (the defaults) and without a fleet. */
        public Result(NetscanConfig config, List<String> warnings) {
            this(config, warnings, dev.netscan.service.HttpSettings.defaults(), Optional.empty());
        }
    }

    private final Map<String, String> env;
    /** Everything wrong with the file, keyed by file key, in one pass. */
    private final ConfigProblems problems = new ConfigProblems();
    private final List<String> warnings = new ArrayList<>();
    private final NetscanConfig.Builder b = NetscanConfig.builder();
    private final dev.netscan.service.HttpSettings.Builder api = dev.netscan.service.HttpSettings.builder();
    private final Map<String, BiConsumer<String, Object>> keys = new LinkedHashMap<>();
    /** The {@code fleet:} section, if the file has a valid one. */
    private FleetConfig fleet;

    private ConfigFile(Map<String, String> env) {
        this.env = env;
        register();
    }

    /** Loads {@code path} with the process environment. */
    public static Result load(Path path) {
        return load(path, System.getenv());
    }

    /**
     * Loads {@code path}, expanding {@code ${VAR}} from {@code env}.
     *
     * @throws InvalidConfigException with every problem, each naming its key (or the file)
     */
    public static Result load(Path path, Map<String, String> env) {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw InvalidConfigException.of(path.toString(), "no such file");
        } catch (IOException e) {
            throw InvalidConfigException.of(path.toString(), "cannot be read (" + e.getMessage() + ")");
        }
        return parse(text, path.toString(), env);
    }

    /** Parses YAML text; {@code source} names it in messages. */
    public static Result parse(String yamlText, String source, Map<String, String> env) {
        return new ConfigFile(env).read(yamlText, source);
    }

    private Result read(String text, String source) {
        refuseDeepFlowNesting(text, source);
        Object root;
        try {
            LoaderOptions opts = new LoaderOptions();
            opts.setAllowDuplicateKeys(false);
            opts.setMaxAliasesForCollections(10);
            opts.setCodePointLimit(4 * 1024 * 1024);
            root = new Yaml(new SafeConstructor(opts)).load(text);
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? "" : " at line " + (e.getProblemMark().getLine() + 1)
                    + ", column " + (e.getProblemMark().getColumn() + 1);
            throw InvalidConfigException.of(source, "not valid YAML" + where + ": " + e.getProblem());
        } catch (RuntimeException e) {
            throw InvalidConfigException.of(source, "not valid YAML: " + e.getMessage());
        }
        if (root == null) {
            root = Map.of();
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw InvalidConfigException.of(source, "the top level must be a mapping of keys to values");
        }
        walk("", map);
        // one pass: the file's own problems, the configuration's, and every module's, together
        NetscanConfig config = b.build(problems);
        Settings.check(config, problems);
        if (fleet != null) {
            for (int i = 0; i < config.networks().size(); i++) {
                if (config.networks().get(i).indexOf(':') >= 0) {
                    // IPv6 devices are keyed per process (AddressBook), so members could not agree on their owner
                    problems.add("networks[" + i + "]", "\"" + config.networks().get(i) + "\": IPv6 networks are not shared"
                            + " by a fleet yet; watch them from an instance without the fleet: section");
                }
            }
        }
        dev.netscan.service.HttpSettings http = problems.collect(api::build);
        problems.throwIfAny(source);
        for (InvalidConfigException.Problem w : problems.warnings()) {
            warnings.add(w.toString());
        }
        return new Result(config, Collections.unmodifiableList(warnings), http, Optional.ofNullable(fleet));
    }

    /**
     * SnakeYAML's scanner looks ahead over every open {@code [} or <code>{</code> and re-checks
     * them all at each token, so a document of nothing but brackets costs time quadratic in its
     * size (a megabyte of them would never finish), before its nesting limit can refuse it.
     * Brackets are counted without regard to quoting: only a file with more than
     * {@link #MAX_FLOW_DEPTH} unclosed ones is refused, which no configuration has.
     */
    private static void refuseDeepFlowNesting(String text, String source) {
        int depth = 0;
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '[' || c == '{') {
                if (++depth > MAX_FLOW_DEPTH) {
                    throw InvalidConfigException.of(source, "not valid YAML at line " + line
                            + ": brackets nested deeper than " + MAX_FLOW_DEPTH);
                }
            } else if ((c == ']' || c == '}') && depth > 0) {
                depth--;
            } else if (c == '\n') {
                line++;
            }
        }
    }

    private void walk(String prefix, Map<?, ?> map) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            BiConsumer<String, Object> setter = keys.get(key);
            if (setter != null) {
                try {
                    setter.accept(key, value);
                } catch (IllegalArgumentException ex) {
                    problems.add(key, ex.getMessage());
                }
            } else if (IGNORED.containsKey(key)) {
                warnings.add(key + ": accepted for compatibility and ignored (" + IGNORED.get(key) + ")");
            } else if (value instanceof Map<?, ?> sub && isSection(key)) {
                walk(key + ".", sub);
            } else {
                String hint = suggest(key);
                problems.add(key, "unknown key" + (hint == null ? "" : "; did you mean " + hint + "?"));
            }
        }
    }

    private boolean isSection(String key) {
        String p = key + ".";
        return keys.keySet().stream().anyMatch(k -> k.startsWith(p));
    }

    private String suggest(String key) {
        if (key.length() > 2 * MAX_KEY_LENGTH) {
            return null; // nothing is that far off; and the edit distance would cost length x keys
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : keys.keySet()) {
            int d = levenshtein(key, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 3) ? best : null;
    }

    static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // ---- value conversion

    private String str(String key, Object v) {
        if (v == null) {
            throw new IllegalArgumentException("has no value");
        }
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException("must be a single value, not a " + (v instanceof Map ? "mapping" : "list"));
        }
        return expand(key, String.valueOf(v));
    }

    /**
     * The {@code fleet:} section: its text values expanded from the environment (also inside
     * {@code kafka:}, e.g. {@code sasl.jaas.config: ${KAFKA_JAAS}}), then read by
     * {@link FleetConfig#fromMap}, whose problems (keyed {@code fleet.<key>}) join the others.
     */
    private void fleet(String key, Object v) {
        if (!(v instanceof Map<?, ?> section)) {
            throw new IllegalArgumentException("must be a mapping (kafka_bootstrap, group, partitions, ...)");
        }
        Map<String, Object> expanded = expandAll(key, section);
        fleet = problems.collect(() -> FleetConfig.fromMap(expanded));
    }

    private Map<String, Object> expandAll(String key, Map<?, ?> map) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String k = key + "." + e.getKey();
            Object v = e.getValue();
            out.put(String.valueOf(e.getKey()), v instanceof String s ? expand(k, s)
                    : v instanceof Map<?, ?> m ? expandAll(k, m) : v);
        }
        return out;
    }

    private String expand(String key, String s) {
        Matcher m = VAR.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                value = m.group(2);
            }
            if (value == null) {
                throw new IllegalArgumentException("environment variable " + m.group(1) + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private int integer(String key, Object v) {
        if (v instanceof Integer i) {
            return i;
        }
        String s = str(key, v).strip().replace("_", "");
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number, was \"" + s + "\"");
        }
    }

    private long longValue(String key, Object v) {
        if (v instanceof Number n && !(v instanceof Double)) {
            return n.longValue();
        }
        String s = str(key, v).strip().replace("_", "");
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number, was \"" + s + "\"");
        }
    }

    private double number(String key, Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        String s = str(key, v).strip();
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a number, was \"" + s + "\"");
        }
    }

    private boolean bool(String key, Object v) {
        if (v instanceof Boolean bo) {
            return bo;
        }
        String s = str(key, v).strip().toLowerCase(java.util.Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("must be true or false, was \"" + s + "\"");
        };
    }

    private Duration duration(String key, Object v) {
        return Durations.parse(str(key, v));
    }

    private List<String> list(String key, Object v) {
        if (v == null) {
            return List.of();
        }
        List<?> raw = v instanceof List<?> l ? l : List.of(v);
        List<String> out = new ArrayList<>();
        for (Object o : raw) {
            out.add(str(key, o).strip());
        }
        return out;
    }

    /** Bytes with an optional unit: 1048576, 512MiB, 1GiB, 100MB. */
    private long bytes(String key, Object v) {
        if (v instanceof Number n) {
            return n.longValue();
        }
        String s = str(key, v).strip().replace("_", "");
        Matcher m = Pattern.compile("(\\d+)\\s*([KMGT]i?B|B)?", Pattern.CASE_INSENSITIVE).matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a size such as 1073741824, 512MiB or 1GiB, was \"" + s + "\"");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(java.util.Locale.ROOT);
        long mul = switch (unit) {
            case "B" -> 1;
            case "KB" -> 1_000;
            case "KIB" -> 1L << 10;
            case "MB" -> 1_000_000;
            case "MIB" -> 1L << 20;
            case "GB" -> 1_000_000_000;
            case "GIB" -> 1L << 30;
            case "TB" -> 1_000_000_000_000L;
            case "TIB" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
        if (n > Long.MAX_VALUE / mul) {
            throw new IllegalArgumentException("is too large, was \"" + s + "\"");
        }
        return n * mul;
    }

    private void on(String key, BiConsumer<String, Object> setter) {
        keys.put(key, setter);
    }

    private void onDuration(String key, java.util.function.Consumer<Duration> set) {
        on(key, (k, v) -> set.accept(duration(k, v)));
    }

    private void onInt(String key, java.util.function.IntConsumer set) {
        on(key, (k, v) -> set.accept(integer(k, v)));
    }

    private void onString(String key, java.util.function.Consumer<String> set) {
        on(key, (k, v) -> set.accept(str(k, v)));
    }

    private void onDouble(String key, java.util.function.DoubleConsumer set) {
        on(key, (k, v) -> set.accept(number(k, v)));
    }

    private void register() {
        on("fleet", this::fleet);
        // --- Go-service keys
        on("networks", (k, v) -> b.networks(list(k, v)));
        onDuration("icmp_discovery_interval", b::icmpDiscoveryInterval);
        onDuration("ping_interval", b::pingInterval);
        onDuration("ping_timeout", b::pingTimeout);
        on("ping_rate_limit", (k, v) -> {
            double pps = number(k, v);
            if (!(pps >= 1)) {
                throw new IllegalArgumentException("must be at least 1 packet per second, was " + pps);
            }
            b.pingRateLimitPps((long) Math.ceil(pps));
        });
        onInt("icmp_workers", b::icmpMaxInFlight);
        onInt("snmp_workers", b::snmpMaxInFlight);
        onDouble("snmp_rate_limit", b::snmpRateLimit);
        onInt("snmp_burst_limit", b::snmpBurstLimit);
        onString("snmp.community", b::snmpCommunity);
        onInt("snmp.port", b::snmpPort);
        onDuration("snmp.timeout", b::snmpTimeout);
        onInt("snmp.retries", b::snmpRetries);
        onDuration("snmp_interval", b::snmpInterval);
        onInt("snmp_max_consecutive_fails", b::snmpMaxConsecutiveFails);
        onDuration("snmp_backoff_duration", b::snmpBackoff);
        onString("influxdb.url", b::influxUrl);
        onString("influxdb.token", b::influxToken);
        onString("influxdb.org", b::influxOrg);
        onString("influxdb.bucket", b::influxBucket);
        onString("influxdb.health_bucket", b::influxHealthBucket);
        onInt("influxdb.batch_size", b::batchSize);
        onDuration("influxdb.flush_interval", b::flushInterval);
        onInt("influxdb.buffer_size", b::queueCapacity); // the Go service's point buffer: our queue
        onInt("health_check_port", b::healthCheckPort);
        onDuration("health_report_interval", b::healthReportInterval);
        onInt("max_concurrent_pingers", b::maxConcurrentPingers);
        onInt("max_devices", b::maxDevices);
        // --- netscan's own
        on("exclude", (k, v) -> b.excludes(list(k, v)));
        on("profile", (k, v) -> {
            Profile p = Profile.byKey(str(k, v));
            if (p == null) {
                throw new IllegalArgumentException("must be standard or high-performance, was \"" + str(k, v) + "\"");
            }
            b.profile(p);
        });
        on("data_dir", (k, v) -> b.dataDir(Path.of(str(k, v))));
        on("allow_large", (k, v) -> b.allowLarge(bool(k, v)));
        on("discovery.interfaces", (k, v) -> b.discoveryInterfaces(list(k, v)));
        on("discovery.all_nodes_multicast", (k, v) -> b.discoveryAllNodesMulticast(bool(k, v)));
        on("discovery.neighbour_table", (k, v) -> b.discoveryNeighbourTable(bool(k, v)));
        onDuration("discovery.reply_wait", b::discoveryReplyWait);
        onInt("sweep_retries", b::sweepRetries);
        onDuration("pacing", b::pacing);
        onDuration("reconcile_interval", b::reconcileInterval);
        onDuration("ping_stats_window", b::statsWindow);
        onInt("ping_failure_threshold", b::failureThreshold);
        onDuration("suspend_backoff", b::suspendBase);
        onDuration("suspend_backoff_max", b::suspendMax);
        onDuration("prune_after", b::pruneAfter);
        onDuration("snapshot_interval", b::snapshotInterval);
        on("snmp.enabled", (k, v) -> b.snmpEnabled(bool(k, v)));
        onString("snmp.version", b::snmpVersion);
        onString("snmp.user", b::snmpUser);
        onString("snmp.auth_protocol", b::snmpAuthProtocol);
        onString("snmp.auth_passphrase", b::snmpAuthPassphrase);
        onString("snmp.priv_protocol", b::snmpPrivProtocol);
        onString("snmp.priv_passphrase", b::snmpPrivPassphrase);
        onInt("influxdb.api_version", b::influxApiVersion);
        onString("influxdb.database", b::influxDatabase);
        onString("influxdb.retention_policy", b::influxRetentionPolicy);
        onString("influxdb.username", b::influxUsername);
        onString("influxdb.password", b::influxPassword);
        onInt("influxdb.batch_size_min", b::batchSizeMin);
        onInt("influxdb.batch_size_max", b::batchSizeMax);
        onInt("influxdb.queue_capacity", b::queueCapacity);
        on("influxdb.spool_max_bytes", (k, v) -> b.spoolMaxBytes(bytes(k, v)));
        onDuration("governor.sample_interval", b::healthSampleInterval);
        onDouble("governor.memory_warning_pct", b::memoryWarningPct);
        onDouble("governor.memory_critical_pct", b::memoryCriticalPct);
        onDouble("governor.temperature_throttle_c", b::temperatureThrottleC);
        onDouble("governor.temperature_critical_c", b::temperatureCriticalC);
        onDouble("governor.error_rate_backoff_pct", b::errorRateBackoffPct);
        // --- the operator's HTTP surface (netscan-service HttpSettings)
        onString("api.bind", api::bind);
        on("api.token_file", (k, v) -> api.tokenFile(Path.of(str(k, v))));
        onString("api.token_env", api::tokenEnv);
        on("api.read_needs_token", (k, v) -> api.readNeedsToken(bool(k, v)));
        on("api.scan_allowed", (k, v) -> list(k, v).forEach(api::scanAllowed));
        on("api.per_device_metrics", (k, v) -> api.perDeviceMetrics(bool(k, v)));
        onString("api.webhook", api::webhook);
        onInt("api.max_concurrent_scans", api::maxConcurrentScans);
        onInt("api.scans_per_minute_per_client", api::scansPerMinutePerClient);
        onDuration("api.result_ttl", api::resultTtl);
        onInt("api.max_scan_addresses", api::maxScanAddresses);
        onInt("api.max_scan_rate_pps", api::maxScanRatePps);
        onDuration("api.max_scan_duration", api::maxScanDuration);
    }

    /** Every key this loader knows, for documentation and tests. */
    public static Set<String> knownKeys() {
        return Collections.unmodifiableSet(new ConfigFile(Map.of()).keys.keySet());
    }


}
