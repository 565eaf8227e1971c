package dev.netscan.cli;

import dev.netscan.core.NetscanConfig;
import dev.netscan.fleet.FleetConfig;
import dev.netscan.fleet.FleetMember;
import dev.netscan.service.NetscanService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code netscan monitor}: the 24/7 service, until SIGTERM/SIGINT or for a duration. */
@Command(name = "monitor", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs netscan as a service: discovery sweeps, continuous pings, SNMP, time series, health.",
            "Stops gracefully on SIGTERM or SIGINT (flushes the writer, saves the registry) and exits 0."})
final class MonitorCommand implements Callable<Integer> {

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "YAML configuration (see netscan.example.yml).")
    Path config;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long (default: run until stopped).")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        ConfigFile.Result loaded = ConfigFile.load(config);
        for (String w : loaded.warnings()) {
            System.err.println("netscan: warning: " + w);
        }
        NetscanConfig c = loaded.config();
        // a guessable snmp.community is warned about once, by the SNMP scanner as it starts
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        // with a fleet: section this instance shares the networks with the group's other members
        FleetMember member = loaded.fleet().map(FleetMember::create).orElse(null);
        NetscanService.Builder builder = NetscanService.builder(c).httpSettings(loaded.http());
        try (NetscanService service = (member == null ? builder : member.configure(builder)).build()) {
            service.start();
            System.err.printf("netscan: monitoring %s (%d addresses), data in %s%s, socket %s%n", c.networks(),
                    c.targets().size(), c.dataDir().toAbsolutePath(),
                    service.httpPort().isEmpty() ? "" : ", status page on http://" + loaded.http().bindAddress().getHostAddress() + ":" + service.httpPort().getAsInt() + "/",
                    service.icmpCounters().socketKind());
            if (member != null) {
                FleetConfig f = loaded.fleet().orElseThrow();
                member.start(service);
                System.err.printf("netscan: fleet member %s of group %s at %s (%d partitions, protocol %s)%s%n",
                        f.instance(), f.group(), f.kafkaBootstrap(), f.partitions(), member.groupProtocol().orElse("?"),
                        f.resultsTopic().map(t -> ", results to topic " + t).orElse(""));
            }
            if (duration != null) {
                stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                stop.await();
            }
            System.err.println("netscan: stopping");
        } finally {
            if (member != null) {
                member.close(); // after the service: no device is pinged here once another member has it
            }
        }
        System.err.println("netscan: stopped");
        return Main.EXIT_OK;
    }
}
