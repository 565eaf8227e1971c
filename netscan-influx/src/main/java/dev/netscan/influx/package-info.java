/**
 * netscan-influx: gets every measurement into a time-series database as InfluxDB line protocol.
 *
 * <ul>
 *   <li>{@link dev.netscan.influx.LineProtocolEncoder}: allocation-free encoder into a reusable
 *       byte buffer, exact escaping, documented sanitisation; {@link dev.netscan.influx.Measurements}
 *       writes the netscan measurements ({@code ping}, {@code device_info}, {@code ping_stats},
 *       {@code health_metrics}) with the Go service's names.</li>
 *   <li>{@link dev.netscan.influx.InfluxWriter}: the {@link dev.netscan.core.MetricsSink} for
 *       InfluxDB v2/v1 (and anything that speaks their write APIs, e.g. VictoriaMetrics): never
 *       blocking offers, batching, gzip, retries, an on-disk spool that survives outages and
 *       restarts, counters of what the server confirmed. Configured by
 *       {@link dev.netscan.influx.WriterConfig}.</li>
 *   <li>{@link dev.netscan.influx.LineProtocolFileSink} and
 *       {@link dev.netscan.influx.LineProtocolStreamSink}: the same lines to rotated files or
 *       stdout, for the embedded default.</li>
 * </ul>
 *
 * All sinks share one producer/flush half ({@code QueuedSink}: queue, flush thread that survives
 * any exception, flush handshake, close with a deadline, the accounting in
 * {@link dev.netscan.core.SinkCounters}); each says only how a batch is sent. Everything else
 * (spool format, gzip, the shared half, the HTTP endpoint) is package-private.
 */
package dev.netscan.influx;
