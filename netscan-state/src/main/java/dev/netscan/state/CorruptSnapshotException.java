package dev.netscan.state;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A registry snapshot file that cannot be trusted: wrong magic, unknown version, truncated,
 * checksum mismatch, or contents that contradict themselves. Nothing of such a file is loaded.
 */
public final class CorruptSnapshotException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    /**
     * @param file the file that was refused
     * @param problem what is wrong with it, in words
     */
    public CorruptSnapshotException(Path file, String problem) {
        super("registry snapshot " + file + " refused: " + problem);
        this.file = file;
    }

    /** The file that was refused. */
    public Path file() {
        return file;
    }
}
