/**
 * netscan's vocabulary: addresses and ranges, the records every module passes around, the
 * configuration and its validation ({@link dev.netscan.core.ConfigProblems},
 * {@link dev.netscan.core.InvalidConfigException}), the ports other modules implement
 * ({@link dev.netscan.core.MetricsSink}), and the health and thermal governor.
 */
module dev.netscan.core {
    requires java.management;              // JVM heap, GC and thread figures for the governor
    requires com.github.oshi;              // automatic module (oshi-core ships no descriptor)

    exports dev.netscan.core;
    exports dev.netscan.core.governor;
}
