/**
 * netscan as an embeddable service: {@link dev.netscan.service.NetscanService} wires the ICMP
 * engine, the registry, the scheduler, SNMP, the writer and the governor, and runs the periodic
 * jobs, and serves its HTTP surface ({@code /health}, {@code /metrics}) on loopback. Free of CLI
 * concerns: no {@code System.exit}, no console output, no global state, no logging binding (it
 * logs through {@link java.lang.System.Logger}, which an application routes where it likes).
 * {@link dev.netscan.service.Settings} is the one place where the configuration's file keys become
 * each module's typed configuration, with every module's problems reported under file keys.
 */
package dev.netscan.service;
