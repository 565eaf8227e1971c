/**
 * The {@code netscan} command line (picocli): {@code scan}, {@code monitor}, {@code health},
 * {@code generate-completion}; the YAML configuration loader that accepts the Go service's keys
 * ({@link dev.netscan.cli.ConfigFile}); the loopback health endpoint
 * ({@link dev.netscan.cli.HealthServer}). Entry point: {@link dev.netscan.cli.Main}.
 */
package dev.netscan.cli;
