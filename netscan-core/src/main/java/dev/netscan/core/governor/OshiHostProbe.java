package dev.netscan.core.governor;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import oshi.SystemInfo;
import oshi.hardware.CentralProcessor;
import oshi.hardware.GlobalMemory;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.Sensors;
import oshi.software.os.OSProcess;
import oshi.software.os.OperatingSystem;

/**
 * The real {@link HostProbe}: OSHI for system memory, CPU load ticks, sensors and this process's
 * RSS; the JVM's management beans for heap, threads and GC time; on Linux also every
 * {@code /sys/class/thermal/thermal_zone*}{@code /temp}.
 *
 * <ul>
 * <li>Memory used: {@code (total - available) / total} from OSHI.</li>
 * <li>Heap used: used / max of {@link MemoryMXBean#getHeapMemoryUsage()} (committed when max is
 *     undefined).</li>
 * <li>CPU load: system-wide, from OSHI's tick counters between this sample and the previous one;
 *     the first sample has no interval and reports it unavailable.</li>
 * <li>Temperature: the hottest of OSHI's CPU sensor and every thermal zone, each counted only if
 *     in (0, 150] C. OSHI reports 0 or NaN where there is no sensor (virtual machines), so with
 *     no valid reading the temperature is unavailable. Thermal zones are listed once, at the first
 *     sample (they do not come and go).</li>
 * <li>Threads: live JVM threads ({@link ThreadMXBean#getThreadCount()}; virtual threads are not
 *     counted). GC time: sum of {@link GarbageCollectorMXBean#getCollectionTime()}.</li>
 * </ul>
 *
 * <p>Thread safety: {@link #sample()} is synchronized (one caller at a time). Construction does
 * no I/O.
 */
public final class OshiHostProbe implements HostProbe {

    /** Where Linux exposes thermal zones. */
    public static final Path LINUX_THERMAL_ROOT = Path.of("/sys/class/thermal");
    private static final double MAX_PLAUSIBLE_CELSIUS = 150;

    private final Path thermalRoot; // null: do not read thermal zones
    private final MemoryMXBean memoryBean = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
    private final List<GarbageCollectorMXBean> gcBeans = ManagementFactory.getGarbageCollectorMXBeans();

    /** Linux: the process status file, whose VmRSS line gives the resident set in kB. */
    private static final Path PROC_STATUS = java.nio.file.Files.isReadable(Path.of("/proc/self/status"))
            ? Path.of("/proc/self/status") : null;

    // Guarded by this.
    private SystemInfo systemInfo;
    private GlobalMemory memory;
    private CentralProcessor processor;
    private Sensors sensors;
    private OperatingSystem os;
    private OSProcess self;
    private long[] previousTicks;
    private List<Path> zoneTempFiles;

    /** A probe of this host; on Linux it also reads {@link #LINUX_THERMAL_ROOT}. */
    public OshiHostProbe() {
        this(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")
                ? LINUX_THERMAL_ROOT : null);
    }

    /**
     * A probe reading thermal zones under {@code thermalRoot} (directories named
     * {@code thermal_zone*} holding a {@code temp} file in millidegrees Celsius), e.g. a copy of
     * sysfs in a test.
     *
     * @param thermalRoot the thermal class directory, or {@code null} to use OSHI's sensors only
     */
    public OshiHostProbe(Path thermalRoot) {
        this.thermalRoot = thermalRoot;
    }

    @Override
    public synchronized HostSample sample() {
        if (systemInfo == null) {
            systemInfo = new SystemInfo();
            HardwareAbstractionLayer hal = systemInfo.getHardware();
            memory = hal.getMemory();
            processor = hal.getProcessor();
            sensors = hal.getSensors();
            os = systemInfo.getOperatingSystem();
        }
        return new HostSample(memoryUsedPct(), heapUsedPct(), rssBytes(), cpuLoad(), cpuTemperature(),
                threadBean.getThreadCount(), gcTimeMillis());
    }

    private double memoryUsedPct() {
        long total = memory.getTotal();
        long available = memory.getAvailable();
        if (total <= 0 || available < 0) return Double.NaN;
        return clampPct(100.0 * (total - Math.min(total, available)) / total);
    }

