package dev.netscan.cli;

import dev.netscan.core.NetscanConfig;
import dev.netscan.core.governor.Alert;
import dev.netscan.service.NetscanService;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code netscan monitor}: the 24/7 service, until SIGTERM/SIGINT or for a duration. */
@Command(name = "monitor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs netscan as a service: discovery sweeps, continuous pings, SNMP, time series, health.",
            "Stops gracefully on SIGTERM or SIGINT (flushes the writer, saves the registry) and exits 0."})
final class MonitorCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "YAML configuration (see netscan.example.yml).")
    Path config;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long (default: run until stopped).")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        ConfigFile.Result loaded = ConfigFile.load(config);
        for (String w : loaded.warnings()) {
            System.err.println("netscan: warning: " + w);
        }
        NetscanConfig c = loaded.config();
        // a guessable snmp.community is warned about once, by the SNMP scanner as it starts
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try (NetscanService service = NetscanService.builder(c).build()) {
            service.start();
            HealthServer health = null;
            if (c.healthCheckPort() > 0) {
                health = startHealth(service, c.healthCheckPort());
            }
            System.err.printf("netscan: monitoring %s (%d addresses), data in %s%s, socket %s%n", c.networks(),
                    c.targets().size(), c.dataDir().toAbsolutePath(),
                    health == null ? "" : ", health on http://127.0.0.1:" + health.port() + "/health",
                    service.icmpCounters().socketKind());
            if (duration != null) {
                stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                stop.await();
            }
            System.err.println("netscan: stopping");
            if (health != null) {
                health.close();
            }
        }
        System.err.println("netscan: stopped");
        return Main.EXIT_OK;
    }

    static HealthServer startHealth(NetscanService service, int port) throws IOException {
        long started = System.nanoTime();
        return HealthServer.start(port, () -> {
            Map<String, Object> m = new LinkedHashMap<>();
            Map<String, Object> fields = service.healthFields();
            Object level = fields.getOrDefault("alert_level", "INFO");
            m.put("status", !service.running() ? "stopping" : "CRITICAL".equals(level) ? "critical"
                    : "WARNING".equals(level) ? "degraded" : "ok");
            m.put("version", new Main.Version().getVersion()[0].substring("netscan ".length()));
            m.put("uptime_s", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
            m.put("ready", service.ready());
            m.putAll(fields);
            List<Map<String, Object>> alerts = new ArrayList<>();
            for (Alert a : service.alerts()) {
                Map<String, Object> am = new LinkedHashMap<>();
                am.put("time", a.time().toString());
                am.put("tier", a.tier().name());
                am.put("cause", a.cause());
                am.put("value", a.value());
                am.put("message", a.message());
                alerts.add(am);
            }
            m.put("alerts", alerts);
            return m;
        }, service::ready, service::healthFields);
    }
}
