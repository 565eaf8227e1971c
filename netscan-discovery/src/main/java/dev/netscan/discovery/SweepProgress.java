package dev.netscan.discovery;

/**
 * A snapshot of a running {@link Sweep}.
 *
 * @param total addresses in the target set
 * @param submitted probes handed to the engine so far
 * @param completed probes with a result so far
 * @param alive addresses that answered so far
 * @param etaNanos estimated time left, from the completion rate so far; -1 until it can be estimated
 */
public record SweepProgress(long total, long submitted, long completed, long alive, long etaNanos) {}
