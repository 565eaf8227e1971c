package dev.netscan.influx;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An HTTP line-protocol endpoint under the test's control, on loopback: records every request,
 * keeps the lines of the requests it answered 2xx ("what the database holds"), and answers as the
 * current {@link Script} says (status, Retry-After, delay, dropped connection). It can also be
 * stopped and restarted on the same port to make a real outage (connection refused).
 */
final class FaultServer implements AutoCloseable {

    /** What to answer to request number {@code n} (0-based). Called on a server thread. */
    interface Script {
        Reply reply(int n, Request request) throws InterruptedException;
    }

    record Reply(int status, String body, Map<String, String> headers, boolean dropConnection) {
        static Reply ok() { return new Reply(204, "", Map.of(), false); }
        static Reply status(int s, String body) { return new Reply(s, body, Map.of(), false); }
        static Reply retryAfter(int s, String value) { return new Reply(s, "slow down", Map.of("Retry-After", value), false); }
        static Reply drop() { return new Reply(0, "", Map.of(), true); }
    }

    record Request(int n, long arrivedNanos, String method, URI uri, Map<String, List<String>> headers, String body) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue().getFirst();
            }
            return null;
        }
    }

    private final AtomicInteger counter = new AtomicInteger();
    private final List<Request> requests = new ArrayList<>();
    private final List<String> acceptedLines = new ArrayList<>();
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private volatile Script script = (n, r) -> Reply.ok();
    private volatile HttpServer server;
    private final int port;

    FaultServer() throws IOException {
        server = bind(0);
        port = server.getAddress().getPort();
    }

    private HttpServer bind(int p) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), 64);
        s.createContext("/", this::handle);
        s.setExecutor(executor);
        s.start();
        return s;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    void script(Script s) {
        script = s;
    }

    /** Stops listening: clients get connection refused until {@link #startAgain()}. */
    void stopListening() {
        HttpServer s = server;
        if (s != null) {
            s.stop(0);
            server = null;
        }
    }

    void startAgain() throws IOException {
        if (server == null) {
            server = bind(port);
        }
    }

    /**
     * Replaces the HTTP server by a raw socket that reads the start of each of the next
     * {@code count} requests and then resets the connection (SO_LINGER 0 -> TCP RST), then serves
     * HTTP again on the same port. Returns at once; the resets happen as clients connect.
     */
    Thread resetNextConnections(int count) throws IOException {
        stopListening();
        java.net.ServerSocket raw = new java.net.ServerSocket();
        raw.setReuseAddress(true);
        raw.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        return Thread.ofPlatform().daemon(true).start(() -> {
            try (raw) {
                for (int i = 0; i < count; i++) {
                    java.net.Socket s = raw.accept();
                    s.setSoTimeout(5_000);
                    s.getInputStream().read(new byte[256]);
                    s.setSoLinger(true, 0);
                    s.close();
                    resets.incrementAndGet();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            try {
                startAgain();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    final AtomicInteger resets = new AtomicInteger();

    synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    synchronized List<String> acceptedLines() {
        return List.copyOf(acceptedLines);
    }

    synchronized int acceptedCount() {
        return acceptedLines.size();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw = ex.getRequestBody().readAllBytes();
            String enc = ex.getRequestHeaders().getFirst("Content-Encoding");
            byte[] plain = raw;
            if ("gzip".equalsIgnoreCase(enc)) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                    plain = in.readAllBytes();
                }
            }
            String body = new String(plain, StandardCharsets.UTF_8);
            int n = counter.getAndIncrement();
            Request req = new Request(n, System.nanoTime(), ex.getRequestMethod(), ex.getRequestURI(),
                    Map.copyOf(ex.getRequestHeaders()), body);
            synchronized (this) {
                requests.add(req);
            }
            Reply reply;
            try {
                reply = script.reply(n, req);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (reply.dropConnection()) {
                // Close without any response: the client sees the connection end mid-request.
                return;
            }
            if (reply.status() >= 200 && reply.status() < 300) {
                synchronized (this) {
                    for (String line : body.split("\n")) {
                        if (!line.isEmpty()) acceptedLines.add(line);
                    }
                }
            }
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            byte[] out = reply.body().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(reply.status(), out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                ex.getResponseBody().write(out);
            }
        }
    }

    @Override
    public void close() {
        stopListening();
        executor.shutdownNow();
    }
}
