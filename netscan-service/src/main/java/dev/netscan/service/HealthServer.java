package dev.netscan.service;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The service's HTTP server, on {@link HttpSettings#bindAddress()} (loopback by default):
 * <ul>
 *   <li>{@code GET /health}: JSON document from {@code health} (status, version, uptime, counters,
 *       alerts...);
 *   <li>{@code GET /health/ready}: 200 when {@code ready} says so (first sweep done, writer up),
 *       otherwise 503;
 *   <li>{@code GET /health/live}: 200 while the process serves requests;
 *   <li>{@code GET /metrics}: Prometheus text exposition from {@link PrometheusMetrics};
 *   <li>whatever {@code more} adds (the status page and the REST API).
 * </ul>
 * {@code /health} and {@code /metrics} need the token when {@link HttpSettings#readNeedsToken()};
 * liveness and readiness never do. Requests are served on virtual threads. {@link #close()} stops
 * within a second.
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    private HealthServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Starts serving on {@code settings.bindAddress():port} (0 picks a free port).
     *
     * @param more registers further contexts before the server starts
     */
    static HealthServer start(HttpSettings settings, int port, Supplier<Map<String, Object>> health, BooleanSupplier ready,
            PrometheusMetrics metrics, Consumer<HttpServer> more) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(settings.bindAddress(), port), 64);
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        s.setExecutor(executor);
        BearerAuth auth = new BearerAuth(settings);
        s.createContext("/health", ex -> {
            if (!Exchanges.isRead(ex)) {
                Exchanges.text(ex, 405, "text/plain", "method not allowed\n");
                return;
            }
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/health" -> {
                    if (!auth.permits(ex, false)) {
                        unauthorized(ex);
                    } else {
                        Exchanges.text(ex, 200, "application/json", Json.write(health.get()));
                    }
                }
                case "/health/ready" -> {
                    boolean ok = ready.getAsBoolean();
                    Exchanges.text(ex, ok ? 200 : 503, "application/json", ok ? "{\"ready\":true}" : "{\"ready\":false}");
                }
                case "/health/live" -> Exchanges.text(ex, 200, "application/json", "{\"live\":true}");
                default -> Exchanges.text(ex, 404, "text/plain", "not found\n");
            }
        });
        s.createContext("/metrics", ex -> {
            if (!Exchanges.isRead(ex)) {
                Exchanges.text(ex, 405, "text/plain", "method not allowed\n");
            } else if (!auth.permits(ex, false)) {
                unauthorized(ex);
            } else {
                ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
                metrics.write(out);
                Exchanges.send(ex, 200, metrics.contentType(), out.toByteArray());
            }
        });
        more.accept(s);
        s.start();
        return new HealthServer(s, executor);
    }

    static void unauthorized(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"netscan\"");
        Exchanges.error(ex, 401, "a valid bearer token is required (Authorization: Bearer <token>)");
    }

    /** The port actually bound. */
    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdownNow(); // ends open event streams
    }
}
