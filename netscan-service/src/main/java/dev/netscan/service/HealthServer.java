package dev.netscan.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The health endpoint, on loopback only:
 * <ul>
 *   <li>{@code GET /health}: JSON document from {@code health} (status, version, uptime, counters,
 *       alerts...);
 *   <li>{@code GET /health/ready}: 200 when {@code ready} says so (first sweep done, writer up),
 *       otherwise 503;
 *   <li>{@code GET /health/live}: 200 while the process serves requests;
 *   <li>{@code GET /metrics}: Prometheus text exposition (0.0.4) of {@code metrics}, each name
 *       prefixed {@code netscan_}.
 * </ul>
 * Requests are served on virtual threads. {@link #close()} stops within a second.
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    private HealthServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts serving on {@code 127.0.0.1:port} (0 picks a free port).
     *
     * @param metrics name to value; names are snake_case, values numbers or booleans
     */
    static HealthServer start(int port, Supplier<Map<String, Object>> health, BooleanSupplier ready,
            Supplier<Map<String, Object>> metrics) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        s.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        s.createContext("/health", ex -> {
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/health" -> send(ex, 200, "application/json", Json.write(health.get()));
                case "/health/ready" -> {
                    boolean ok = ready.getAsBoolean();
                    send(ex, ok ? 200 : 503, "application/json", ok ? "{\"ready\":true}" : "{\"ready\":false}");
                }
                case "/health/live" -> send(ex, 200, "application/json", "{\"live\":true}");
                default -> send(ex, 404, "text/plain", "not found\n");
            }
        });
        s.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                prometheus(metrics.get())));
        s.createContext("/", ex -> send(ex, 404, "text/plain", "not found: try /health or /metrics\n"));
        s.start();
        return new HealthServer(s);
    }

    /** The port actually bound. */
    int port() {
        return server.getAddress().getPort();
    }

    static String prometheus(Map<String, Object> metrics) {
        StringBuilder out = new StringBuilder(2048);
        for (Map.Entry<String, Object> e : metrics.entrySet()) {
            String name = "netscan_" + e.getKey().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
            Object v = e.getValue();
            double value;
            if (v instanceof Boolean b) {
                value = b ? 1 : 0;
            } else if (v instanceof Number n) {
                value = n.doubleValue();
            } else {
                continue;
            }
            if (Double.isNaN(value)) {
                continue; // unavailable values are absent, never 0
            }
            out.append("# TYPE ").append(name).append(name.endsWith("_total") ? " counter\n" : " gauge\n");
            out.append(name).append(' ');
            if (value == Math.rint(value) && Math.abs(value) < 1e15) {
                out.append((long) value);
            } else {
                out.append(value);
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                status = 405;
                body = "method not allowed\n";
                type = "text/plain";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(status, "HEAD".equals(ex.getRequestMethod()) ? -1 : bytes.length);
            if (!"HEAD".equals(ex.getRequestMethod())) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(bytes);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(1);
    }
}
