package dev.netscan.influx;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;

/**
 * What {@link InfluxWriter} says to the database, apart from when: the write URIs (v1 and v2, by
 * target and precision), the authorization header, building a request for a sealed batch,
 * reading {@code Retry-After}, and setting a refused batch aside in {@code dataDir/rejected/}.
 * Immutable apart from the rejected-file counter; used by the flush thread.
 */
final class InfluxEndpoint {

    /** How a request leaves: {@link HttpClient} in production; a test seam for failures. */
    interface Transport extends AutoCloseable {
        /** Starts the request; never blocks waiting for the answer. */
        CompletableFuture<HttpResponse<String>> send(HttpRequest request);

        @Override
        void close();

        /** HTTP/1.1 keep-alive over {@link HttpClient}; close never waits for a stalled request. */
        static Transport http(Duration connectTimeout) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(connectTimeout).build();
            return new Transport() {
                @Override
                public CompletableFuture<HttpResponse<String>> send(HttpRequest request) {
                    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
                }

                @Override
                public void close() {
                    http.shutdownNow();
                }
            };
        }
    }

    private static final System.Logger LOG = System.getLogger(InfluxWriter.class.getName());

    private final WriterConfig config;
    private final InstantSource clock;
    /** Write URIs by [health ? 1 : 0][precision ordinal]: a spooled batch keeps the precision it was encoded with. */
    private final URI[][] writeUris = new URI[2][Precision.values().length];
    private final String authHeader;
    private long rejectedFiles;

    InfluxEndpoint(WriterConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
        for (Precision p : Precision.values()) {
            writeUris[0][p.ordinal()] = writeUri(config, false, p);
            writeUris[1][p.ordinal()] = writeUri(config, true, p);
        }
        this.authHeader = authHeader(config);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static URI writeUri(WriterConfig c, boolean health, Precision precision) {
        String base = c.url().toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        StringBuilder b = new StringBuilder(base);
        if (c.api() == WriterConfig.Api.V2) {
            b.append("/api/v2/write?org=").append(enc(c.org()))
                    .append("&bucket=").append(enc(health ? c.healthBucket() : c.bucket()));
        } else {
            b.append("/write?db=").append(enc(health ? c.healthDatabase() : c.database()));
            if (c.retentionPolicy() != null && !c.retentionPolicy().isBlank()) {
                b.append("&rp=").append(enc(c.retentionPolicy()));
            }
            if (c.v1AuthInQuery() && c.username() != null) {
                b.append("&u=").append(enc(c.username())).append("&p=").append(enc(c.password()));
            }
        }
        b.append("&precision=").append(precision.queryValue());
        return URI.create(b.toString());
    }

    private static String authHeader(WriterConfig c) {
        if (c.api() == WriterConfig.Api.V2) {
            return "Token " + c.token();
        }
        if (c.username() != null && !c.v1AuthInQuery()) {
            return "Basic " + Base64.getEncoder().encodeToString(
                    (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    /** The request carrying a sealed batch ({@link Spool} flags say target, precision, gzip). */
    HttpRequest request(int flags, byte[] body) {
        URI uri = writeUris[(flags & Spool.FLAG_HEALTH) != 0 ? 1 : 0][(flags >> Spool.PRECISION_SHIFT) & 3];
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Content-Type", "text/plain; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if ((flags & Spool.FLAG_GZIP) != 0) {
            rb.header("Content-Encoding", "gzip");
        }
        if (authHeader != null) {
            rb.header("Authorization", authHeader);
        }
        return rb.build();
    }

    /** True for answers worth retrying: network error (status -1), 5xx, 408, 429, and 401/403/404 (an operator must act). */
    static boolean retryable(int status) {
        return status < 0 || status >= 500 || status == 408 || status == 429
                || status == 401 || status == 403 || status == 404;
    }

    /** Retry-After as seconds or an HTTP date (against the injected clock), capped; -1 when unparseable. */
    long retryAfterNanos(String value) {
        long cap = config.maxRetryAfter().toNanos();
        String v = value.trim();
        try {
            long secs = Long.parseLong(v);
            return Math.min(Math.max(0, secs) * 1_000_000_000L, cap);
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                long nanos = Duration.between(clock.instant(), at).toNanos();
                return Math.min(Math.max(0, nanos), cap);
            } catch (RuntimeException notDate) {
                return -1;
            }
        }
    }

    /** At most 512 characters of a server message, control characters blanked. */
    static String snippet(String body) {
        if (body == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(body.length(), 512));
        for (int i = 0; i < body.length() && b.length() < 512; i++) {
            char c = body.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return b.toString();
    }

    /** Writes a refused batch to {@code dataDir/rejected/} with the status and message; logs either way. */
    void setAside(int status, String message, int flags, int points, byte[] body) {
        Path dir = config.dataDir().resolve("rejected");
        String name = "rejected-" + clock.millis() + "-" + (++rejectedFiles) + ".lp";
        try {
            Files.createDirectories(dir);
            byte[] lines = (flags & Spool.FLAG_GZIP) != 0 ? Gzip.decompress(body) : body;
            byte[] header = ("# rejected by the server: HTTP " + status + ": " + snippet(message) + "\n"
                    + "# target: " + ((flags & Spool.FLAG_HEALTH) != 0 ? "health" : "data") + ", points: " + points + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            Path p = dir.resolve(name);
            Files.write(p, header, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.write(p, lines, StandardOpenOption.APPEND);
            LOG.log(System.Logger.Level.WARNING, "server refused a batch of {0} points (HTTP {1}: {2}); set aside in {3}",
                    points, status, snippet(message), p);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "server refused a batch of {0} points (HTTP {1}: {2}) and it could not be set aside: {3}",
                    points, status, snippet(message), e.getMessage());
        }
    }
}
