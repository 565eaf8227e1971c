/**
 * The {@code netscan} command line (picocli): {@code scan}, {@code monitor}, {@code health},
 * {@code generate-completion}; the YAML configuration loader that accepts the Go service's keys
 * ({@link dev.netscan.cli.ConfigFile}); the logging binding. The service itself, with its HTTP
 * surface, is the netscan-service module. Entry point: {@link dev.netscan.cli.Main}.
 */
package dev.netscan.cli;
