package dev.netscan.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.netscan.core.Ipv4;
import dev.netscan.core.SnmpInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScanFormatTest {

    private static String print(ScanFormat f, ScanReport r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, false, StandardCharsets.UTF_8);
        f.print(r, out);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonWrittenRowByRowIsOneDocumentWithEveryRowAndEscapedText() {
        List<ScanReport.Row> rows = new ArrayList<>();
        // enough rows to cross the 60,000-character chunk boundary several times
        for (int i = 1; i <= 3_000; i++) {
            int ip = Ipv4.parse("10.0.0.0") + i;
            rows.add(new ScanReport.Row(Ipv4.format(ip), ip, i / 1000.0, SnmpInfo.UNKNOWN, 1L));
        }
        rows.add(new ScanReport.Row("10.1.0.1", Ipv4.parse("10.1.0.1"), 0.25,
                new SnmpInfo("r\"1\\", "line\nbreak\u0001", "1.3.6.1.4.1.8072", 12_345, null, "rack \u00e9"), 1L));
        rows.add(new ScanReport.Row("::1", 0, 0.125, SnmpInfo.UNKNOWN, 1L));
        String text = print(ScanFormat.JSON, new ScanReport(5_000, rows.size(), 1_234, 99_999.94, rows));

        Map<String, Object> doc = MiniJson.object(text.strip());
        Map<String, Object> summary = (Map<String, Object>) doc.get("summary");
        assertEquals(5_000L, summary.get("targets"));
        assertEquals((long) rows.size(), summary.get("alive"));
        assertEquals(1_234L, summary.get("elapsed_ms"));
        assertEquals(99_999.9, summary.get("rate_pps"));
        List<Object> devices = (List<Object>) doc.get("devices");
        assertEquals(rows.size(), devices.size());
        Map<String, Object> first = (Map<String, Object>) devices.getFirst();
        assertEquals("10.0.0.1", first.get("ip"));
        assertEquals(0.001, first.get("rtt_ms"));
        assertNull(first.get("sys_name"));
        assertNull(first.get("sys_uptime_s"));
        Map<String, Object> agent = (Map<String, Object>) devices.get(3_000);
        assertEquals("r\"1\\", agent.get("sys_name"));
        assertEquals("line\nbreak\u0001", agent.get("sys_descr"));
        assertEquals("1.3.6.1.4.1.8072", agent.get("sys_object_id"));
        assertEquals("rack \u00e9", agent.get("sys_location"));
        assertNull(agent.get("sys_contact"));
        assertEquals(123L, agent.get("sys_uptime_s"));
        assertEquals("::1", ((Map<String, Object>) devices.getLast()).get("ip"));
        assertEquals(List.of("ip", "rtt_ms", "sys_name", "sys_descr", "sys_object_id", "sys_location", "sys_contact",
                "sys_uptime_s"), List.copyOf(first.keySet()));
    }

    @Test
    void jsonOfNoDevicesIsAnEmptyList() {
        String text = print(ScanFormat.JSON, new ScanReport(256, 0, 5, 0.0, List.of()));
        assertEquals("{\"summary\":{\"targets\":256,\"alive\":0,\"elapsed_ms\":5,\"rate_pps\":0},\"devices\":[]}",
                text.strip());
    }

    @Test
    void csvHasAHeaderAndOneQuotedRowPerDeviceWithMillisecondsToThreeDecimals() {
        List<ScanReport.Row> rows = List.of(
                new ScanReport.Row("10.0.0.1", Ipv4.parse("10.0.0.1"), 0.0004, SnmpInfo.UNKNOWN, 1L),
                new ScanReport.Row("10.0.0.2", Ipv4.parse("10.0.0.2"), 12.3456, new SnmpInfo("a,b", "say \"hi\"", "1.3.6",
                        250, "=cmd", null), 1L),
                new ScanReport.Row("10.0.0.3", Ipv4.parse("10.0.0.3"), 1_234.0, SnmpInfo.UNKNOWN, 1L));
        String[] lines = print(ScanFormat.CSV, new ScanReport(3, 3, 1, 1.0, rows)).split(System.lineSeparator());
        assertEquals(4, lines.length);
        assertEquals("ip,rtt_ms,sys_name,sys_descr,sys_object_id,sys_location,sys_contact,sys_uptime_s", lines[0]);
        assertEquals("10.0.0.1,0.000,,,,,,", lines[1]);
        assertEquals("10.0.0.2,12.346,\"a,b\",\"say \"\"hi\"\"\",1.3.6,,'=cmd,2", lines[2]);
        assertEquals("10.0.0.3,1234.000,,,,,,", lines[3]);
    }

    @Test
    void millisecondsMatchTheFormatterAwayFromHalfwayCases() {
        for (double v : new double[] {0, 0.001, 0.999, 1.0004, 9.9996, 10, 99.5, 1_000.25, 123_456.789}) {
            StringBuilder b = new StringBuilder();
            ScanFormat.millis(b, v);
            assertEquals(String.format(java.util.Locale.ROOT, "%.3f", v), b.toString(), "for " + v);
        }
        StringBuilder b = new StringBuilder();
        ScanFormat.millis(b, Double.NaN);
        assertEquals("NaN", b.toString());
    }

    @Test
    void rowsSortIpv4UnsignedFirstThenIpv6Numerically() {
        List<ScanReport.Row> rows = new ArrayList<>();
        for (String a : List.of("2001:db8::10", "200.0.0.1", "2001:db8::9", "::1", "10.0.0.2", "10.0.0.1")) {
            int ip = a.indexOf(':') >= 0 ? 0 : Ipv4.parse(a);
            rows.add(new ScanReport.Row(a, ip, 1.0, SnmpInfo.UNKNOWN, 0));
        }
        assertEquals(List.of("10.0.0.1", "10.0.0.2", "200.0.0.1", "::1", "2001:db8::9", "2001:db8::10"),
                ScanCommand.byAddress(rows).stream().map(ScanReport.Row::address).toList());
    }
}
