package dev.netscan.cli;

import dev.netscan.service.Json;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.governor.Alert;
import dev.netscan.core.governor.Governor;
import dev.netscan.core.governor.GovernorSettings;
import dev.netscan.core.governor.HealthSample;
import dev.netscan.core.governor.Knobs;
import dev.netscan.core.governor.OshiHostProbe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code netscan health}: one host sample and the governor's decision. */
@Command(name = "health", mixinStandardHelpOptions = true,
        description = "Samples this host once (memory, heap, RSS, CPU, temperature, threads, GC) and prints the governor's decision.")
final class HealthCommand implements Callable<Integer> {

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "table", description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Thresholds and profile from this configuration.")
    Path config;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("table") && !format.equals("json")) {
            throw new Main.UsageException("--format: unknown format \"" + format + "\": use table or json");
        }
        NetscanConfig c = config != null ? ConfigFile.load(config).config() : NetscanConfig.builder().build();
        HealthSample s;
        List<Alert> alerts;
        try (Governor g = new Governor(GovernorSettings.builder().knobs(Knobs.of(c))
                .memoryWarningPct(c.memoryWarningPct()).memoryCriticalPct(c.memoryCriticalPct())
                .temperatureThrottleCelsius(c.temperatureThrottleC()).temperatureCriticalCelsius(c.temperatureCriticalC())
                .errorRateBackoffPct(c.errorRateBackoffPct()).build(), new OshiHostProbe())) {
            s = g.sampleNow();
            alerts = g.alerts();
        }
        Map<String, Object> fields = new LinkedHashMap<>(s.toHealthReport().fields());
        if (!s.host().cpuTemperatureAvailable()) {
            fields.put("cpu_temp_c", null);
        }
        if ("json".equals(format)) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("time", s.time().toString());
            doc.put("level", s.level().name());
            doc.put("fields", fields);
            List<Object> as = new ArrayList<>();
            for (Alert a : alerts) {
                as.add(Map.of("tier", a.tier().name(), "cause", a.cause(), "message", a.message()));
            }
            doc.put("alerts", as);
            System.out.println(Json.write(doc));
        } else {
            System.out.println("level: " + s.level());
            fields.forEach((k, v) -> System.out.printf("%-26s %s%n", k, v == null ? "unavailable" : v));
            for (Alert a : alerts) {
                System.out.println("alert: " + a.tier() + " " + a.cause() + ": " + a.message());
            }
        }
        return Main.EXIT_OK;
    }
}
