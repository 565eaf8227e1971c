package dev.netscan.discovery.snmp;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.InvalidConfigException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * How the SNMP scanner talks to agents and how often it asks them. Immutable; build with
 * {@link #builder()}, which validates everything at once.
 *
 * <p>Credentials ({@code community}, {@code authPassphrase}, {@code privPassphrase}) never appear
 * in {@link #toString()} or in any exception message this class throws.
 *
 * @param version protocol version
 * @param community v1/v2c community (may be empty, which is weak); null with v3
 * @param port agent UDP port, 1-65535
 * @param timeout how long to wait for one answer before a retry; 10 ms to 60 s
 * @param retries how many times a request is re-sent after a timeout; 0-10
 * @param maxInFlight the most devices queried at the same time; 1-65,536 (see {@link #inFlightFor})
 * @param rateLimitPerSecond device queries started per second at most; 0 for no rate limit (the
 *     default: the in-flight bound and one request per agent at a time are the limits)
 * @param burst queries that may start at once after a quiet spell, with a rate limit; at least 1
 * @param interval how often every known device is asked again; at least 1 s
 * @param maxConsecutiveFails failures in a row after which a device is suspended; at least 1
 * @param backoff how long a suspended device is left alone; at least 1 s
 * @param v3User USM user name (v3 only), 1-32 characters
 * @param authProtocol USM authentication protocol (v3 only, required: authNoPriv or authPriv);
 *     {@link SnmpAuthProtocol#MD5} is accepted for old agents and warned about
 * @param authPassphrase USM authentication passphrase (v3 only), at least 8 characters
 * @param privProtocol USM privacy protocol (v3 only); {@link SnmpPrivProtocol#NONE} for authNoPriv;
 *     {@link SnmpPrivProtocol#DES} is accepted for old agents and warned about
 * @param privPassphrase USM privacy passphrase (v3 with privacy only), at least 8 characters
 */
public record SnmpSettings(
        SnmpVersion version,
        String community,
        int port,
        Duration timeout,
        int retries,
        int maxInFlight,
        double rateLimitPerSecond,
        int burst,
        Duration interval,
        int maxConsecutiveFails,
        Duration backoff,
        String v3User,
        SnmpAuthProtocol authProtocol,
        String authPassphrase,
        SnmpPrivProtocol privProtocol,
        String privPassphrase) {

    /** Communities that are factory defaults or guessed first; using one draws a warning. */
    public static final Set<String> WEAK_COMMUNITIES = dev.netscan.core.NetscanConfig.WEAK_COMMUNITIES;

    /** net-snmp's names of the supported authentication protocols, for messages. */
    public static final String AUTH_NAMES = "MD5 (weak), SHA, SHA-224, SHA-256, SHA-384 or SHA-512";
    /** net-snmp's names of the supported privacy protocols, for messages. */
    public static final String PRIV_NAMES = "DES (weak), AES, AES-192 or AES-256";

    /**
     * Canonical constructor: validates; prefer {@link #builder()}.
     *
     * @throws InvalidConfigException listing every problem, keyed by component name
     *     ({@code maxInFlight}, {@code authPassphrase}, ...), never quoting a credential
     */
    public SnmpSettings {
        ConfigProblems problems = new ConfigProblems();
        check(problems, version, community, port, timeout, retries, maxInFlight,
                rateLimitPerSecond, burst, interval, maxConsecutiveFails,
                backoff, v3User, authProtocol, authPassphrase, privProtocol, privPassphrase);
        problems.throwIfAny();
        if (privProtocol == null) {
            privProtocol = SnmpPrivProtocol.NONE;
        }
    }

    /** The most queries in flight {@link #inFlightFor} picks (core's {@code NetscanConfig.MAX_SIZED_SNMP_IN_FLIGHT}). */
    public static final int MAX_SIZED_IN_FLIGHT = dev.netscan.core.NetscanConfig.MAX_SIZED_SNMP_IN_FLIGHT;

    /**
     * The in-flight bound sized to the work (the same rule as the configuration's default,
     * {@code NetscanConfig.sizedSnmpInFlight}): enough to ask {@code devices} devices within
     * {@code window} even if every one stays silent and holds its slot for
     * {@code timeout x (retries + 1)}; at least {@code floor}, at most {@link #MAX_SIZED_IN_FLIGHT},
     * never more than {@code devices}. Agents see at most one request of ours at a time whatever it is.
     */
    public static int inFlightFor(long devices, Duration timeout, int retries, Duration window, int floor) {
        return dev.netscan.core.NetscanConfig.sizedSnmpInFlight(devices, timeout, retries, window, floor);
    }

    /** A builder with the defaults: v2c, port 161, timeout 2 s, 1 retry, 2,048 in flight, interval 1 h, 5 fails, backoff 1 h. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.version = version;
        b.community = community;
        b.port = port;
        b.timeout = timeout;
        b.retries = retries;
        b.maxInFlight = maxInFlight;
        b.rateLimitPerSecond = rateLimitPerSecond;
        b.burst = burst;
        b.interval = interval;
        b.maxConsecutiveFails = maxConsecutiveFails;
        b.backoff = backoff;
        b.v3User = v3User;
        b.authProtocol = authProtocol;
        b.authPassphrase = authPassphrase;
        b.privProtocol = privProtocol;
        b.privPassphrase = privPassphrase;
        return b;
    }

    /** True for v3 with a {@linkplain SnmpAuthProtocol#weak() weak} auth or privacy protocol (MD5, DES). */
    public boolean weakProtocols() {
        return version == SnmpVersion.V3 && (authProtocol != null && authProtocol.weak()
                || privProtocol != null && privProtocol.weak());
    }

    /** True for v1/v2c with a community from {@link #WEAK_COMMUNITIES} (compared ignoring case). */
    public boolean weakCommunity() {
        return version != SnmpVersion.V3 && community != null
                && WEAK_COMMUNITIES.contains(community.toLowerCase(Locale.ROOT));
    }

    /**
     * Replaces every occurrence of a credential of these settings in {@code text} with
     * {@code <redacted>}. Used on text that might quote one (e.g. a library's exception message).
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : new String[] {authPassphrase, privPassphrase, community}) {
            if (secret != null && secret.length() >= 3) { // shorter ones would mangle ordinary text
                out = out.replace(secret, "<redacted>");
            }
        }
        return out;
    }

    /** All settings, with credentials shown only as {@code <redacted>} (or {@code null} when absent). */
    @Override
    public String toString() {
        return "SnmpSettings[version=" + version
                + ", community=" + hidden(community)
                + ", port=" + port
                + ", timeout=" + timeout
                + ", retries=" + retries
                + ", maxInFlight=" + maxInFlight
                + ", rateLimitPerSecond=" + rateLimitPerSecond
                + ", burst=" + burst
                + ", interval=" + interval
                + ", maxConsecutiveFails=" + maxConsecutiveFails
                + ", backoff=" + backoff
                + ", v3User=" + v3User
                + ", authProtocol=" + authProtocol
                + ", authPassphrase=" + hidden(authPassphrase)
                + ", privProtocol=" + privProtocol
                + ", privPassphrase=" + hidden(privPassphrase) + "]";
    }

    private static String hidden(String secret) {
        return secret == null ? "null" : "<redacted>";
    }

    private static void check(ConfigProblems p, SnmpVersion version, String community, int port, Duration timeout,
            int retries, int maxInFlight, double rateLimitPerSecond, int burst, Duration interval, int maxConsecutiveFails, Duration backoff,
            String v3User, SnmpAuthProtocol authProtocol, String authPassphrase, SnmpPrivProtocol privProtocol,
            String privPassphrase) {
        p.check(version != null, "version", "is required (1, 2c or 3)");
        if (version == SnmpVersion.V1 || version == SnmpVersion.V2C) {
            if (community == null) {
                p.add("community", "is required for " + version);
            } else if (community.length() > 255) {
                p.add("community", "is longer than 255 characters");
            } else if (!printableAscii(community)) {
                p.add("community", "contains characters other than printable ASCII");
            }
        }
        p.range("port", port, 1, 65_535);
        p.between("timeout", timeout, Duration.ofMillis(10), Duration.ofSeconds(60));
        p.range("retries", retries, 0, 10);
        p.range("maxInFlight", maxInFlight, 1, 65_536);
        p.check(rateLimitPerSecond >= 0 && rateLimitPerSecond <= 1_000_000, "rateLimitPerSecond",
                "must be between 0 (none) and 1,000,000, was " + rateLimitPerSecond);
        p.range("burst", burst, 1, 65_536);
        p.atLeast("interval", interval, Duration.ofSeconds(1));
        p.check(maxConsecutiveFails >= 1, "maxConsecutiveFails", "must be at least 1, was " + maxConsecutiveFails);
        p.atLeast("backoff", backoff, Duration.ofSeconds(1));
        if (version == SnmpVersion.V3) {
            if (v3User == null || v3User.isEmpty()) {
                p.add("v3User", "is required for SNMP v3");
            } else if (v3User.length() > 32 || !printableAscii(v3User)) {
                p.add("v3User", "must be 1-32 printable ASCII characters");
            }
            p.check(authProtocol != null, "authProtocol", "is required for SNMP v3 (" + AUTH_NAMES + ")");
            if (authPassphrase == null) {
                p.add("authPassphrase", "is required for SNMP v3");
            } else if (authPassphrase.length() < 8) {
                p.add("authPassphrase", "is shorter than 8 characters (RFC 3414 minimum)");
            }
            SnmpPrivProtocol priv = privProtocol == null ? SnmpPrivProtocol.NONE : privProtocol;
            if (priv == SnmpPrivProtocol.NONE) {
                p.check(privPassphrase == null, "privPassphrase",
                        "is given but there is no privacy protocol (set one of " + PRIV_NAMES + ", or remove it)");
            } else if (privPassphrase == null) {
                p.add("privPassphrase", "is required with privacy protocol " + priv.netSnmpName());
            } else if (privPassphrase.length() < 8) {
                p.add("privPassphrase", "is shorter than 8 characters (RFC 3414 minimum)");
            }
        } else if (version != null) {
            if (v3User != null || authProtocol != null || authPassphrase != null
                    || (privProtocol != null && privProtocol != SnmpPrivProtocol.NONE) || privPassphrase != null) {
                p.add("version", "is " + version + " but SNMP v3 settings (user, auth, priv) are given");
            }
        }
    }

    private static boolean printableAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E) {
                return false;
            }
        }
        return true;
    }

    /**
     * Builds {@link SnmpSettings}. Not thread-safe. {@link #build()} reports every problem at once
     * in one {@link InvalidConfigException}.
     */
    public static final class Builder {
        private SnmpVersion version = SnmpVersion.V2C;
        private String community;
        private int port = 161;
        private Duration timeout = Duration.ofSeconds(2);
        private int retries = 1;
        private int maxInFlight = 2048;
        private double rateLimitPerSecond;
        private int burst = 1;
        private Duration interval = Duration.ofHours(1);
        private int maxConsecutiveFails = 5;
        private Duration backoff = Duration.ofHours(1);
        private String v3User;
        private SnmpAuthProtocol authProtocol;
        private String authPassphrase;
        private SnmpPrivProtocol privProtocol = SnmpPrivProtocol.NONE;
        private String privPassphrase;

        private Builder() {}

        /** Protocol version (default V2C). */
        public Builder version(SnmpVersion v) { this.version = v; return this; }

        /** v1/v2c community (no default: required for v1/v2c). */
        public Builder community(String c) { this.community = c; return this; }

        /** Agent UDP port (default 161). */
        public Builder port(int p) { this.port = p; return this; }

        /** Wait for one answer (default 2 s). */
        public Builder timeout(Duration t) { this.timeout = t; return this; }

        /** Re-sends after a timeout (default 1). */
        public Builder retries(int r) { this.retries = r; return this; }

        /**
         * Devices queried at once (default 2,048). A silent device holds its slot for
         * timeout x (retries + 1), so N silent devices take about N x that / maxInFlight: with
         * 1 s, 1 retry and 10,000 silent devices, 2,048 gives about 10 s (measured, docs/bench/snmp.md).
         */
        public Builder maxInFlight(int n) { this.maxInFlight = n; return this; }

        /** Device queries started per second at most; 0 (the default) for none. */
        public Builder rateLimitPerSecond(double perSecond) { this.rateLimitPerSecond = perSecond; return this; }

        /** With a rate limit: queries that may start at once after a quiet spell (default 1). */
        public Builder burst(int n) { this.burst = n; return this; }

        /** Re-query period for all known devices (default 1 h). */
        public Builder interval(Duration d) { this.interval = d; return this; }

        /** Failures in a row before suspension (default 5). */
        public Builder maxConsecutiveFails(int n) { this.maxConsecutiveFails = n; return this; }

        /** Suspension length (default 1 h). */
        public Builder backoff(Duration d) { this.backoff = d; return this; }

        /** v3 user name. */
        public Builder v3User(String u) { this.v3User = u; return this; }

        /** v3 authentication protocol and passphrase. */
        public Builder auth(SnmpAuthProtocol protocol, String passphrase) {
            this.authProtocol = protocol;
            this.authPassphrase = passphrase;
            return this;
        }

        /** v3 privacy protocol and passphrase ({@code NONE, null} for authNoPriv, the default). */
        public Builder priv(SnmpPrivProtocol protocol, String passphrase) {
            this.privProtocol = protocol;
            this.privPassphrase = passphrase;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigException listing every problem (never quoting a credential)
         */
        public SnmpSettings build() {
            return new SnmpSettings(version, community, port, timeout, retries, maxInFlight, rateLimitPerSecond, burst, interval,
                    maxConsecutiveFails, backoff, v3User, authProtocol, authPassphrase, privProtocol, privPassphrase);
        }
    }
}
