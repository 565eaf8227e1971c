/**
 * netscan as an embeddable service: {@link dev.netscan.service.NetscanService} wires the ICMP
 * engine, the registry, the scheduler, SNMP, the writer and the governor, and runs the periodic
 * jobs. Free of CLI concerns (no {@code System.exit}, no console output, no global state), so it
 * can move to a library module of its own.
 */
package dev.netscan.service;
