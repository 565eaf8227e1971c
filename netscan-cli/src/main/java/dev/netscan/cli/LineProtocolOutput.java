package dev.netscan.cli;

import dev.netscan.core.PingResult;
import dev.netscan.influx.LineProtocolEncoder;
import dev.netscan.influx.Measurements;
import java.io.PrintStream;

/** {@code --format lp}: a {@code ping} point and, when SNMP answered, a {@code device_info} point per device. */
final class LineProtocolOutput {
    private LineProtocolOutput() {}

    static void print(ScanReport report, PrintStream out) {
        LineProtocolEncoder enc = new LineProtocolEncoder();
        for (ScanReport.Row d : report.devices()) {
            if (d.ipv4() == 0 && d.address().contains(":")) {
                continue; // IPv6 results have no ip-as-int point yet; they are in the other formats
            }
            Measurements.ping(enc, PingResult.reply(d.ipv4(), d.seenAtEpochNanos(), Math.round(d.rttMillis() * 1_000_000)));
            if (d.snmp().isKnown()) {
                Measurements.deviceInfo(enc, d.ipv4(), d.snmp(), d.seenAtEpochNanos());
            }
        }
        out.write(enc.array(), 0, enc.size());
    }
}
