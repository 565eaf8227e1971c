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
    requires jdk.httpserver;   // the HTTP surface
    requires java.net.http;    // the device-event webhook
    requires io.prometheus.metrics.model;   // /metrics (automatic module)
    requires io.prometheus.writer.text;     // /metrics text exposition (automatic module)
    requires io.prometheus.metrics.config;  // its escaping scheme (automatic module)
    requires com.fasterxml.jackson.jr.ob;   // the REST API's JSON

    exports dev.netscan.service;
}
