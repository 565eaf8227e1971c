package dev.netscan.bench.influx;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * A loopback line-protocol endpoint for the outage benchmark that checks every point: each ping
 * line of {@link BenchPoints} maps to one bit (round x device); it counts lines, duplicates and
 * lines it cannot place. Can be started late (the outage is the time before {@link #start()}).
 */
final class VerifyingServer implements AutoCloseable {
    private final int port;
    private final int devices;
    private final long t0;
    private final long[] bits;
    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private HttpServer server;
    /** When set, every verified body is forwarded to this database and its answer returned. */
    private final String forwardTo;
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    long lines;
    long duplicates;
    long foreign;

    VerifyingServer(int port, int devices, long maxPoints, long t0) {
        this(port, devices, maxPoints, t0, null);
    }

    VerifyingServer(int port, int devices, long maxPoints, long t0, String forwardTo) {
        this.forwardTo = forwardTo;
        this.port = port;
        this.devices = devices;
        this.t0 = t0;
        this.bits = new long[(int) ((maxPoints + 63) / 64)];
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    synchronized void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] raw = ex.getRequestBody().readAllBytes();
            boolean gz = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"));
            int status = 204;
            if (forwardTo != null) {
                java.net.http.HttpRequest.Builder rb = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(forwardTo + ex.getRequestURI())).POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(raw));
                if (gz) rb.header("Content-Encoding", "gzip");
                try {
                    status = http.send(rb.build(), java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    status = 503;
                }
                if (status / 100 != 2) {
                    ex.sendResponseHeaders(status, -1);
                    return;
                }
            }
            InputStream in = new java.io.ByteArrayInputStream(raw);
            if (gz) {
                in = new GZIPInputStream(in, 64 * 1024);
            }
            byte[] body = in.readAllBytes();
            int start = 0;
            for (int i = 0; i < body.length; i++) {
                if (body[i] == '\n') {
                    place(body, start, i);
                    start = i + 1;
                }
            }
            ex.sendResponseHeaders(status, -1);
        }
    }

    private void place(byte[] b, int from, int to) {
        // ping,ip=A.B.C.D ... <ts>
        int p = from + "ping,ip=".length();
        int ip = 0;
        int octet = 0;
        while (p < to && b[p] != ' ') {
            if (b[p] == '.') {
                ip = (ip << 8) | octet;
                octet = 0;
            } else {
                octet = octet * 10 + (b[p] - '0');
            }
            p++;
        }
        ip = (ip << 8) | octet;
        int sp = to - 1;
        while (sp > from && b[sp] != ' ') sp--;
        long ts = 0;
        for (int i = sp + 1; i < to; i++) ts = ts * 10 + (b[i] - '0');
        int dev = ip - 0x0A000001;
        long round = (ts - t0 - dev * 50_000L) / 1_000_000_000L;
        long idx = round * devices + dev;
        synchronized (this) {
            lines++;
            if (dev < 0 || dev >= devices || idx < 0 || idx >= (long) bits.length * 64) {
                foreign++;
                return;
            }
            long mask = 1L << (idx & 63);
            int w = (int) (idx >>> 6);
            if ((bits[w] & mask) != 0) duplicates++;
            bits[w] |= mask;
        }
    }

    /** Indices in [0, n) never received. */
    synchronized long missing(long n) {
        long miss = 0;
        for (long i = 0; i < n; i++) {
            if ((bits[(int) (i >>> 6)] & (1L << (i & 63))) == 0) miss++;
        }
        return miss;
    }

    @Override
    public synchronized void close() {
        if (server != null) server.stop(0);
        pool.shutdownNow();
    }
}
