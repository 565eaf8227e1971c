package dev.netscan.core.governor;

import dev.netscan.core.Profile;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real probe on this machine, and the thermal-zone reader on a sysfs-shaped directory. */
class OshiHostProbeTest {

    @Test
    void realProbeReturnsPlausibleValues() throws Exception {
        OshiHostProbe probe = new OshiHostProbe();
        HostSample s = probe.sample();
        assertThat(s.cpuLoadAvailable()).as("no interval before the first sample").isFalse();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!s.cpuLoadAvailable() && System.nanoTime() < deadline) {
            Thread.sleep(20); // let the kernel's tick counters move
            s = probe.sample();
        }
        System.out.println("OshiHostProbe on this host: " + s);
        assertThat(s.memoryUsedPct()).isGreaterThan(0).isLessThanOrEqualTo(100);
        assertThat(s.heapUsedPct()).isGreaterThan(0).isLessThanOrEqualTo(100);
        assertThat(s.rssBytes()).isGreaterThan(1L << 20);
        assertThat(s.threads()).isPositive();
        assertThat(s.gcTimeMillis()).isNotNegative();
        assertThat(s.cpuLoadAvailable()).isTrue();
        assertThat(s.cpuLoad()).isBetween(0.0, 1.0);
    }

    @Test
    void temperatureIsUnavailableExactlyWhenTheHostHasNoSensor() {
        boolean sensor = hasSensor(Path.of("/sys/class/thermal"), "thermal_zone*", "temp")
                || hasSensor(Path.of("/sys/class/hwmon"), "hwmon*", "temp1_input");
        HostSample s = new OshiHostProbe().sample();
        System.out.println("temperature sensor present: " + sensor + "; probe says " + s.cpuTemperature());
        if (sensor) {
            assertThat(s.cpuTemperatureCelsius()).isGreaterThan(0).isLessThanOrEqualTo(150);
        } else {
            assertThat(s.cpuTemperatureAvailable()).isFalse();
            assertThat(s.cpuTemperatureCelsius()).isNaN();
        }
        HealthSample hs = new HealthSample(java.time.Instant.EPOCH, s, java.util.Map.of(),
                Knobs.of(Profile.STANDARD).baseline(), AlertTier.INFO);
        assertThat(hs.toHealthReport().fields().containsKey("cpu_temp_c")).isEqualTo(sensor);
    }

    /** Independent of the probe: any readable sensor file holding a plausible millidegree value. */
    private static boolean hasSensor(Path root, String glob, String file) {
        if (!Files.isDirectory(root)) return false;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root, glob)) {
            for (Path d : dir) {
                Path f = d.resolve(file);
                if (!Files.isReadable(f)) continue;
                try {
                    long milli = Long.parseLong(Files.readString(f).strip());
                    if (milli > 0 && milli <= 150_000) return true;
                } catch (IOException | NumberFormatException e) {
                    // unreadable or junk: not a sensor
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    @Test
    void hottestValidThermalZoneWins(@TempDir Path sys) throws IOException {
        zone(sys, "thermal_zone0", "45000\n");
        zone(sys, "thermal_zone1", "81234\n");
        zone(sys, "thermal_zone2", "-273000\n"); // broken sensor
        zone(sys, "thermal_zone3", "banana\n");
        Files.createDirectories(sys.resolve("thermal_zone4")); // no temp file
        Files.createDirectories(sys.resolve("cooling_device0"));
        Files.writeString(sys.resolve("cooling_device0").resolve("temp"), "99000\n"); // not a zone

        assertThat(OshiHostProbe.listZones(sys)).containsExactly(
                sys.resolve("thermal_zone0/temp"), sys.resolve("thermal_zone1/temp"),
                sys.resolve("thermal_zone2/temp"), sys.resolve("thermal_zone3/temp"));
        assertThat(OshiHostProbe.readZoneCelsius(sys.resolve("thermal_zone1/temp"))).isEqualTo(81.234);
        assertThat(OshiHostProbe.readZoneCelsius(sys.resolve("thermal_zone3/temp"))).isNaN();
        // OSHI's own sensor may add a reading on real hardware, never a lower maximum.
        assertThat(new OshiHostProbe(sys).sample().cpuTemperatureCelsius()).isGreaterThanOrEqualTo(81.234);
    }

    @Test
    void noThermalZonesMeansNoTemperatureFromThem(@TempDir Path sys) {
        assertThat(OshiHostProbe.listZones(sys)).isEmpty();
        assertThat(OshiHostProbe.listZones(sys.resolve("absent"))).isEmpty();
    }

    @Test
    void governorOverTheRealHostProducesAHealthReport() {
        try (Governor g = Governor.create(GovernorSettings.defaults())) {
            var fields = g.sampleNow().toHealthReport().fields();
            assertThat(fields).containsKeys("memory_used_pct", "heap_used_pct", "rss_bytes", "threads", "gc_time_ms",
                    "throttle_rate_pps", "throttle_in_flight", "throttle_snmp_in_flight", "throttle_batch_size",
                    "throttle_pacing_ns", "discovery_paused", "alert_level");
            assertThat((Long) fields.get("rss_bytes")).isPositive();
        }
    }

    private static void zone(Path sys, String name, String temp) throws IOException {
        Path d = Files.createDirectories(sys.resolve(name));
        Files.writeString(d.resolve("temp"), temp);
    }
}
