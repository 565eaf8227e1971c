package dev.netscan.service;

import dev.netscan.state.CorruptSnapshotException;
import dev.netscan.state.DeviceRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The registry half of the start-up restore: loads the snapshot, and sets a damaged (truncated,
 * bit-flipped: {@link CorruptSnapshotException}) or unreadable one aside as
 * {@code <file>.corrupt-<epoch ms>} so the service starts without it, never a crash (issue 14
 * item 3). Called by the starting thread only.
 */
final class RegistryRestore {
    private static final System.Logger LOG = System.getLogger(RegistryRestore.class.getName());

    private RegistryRestore() {
    }

    /** A snapshot that could not be used: where it was, where it went, and why. */
    record SetAside(Path file, Path aside, String why) {
    }

    /**
     * The registry restored from {@code file}, or a new one from {@code b} when there is no file
     * or it was set aside (then {@code setAside} hears of it).
     *
     * @throws IOException when the snapshot is unusable and cannot even be moved aside (data_dir unusable)
     */
    static DeviceRegistry load(Path file, DeviceRegistry.Builder b, long nowEpochMillis, Consumer<SetAside> setAside)
            throws IOException {
        if (!Files.exists(file)) {
            return b.build();
        }
        try {
            DeviceRegistry loaded = DeviceRegistry.load(file, b);
            LOG.log(System.Logger.Level.INFO, "restored " + loaded.size() + " devices from " + file);
            return loaded;
        } catch (IOException e) { // damaged (CorruptSnapshotException) or unreadable (a directory, EIO)
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + nowEpochMillis);
            try {
                Files.move(file, aside);
            } catch (IOException cannotMove) {
                e.addSuppressed(cannotMove);
                throw e;
            }
            String why = e instanceof CorruptSnapshotException ? e.getMessage() : "cannot be read: " + e;
            LOG.log(System.Logger.Level.ERROR, "registry snapshot " + file + " is unusable (" + why + "); moved to " + aside
                    + " and starting without it");
            setAside.accept(new SetAside(file, aside, String.valueOf(why)));
            return b.build();
        }
    }
}
