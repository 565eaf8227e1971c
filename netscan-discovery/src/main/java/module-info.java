/**
 * Everything that talks to devices: the ICMP engine and sweeps ({@code dev.netscan.discovery}),
 * the ping scheduler ({@code dev.netscan.discovery.monitor}), the SNMP scanner
 * ({@code dev.netscan.discovery.snmp}). The FFM socket layer, the echo codec and the engine's
 * structures ({@code dev.netscan.discovery.icmp}) are internal and not exported. Loading it
 * needs native access: {@code --enable-native-access=dev.netscan.discovery} on the module path,
 * {@code ALL-UNNAMED} on the class path.
 */
module dev.netscan.discovery {
    requires transitive dev.netscan.core;
    requires transitive dev.netscan.state;
    requires transitive it.unimi.dsi.fastutil.core; // IntIterable in SnmpEnrichment's API; automatic module
    requires org.jctools.core;
    requires org.snmp4j;

    exports dev.netscan.discovery;
    exports dev.netscan.discovery.monitor;
    exports dev.netscan.discovery.snmp;
}
