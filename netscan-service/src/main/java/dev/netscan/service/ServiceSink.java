package dev.netscan.service;

import dev.netscan.core.MetricsSink;
import dev.netscan.core.NetscanConfig;
import dev.netscan.influx.InfluxWriter;
import dev.netscan.influx.LineProtocolFileSink;
import dev.netscan.influx.WriterConfig;
import java.util.List;

/**
 * Which sink the service writes to: the embedder's, else the configured database, else
 * line-protocol files in {@code data_dir/metrics}; the point tag (a fleet member's
 * {@code instance}) on the database's and the files' points; a second sink beside it (a fleet's
 * results topic) through a {@link TeeSink}.
 */
final class ServiceSink {
    private ServiceSink() {}

    /** The sink and whether the service closes it. */
    record Chosen(MetricsSink sink, boolean owned) {}

    /**
     * @param custom the embedder's sink or null
     * @param second the second sink or null
     * @param tag key and value, or empty
     * @throws java.io.IOException when the metrics directory cannot be created
     */
    static Chosen open(MetricsSink custom, MetricsSink second, NetscanConfig config, WriterConfig writer,
            List<String> tag) throws java.io.IOException {
        MetricsSink sink;
        boolean owned = true;
        if (custom != null) {
            sink = custom;
            owned = false;
        } else if (config.influx() != null) {
            sink = new InfluxWriter(tag.isEmpty() ? writer : writer.toBuilder().tag(tag.get(0), tag.get(1)).build()).start();
        } else {
            LineProtocolFileSink files = new LineProtocolFileSink(config.dataDir().resolve("metrics"));
            if (!tag.isEmpty()) {
                files.tagEveryLine(tag.get(0), tag.get(1));
            }
            sink = files.start();
        }
        return second == null ? new Chosen(sink, owned) : new Chosen(new TeeSink(sink, owned, second), true);
    }
}
