package dev.netscan.service;

import dev.netscan.core.Cidr;
import dev.netscan.core.ConfigProblems;
import dev.netscan.core.InvalidConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the service's HTTP surface (status page, REST API, remote scans, {@code /health},
 * {@code /metrics}) is exposed and bounded. The port is the configuration's
 * {@code health_check_port}; everything else is here.
 *
 * <p>Security: it binds {@code 127.0.0.1} unless told otherwise. Bound to any other address, the
 * mutating endpoints (remote scans) require {@code Authorization: Bearer <token>}, and
 * {@link Builder#build()} refuses a non-loopback bind without a token. The token is compared in
 * constant time and never appears in {@link #toString()} or a log line.
 *
 * <p>Caps on remote scans (the edge scanner's limits): {@code maxConcurrentScans} across all
 * clients, {@code scansPerMinutePerClient} per client address, results kept {@code resultTtl},
 * each scan at most {@code maxScanAddresses} addresses, {@code maxScanRatePps} probes a second and
 * {@code maxScanDuration} long; request bodies at most {@code maxBodyBytes}. Immutable.
 *
 * @param bindAddress the address to listen on (default loopback)
 * @param token the bearer token, or null (only allowed on loopback)
 * @param readNeedsToken true when read endpoints need the token too
 * @param scanAllowed ranges remote scans may target besides the configured {@code networks}
 * @param perDeviceMetrics true to export per-device series on {@code /metrics} (20 series a device)
 * @param webhook where device events are POSTed as JSON, or null
 */
public record HttpSettings(
        InetAddress bindAddress,
        String token,
        boolean readNeedsToken,
        List<Cidr> scanAllowed,
        boolean perDeviceMetrics,
        URI webhook,
        int maxConcurrentScans,
        int scansPerMinutePerClient,
        Duration resultTtl,
        int maxBodyBytes,
        int maxScanAddresses,
        int maxScanRatePps,
        Duration maxScanDuration) {

    /** The defaults: loopback, no token, no extra scan ranges, the edge scanner's caps. */
    public static HttpSettings defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** True when a token is set. */
    public boolean hasToken() {
        return token != null;
    }

    @Override
    public String toString() {
        return "HttpSettings[bind=" + bindAddress.getHostAddress() + ", token=" + (token == null ? "none" : "set")
                + ", readNeedsToken=" + readNeedsToken + ", scanAllowed=" + scanAllowed + ", perDeviceMetrics="
                + perDeviceMetrics + ", webhook=" + webhook + ", maxConcurrentScans=" + maxConcurrentScans
                + ", scansPerMinutePerClient=" + scansPerMinutePerClient + "]";
    }

    /** Builds {@link HttpSettings}; {@link #build()} reports every problem at once. */
    public static final class Builder {
        private String bind = "127.0.0.1";
        private String token;
        private Path tokenFile;
        private String tokenEnv;
        private boolean readNeedsToken;
        private final List<String> scanAllowed = new ArrayList<>();
        private boolean perDeviceMetrics;
        private String webhook;
        private int maxConcurrentScans = 2;
        private int scansPerMinutePerClient = 2;
        private Duration resultTtl = Duration.ofHours(1);
        private int maxBodyBytes = 16 * 1024;
        private int maxScanAddresses = 65_536;
        private int maxScanRatePps = 1_000;
        private Duration maxScanDuration = Duration.ofMinutes(5);

        private Builder() {}

        /** {@code api.bind}: an IP address literal. */
        public Builder bind(String v) { bind = v; return this; }
        /** The token itself (tests, embedders); prefer {@link #tokenFile} or {@link #tokenEnv}. */
        public Builder token(String v) { token = v; return this; }
        /** {@code api.token_file}: a file holding the token (surrounding whitespace ignored). */
        public Builder tokenFile(Path v) { tokenFile = v; return this; }
        /** {@code api.token_env}: the name of an environment variable holding the token. */
        public Builder tokenEnv(String v) { tokenEnv = v; return this; }
        /** {@code api.read_needs_token}. */
        public Builder readNeedsToken(boolean v) { readNeedsToken = v; return this; }
        /** {@code api.scan_allowed}: one more CIDR remote scans may target. */
        public Builder scanAllowed(String cidr) { scanAllowed.add(cidr); return this; }
        /** {@code api.per_device_metrics}. */
        public Builder perDeviceMetrics(boolean v) { perDeviceMetrics = v; return this; }
        /** {@code api.webhook}: http(s) URL device events are POSTed to. */
        public Builder webhook(String v) { webhook = v; return this; }
        public Builder maxConcurrentScans(int v) { maxConcurrentScans = v; return this; }
        public Builder scansPerMinutePerClient(int v) { scansPerMinutePerClient = v; return this; }
        public Builder resultTtl(Duration v) { resultTtl = v; return this; }
        public Builder maxBodyBytes(int v) { maxBodyBytes = v; return this; }
        public Builder maxScanAddresses(int v) { maxScanAddresses = v; return this; }
        public Builder maxScanRatePps(int v) { maxScanRatePps = v; return this; }
        public Builder maxScanDuration(Duration v) { maxScanDuration = v; return this; }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigException listing every problem, each named by its {@code api.*} key
         */
        public HttpSettings build() {
            ConfigProblems problems = new ConfigProblems();
            InetAddress address = null;
            if (bind == null || !bind.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                problems.add("api.bind", "" + bind + " is not an IP address literal (e.g. 127.0.0.1 or 0.0.0.0)");
            } else {
                try {
                    address = InetAddress.getByName(bind);
                } catch (UnknownHostException e) {
                    problems.add("api.bind", "" + bind + " is not an IP address: " + e.getMessage());
                }
            }
            String t = token;
            if (t == null && tokenFile != null) {
                try {
                    t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    problems.add("api.token_file", "cannot read " + tokenFile + ": " + e.getMessage());
                }
            }
            if (t == null && tokenEnv != null) {
                t = System.getenv(tokenEnv);
                if (t == null) {
                    problems.add("api.token_env", "the environment variable " + tokenEnv + " is not set");
                } else {
                    t = t.strip();
                }
            }
            if (t != null && t.length() < 16) {
                problems.add("api.token", "too short (" + t.length() + " characters); use at least 16 random characters");
            }
            if (address != null && !address.isLoopbackAddress() && t == null) {
                problems.add("api.bind", "" + bind + " is not loopback, so remote scans need a token: set api.token_file or api.token_env");
            }
            if (readNeedsToken && t == null) {
                problems.add("api.read_needs_token", "true but no token is set (api.token_file or api.token_env)");
            }
            List<Cidr> allowed = new ArrayList<>();
            for (String c : scanAllowed) {
                try {
                    allowed.add(Cidr.parse(c));
                } catch (RuntimeException e) {
                    problems.add("api.scan_allowed", "" + e.getMessage());
                }
            }
            URI hook = null;
            if (webhook != null && !webhook.isBlank()) {
                try {
                    hook = URI.create(webhook);
                    if (!"http".equals(hook.getScheme()) && !"https".equals(hook.getScheme()) || hook.getHost() == null) {
                        problems.add("api.webhook", "" + webhook + " is not an http(s) URL with a host");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add("api.webhook", "" + webhook + " is not a URL: " + e.getMessage());
                }
            }
            positive(problems, "api.max_concurrent_scans", maxConcurrentScans);
            positive(problems, "api.scans_per_minute_per_client", scansPerMinutePerClient);
            positive(problems, "api.max_body_bytes", maxBodyBytes);
            positive(problems, "api.max_scan_addresses", maxScanAddresses);
            positive(problems, "api.max_scan_rate_pps", maxScanRatePps);
            if (resultTtl == null || resultTtl.isNegative() || resultTtl.isZero()) {
                problems.add("api.result_ttl", "must be positive, was " + resultTtl);
            }
            if (maxScanDuration == null || maxScanDuration.isNegative() || maxScanDuration.isZero()) {
                problems.add("api.max_scan_duration", "must be positive, was " + maxScanDuration);
            }
            problems.throwIfAny();
            return new HttpSettings(address, t, readNeedsToken, List.copyOf(allowed), perDeviceMetrics, hook,
                    maxConcurrentScans, scansPerMinutePerClient, resultTtl, maxBodyBytes, maxScanAddresses,
                    maxScanRatePps, maxScanDuration);
        }

        private static void positive(ConfigProblems problems, String key, int v) {
            if (v <= 0) {
                problems.add(key, "must be positive, was " + v);
            }
        }
    }
}
