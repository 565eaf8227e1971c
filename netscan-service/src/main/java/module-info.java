/**
 * The 24/7 service embedders run ({@link dev.netscan.service.NetscanService}): wiring, periodic
 * jobs, the mapping from file keys to module configurations ({@link dev.netscan.service.Settings}),
 * and the HTTP surface. No CLI, YAML or logging binding: it logs through {@code System.Logger}.
 */
module dev.netscan.service {
    requires transitive dev.netscan.core;
    requires transitive dev.netscan.state;
    requires transitive dev.netscan.discovery;
    requires transitive dev.netscan.influx;
    requires java.management;
    requires jdk.management;   // com.sun.management.OperatingSystemMXBean: process CPU time
    requires jdk.httpserver;   // /health and /metrics

    exports dev.netscan.service;
}
