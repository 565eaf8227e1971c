package dev.netscan.service;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Device events POSTed as JSON ({@code {"events":[...]}}, at most {@value #BATCH} events a
 * request) to the operator's URL. {@link #offer} never blocks: events wait in a queue of
 * {@code capacity}; when it is full the event is dropped and counted. A failed POST (connection
 * error, timeout, non-2xx) is retried {@value #ATTEMPTS} times in all with doubling backoff from
 * {@code firstBackoff}; a batch that still fails is counted as failed. One virtual thread
 * delivers; {@link #close()} stops it (what is queued is dropped). The URL may carry a secret:
 * it is never logged.
 */
final class Webhook implements AutoCloseable {
    static final int BATCH = 100;
    static final int ATTEMPTS = 4;

    private final URI url;
    private final BlockingQueue<Map<String, Object>> queue;
    private final Duration firstBackoff;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final Thread sender;
    private volatile boolean closed;

    Webhook(URI url, int capacity, Duration firstBackoff) {
        this.url = url;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.firstBackoff = firstBackoff;
        this.sender = Thread.ofVirtual().name("netscan-webhook").start(this::run);
    }

    /** Queues one event; false (and counted as dropped) when the queue is full or closed. */
    boolean offer(Map<String, Object> event) {
        if (closed || !queue.offer(event)) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    long delivered() { return delivered.get(); }
    long failed() { return failed.get(); }
    long dropped() { return dropped.get(); }
    long retries() { return retries.get(); }

    private void run() {
        List<Map<String, Object>> batch = new ArrayList<>(BATCH);
        try {
            while (!closed) {
                Map<String, Object> first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                if (deliver(batch)) {
                    delivered.addAndGet(batch.size());
                } else {
                    failed.addAndGet(batch.size());
                }
                batch.clear();
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private boolean deliver(List<Map<String, Object>> batch) throws InterruptedException {
        byte[] body;
        try {
            body = JSON.std.asBytes(Map.of("events", batch));
        } catch (IOException e) {
            return false;
        }
        HttpRequest req = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").header("User-Agent", "netscan/" + NetscanService.version())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        long backoff = firstBackoff.toMillis();
        for (int attempt = 1; attempt <= ATTEMPTS && !closed; attempt++) {
            try {
                int status = http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status / 100 == 2) {
                    return true;
                }
            } catch (IOException e) {
                // retried below
            }
            if (attempt < ATTEMPTS) {
                retries.incrementAndGet();
                Thread.sleep(backoff); // backoff between attempts, not synchronisation
                backoff = Math.min(backoff * 2, 60_000);
            }
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        sender.interrupt();
        dropped.addAndGet(queue.size());
        queue.clear();
    }
}
