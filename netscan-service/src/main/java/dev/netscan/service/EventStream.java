package dev.netscan.service;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code GET /api/v1/stream}: Server-Sent Events for the status page. Each client gets a
 * {@code status} event at once and every {@code interval} (the summary the page's header shows),
 * and a {@code device} event for every device event as it happens. A client that cannot keep up
 * loses device events (its queue holds {@value #QUEUE}; losses are counted in the next status),
 * never the server's memory. At most {@value #MAX_CLIENTS} clients at once (503 beyond).
 * Each client holds one virtual thread.
 */
final class EventStream implements HttpHandler {
    static final int MAX_CLIENTS = 32;
    static final int QUEUE = 256;

    private final DeviceEvents events;
    private final Supplier<Map<String, Object>> status;
    private final BearerAuth auth;
    private final long intervalMillis;
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicLong sequence = new AtomicLong();

    EventStream(DeviceEvents events, Supplier<Map<String, Object>> status, BearerAuth auth, long intervalMillis) {
        this.events = events;
        this.status = status;
        this.auth = auth;
        this.intervalMillis = intervalMillis;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        if (!Exchanges.isRead(ex)) {
            Exchanges.error(ex, 405, "GET only");
            return;
        }
        if (!auth.permits(ex, false)) {
            HealthServer.unauthorized(ex);
            return;
        }
        if (clients.incrementAndGet() > MAX_CLIENTS) {
            clients.decrementAndGet();
            ex.getResponseHeaders().set("Retry-After", "10");
            Exchanges.error(ex, 503, "too many event-stream clients (" + MAX_CLIENTS + ")");
            return;
        }
        BlockingQueue<DeviceEvents.Event> queue = new ArrayBlockingQueue<>(QUEUE);
        AtomicLong lost = new AtomicLong();
        Consumer<DeviceEvents.Event> sub = e -> {
            if (!queue.offer(e)) {
                lost.incrementAndGet();
            }
        };
        events.subscribe(sub);
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Accel-Buffering", "no");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            long nextStatus = 0;
            while (!Thread.currentThread().isInterrupted()) {
                long now = System.currentTimeMillis();
                if (now >= nextStatus) {
                    Map<String, Object> s = new java.util.LinkedHashMap<>(status.get());
                    s.put("seq", sequence.incrementAndGet());
                    s.put("events_lost", lost.get());
                    send(out, "status", s);
                    nextStatus = now + intervalMillis;
                }
                DeviceEvents.Event e = queue.poll(Math.max(1, nextStatus - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
                while (e != null) {
                    send(out, "device", e.json());
                    e = queue.poll();
                }
                out.flush();
            }
        } catch (IOException | InterruptedException gone) {
            // the client went away, or the server is stopping
        } finally {
            events.unsubscribe(sub);
            clients.decrementAndGet();
        }
    }

    private static void send(OutputStream out, String event, Object data) throws IOException {
        // JSON has no raw newlines, so one data line holds it
        out.write(("event: " + event + "\ndata: " + JSON.std.asString(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }
}
