package dev.netscan.service;

import dev.netscan.core.LoopFaults;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.SupervisedLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The service's periodic jobs, each on its own {@link SupervisedLoop} (issue 14 item 2): the
 * sweeper (discovery sweeps at start and every {@code icmp_discovery_interval}), pruning, registry
 * snapshots, health reports, the once-a-second fault watch, and on-link discovery rounds (at start and
 * every {@code icmp_discovery_interval}, when {@code discovery.interfaces} is set). A job that throws is counted,
 * reported to the alert path and tried again one interval later; a job thread that ends is
 * restarted. Thread-safe.
 */
final class ServiceJobs {
    private final List<SupervisedLoop> loops = new ArrayList<>();
    /** Null when there are no networks to sweep. */
    private SupervisedLoop sweeper;

    /** What the jobs run; each must be quick to return once the service closes. */
    record Tasks(Runnable sweep, Runnable onLink, Runnable prune, Runnable snapshot, Runnable report, Runnable watch) {
    }

    /** Starts every job. */
    synchronized void start(NetscanConfig config, Tasks t, LoopFaults faults) {
        if (!config.targets().isEmpty()) {
            sweeper = SupervisedLoop.every("sweeper", Duration.ZERO, config.icmpDiscoveryInterval(), t.sweep(), faults);
            loops.add(sweeper);
        }
        if (config.onLink().enabled()) {
            loops.add(SupervisedLoop.every("on-link-discovery", Duration.ZERO, config.icmpDiscoveryInterval(), t.onLink(), faults));
        }
        Duration prune = Duration.ofMillis(Math.max(1_000, Math.min(config.pruneAfter().toMillis() / 10, 3_600_000)));
        loops.add(SupervisedLoop.every("prune", prune, prune, t.prune(), faults));
        loops.add(SupervisedLoop.every("snapshot", config.snapshotInterval(), config.snapshotInterval(), t.snapshot(), faults));
        loops.add(SupervisedLoop.every("health-report", config.healthReportInterval(), config.healthReportInterval(), t.report(), faults));
        loops.add(SupervisedLoop.every("watch", Duration.ofSeconds(1), Duration.ofSeconds(1), t.watch(), faults));
    }

    /** Starts a sweep as soon as the running one (if any) ends; nothing without networks. */
    synchronized void sweepSoon() {
        if (sweeper != null) {
            sweeper.runNow();
        }
    }

    /** Job runs that threw, over every job. */
    synchronized long failures() {
        return loops.stream().mapToLong(SupervisedLoop::failures).sum();
    }

    /** Job threads restarted, over every job. */
    synchronized long restarts() {
        return loops.stream().mapToLong(SupervisedLoop::restarts).sum();
    }

    /** Stops every job, waiting at most {@code bound} in all for the runs in progress. */
    void close(Duration bound) {
        List<SupervisedLoop> all;
        synchronized (this) {
            all = List.copyOf(loops);
        }
        long deadline = System.nanoTime() + bound.toNanos();
        for (SupervisedLoop l : all) {
            l.close(Duration.ZERO); // none starts another run from now on
        }
        for (SupervisedLoop l : all) {
            l.close(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
        }
    }
}
