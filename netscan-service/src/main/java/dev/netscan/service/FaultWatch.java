package dev.netscan.service;

import dev.netscan.core.SinkCounters;
import dev.netscan.core.governor.AlertTier;
import dev.netscan.core.governor.Governor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Turns what the service sees of its storage and of the writer into alerts on the governor's one
 * alert path (issue 14 items 2 and 3):
 * <ul>
 *   <li>CRITICAL {@value #CAUSE_DISK_FULL} while the writer cannot write its spool (device full,
 *       directory unwritable) or {@code data_dir} is not a writable directory; cleared when it can;
 *   <li>the writer's flush loop: a failure it survived is a loop WARNING, a restart by its watchdog a
 *       loop CRITICAL (through {@link Governor#loopAlerts()}, loop {@code writer});
 *   <li>WARNING {@value #CAUSE_SNAPSHOT} when a registry snapshot cannot be saved, with the reason;
 *       cleared by the next save that works;
 *   <li>WARNING {@value #CAUSE_SNAPSHOT_CORRUPT} when the snapshot found at start was unusable and set
 *       aside; cleared by the next save that works (the registry is on disk again).
 * </ul>
 * {@link #check} runs on the service's {@code watch} loop once a second; the snapshot methods on
 * whichever thread saved or loaded. Thread-safe.
 */
final class FaultWatch {
    /** Alert cause of a full or unwritable data directory. */
    static final String CAUSE_DISK_FULL = "disk_full";
    /** Alert cause of a registry snapshot that could not be saved. */
    static final String CAUSE_SNAPSHOT = "registry_snapshot";
    /** Alert cause of a registry snapshot found unusable at start. */
    static final String CAUSE_SNAPSHOT_CORRUPT = "registry_snapshot_corrupt";

    private final Governor governor;
    private final Path dataDir;
    private final Duration snapshotInterval;
    private final AtomicLong snapshotFailures = new AtomicLong();
    private final AtomicLong snapshotsCorrupt = new AtomicLong();
    // the watch loop's own state
    private long writerFailuresSeen;
    private long writerRestartsSeen;
    private boolean diskFull;

    FaultWatch(Governor governor, Path dataDir, Duration snapshotInterval) {
        this.governor = governor;
        this.dataDir = dataDir;
        this.snapshotInterval = snapshotInterval;
    }

    /** One look at the writer's counters and the data directory; the watch loop only. */
    synchronized void check(SinkCounters c) {
        if (c.loopFailures() > writerFailuresSeen) {
            writerFailuresSeen = c.loopFailures();
            governor.loopAlerts().failed("writer", null, c.loopFailures());
        }
        if (c.loopRestarts() > writerRestartsSeen) {
            writerRestartsSeen = c.loopRestarts();
            governor.loopAlerts().restarted("writer", null, c.loopRestarts());
        }
        boolean unwritable = !Files.isDirectory(dataDir) || !Files.isWritable(dataDir);
        boolean full = c.diskFull() || unwritable;
        if (full && !diskFull) {
            governor.raise(CAUSE_DISK_FULL, AlertTier.CRITICAL, "data_dir " + dataDir + (unwritable ? " is not a writable directory"
                    : " is full or unwritable: the writer cannot spool") + "; it drops the oldest spool segments first, then the"
                    + " oldest batches held in memory (counted as writer_dropped_disk_full, " + c.droppedDiskFull()
                    + " so far), and spools again by itself when space returns");
        } else if (!full && diskFull) {
            governor.clear(CAUSE_DISK_FULL, "data_dir " + dataDir + " is writable again: spooling resumed");
        }
        diskFull = full;
    }

    /** A registry snapshot was saved: the snapshot alerts clear. */
    void snapshotSaved() {
        governor.clear(CAUSE_SNAPSHOT, "registry snapshot saved");
        governor.clear(CAUSE_SNAPSHOT_CORRUPT, "registry snapshot saved: the devices are on disk again");
    }

    /** Saving the registry snapshot to {@code file} failed with {@code e}: counted, WARNING with the reason. */
    void snapshotFailed(Path file, Exception e, boolean atShutdown) {
        long n = snapshotFailures.incrementAndGet();
        governor.raise(CAUSE_SNAPSHOT, AlertTier.WARNING, "registry snapshot to " + file + " failed (" + n + " so far): "
                + e.getClass().getName() + ": " + e.getMessage() + (atShutdown
                ? "; stopping without it: the next start restores the last snapshot saved"
                : "; the devices are kept in memory and the save is tried again in " + snapshotInterval));
    }

    /** The snapshot found at start was unusable: counted, WARNING with what and where it went. */
    void snapshotCorrupt(Path file, Path aside, String why) {
        snapshotsCorrupt.incrementAndGet();
        governor.raise(CAUSE_SNAPSHOT_CORRUPT, AlertTier.WARNING, "registry snapshot " + file + " was unusable (" + why
                + "); moved to " + aside + " and started without it: devices are found again by the next sweep");
    }

    /** Registry snapshots that could not be saved. */
    long snapshotFailures() {
        return snapshotFailures.get();
    }

    /** Registry snapshots found unusable at start (set aside, never a crash). */
    long snapshotsCorrupt() {
        return snapshotsCorrupt.get();
    }
}
