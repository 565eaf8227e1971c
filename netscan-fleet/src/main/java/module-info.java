/**
 * Optional: several netscan instances share the target space through Kafka consumer-group
 * assignment ({@link dev.netscan.fleet.FleetMember}, configured by {@link dev.netscan.fleet.FleetConfig}).
 * Only embedders who opt in get the Kafka client on their path.
 */
module dev.netscan.fleet {
    requires transitive dev.netscan.service;
    requires kafka.clients;   // automatic module (Kafka ships no descriptor)

    exports dev.netscan.fleet;
}
