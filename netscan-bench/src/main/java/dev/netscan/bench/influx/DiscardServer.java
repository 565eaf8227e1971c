package dev.netscan.bench.influx;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/** A loopback line-protocol endpoint that reads every body, counts its lines and answers 204. */
final class DiscardServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    final AtomicLong lines = new AtomicLong();

    DiscardServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            InputStream in = ex.getRequestBody();
            if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
                in = new GZIPInputStream(in, 64 * 1024);
            }
            byte[] buf = new byte[64 * 1024];
            long n = 0;
            int r;
            byte last = '\n';
            while ((r = in.read(buf)) > 0) {
                for (int i = 0; i < r; i++) {
                    if (buf[i] == '\n') n++;
                }
                last = buf[r - 1];
            }
            if (last != '\n') {
                n++; // influxdb-client-java leaves the last line without a newline
            }
            lines.addAndGet(n);
            ex.sendResponseHeaders(204, -1);
        }
    }

    /** Waits until {@code target} lines have arrived; fails after 30 s so a lossy peer cannot hang the run. */
    void awaitLines(long target) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (lines.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + lines.get() + " of " + target + " lines arrived in 30 s");
            }
            Thread.onSpinWait();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
