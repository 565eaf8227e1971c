package dev.netscan.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.jr.ob.JSON;
import com.sun.net.httpserver.HttpServer;
import dev.netscan.core.DeviceEvent;
import dev.netscan.core.HealthReport;
import dev.netscan.core.Ipv4;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import dev.netscan.influx.LineProtocolEncoder;
import dev.netscan.influx.Measurements;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DeviceEventsTest {

    @Test
    void suspensionIsDownAReplyWhileSuspendedIsUpAndAnExpiredSuspensionIsNeither() {
        List<DeviceEvents.Event> seen = new ArrayList<>();
        DeviceEvents events = new DeviceEvents(() -> 1_000L, ip -> ip == 1 ? "core-sw" : null);
        events.subscribe(seen::add);
        var l = events.listener();
        l.onAdded(1);
        l.onSuspended(1, 5_000, 1);
        l.onSuspended(1, 9_000, 2); // still down: no second event
        l.onResumed(1, true);       // the suspension ran out: pinged again, not up
        l.onResumed(1, false);      // it answered
        l.onEvicted(2);
        assertThat(seen).extracting(DeviceEvents.Event::type).containsExactly("new", "down", "up", "evicted");
        assertThat(seen.get(1).name()).isEqualTo("core-sw");
        assertThat(events.recent()).first().satisfies(m -> assertThat(m).containsEntry("type", "evicted").containsEntry("address", "0.0.0.2"));
    }

    @Test
    void theRingKeepsTheLast200() {
        DeviceEvents events = new DeviceEvents(System::currentTimeMillis, ip -> null);
        for (int i = 0; i < 500; i++) {
            events.emit("new", i);
        }
        assertThat(events.recent()).hasSize(DeviceEvents.KEPT).first().satisfies(m -> assertThat(m).containsEntry("address", Ipv4.format(499)));
    }

    @Test
    void deviceEventLineProtocol() {
        LineProtocolEncoder enc = new LineProtocolEncoder();
        Measurements.deviceEvent(enc, new DeviceEvent(Ipv4.parse("10.1.2.3"), "down", "sw \"a\"", 1_700_000_000_000_000_000L));
        assertThat(new String(enc.array(), 0, enc.size(), StandardCharsets.UTF_8))
                .isEqualTo("device_event,ip=10.1.2.3,event=down name=\"sw \\\"a\\\"\",count=1i 1700000000000000000\n");
    }

    /** A sink that keeps device events. */
    static final class EventSink implements MetricsSink {
        final ConcurrentLinkedQueue<DeviceEvent> events = new ConcurrentLinkedQueue<>();
        @Override public boolean offerPing(PingResult r) { return true; }
        @Override public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long ts) { return true; }
        @Override public boolean offerPingStats(PingStats s) { return true; }
        @Override public boolean offerHealth(HealthReport h) { return true; }
        @Override public boolean offerDeviceEvent(DeviceEvent e) { events.add(e); return true; }
    }

    @Test
    void newDevicesBecomeDeviceEventPointsAndReachTheWebhookAfterARetry(@TempDir Path dir) throws Exception {
        CopyOnWriteArrayList<Map<String, Object>> received = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        HttpServer hook = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        hook.createContext("/hook", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            if (calls.incrementAndGet() == 1) {
                ex.sendResponseHeaders(500, -1); // the first delivery fails and is retried
            } else {
                received.add(JSON.std.mapFrom(body));
                ex.sendResponseHeaders(204, -1);
            }
            ex.close();
        });
        hook.start();
        try {
            EventSink sink = new EventSink();
            NetscanConfig config = TestServices.config(dir, "127.0.8.0/29").build();
            HttpSettings settings = HttpSettings.builder().webhook("http://127.0.0.1:" + hook.getAddress().getPort() + "/hook").build();
            try (NetscanService s = TestServices.start(NetscanService.builder(config).sink(sink).httpSettings(settings).build())) {
                s.sweepNow();
                assertThat(TestServices.await(Duration.ofSeconds(20), () -> received.stream()
                        .mapToInt(m -> ((List<?>) m.get("events")).size()).sum() >= 6)).as("six new-device events delivered").isTrue();
                assertThat(calls.get()).isGreaterThanOrEqualTo(2);
                assertThat(sink.events).hasSize(6).allSatisfy(e -> assertThat(e.type()).isEqualTo("new"));
                String metrics = TestServices.get(java.net.http.HttpClient.newHttpClient(), s.httpPort().orElseThrow(), "/metrics").body();
                assertThat(metrics).contains("netscan_webhook_events_total{result=\"delivered\"} 6.0");
            }
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void aFullQueueDropsAndCounts() throws Exception {
        // nothing listens on this loopback port: every delivery fails, slowly enough for the queue to fill
        int port = TestServices.freePort();
        try (Webhook w = new Webhook(URI.create("http://127.0.0.1:" + port + "/"), 2, Duration.ofSeconds(5))) {
            int accepted = 0;
            for (int i = 0; i < 10; i++) {
                if (w.offer(Map.of("i", i))) {
                    accepted++;
                }
            }
            assertThat(accepted).isLessThanOrEqualTo(3); // 2 queued + at most 1 taken by the sender
            assertThat(w.dropped()).isEqualTo(10 - accepted);
        }
    }
}
