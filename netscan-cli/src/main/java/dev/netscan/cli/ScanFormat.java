package dev.netscan.cli;

import dev.netscan.service.Json;
import dev.netscan.core.SnmpInfo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The output formats of {@code netscan scan}. */
enum ScanFormat {
    TABLE, JSON, CSV, LP;

    static ScanFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "table" -> TABLE;
            case "json" -> JSON;
            case "csv" -> CSV;
            case "lp", "line-protocol" -> LP;
            default -> throw new IllegalArgumentException("unknown format \"" + s + "\": use table, json, csv or lp");
        };
    }

    void print(ScanReport report, PrintStream out) {
        switch (this) {
            case TABLE -> table(report, out);
            case JSON -> json(report, out);
            case CSV -> csv(report, out);
            case LP -> LineProtocolOutput.print(report, out);
        }
        out.flush();
    }

    /**
     * {@code {"summary":{...},"devices":[{...},...]}}, written row by row: no map per device, and
     * at most about 64 KiB held before it goes to {@code out}.
     */
    static void json(ScanReport r, PrintStream out) {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("{\"summary\":{\"targets\":").append(r.targets()).append(",\"alive\":").append(r.alive())
                .append(",\"elapsed_ms\":").append(r.elapsedMillis()).append(",\"rate_pps\":");
        Json.write(b, Math.round(r.ratePps() * 10) / 10.0);
        b.append("},\"devices\":[");
        boolean first = true;
        for (ScanReport.Row d : r.devices()) {
            SnmpInfo s = d.snmp();
            b.append(first ? "{\"ip\":" : ",{\"ip\":");
            first = false;
            Json.write(b, d.address());
            b.append(",\"rtt_ms\":");
            Json.write(b, Math.round(d.rttMillis() * 1000) / 1000.0);
            b.append(",\"sys_name\":");
            Json.write(b, s.sysName());
            b.append(",\"sys_descr\":");
            Json.write(b, s.sysDescr());
            b.append(",\"sys_object_id\":");
            Json.write(b, s.sysObjectId());
            b.append(",\"sys_location\":");
            Json.write(b, s.sysLocation());
            b.append(",\"sys_contact\":");
            Json.write(b, s.sysContact());
            b.append(",\"sys_uptime_s\":");
            Json.write(b, s.sysUpTimeHundredths() < 0 ? null : s.sysUpTimeSeconds());
            b.append('}');
            if (b.length() >= 60_000) {
                out.append(b);
                b.setLength(0);
            }
        }
        b.append("]}");
        out.append(b);
        out.println();
    }

    private static void table(ScanReport r, PrintStream out) {
        String[] head = {"IP", "RTT ms", "NAME", "LOCATION", "UPTIME", "DESCRIPTION"};
        List<String[]> rows = new ArrayList<>();
        for (ScanReport.Row d : r.devices()) {
            SnmpInfo s = d.snmp();
            rows.add(new String[] {d.address(), String.format(Locale.ROOT, "%.3f", d.rttMillis()), dash(s.sysName()),
                    dash(s.sysLocation()), s.sysUpTimeHundredths() < 0 ? "-" : uptime(s.sysUpTimeSeconds()),
                    dash(clip(s.sysDescr(), 60))});
        }
        int[] w = new int[head.length];
        for (int i = 0; i < head.length; i++) {
            w[i] = head[i].length();
            for (String[] row : rows) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        line(out, head, w);
        for (String[] row : rows) {
            line(out, row, w);
        }
        out.printf(Locale.ROOT, "%d alive of %d targets in %.2f s (%.0f probes/s)%n", r.alive(), r.targets(),
                r.elapsedMillis() / 1000.0, r.ratePps());
    }

    private static void line(PrintStream out, String[] cells, int[] w) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                b.append("  ");
            }
            b.append(cells[i]);
            if (i < cells.length - 1) {
                b.append(" ".repeat(w[i] - cells[i].length()));
            }
        }
        out.println(b);
    }

    private static void csv(ScanReport r, PrintStream out) {
        StringBuilder b = new StringBuilder(1 << 16);
        b.append("ip,rtt_ms,sys_name,sys_descr,sys_object_id,sys_location,sys_contact,sys_uptime_s").append(System.lineSeparator());
        for (ScanReport.Row d : r.devices()) {
            SnmpInfo s = d.snmp();
            b.append(csvCell(d.address())).append(',');
            millis(b, d.rttMillis());
            b.append(',').append(csvCell(s.sysName())).append(',').append(csvCell(s.sysDescr()))
                    .append(',').append(csvCell(s.sysObjectId())).append(',').append(csvCell(s.sysLocation()))
                    .append(',').append(csvCell(s.sysContact())).append(',');
            if (s.sysUpTimeHundredths() >= 0) {
                b.append(s.sysUpTimeSeconds());
            }
            b.append(System.lineSeparator());
            if (b.length() >= 60_000) {
                out.append(b);
                b.setLength(0);
            }
        }
        out.append(b);
    }

    /**
     * Milliseconds with three decimals, rounded half up as {@code --format json} rounds them
     * ({@code Math.round(v * 1000)}); {@code String.format("%.3f")} per row cost a 20,000-row scan
     * more than its SNMP step did. Values outside 0-10^12 (never an RTT) go through the formatter.
     */
    static void millis(StringBuilder b, double v) {
        if (!(v >= 0 && v < 1e12)) {
            b.append(String.format(Locale.ROOT, "%.3f", v));
            return;
        }
        long thousandths = Math.round(v * 1000);
        long fraction = thousandths % 1000;
        b.append(thousandths / 1000).append('.');
        if (fraction < 100) {
            b.append(fraction < 10 ? "00" : "0");
        }
        b.append(fraction);
    }

    /** RFC 4180 quoting; a leading =,+,-,@ is prefixed with ' so spreadsheets do not run it. */
    static String csvCell(String v) {
        if (v == null) {
            return "";
        }
        String s = v;
        if (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 && !s.matches("-?[0-9.]+")) {
            s = "'" + s;
        }
        if (s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0) {
            s = '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    private static String dash(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    private static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    private static String uptime(long seconds) {
        long d = seconds / 86_400;
        long h = seconds % 86_400 / 3_600;
        long m = seconds % 3_600 / 60;
        return d > 0 ? d + "d" + h + "h" : h > 0 ? h + "h" + m + "m" : m + "m" + seconds % 60 + "s";
    }
}
