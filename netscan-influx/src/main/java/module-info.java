/** The batched line-protocol writer ({@link dev.netscan.influx.InfluxWriter}), its spool and the local sinks. */
module dev.netscan.influx {
    requires transitive dev.netscan.core;
    requires java.net.http;
    requires org.jctools.core;

    exports dev.netscan.influx;
}
