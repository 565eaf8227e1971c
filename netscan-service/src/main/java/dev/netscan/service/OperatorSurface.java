package dev.netscan.service;

import dev.netscan.core.MetricsSink;
import dev.netscan.state.RegistryListener;
import dev.netscan.core.DeviceEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalInt;

/**
 * Everything the operator sees of one service, in one place: the per-device history fed by the
 * ping results, {@code /metrics}, and the HTTP server that serves them with {@code /health}.
 * {@link NetscanService} creates it at start (before the scheduler, which writes through
 * {@link #observe}) and closes it first at shutdown. Thread-safe.
 */
final class OperatorSurface implements AutoCloseable {
    private final NetscanService service;
    private final HttpSettings settings;
    private final DeviceHistory history;
    private final PrometheusMetrics metrics;
    private final RegistryListener devices;
    private final DeviceEvents events;
    private final RemoteScans scans;
    private final Webhook webhook; // null without api.webhook
    /** Where device_event points go; set by {@link #observe} before the scheduler starts. */
    private volatile MetricsSink sink;
    /** Set once by {@link #startHttp}, under the service's lifecycle lock. */
    private volatile HealthServer http;

    OperatorSurface(NetscanService service, HttpSettings settings) {
        this.service = service;
        this.settings = settings;
        this.history = new DeviceHistory(settings.perDeviceMetrics());
        this.metrics = new PrometheusMetrics(service::healthFieldsIfStarted, service::activeAlertsIfStarted, history, service::devices);
        this.events = new DeviceEvents(System::currentTimeMillis,
                ip -> service.device(ip).map(d -> d.snmp().sysName()).orElse(null));
        this.webhook = settings.webhook() == null ? null : new Webhook(settings.webhook(), 10_000, Duration.ofSeconds(1));
        events.subscribe(e -> {
            MetricsSink s = sink;
            if (s != null) {
                s.offerDeviceEvent(new DeviceEvent(e.ipv4(), e.type(), e.name(), e.epochMillis() * 1_000_000));
            }
            if (webhook != null) {
                webhook.offer(e.json());
            }
        });
        if (webhook != null) {
            metrics.registry().register((io.prometheus.metrics.model.registry.MultiCollector) () -> {
                var c = io.prometheus.metrics.model.snapshots.CounterSnapshot.builder().name("netscan_webhook_events")
                        .help("Device events for the webhook by result: delivered, failed (after retries), dropped (queue full).");
                for (var r : new Object[][] {{"delivered", webhook.delivered()}, {"failed", webhook.failed()}, {"dropped", webhook.dropped()}}) {
                    c.dataPoint(io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot.builder()
                            .labels(io.prometheus.metrics.model.snapshots.Labels.of("result", (String) r[0]))
                            .value((Long) r[1]).build());
                }
                return new io.prometheus.metrics.model.snapshots.MetricSnapshots(c.build());
            });
        }
        RegistryListener ev = events.listener();
        this.devices = new RegistryListener() {
            @Override public void onAdded(int ipv4) { ev.onAdded(ipv4); }
            @Override public void onEvicted(int ipv4) { history.forget(ipv4); ev.onEvicted(ipv4); }
            @Override public void onPruned(int ipv4) { history.forget(ipv4); ev.onPruned(ipv4); }
            @Override public void onRemoved(int ipv4) { history.forget(ipv4); ev.onRemoved(ipv4); }
            @Override public void onSuspended(int ipv4, long until, int n) { ev.onSuspended(ipv4, until, n); }
            @Override public void onResumed(int ipv4, boolean expired) { ev.onResumed(ipv4, expired); }
        };
        this.scans = new RemoteScans(settings, service::engine, () -> service.config().targets(),
                service.config().pingTimeout(), System::currentTimeMillis, System::nanoTime);
    }

    /**
     * The sink the scheduler writes to: records every ping in the history, then passes it on.
     * Device events go to {@code sink} as {@code device_event} points from now on.
     */
    MetricsSink observe(MetricsSink sink) {
        this.sink = sink;
        return new ObservingSink(sink, history);
    }

    /** The webhook, or null when none is configured. */
    Webhook webhook() {
        return webhook;
    }

    /** Registry events for the surface; quick, never blocks (called under the registry's lock). */
    RegistryListener deviceListener() {
        return devices;
    }

    DeviceHistory history() {
        return history;
    }

    PrometheusMetrics metrics() {
        return metrics;
    }

    DeviceEvents events() {
        return events;
    }

    RemoteScans scans() {
        return scans;
    }

    /** Starts the HTTP server on {@code port} (0 picks one). */
    void startHttp(int port) throws IOException {
        http = HealthServer.start(settings, port, service::healthDocument, service::ready, metrics, s -> {
            ApiRoutes api = new ApiRoutes(service, this, scans, settings);
            BearerAuth auth = new BearerAuth(settings);
            s.createContext("/api/v1/", api);
            s.createContext("/api/v1/stream", new EventStream(events, api::status, auth, 2_000));
            s.createContext("/", new StaticAssets(auth));
        });
    }

    /** The bound port, empty when no server runs. */
    OptionalInt httpPort() {
        HealthServer h = http;
        return h == null ? OptionalInt.empty() : OptionalInt.of(h.port());
    }

    @Override
    public void close() {
        scans.close();
        if (webhook != null) {
            webhook.close();
        }
        HealthServer h = http;
        if (h != null) {
            h.close();
        }
    }
}
