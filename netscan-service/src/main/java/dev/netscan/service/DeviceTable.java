package dev.netscan.service;

import dev.netscan.core.AddressBook;
import dev.netscan.core.Device;
import dev.netscan.core.Ipv4;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The devices table of the API and the status page: the registry's devices joined with their
 * {@link DeviceHistory}, filtered, sorted and cut to one page. Every request works on one snapshot
 * of each (about 2 ms at 20,000 devices), so pages are consistent within themselves.
 */
final class DeviceTable {
    /** The most rows one page may hold. */
    static final int MAX_LIMIT = 1_000;

    private DeviceTable() {}

    /** One row: state is {@code up}, {@code down} (suspended) or {@code unanswered} (last ping lost). */
    record Row(int ipv4, String name, String state, long lastRttNanos, double loss, long lastSeenMillis, long lastProbeMillis) {
        Map<String, Object> json() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", AddressBook.shared().text(ipv4));
            m.put("name", name);
            m.put("state", state);
            m.put("last_rtt_ms", lastRttNanos < 0 ? null : lastRttNanos / 1e6);
            m.put("loss_pct", Double.isNaN(loss) ? null : Math.round(loss * 1000) / 10.0);
            m.put("last_seen", lastSeenMillis <= 0 ? null : Instant.ofEpochMilli(lastSeenMillis).toString());
            return m;
        }
    }

    static List<Row> rows(NetscanService service, DeviceHistory history, long nowMillis) {
        List<Device> devices = service.devices();
        DeviceHistory.Devices h = history.devices(nowMillis);
        Int2IntOpenHashMap at = new Int2IntOpenHashMap(h.size());
        at.defaultReturnValue(-1);
        for (int i = 0; i < h.size(); i++) {
            at.put(h.ipv4()[i], i);
        }
        List<Row> rows = new ArrayList<>(devices.size());
        for (Device d : devices) {
            int i = at.get(d.ipv4());
            long rtt = i < 0 ? -1 : h.lastRttNanos()[i];
            long probed = i < 0 ? 0 : h.lastProbeMillis()[i];
            String state = d.suspendedAt(nowMillis) ? "down" : probed > 0 && rtt < 0 ? "unanswered" : "up";
            rows.add(new Row(d.ipv4(), d.snmp().sysName() == null ? "" : d.snmp().sysName(), state, rtt,
                    i < 0 ? Double.NaN : h.recentLoss()[i], d.lastSeenEpochMillis(), probed));
        }
        return rows;
    }

    /**
     * One page: query {@code offset}, {@code limit} (at most {@value #MAX_LIMIT}), {@code q} (substring
     * of address or name), {@code state}, {@code sort} (address, name, state, rtt, loss, last_seen)
     * and {@code order} (asc, desc).
     *
     * @throws IllegalArgumentException for a malformed parameter (the message names it)
     */
    static Map<String, Object> page(NetscanService service, DeviceHistory history, Map<String, String> q) {
        int offset = intParam(q, "offset", 0, Integer.MAX_VALUE, 0);
        int limit = intParam(q, "limit", 1, MAX_LIMIT, 100);
        String filter = q.getOrDefault("q", "").toLowerCase(Locale.ROOT);
        String state = q.getOrDefault("state", "");
        List<Row> all = rows(service, history, System.currentTimeMillis());
        List<Row> kept = new ArrayList<>(all.size());
        for (Row r : all) {
            if (!state.isEmpty() && !state.equals(r.state())) {
                continue;
            }
            if (!filter.isEmpty() && !AddressBook.shared().text(r.ipv4()).contains(filter) && !r.name().toLowerCase(Locale.ROOT).contains(filter)) {
                continue;
            }
            kept.add(r);
        }
        Comparator<Row> byAddress = (a, b) -> compareAddresses(a.ipv4(), b.ipv4());
        Comparator<Row> order = switch (q.getOrDefault("sort", "address")) {
            case "address" -> byAddress;
            case "name" -> Comparator.comparing(Row::name).thenComparing(byAddress);
            case "state" -> Comparator.comparing(Row::state).thenComparing(byAddress);
            case "rtt" -> Comparator.comparingLong((Row r) -> r.lastRttNanos() < 0 ? Long.MAX_VALUE : r.lastRttNanos()).thenComparing(byAddress);
            case "loss" -> Comparator.comparingDouble((Row r) -> Double.isNaN(r.loss()) ? -1 : r.loss()).thenComparing(byAddress);
            case "last_seen" -> Comparator.comparingLong(Row::lastSeenMillis).thenComparing(byAddress);
            default -> throw new IllegalArgumentException("sort: one of address, name, state, rtt, loss, last_seen");
        };
        if ("desc".equals(q.get("order"))) {
            order = order.reversed();
        }
        kept.sort(order);
        List<Object> page = new ArrayList<>(Math.min(limit, kept.size()));
        for (int i = offset; i < kept.size() && i < (long) offset + limit; i++) {
            page.add(kept.get(i).json());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", kept.size());
        m.put("known", all.size());
        m.put("offset", offset);
        m.put("limit", limit);
        m.put("devices", page);
        return m;
    }

    /** Address order: IPv4 (numerically) before IPv6 (by its 16 bytes). */
    static int compareAddresses(int a, int b) {
        boolean a6 = AddressBook.isIpv6Key(a);
        boolean b6 = AddressBook.isIpv6Key(b);
        if (a6 != b6) {
            return a6 ? 1 : -1;
        }
        if (!a6) {
            return Long.compare(Ipv4.toUnsigned(a), Ipv4.toUnsigned(b));
        }
        java.net.Inet6Address x = AddressBook.shared().ipv6(a);
        java.net.Inet6Address y = AddressBook.shared().ipv6(b);
        return x == null || y == null ? Integer.compareUnsigned(a, b) : Arrays.compareUnsigned(x.getAddress(), y.getAddress());
    }

    /** One device with its last hour, or null when unknown. */
    static Map<String, Object> detail(NetscanService service, DeviceHistory history, int ipv4) {
        Device d = service.device(ipv4).orElse(null);
        if (d == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        DeviceHistory.Last last = history.last(ipv4, now, DeviceHistory.RECENT_MINUTES);
        Row row = new Row(ipv4, d.snmp().sysName() == null ? "" : d.snmp().sysName(),
                d.suspendedAt(now) ? "down" : last != null && last.rttNanos() < 0 ? "unanswered" : "up",
                last == null ? -1 : last.rttNanos(), last == null ? Double.NaN : last.lossLastMinutes(),
                d.lastSeenEpochMillis(), last == null ? 0 : last.probeEpochMillis());
        Map<String, Object> m = row.json();
        m.put("first_seen", Instant.ofEpochMilli(d.firstSeenEpochMillis()).toString());
        m.put("failure_streak", d.failureStreak());
        if (d.suspendedUntilEpochMillis() > now) {
            m.put("suspended_until", Instant.ofEpochMilli(d.suspendedUntilEpochMillis()).toString());
        }
        Map<String, Object> snmp = new LinkedHashMap<>();
        snmp.put("sys_name", d.snmp().sysName());
        snmp.put("sys_descr", d.snmp().sysDescr());
        snmp.put("sys_object_id", d.snmp().sysObjectId());
        snmp.put("sys_location", d.snmp().sysLocation());
        snmp.put("sys_contact", d.snmp().sysContact());
        m.put("snmp", snmp);
        List<Object> hour = new ArrayList<>();
        DeviceHistory.Minute[] minutes = history.lastHour(ipv4, now);
        if (minutes != null) {
            for (DeviceHistory.Minute x : minutes) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("t", x.startEpochMillis() / 1000);
                p.put("probes", x.probes());
                p.put("lost", x.lost());
                p.put("rtt_ms", Double.isNaN(x.meanRttSeconds()) ? null : x.meanRttSeconds() * 1000);
                hour.add(p);
            }
        }
        m.put("history", hour);
        return m;
    }

    private static int intParam(Map<String, String> q, String key, int min, int max, int absent) {
        String v = q.get(key);
        if (v == null || v.isEmpty()) {
            return absent;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + ": must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": not a whole number");
        }
    }
}
