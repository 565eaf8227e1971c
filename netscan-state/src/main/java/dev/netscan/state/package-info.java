/**
 * netscan-state owns the device registry: the single source of truth for which devices netscan
 * knows and what it knows about each (first/last seen, SNMP identity, latest ping statistics,
 * circuit-breaker state).
 *
 * <p>The front door is {@link dev.netscan.state.DeviceRegistry} (built with
 * {@link dev.netscan.state.DeviceRegistry#builder()}); {@link dev.netscan.state.RegistryListener}
 * hears its changes and {@link dev.netscan.state.CorruptSnapshotException} reports a snapshot file
 * that cannot be trusted. Everything else (the eviction order, the address map, the indexed heap, the file format) is
 * package-private.
 *
 * <p>It depends only on netscan-core (vocabulary) and fastutil; discovery, the CLI and the
 * benchmarks depend on it. It does no I/O except {@code save}/{@code load}, and starts no thread
 * except the suspension-expiry timer (a virtual thread, stopped by {@code close()}).
 */
package dev.netscan.state;
