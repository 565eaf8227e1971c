package dev.netscan.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Everything netscan can be told, as one immutable value. Build it with {@link #builder()};
 * {@link Builder#build()} validates every setting and reports every problem at once in an
 * {@link InvalidConfigException}, each problem named by its configuration-file key (the keys of the
 * Go netscan service where one exists: {@code ping_interval}, {@code snmp.community}, ...).
 *
 * <p>Values left unset take their defaults, and the {@link Profile} supplies the defaults of the
 * knobs it governs (rate, probes in flight, SNMP in flight, pacing, writer batch bounds).
 *
 * <p>Secrets (community, passphrases, tokens, passwords) never appear in {@link #toString()}.
 * Immutable and thread-safe.
 */
public final class NetscanConfig {
    /** Communities that anyone would try first; using one earns a warning. */
    public static final Set<String> WEAK_COMMUNITIES = Set.of(
            "", "public", "private", "community", "snmp", "cisco", "admin", "default", "manager",
            "monitor", "secret", "read", "write", "test", "password", "snmpd", "all", "system");
    /** {@code max_devices} and {@code max_concurrent_pingers} when not set and the networks are small. */
    public static final int DEFAULT_CAP = 20_000;
    /**
     * Largest {@code max_devices} / {@code max_concurrent_pingers} netscan picks by itself when they
     * are left unset (sized to the networks): 262,144 devices, about 400 bytes each with the
     * default 60-probe statistics window (registry about 110, schedule and statistics the rest),
     * so about 100 MiB. Larger networks need the keys set explicitly.
     */
    public static final int AUTO_CAP_LIMIT = 1 << 18;

    // --- profile and targets
    private final Profile profile;
    private final List<String> networks;
    private final List<String> exclude;
    private final TargetSet targets;
    private final boolean allowLarge;
    private final OnLinkSettings onLink;
    // --- ICMP
    private final Duration icmpDiscoveryInterval;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final int sweepRetries;
    private final long pingRateLimitPps;
    private final int icmpMaxInFlight;
    private final Duration pacing;
    // --- monitoring
    private final int maxConcurrentPingers;
    private final boolean capsExplicit;
    private final Duration reconcileInterval;
    private final Duration statsWindow;
    // --- registry
    private final int maxDevices;
    private final int failureThreshold;
    private final Duration suspendBase;
    private final Duration suspendMax;
    private final Duration pruneAfter;
    private final Duration snapshotInterval;
    // --- SNMP
    private final Snmp snmp;
    // --- writer
    private final Influx influx;
    private final int batchSize;
    private final int batchSizeMin;
    private final int batchSizeMax;
    private final Duration flushInterval;
    private final int queueCapacity;
    private final long spoolMaxBytes;
    // --- governor
    private final Duration healthSampleInterval;
    private final double memoryWarningPct;
    private final double memoryCriticalPct;
    private final double temperatureThrottleC;
    private final double temperatureCriticalC;
    private final double errorRateBackoffPct;
    // --- service
    private final Path dataDir;
    private final int healthCheckPort;
    private final Duration healthReportInterval;

    /**
     * SNMP settings as the file gives them ({@code snmp.*}, {@code snmp_*}). They are validated
     * where they are used, by {@code SnmpSettings} through the service's mapping, which reports
     * under these keys. {@code version} is {@code 1}, {@code 2c} or {@code 3}; the v3 fields are
     * {@code null} unless version 3. Protocol names (net-snmp's): auth {@code SHA},
     * {@code SHA-224}, {@code SHA-256}, {@code SHA-384}, {@code SHA-512}, or {@code MD5} (weak:
     * accepted with a warning); priv {@code AES} ({@code AES-128}), {@code AES-192},
     * {@code AES-256}, or {@code DES} (weak: accepted with a warning), or none.
     */
    public record Snmp(
            boolean enabled,
            String version,
            String community,
            int port,
            Duration timeout,
            int retries,
            Duration interval,
            int maxConsecutiveFails,
            Duration backoff,
            int maxInFlight,
            double rateLimitPerSecond,
            int burstLimit,
            String user,
            String authProtocol,
            String authPassphrase,
            String privProtocol,
            String privPassphrase) {

        /** True when the community is one anyone would guess. */
        public boolean weakCommunity() {
            return !"3".equals(version) && community != null
                    && WEAK_COMMUNITIES.contains(community.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return "Snmp[enabled=" + enabled + ", version=" + version + ", community=" + mask(community)
                    + ", port=" + port + ", timeout=" + timeout + ", retries=" + retries + ", interval=" + interval
                    + ", maxConsecutiveFails=" + maxConsecutiveFails + ", backoff=" + backoff
                    + ", maxInFlight=" + maxInFlight + ", rateLimitPerSecond=" + rateLimitPerSecond
                    + ", burstLimit=" + burstLimit + ", user=" + user + ", authProtocol=" + authProtocol
                    + ", authPassphrase=" + mask(authPassphrase) + ", privProtocol=" + privProtocol
                    + ", privPassphrase=" + mask(privPassphrase) + "]";
        }
    }

    /**
     * Where measurements go when a database is configured. {@code apiVersion} 2 uses {@code org},
     * {@code bucket} and {@code token}; 1 uses {@code database}, {@code retentionPolicy},
     * {@code username} and {@code password}. {@code healthBucket} receives {@code health_metrics}
     * (v1: a database of that name).
     */
    public record Influx(
            String url,
            int apiVersion,
            String token,
            String org,
            String bucket,
            String healthBucket,
            String database,
            String retentionPolicy,
            String username,
            String password) {

        @Override
        public String toString() {
            return "Influx[url=" + url + ", apiVersion=" + apiVersion + ", token=" + mask(token) + ", org=" + org
                    + ", bucket=" + bucket + ", healthBucket=" + healthBucket + ", database=" + database
                    + ", retentionPolicy=" + retentionPolicy + ", username=" + username
                    + ", password=" + mask(password) + "]";
        }
    }

    private static String mask(String secret) {
        return secret == null ? "null" : "****";
    }

    private NetscanConfig(Builder b, Profile p, TargetSet targets, OnLinkSettings onLink) {
        this.profile = p;
        this.networks = List.copyOf(b.networks);
        this.exclude = List.copyOf(b.exclude);
        this.targets = targets;
        this.allowLarge = b.allowLarge;
        this.onLink = onLink;
        this.icmpDiscoveryInterval = b.icmpDiscoveryInterval;
        this.pingInterval = b.pingInterval;
        this.pingTimeout = b.pingTimeout;
        this.sweepRetries = b.sweepRetries;
        this.pingRateLimitPps = b.pingRateLimitPps != null ? b.pingRateLimitPps : p.pingRateLimitPps();
        this.icmpMaxInFlight = b.icmpMaxInFlight != null ? b.icmpMaxInFlight : p.icmpMaxInFlight();
        this.pacing = b.pacing != null ? b.pacing : p.pacing();
        int sized = (int) Math.max(DEFAULT_CAP, Math.min(targets.size(), AUTO_CAP_LIMIT));
        this.maxConcurrentPingers = b.maxConcurrentPingers != null ? b.maxConcurrentPingers : sized;
        this.capsExplicit = b.maxConcurrentPingers != null || b.maxDevices != null;
        this.reconcileInterval = b.reconcileInterval;
        this.statsWindow = b.statsWindow;
        this.maxDevices = b.maxDevices != null ? b.maxDevices : sized;
        this.failureThreshold = b.failureThreshold;
        this.suspendBase = b.suspendBase;
        this.suspendMax = b.suspendMax;
        this.pruneAfter = b.pruneAfter;
        this.snapshotInterval = b.snapshotInterval;
        this.snmp = new Snmp(b.snmpEnabled, b.snmpVersion, b.snmpCommunity, b.snmpPort, b.snmpTimeout, b.snmpRetries,
                b.snmpInterval, b.snmpMaxConsecutiveFails, b.snmpBackoff,
                b.snmpMaxInFlight != null ? b.snmpMaxInFlight
                        : sizedSnmpInFlight(Math.min(targets == null ? 0 : targets.size(), this.maxDevices), b.snmpTimeout, b.snmpRetries,
                                snmpFirstAskWindow(b.snmpInterval), p.snmpMaxInFlight()),
                b.snmpRateLimit, b.snmpBurstLimit != null ? b.snmpBurstLimit : Math.max(1, (int) Math.ceil(b.snmpRateLimit)),
                b.snmpUser, b.snmpAuthProtocol, b.snmpAuthPassphrase, b.snmpPrivProtocol, b.snmpPrivPassphrase);
        this.influx = b.influxUrl == null ? null : new Influx(b.influxUrl, b.influxApiVersion, b.influxToken,
                b.influxOrg, b.influxBucket, b.influxHealthBucket, b.influxDatabase, b.influxRetentionPolicy,
                b.influxUsername, b.influxPassword);
        this.batchSizeMin = b.batchSizeMin != null ? b.batchSizeMin : p.batchSizeMin();
        this.batchSizeMax = b.batchSizeMax != null ? b.batchSizeMax : p.batchSizeMax();
        this.batchSize = b.batchSize != null ? b.batchSize : Math.max(batchSizeMin, Math.min(batchSizeMax, p.batchSizeBase()));
        this.flushInterval = b.flushInterval;
        this.queueCapacity = b.queueCapacity;
        this.spoolMaxBytes = b.spoolMaxBytes;
        this.healthSampleInterval = b.healthSampleInterval;
        this.memoryWarningPct = b.memoryWarningPct;
        this.memoryCriticalPct = b.memoryCriticalPct;
        this.temperatureThrottleC = b.temperatureThrottleC;
        this.temperatureCriticalC = b.temperatureCriticalC;
        this.errorRateBackoffPct = b.errorRateBackoffPct;
        this.dataDir = b.dataDir;
        this.healthCheckPort = b.healthCheckPort;
        this.healthReportInterval = b.healthReportInterval;
    }

    /** The most SNMP queries in flight {@link #sizedSnmpInFlight} picks: about 16 MiB of request state on one socket. */
    public static final int MAX_SIZED_SNMP_IN_FLIGHT = 8_192;
    /** How soon after discovery every device should have been asked over SNMP at the latest (see {@link #snmpFirstAskWindow}). */
    public static final Duration SNMP_FIRST_ASK_WINDOW = Duration.ofSeconds(20);

    /**
     * The window {@code snmp_workers}' default is sized for: a tenth of {@code snmp_interval}, and
     * at most {@link #SNMP_FIRST_ASK_WINDOW}, so a newly found device has its answer (or its
     * timeout) soon after discovery even when half the devices are silent.
     */
    public static Duration snmpFirstAskWindow(Duration snmpInterval) {
        if (snmpInterval == null) {
            return SNMP_FIRST_ASK_WINDOW;
        }
        Duration tenth = snmpInterval.dividedBy(10);
        return tenth.compareTo(SNMP_FIRST_ASK_WINDOW) < 0 && !tenth.isZero() ? tenth : SNMP_FIRST_ASK_WINDOW;
    }

    /**
     * SNMP queries in flight sized to the work: enough to ask {@code devices} devices within
     * {@code window} even if every one stays silent and holds its slot for
     * {@code timeout x (retries + 1)}; at least {@code floor} (the profile's value), at most
     * {@link #MAX_SIZED_SNMP_IN_FLIGHT}, and never more than {@code devices}. Politeness to agents
     * does not depend on it: the scanner keeps at most one request in flight per agent.
     *
     * @param devices devices to ask; 0 or less when unknown (then {@code floor})
     */
    public static int sizedSnmpInFlight(long devices, Duration timeout, int retries, Duration window, int floor) {
        int cappedFloor = Math.max(1, Math.min(floor, MAX_SIZED_SNMP_IN_FLIGHT));
        if (devices <= 0 || timeout == null || window == null || window.isZero() || window.isNegative() || retries < 0) {
            return cappedFloor;
        }
        double needed = Math.ceil(devices * ((double) timeout.toNanos() * (retries + 1)) / window.toNanos());
        long n = Math.max((long) Math.min(needed, Integer.MAX_VALUE), cappedFloor);
        return (int) Math.max(1, Math.min(n, Math.min(devices, MAX_SIZED_SNMP_IN_FLIGHT)));
    }

    /** A builder with every default in place (profile {@link Profile#STANDARD}). */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of {@code profile}, with no networks. */
    public static NetscanConfig defaults(Profile profile) {
        return builder().profile(profile).build();
    }

    public Profile profile() { return profile; }
    /** Networks to discover, as given ({@code networks}). */
    public List<String> networks() { return networks; }
    /** Ranges never probed ({@code exclude}). */
    public List<String> exclude() { return exclude; }
    /** {@link #networks()} minus {@link #exclude()}, parsed. */
    public TargetSet targets() { return targets; }
    /** Whether ranges wider than /16 are allowed ({@code allow_large}); wider than /8 never are. */
    public boolean allowLarge() { return allowLarge; }
    /** On-link discovery ({@code discovery.*}); off unless interfaces are listed. */
    public OnLinkSettings onLink() { return onLink; }
    public Duration icmpDiscoveryInterval() { return icmpDiscoveryInterval; }
    public Duration pingInterval() { return pingInterval; }
    public Duration pingTimeout() { return pingTimeout; }
    /** Extra probes a sweep sends to an address that did not answer ({@code sweep_retries}). */
    public int sweepRetries() { return sweepRetries; }
    public long pingRateLimitPps() { return pingRateLimitPps; }
    /** Sweep probes in flight at once ({@code icmp_workers}). */
    public int icmpMaxInFlight() { return icmpMaxInFlight; }
    public Duration pacing() { return pacing; }
    /**
     * Monitoring probes in flight at most ({@code max_concurrent_pingers}); with
     * {@code ping_timeout} it bounds the rate monitoring can serve. Unset: sized to the networks,
     * {@code max(20,000, addresses)} up to {@link #AUTO_CAP_LIMIT}.
     */
    public int maxConcurrentPingers() { return maxConcurrentPingers; }
    /**
     * Caps set below what the networks hold, each as a warning naming both numbers (empty when the
     * caps cover the networks).
     */
    public List<String> capWarnings() {
        List<String> w = new ArrayList<>(2);
        long addresses = targets.size();
        if (maxDevices < addresses) {
            w.add("max_devices is " + maxDevices + " but the networks hold " + addresses + " addresses: "
                    + (addresses - maxDevices) + " of them can never be watched; raise max_devices"
                    + (capsExplicit ? "" : " (netscan sizes it by itself only up to " + AUTO_CAP_LIMIT + ")"));
        }
        if (maxConcurrentPingers < addresses) {
            w.add("max_concurrent_pingers is " + maxConcurrentPingers + " but the networks hold " + addresses
                    + " addresses: monitoring keeps at most " + maxConcurrentPingers + " probes in flight, so it serves at most "
                    + maxConcurrentPingers + " probes per ping_timeout (" + human(pingTimeout) + ") and stretches the "
                    + "ping interval beyond that; raise max_concurrent_pingers");
        }
        return w;
    }
    public Duration reconcileInterval() { return reconcileInterval; }
    public Duration statsWindow() { return statsWindow; }
    /** Devices the registry holds at most ({@code max_devices}). Unset: sized like {@link #maxConcurrentPingers()}. */
    public int maxDevices() { return maxDevices; }
    /** Consecutive ping failures that suspend a device ({@code ping_failure_threshold}). */
    public int failureThreshold() { return failureThreshold; }
    public Duration suspendBase() { return suspendBase; }
    public Duration suspendMax() { return suspendMax; }
    public Duration pruneAfter() { return pruneAfter; }
    public Duration snapshotInterval() { return snapshotInterval; }
    public Snmp snmp() { return snmp; }
    /** The database, or {@code null} when none is configured (the embedded file sink is used). */
    public Influx influx() { return influx; }
    public int batchSize() { return batchSize; }
    public int batchSizeMin() { return batchSizeMin; }
    public int batchSizeMax() { return batchSizeMax; }
    public Duration flushInterval() { return flushInterval; }
    public int queueCapacity() { return queueCapacity; }
    public long spoolMaxBytes() { return spoolMaxBytes; }
    public Duration healthSampleInterval() { return healthSampleInterval; }
    public double memoryWarningPct() { return memoryWarningPct; }
    public double memoryCriticalPct() { return memoryCriticalPct; }
    public double temperatureThrottleC() { return temperatureThrottleC; }
    public double temperatureCriticalC() { return temperatureCriticalC; }
    public double errorRateBackoffPct() { return errorRateBackoffPct; }
    public Path dataDir() { return dataDir; }
    public int healthCheckPort() { return healthCheckPort; }
    public Duration healthReportInterval() { return healthReportInterval; }

    @Override
    public String toString() {
        return "NetscanConfig[profile=" + profile.key() + ", networks=" + networks + ", exclude=" + exclude
                + ", pingInterval=" + pingInterval + ", pingTimeout=" + pingTimeout + ", rate=" + pingRateLimitPps
                + "pps, inFlight=" + icmpMaxInFlight + ", maxDevices=" + maxDevices + ", snmp=" + snmp
                + ", influx=" + influx + ", batchSize=" + batchSize + ", dataDir=" + dataDir + "]";
    }

    /**
     * Collects settings; {@link #build()} validates them all. Not thread-safe. Setters take any
     * value; problems surface at {@code build()}, all together.
     */
    public static final class Builder {
        private Profile profile = Profile.STANDARD;
        private final List<String> networks = new ArrayList<>();
        private final List<String> exclude = new ArrayList<>();
        private boolean allowLarge;
        private final List<String> discoveryInterfaces = new ArrayList<>();
        private boolean discoveryAllNodesMulticast = true;
        private boolean discoveryNeighbourTable = true;
        private Duration discoveryReplyWait = Duration.ofSeconds(1);
        private Duration icmpDiscoveryInterval = Duration.ofHours(4);
        private Duration pingInterval = Duration.ofSeconds(30);
        private Duration pingTimeout = Duration.ofSeconds(1);
        private int sweepRetries = 1;
        private Long pingRateLimitPps;
        private Integer icmpMaxInFlight;
        private Duration pacing;
        private Integer maxConcurrentPingers;
        private Duration reconcileInterval = Duration.ofSeconds(5);
        private Duration statsWindow = Duration.ofSeconds(60);
        private Integer maxDevices;
        private int failureThreshold = 10;
        private Duration suspendBase = Duration.ofMinutes(5);
        private Duration suspendMax = Duration.ofHours(1);
        private Duration pruneAfter = Duration.ofHours(24);
        private Duration snapshotInterval = Duration.ofMinutes(5);
        private boolean snmpEnabled = true;
        private String snmpVersion = "2c";
        private String snmpCommunity = "public";
        private int snmpPort = 161;
        private Duration snmpTimeout = Duration.ofSeconds(2);
        private int snmpRetries = 1;
        private Duration snmpInterval = Duration.ofHours(1);
        private int snmpMaxConsecutiveFails = 5;
        private Duration snmpBackoff = Duration.ofHours(1);
        private Integer snmpMaxInFlight;
        private double snmpRateLimit;
        private Integer snmpBurstLimit;
        private String snmpUser;
        private String snmpAuthProtocol;
        private String snmpAuthPassphrase;
        private String snmpPrivProtocol;
        private String snmpPrivPassphrase;
        private String influxUrl;
        private int influxApiVersion = 2;
        private String influxToken;
        private String influxOrg;
        private String influxBucket;
        private String influxHealthBucket;
        private String influxDatabase;
        private String influxRetentionPolicy;
        private String influxUsername;
        private String influxPassword;
        private Integer batchSize;
        private Integer batchSizeMin;
        private Integer batchSizeMax;
        private Duration flushInterval = Duration.ofSeconds(5);
        private int queueCapacity = 100_000;
        private long spoolMaxBytes = 1L << 30;
        private Duration healthSampleInterval = Duration.ofSeconds(30);
        private double memoryWarningPct = 80;
        private double memoryCriticalPct = 90;
        private double temperatureThrottleC = 75;
        private double temperatureCriticalC = 85;
        private double errorRateBackoffPct = 5;
        private Path dataDir = Path.of("netscan-data");
        private int healthCheckPort = 8080;
        private Duration healthReportInterval = Duration.ofSeconds(10);

        private Builder() {}

        public Builder profile(Profile v) { profile = v; return this; }
        public Builder network(String cidr) { networks.add(cidr); return this; }
        public Builder networks(List<String> v) { networks.clear(); networks.addAll(v); return this; }
        public Builder exclude(String cidr) { exclude.add(cidr); return this; }
        public Builder excludes(List<String> v) { exclude.clear(); exclude.addAll(v); return this; }
        public Builder allowLarge(boolean v) { allowLarge = v; return this; }
        /** Interfaces of on-link discovery ({@code discovery.interfaces}); replaces earlier ones. */
        public Builder discoveryInterfaces(List<String> v) { discoveryInterfaces.clear(); discoveryInterfaces.addAll(v); return this; }
        /** {@code discovery.all_nodes_multicast}, default true. */
        public Builder discoveryAllNodesMulticast(boolean v) { discoveryAllNodesMulticast = v; return this; }
        /** {@code discovery.neighbour_table}, default true. */
        public Builder discoveryNeighbourTable(boolean v) { discoveryNeighbourTable = v; return this; }
        /** {@code discovery.reply_wait}, default 1 s. */
        public Builder discoveryReplyWait(Duration v) { discoveryReplyWait = v; return this; }
        public Builder icmpDiscoveryInterval(Duration v) { icmpDiscoveryInterval = v; return this; }
        public Builder pingInterval(Duration v) { pingInterval = v; return this; }
        public Builder pingTimeout(Duration v) { pingTimeout = v; return this; }
        public Builder sweepRetries(int v) { sweepRetries = v; return this; }
        public Builder pingRateLimitPps(long v) { pingRateLimitPps = v; return this; }
        public Builder icmpMaxInFlight(int v) { icmpMaxInFlight = v; return this; }
        public Builder pacing(Duration v) { pacing = v; return this; }
        public Builder maxConcurrentPingers(int v) { maxConcurrentPingers = v; return this; }
        public Builder reconcileInterval(Duration v) { reconcileInterval = v; return this; }
        public Builder statsWindow(Duration v) { statsWindow = v; return this; }
        public Builder maxDevices(int v) { maxDevices = v; return this; }
        public Builder failureThreshold(int v) { failureThreshold = v; return this; }
        public Builder suspendBase(Duration v) { suspendBase = v; return this; }
        public Builder suspendMax(Duration v) { suspendMax = v; return this; }
        public Builder pruneAfter(Duration v) { pruneAfter = v; return this; }
        public Builder snapshotInterval(Duration v) { snapshotInterval = v; return this; }
        public Builder snmpEnabled(boolean v) { snmpEnabled = v; return this; }
        public Builder snmpVersion(String v) { snmpVersion = v; return this; }
        public Builder snmpCommunity(String v) { snmpCommunity = v; return this; }
        public Builder snmpPort(int v) { snmpPort = v; return this; }
        public Builder snmpTimeout(Duration v) { snmpTimeout = v; return this; }
        public Builder snmpRetries(int v) { snmpRetries = v; return this; }
        public Builder snmpInterval(Duration v) { snmpInterval = v; return this; }
        public Builder snmpMaxConsecutiveFails(int v) { snmpMaxConsecutiveFails = v; return this; }
        public Builder snmpBackoff(Duration v) { snmpBackoff = v; return this; }
        /** SNMP devices asked at once ({@code snmp_workers}); unset: sized to the work, see {@link #sizedSnmpInFlight}. */
        public Builder snmpMaxInFlight(int v) { snmpMaxInFlight = v; return this; }
        /** SNMP queries started per second at most ({@code snmp_rate_limit}); 0 (default) for none. */
        public Builder snmpRateLimit(double perSecond) { snmpRateLimit = perSecond; return this; }
        /** Queries that may start at once under the rate limit ({@code snmp_burst_limit}; default: one second's worth). */
        public Builder snmpBurstLimit(int v) { snmpBurstLimit = v; return this; }
        public Builder snmpUser(String v) { snmpUser = v; return this; }
        public Builder snmpAuthProtocol(String v) { snmpAuthProtocol = v; return this; }
        public Builder snmpAuthPassphrase(String v) { snmpAuthPassphrase = v; return this; }
        public Builder snmpPrivProtocol(String v) { snmpPrivProtocol = v; return this; }
        public Builder snmpPrivPassphrase(String v) { snmpPrivPassphrase = v; return this; }
        public Builder influxUrl(String v) { influxUrl = v; return this; }
        public Builder influxApiVersion(int v) { influxApiVersion = v; return this; }
        public Builder influxToken(String v) { influxToken = v; return this; }
        public Builder influxOrg(String v) { influxOrg = v; return this; }
        public Builder influxBucket(String v) { influxBucket = v; return this; }
        public Builder influxHealthBucket(String v) { influxHealthBucket = v; return this; }
        public Builder influxDatabase(String v) { influxDatabase = v; return this; }
        public Builder influxRetentionPolicy(String v) { influxRetentionPolicy = v; return this; }
        public Builder influxUsername(String v) { influxUsername = v; return this; }
        public Builder influxPassword(String v) { influxPassword = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder batchSizeMin(int v) { batchSizeMin = v; return this; }
        public Builder batchSizeMax(int v) { batchSizeMax = v; return this; }
        public Builder flushInterval(Duration v) { flushInterval = v; return this; }
        public Builder queueCapacity(int v) { queueCapacity = v; return this; }
        public Builder spoolMaxBytes(long v) { spoolMaxBytes = v; return this; }
        public Builder healthSampleInterval(Duration v) { healthSampleInterval = v; return this; }
        public Builder memoryWarningPct(double v) { memoryWarningPct = v; return this; }
        public Builder memoryCriticalPct(double v) { memoryCriticalPct = v; return this; }
        public Builder temperatureThrottleC(double v) { temperatureThrottleC = v; return this; }
        public Builder temperatureCriticalC(double v) { temperatureCriticalC = v; return this; }
        public Builder errorRateBackoffPct(double v) { errorRateBackoffPct = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder healthCheckPort(int v) { healthCheckPort = v; return this; }
        public Builder healthReportInterval(Duration v) { healthReportInterval = v; return this; }

        /**
         * Validates every setting this class owns and returns the configuration.
         *
         * <p>Settings that a module's own builder validates are not checked here, so each rule
         * lives in one place: {@code snmp.*} and {@code snmp_*} ({@code SnmpSettings}),
         * {@code influxdb.*} except the batch bounds ({@code WriterConfig}), {@code governor.*}
         * ({@code GovernorSettings}), {@code max_devices}, {@code ping_failure_threshold},
         * {@code suspend_backoff*} (the registry builder) and {@code sweep_retries}
         * ({@code SweepOptions}). The service maps this configuration onto those builders and
         * reports their problems under these same keys ({@code NetscanService.builder(config).build()},
         * and the CLI's loader, which reports both in one pass).
         *
         * @throws InvalidConfigException listing every problem, each keyed by its file key
         */
        public NetscanConfig build() {
            ConfigProblems problems = new ConfigProblems();
            NetscanConfig c = build(problems);
            return problems.orThrow(c);
        }

        /**
         * Validates into {@code problems} and returns a configuration even when there are
         * problems (invalid values are kept as given, a missing profile is standard), so a caller
         * can check the parts built from it in the same pass and report everything at once.
         * Never use the result when {@code problems} is not empty.
         */
        public NetscanConfig build(ConfigProblems problems) {
            Profile p = profile;
            if (p == null) {
                problems.add("profile", "must be standard or high-performance");
                p = Profile.STANDARD;
            }
            TargetSet targets = targets(problems);
            OnLinkSettings onLink = OnLinkSettings.validate(discoveryInterfaces, discoveryAllNodesMulticast,
                    discoveryNeighbourTable, discoveryReplyWait, problems);

            problems.atLeast("icmp_discovery_interval", icmpDiscoveryInterval, Duration.ofSeconds(10));
            problems.atLeast("ping_interval", pingInterval, Duration.ofSeconds(1));
            problems.atLeast("ping_timeout", pingTimeout, Duration.ofMillis(1));
            if (pingInterval != null && pingTimeout != null && pingTimeout.compareTo(pingInterval) > 0) {
                problems.add("ping_timeout", human(pingTimeout) + " is longer than ping_interval "
                        + human(pingInterval) + "; a device would be pinged again before its last ping timed out");
            }
            if (pingRateLimitPps != null) {
                problems.range("ping_rate_limit", pingRateLimitPps, 1, 10_000_000);
            }
            if (icmpMaxInFlight != null) {
                problems.range("icmp_workers", icmpMaxInFlight, 1, 1 << 20);
            }
            if (pacing != null) {
                problems.between("pacing", pacing, Duration.ZERO, Duration.ofSeconds(1));
            }
            if (maxConcurrentPingers != null) {
                problems.range("max_concurrent_pingers", maxConcurrentPingers, 1, 1_000_000);
            }
            problems.atLeast("reconcile_interval", reconcileInterval, Duration.ofMillis(100));
            if (problems.atLeast("ping_stats_window", statsWindow, Duration.ofSeconds(1))
                    && pingInterval != null && statsWindow.compareTo(pingInterval) < 0) {
                problems.add("ping_stats_window", human(statsWindow) + " is shorter than ping_interval "
                        + human(pingInterval) + "; a window must hold at least one ping");
            }
            problems.atLeast("prune_after", pruneAfter, Duration.ofMinutes(1));
            problems.atLeast("snapshot_interval", snapshotInterval, Duration.ofSeconds(1));
            int min = batchSizeMin != null ? batchSizeMin : p.batchSizeMin();
            int max = batchSizeMax != null ? batchSizeMax : p.batchSizeMax();
            boolean bounds = problems.range("influxdb.batch_size_min", min, 1, 100_000);
            bounds &= problems.range("influxdb.batch_size_max", max, 1, 100_000);
            if (bounds && min > max) {
                problems.add("influxdb.batch_size_min", min + " is greater than influxdb.batch_size_max " + max);
            } else if (bounds && batchSize != null && (batchSize < min || batchSize > max)) {
                problems.add("influxdb.batch_size", batchSize + " is outside [" + min + ", " + max + "]");
            }
            problems.required("data_dir", dataDir);
            problems.range("health_check_port", healthCheckPort, 0, 65_535);
            problems.atLeast("health_report_interval", healthReportInterval, Duration.ofMillis(100));
            return new NetscanConfig(this, p, targets, onLink);
        }

        private TargetSet targets(ConfigProblems problems) {
            TargetSet.Builder t = TargetSet.builder();
            for (int i = 0; i < networks.size(); i++) {
                String n = networks.get(i);
                try {
                    if (TargetSet.isIpv6(n)) {
                        t.include(n); // the IPv6 limits (at most a /112, no multicast) live in TargetSet
                        continue;
                    }
                    Cidr c = Cidr.parse(n);
                    if (c.prefixLength() < 8) {
                        problems.add("networks[" + i + "]", c + " is wider than /8; netscan refuses ranges that large");
                    } else if (AddressBook.isIpv6Key(c.network())) {
                        problems.add("networks[" + i + "]", c + " is in 240.0.0.0/4 (class E, reserved by RFC 1112 and "
                                + "RFC 6890, never a device's address); netscan uses that range to key IPv6 devices");
                    } else if (c.prefixLength() < 16 && !allowLarge) {
                        problems.add("networks[" + i + "]", c + " is wider than /16 (" + c.hostCount()
                                + " addresses); set allow_large: true to sweep it");
                    }
                    t.include(c);
                } catch (InvalidTargetException e) {
                    problems.add("networks[" + i + "]", e.getMessage());
                }
            }
            for (int i = 0; i < exclude.size(); i++) {
                try {
                    t.exclude(exclude.get(i));
                } catch (InvalidTargetException e) {
                    problems.add("exclude[" + i + "]", e.getMessage());
                }
            }
            return t.build();
        }
    }

    /** A duration as people write it in config files: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 4h}. */
    public static String human(Duration d) {
        if (d == null) {
            return "null";
        }
        long ms = d.toMillis();
        if (d.toNanos() % 1_000_000 != 0) {
            return d.toNanos() + "ns";
        }
        if (ms % 3_600_000 == 0 && ms != 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms != 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