    private double heapUsedPct() {
        MemoryUsage heap = memoryBean.getHeapMemoryUsage();
        long limit = heap.getMax() > 0 ? heap.getMax() : heap.getCommitted();
        if (limit <= 0 || heap.getUsed() < 0) return Double.NaN;
        return clampPct(100.0 * heap.getUsed() / limit);
    }

    /**
     * Linux: VmRSS from /proc/self/status (one small read; OSHI's process refresh parses several
     * /proc files and was most of a sample's cost), else OSHI's process view.
     */
    private long rssBytes() {
        if (PROC_STATUS != null) {
            try {
                for (String line : java.nio.file.Files.readAllLines(PROC_STATUS)) {
                    if (line.startsWith("VmRSS:")) {
                        long kb = Long.parseLong(line.substring(6).replace("kB", "").trim());
                        if (kb > 0) {
                            return kb * 1024;
                        }
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // fall back to OSHI below
            }
        }
        if (self == null) {
            self = os.getCurrentProcess();
        } else if (!self.updateAttributes()) {
            return HostSample.UNAVAILABLE;
        }
        long rss = self == null ? 0 : self.getResidentSetSize();
        return rss > 0 ? rss : HostSample.UNAVAILABLE;
    }

    private double cpuLoad() {
        long[] ticks = processor.getSystemCpuLoadTicks();
        long[] prev = previousTicks;
        previousTicks = ticks;
        if (prev == null || prev.length != ticks.length) return Double.NaN;
        long elapsed = 0;
        for (int i = 0; i < ticks.length; i++) elapsed += ticks[i] - prev[i];
        if (elapsed <= 0) return Double.NaN;
        double load = processor.getSystemCpuLoadBetweenTicks(prev);
        if (!(load >= 0)) return Double.NaN;
        return Math.min(1.0, load);
    }

    private double cpuTemperature() {
        double hottest = Double.NaN;
        hottest = hotter(hottest, sensors.getCpuTemperature());
        if (thermalRoot != null) {
            if (zoneTempFiles == null) zoneTempFiles = listZones(thermalRoot);
            for (Path temp : zoneTempFiles) hottest = hotter(hottest, readZoneCelsius(temp));
        }
        return hottest;
    }

    private static double hotter(double hottest, double candidate) {
        if (!(candidate > 0 && candidate <= MAX_PLAUSIBLE_CELSIUS)) return hottest; // 0, NaN, junk: no sensor
        return Double.isNaN(hottest) || candidate > hottest ? candidate : hottest;
    }

    /** Lists {@code thermal_zone*}/temp files, sorted; empty if the directory is absent or unreadable. */
    static List<Path> listZones(Path root) {
        List<Path> zones = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(root, "thermal_zone*")) {
            for (Path zone : dir) {
                Path temp = zone.resolve("temp");
                if (Files.isReadable(temp)) zones.add(temp);
            }
        } catch (IOException | SecurityException e) {
            return List.of();
        }
        zones.sort(null);
        return List.copyOf(zones);
    }

    /** Reads one zone's temp file (millidegrees Celsius); NaN when unreadable or not a number. */
    static double readZoneCelsius(Path temp) {
        try {
            byte[] raw = Files.readAllBytes(temp);
            if (raw.length == 0 || raw.length > 32) return Double.NaN; // a sysfs value is a short integer
            return Long.parseLong(new String(raw, StandardCharsets.US_ASCII).strip()) / 1000.0;
        } catch (IOException | NumberFormatException | SecurityException e) {
            return Double.NaN;
        }
    }

    private long gcTimeMillis() {
        long total = 0;
        boolean any = false;
        for (GarbageCollectorMXBean gc : gcBeans) {
            long t = gc.getCollectionTime();
            if (t >= 0) {
                total += t;
                any = true;
            }
        }
        return any ? total : HostSample.UNAVAILABLE;
    }

    private static double clampPct(double v) {
        return Math.max(0, Math.min(100, v));
    }
}
