package dev.netscan.fleet;

import dev.netscan.core.Device;
import dev.netscan.core.HealthReport;
import dev.netscan.core.MetricsSink;
import dev.netscan.core.NetscanConfig;
import dev.netscan.core.PingResult;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import dev.netscan.service.NetscanService;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One fleet instance as its own process, so a test can kill it with SIGKILL. Args: bootstrap,
 * group, partitions, network ({@code -} for none: then it knows only what the changelog holds),
 * data dir, instance name, then optional {@code refresh=<seconds>} (changelog refresh). Prints
 * {@code owned <partitions>} on every ownership change, {@code ping <ipv4> <epochMillis>} for
 * every reply, {@code restored <devices> <records> <millis>} after each changelog restore and
 * {@code device <ipv4> <lastSeen> <suspendedUntil>} for every device that restore read.
 * Exits when stdin closes (the test JVM went away), so it never outlives its test.
 */
public final class FleetInstanceMain {
    private FleetInstanceMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, java.nio.charset.StandardCharsets.UTF_8);
        Map<String, String> opts = new HashMap<>();
        for (int i = 6; i < args.length; i++) {
            String[] kv = args[i].split("=", 2);
            opts.put(kv[0], kv[1]);
        }
        FleetConfig fleet = FleetConfig.builder().kafkaBootstrap(args[0]).group(args[1])
                .partitions(Integer.parseInt(args[2])).instance(args[5])
                .changelogRefresh(Duration.ofSeconds(Long.parseLong(opts.getOrDefault("refresh", "300"))))
                .sessionTimeout(Duration.ofSeconds(4)).heartbeatInterval(Duration.ofMillis(500)).build();
        NetscanConfig.Builder config = NetscanConfig.builder().pingInterval(Duration.ofSeconds(1))
                .pingTimeout(Duration.ofMillis(500)).reconcileInterval(Duration.ofSeconds(1))
                .snmpEnabled(false).healthCheckPort(0).dataDir(Path.of(args[4]));
        if (!args[3].equals("-")) {
            config.network(args[3]);
        }
        FleetMember member = FleetMember.create(fleet);
        MetricsSink sink = new MetricsSink() {
            @Override
            public boolean offerPing(PingResult r) {
                if (r.success()) {
                    out.println("ping " + r.ipv4() + " " + System.currentTimeMillis());
                }
                return true;
            }
            @Override public boolean offerDeviceInfo(int ipv4, SnmpInfo info, long ts) { return true; }
            @Override public boolean offerPingStats(PingStats s) { return true; }
            @Override public boolean offerHealth(HealthReport h) { return true; }
        };
        NetscanService service = member.configure(NetscanService.builder(config.build())).sink(sink).build();
        service.start();
        member.start(service);
        out.println("protocol " + member.groupProtocol().orElse("?"));
        Thread.ofVirtual().start(() -> {
            List<Integer> last = null;
            RegistryChangelog.Restored lastRestore = null;
            while (true) {
                List<Integer> now = member.ownedPartitions();
                if (!now.equals(last)) {
                    out.println("owned " + now.toString().replace(" ", ""));
                    last = now;
                }
                RegistryChangelog.Restored r = member.lastRestore().orElse(null);
                if (r != null && r != lastRestore) {
                    lastRestore = r;
                    for (Device d : r.devices()) {
                        out.println("device " + d.ipv4() + " " + d.lastSeenEpochMillis() + " " + d.suspendedUntilEpochMillis());
                    }
                    out.println("restored " + r.devices().size() + " " + r.records() + " " + r.millis());
                }
                try {
                    Thread.sleep(20); // polling a volatile for the test's log, not synchronisation
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        while (System.in.read() >= 0) {
            // the test holds stdin open for as long as this instance may live
        }
        service.close(); // stop pinging first, then leave the group
        member.close();
        System.exit(0);
    }
}
