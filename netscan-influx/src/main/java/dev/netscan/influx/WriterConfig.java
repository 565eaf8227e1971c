package dev.netscan.influx;

import dev.netscan.core.ConfigProblems;
import dev.netscan.core.InvalidConfigException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Immutable configuration of an {@link InfluxWriter}. Build with {@link #v2(URI, String, String,
 * String)} or {@link #v1(URI, String)} and the {@link Builder}; {@link Builder#build()} checks
 * everything and reports every problem at once in an {@link InvalidConfigException}.
 *
 * <p>Config keys (the YAML names the CLI maps to builder methods) are listed on each component.
 *
 * @param url base URL of the server ({@code url}), e.g. {@code http://127.0.0.1:8086}
 * @param api which write API ({@code api}: {@code v2} or {@code v1})
 * @param org v2 organisation ({@code org})
 * @param bucket v2 bucket for ping/device/stats points ({@code bucket})
 * @param healthBucket v2 bucket for {@code health_metrics} ({@code health_bucket}; default: bucket)
 * @param token v2 API token, sent as {@code Authorization: Token ...} ({@code token})
 * @param database v1 database ({@code database})
 * @param healthDatabase v1 database for health ({@code health_database}; default: database)
 * @param retentionPolicy v1 retention policy, may be null ({@code retention_policy})
 * @param username v1 user, may be null ({@code username})
 * @param password v1 password, may be null ({@code password})
 * @param v1AuthInQuery v1 credentials as {@code u=&p=} query parameters instead of HTTP basic
 *     auth ({@code v1_auth_in_query})
 * @param precision timestamp precision ({@code precision}: ns, us, ms, s)
 * @param batchSize points per batch ({@code batch_size}, 1..100,000, default 5,000)
 * @param flushInterval longest a point waits in a partial batch ({@code flush_interval}, default 5 s)
 * @param queueCapacity bound of the in-memory MPSC queue in points ({@code queue_capacity},
 *     default 131,072); an offer to a full queue is refused and counted as dropped
 * @param queueHighWater queue depth above which sealed batches go straight to the spool
 *     ({@code queue_high_water}, default 3/4 of the capacity)
 * @param memoryBatchBytes compressed bytes of sealed batches kept in memory waiting to be sent
 *     before they are moved to the spool ({@code memory_batch_bytes}, default 8 MiB)
 * @param gzip compress request bodies ({@code gzip}, default true)
 * @param connectTimeout TCP connect timeout ({@code connect_timeout}, default 5 s)
 * @param requestTimeout time for one write request ({@code request_timeout}, default 30 s)
 * @param retryInitialBackoff first retry delay ({@code retry_initial_backoff}, default 1 s)
 * @param retryMaxBackoff largest retry delay ({@code retry_max_backoff}, default 60 s)
 * @param maxRetryAfter cap on a server's {@code Retry-After} ({@code max_retry_after}, default 5 min)
 * @param dataDir directory for the spool and rejected batches ({@code data_dir})
 * @param spoolMaxBytes spool size cap ({@code spool_max_bytes}, default 1 GiB); when reached,
 *     the oldest whole segments are dropped and counted
 * @param spoolSegmentBytes spool segment file size ({@code spool_segment_bytes}, default 16 MiB)
 * @param spoolFsync force each spooled record to the device ({@code spool_fsync}, default true)
 * @param closeTimeout how long {@code close()} tries to deliver before spooling the rest
 * @param tags tags written on every point, after the measurement name (default none)
 *     ({@code close_timeout}, default 10 s)
 */
public record WriterConfig(
        URI url,
        Api api,
        String org,
        String bucket,
        String healthBucket,
        String token,
        String database,
        String healthDatabase,
        String retentionPolicy,
        String username,
        String password,
        boolean v1AuthInQuery,
        Precision precision,
        int batchSize,
        Duration flushInterval,
        int queueCapacity,
        int queueHighWater,
        long memoryBatchBytes,
        boolean gzip,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        Duration maxRetryAfter,
        Path dataDir,
        long spoolMaxBytes,
        long spoolSegmentBytes,
        boolean spoolFsync,
        Duration closeTimeout,
        Map<String, String> tags) {

    /** Smallest batch size the governor may set at runtime. */
    public static final int MIN_RUNTIME_BATCH_SIZE = 500;
    /** Largest batch size the governor may set at runtime. */
    public static final int MAX_RUNTIME_BATCH_SIZE = 5_000;

    /** Which HTTP write API to speak. */
    public enum Api {
        /** InfluxDB 2.x/3.x {@code /api/v2/write?org=&bucket=&precision=} with a token. */
        V2,
        /** InfluxDB 1.x {@code /write?db=&rp=&precision=} with optional user/password. */
        V1
    }

    /** A builder for InfluxDB v2: url, organisation, bucket, token. */
    public static Builder v2(URI url, String org, String bucket, String token) {
        Builder b = new Builder();
        b.url = url;
        b.api = Api.V2;
        b.org = org;
        b.bucket = bucket;
        b.token = token;
        return b;
    }

    /** A builder for InfluxDB v1: url and database. */
    public static Builder v1(URI url, String database) {
        Builder b = new Builder();
        b.url = url;
        b.api = Api.V1;
        b.database = database;
        return b;
    }

    /** A builder with every value copied from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.url = url;
        b.api = api;
        b.org = org;
        b.bucket = bucket;
        b.healthBucket = healthBucket;
        b.token = token;
        b.database = database;
        b.healthDatabase = healthDatabase;
        b.retentionPolicy = retentionPolicy;
        b.username = username;
        b.password = password;
        b.v1AuthInQuery = v1AuthInQuery;
        b.precision = precision;
        b.batchSize = batchSize;
        b.flushInterval = flushInterval;
        b.queueCapacity = queueCapacity;
        b.queueHighWater = queueHighWater;
        b.memoryBatchBytes = memoryBatchBytes;
        b.gzip = gzip;
        b.connectTimeout = connectTimeout;
        b.requestTimeout = requestTimeout;
        b.retryInitialBackoff = retryInitialBackoff;
        b.retryMaxBackoff = retryMaxBackoff;
        b.maxRetryAfter = maxRetryAfter;
        b.dataDir = dataDir;
        b.spoolMaxBytes = spoolMaxBytes;
        b.spoolSegmentBytes = spoolSegmentBytes;
        b.spoolFsync = spoolFsync;
        b.closeTimeout = closeTimeout;
        b.tags.putAll(tags);
        return b;
    }

    /** {@code toString} without secrets. */
    @Override
    public String toString() {
        return "WriterConfig[url=" + url + ", api=" + api + ", org=" + org + ", bucket=" + bucket
                + ", database=" + database + ", precision=" + precision.queryValue() + ", batchSize=" + batchSize
                + ", flushInterval=" + flushInterval + ", dataDir=" + dataDir + ", spoolMaxBytes=" + spoolMaxBytes
                + ", token=" + (token == null ? "none" : "***") + ", password=" + (password == null ? "none" : "***") + "]";
    }

    /** Mutable builder; not thread-safe. Defaults as documented on {@link WriterConfig}. */
    public static final class Builder {
        private URI url;
        private Api api;
        private String org;
        private String bucket;
        private String healthBucket;
        private String token;
        private String database;
        private String healthDatabase;
        private String retentionPolicy;
        private String username;
        private String password;
        private boolean v1AuthInQuery;
        private Precision precision = Precision.NANOSECONDS;
        private int batchSize = 5_000;
        private Duration flushInterval = Duration.ofSeconds(5);
        private int queueCapacity = 131_072;
        private int queueHighWater = -1;
        private long memoryBatchBytes = 8L << 20;
        private boolean gzip = true;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration retryInitialBackoff = Duration.ofSeconds(1);
        private Duration retryMaxBackoff = Duration.ofSeconds(60);
        private Duration maxRetryAfter = Duration.ofMinutes(5);
        private Path dataDir;
        private long spoolMaxBytes = 1L << 30;
        private long spoolSegmentBytes = 16L << 20;
        private boolean spoolFsync = true;
        private Duration closeTimeout = Duration.ofSeconds(10);
        private final Map<String, String> tags = new TreeMap<>();

        private Builder() {}

        public Builder url(URI v) { url = v; return this; }
        public Builder org(String v) { org = v; return this; }
        public Builder bucket(String v) { bucket = v; return this; }
        public Builder healthBucket(String v) { healthBucket = v; return this; }
        public Builder token(String v) { token = v; return this; }
        public Builder database(String v) { database = v; return this; }
        public Builder healthDatabase(String v) { healthDatabase = v; return this; }
        public Builder retentionPolicy(String v) { retentionPolicy = v; return this; }
        /** v1 credentials (either may be null for none). */
        public Builder credentials(String user, String pass) { username = user; password = pass; return this; }
        public Builder v1AuthInQuery(boolean v) { v1AuthInQuery = v; return this; }
        public Builder precision(Precision v) { precision = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder flushInterval(Duration v) { flushInterval = v; return this; }
        public Builder queueCapacity(int v) { queueCapacity = v; return this; }
        public Builder queueHighWater(int v) { queueHighWater = v; return this; }
        public Builder memoryBatchBytes(long v) { memoryBatchBytes = v; return this; }
        public Builder gzip(boolean v) { gzip = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder retryInitialBackoff(Duration v) { retryInitialBackoff = v; return this; }
        public Builder retryMaxBackoff(Duration v) { retryMaxBackoff = v; return this; }
        public Builder maxRetryAfter(Duration v) { maxRetryAfter = v; return this; }
        public Builder dataDir(Path v) { dataDir = v; return this; }
        /** A tag written on every point (e.g. a fleet member's {@code instance}); none by default. */
        public Builder tag(String key, String value) { tags.put(key, value); return this; }
        public Builder spoolMaxBytes(long v) { spoolMaxBytes = v; return this; }
        public Builder spoolSegmentBytes(long v) { spoolSegmentBytes = v; return this; }
        public Builder spoolFsync(boolean v) { spoolFsync = v; return this; }
        public Builder closeTimeout(Duration v) { closeTimeout = v; return this; }

        /**
         * Validates and builds.
         *
         * @throws InvalidConfigException listing every problem, keyed by component name
         *     ({@code batchSize}, {@code url}, ...); never quoting a token or password
         */
        public WriterConfig build() {
            ConfigProblems problems = new ConfigProblems();
            if (problems.required("url", url)) {
                if (!("http".equals(url.getScheme()) || "https".equals(url.getScheme())) || url.getHost() == null) {
                    problems.add("url", "must be http:// or https:// with a host, was '" + url + "'");
                } else if (url.getRawQuery() != null) {
                    problems.add("url", "must not have a query string (" + url + "); use the org/bucket/database settings");
                }
            }
            if (api == Api.V2) {
                problems.check(!blank(org), "org", "is required for the v2 API");
                problems.check(!blank(bucket), "bucket", "is required for the v2 API");
                problems.check(!blank(token), "token", "is required for the v2 API");
            } else if (api == Api.V1) {
                problems.check(!blank(database), "database", "is required for the v1 API");
                problems.check((username == null) == (password == null), "username", "and password must be given together");
            } else {
                problems.add("api", "is required (v1 or v2)");
            }
            problems.check(precision != null, "precision", "is required (ns, us, ms, s)");
            problems.range("batchSize", batchSize, 1, 100_000);
            positive(problems, "flushInterval", flushInterval);
            int hw = queueCapacity / 4 * 3;
            if (problems.range("queueCapacity", queueCapacity, 16, 1 << 26)) {
                hw = queueHighWater < 0 ? hw : queueHighWater;
                problems.range("queueHighWater", hw, 1, queueCapacity);
            }
            problems.check(memoryBatchBytes >= 0, "memoryBatchBytes", "must be >= 0, was " + memoryBatchBytes);
            positive(problems, "connectTimeout", connectTimeout);
            positive(problems, "requestTimeout", requestTimeout);
            boolean initial = positive(problems, "retryInitialBackoff", retryInitialBackoff);
            if (positive(problems, "retryMaxBackoff", retryMaxBackoff) && initial) {
                problems.check(retryMaxBackoff.compareTo(retryInitialBackoff) >= 0, "retryMaxBackoff",
                        "must be at least retryInitialBackoff (" + retryInitialBackoff + "), was " + retryMaxBackoff);
            }
            positive(problems, "maxRetryAfter", maxRetryAfter);
            positive(problems, "closeTimeout", closeTimeout);
            problems.check(dataDir != null, "dataDir", "is required (the spool and rejected batches live there)");
            if (problems.range("spoolSegmentBytes", spoolSegmentBytes, 4096, 1L << 30)) {
                problems.check(spoolMaxBytes >= 2 * spoolSegmentBytes, "spoolMaxBytes",
                        "must be at least two segments (2 x " + spoolSegmentBytes + " bytes), was " + spoolMaxBytes);
            }
            tags.forEach((k, v) -> problems.check(!blank(k) && !blank(v), "tags", "key and value must not be empty"));
            problems.throwIfAny();
            return new WriterConfig(url, api, org, bucket, blank(healthBucket) ? bucket : healthBucket, token,
                    database, blank(healthDatabase) ? database : healthDatabase, retentionPolicy, username, password,
                    v1AuthInQuery, precision, batchSize, flushInterval, queueCapacity, hw, memoryBatchBytes, gzip,
                    connectTimeout, requestTimeout, retryInitialBackoff, retryMaxBackoff, maxRetryAfter,
                    dataDir, spoolMaxBytes, spoolSegmentBytes, spoolFsync, closeTimeout, Map.copyOf(tags));
        }

        private static boolean blank(String s) {
            return s == null || s.isBlank();
        }

        private static boolean positive(ConfigProblems problems, String name, Duration d) {
            return problems.required(name, d) && problems.check(d.isPositive(), name, "must be a positive duration, was " + d);
        }
    }
}
