package dev.netscan.fleet;

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
import java.util.List;

/**
 * One fleet instance as its own process, so a test can kill it with SIGKILL. Args: bootstrap,
 * group, partitions, network, data dir, instance name. Prints {@code owned <partitions>} on every
 * ownership change and {@code ping <ipv4> <epochMillis>} for every reply. Exits when stdin closes
 * (the test JVM went away), so it never outlives its test.
 */
public final class FleetInstanceMain {
    private FleetInstanceMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(System.out, true, java.nio.charset.StandardCharsets.UTF_8);
        FleetConfig fleet = FleetConfig.builder().kafkaBootstrap(args[0]).group(args[1])
                .partitions(Integer.parseInt(args[2])).instance(args[5])
                .sessionTimeout(Duration.ofSeconds(4)).heartbeatInterval(Duration.ofMillis(500)).build();
        NetscanConfig config = NetscanConfig.builder().network(args[3]).pingInterval(Duration.ofSeconds(1))
                .pingTimeout(Duration.ofMillis(500)).reconcileInterval(Duration.ofSeconds(1))
                .snmpEnabled(false).healthCheckPort(0).dataDir(Path.of(args[4])).build();
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
        NetscanService service = NetscanService.builder(config).sink(sink).ownership(member.ownership()).build();
        service.start();
        member.start(service);
        out.println("protocol " + member.groupProtocol().orElse("?"));
        Thread.ofVirtual().start(() -> {
            List<Integer> last = null;
            while (true) {
                List<Integer> now = member.ownedPartitions();
                if (!now.equals(last)) {
                    out.println("owned " + now.toString().replace(" ", ""));
                    last = now;
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
