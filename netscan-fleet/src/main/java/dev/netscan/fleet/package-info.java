/**
 * netscan-fleet: several netscan instances share one target space through Kafka. The space is
 * split into partitions by a stable hash of the address; the partitions of a small compacted
 * topic, as the Kafka consumer group assigns them, are the ownership. Each partition's registry
 * is kept in a compacted changelog topic keyed by address, written by its owner and restored by
 * the next one; points may also go to a results topic in line protocol, tagged with the instance.
 * Front door: {@link dev.netscan.fleet.FleetConfig} (the {@code fleet:} section) and
 * {@link dev.netscan.fleet.FleetMember}. Optional: only those who add this module get the Kafka client.
 */
package dev.netscan.fleet;
