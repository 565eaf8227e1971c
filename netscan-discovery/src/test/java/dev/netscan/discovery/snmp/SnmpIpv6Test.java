package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.AddressBook;
import java.net.DatagramSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SNMP over UDP/IPv6: the scanner against net-snmp's snmpd listening on {@code udp6:[::1]} only. */
class SnmpIpv6Test {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static Snmpd snmpd;
    private static int agentKey;

    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startSnmpd() throws Exception {
        snmpd = Snmpd.obtainIpv6();
        agentKey = AddressBook.shared().intern((Inet6Address) InetAddress.getByName("::1"));
        AddressBook.shared().acquire(agentKey); // held for the class, as a registry holds its devices
    }

    @AfterAll
    static void stopSnmpd() throws Exception {
        if (snmpd != null) {
            AddressBook.shared().release(agentKey);
            snmpd.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private Outcomes.Result query(SnmpSettings settings) throws Exception {
        Outcomes out = new Outcomes();
        SnmpScanner s = SnmpScanner.builder(settings).listener(out).warnings(m -> {}).build();
        closeables.add(s);
        s.start();
        assertThat(s.submit(agentKey)).isTrue();
        return out.next(WAIT);
    }

    private static void assertNetSnmpIdentity(Outcomes.Result r) {
        assertThat(r.outcome()).as(r.detail() == null ? "" : r.detail()).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.ipv4()).isEqualTo(agentKey);
        assertThat(r.info().sysName()).isEqualTo("netscan-snmpd");
        assertThat(r.info().sysLocation()).isEqualTo("loopback-lab");
    }

    @Test
    void v2cOverIpv6ReadsTheSystemGroup() throws Exception {
        assertNetSnmpIdentity(query(SnmpSettings.builder().port(snmpd.port).timeout(Duration.ofMillis(1500)).retries(1)
                .version(SnmpVersion.V2C).community(Snmpd.COMMUNITY).build()));
    }

    @Test
    void v3AuthPrivOverIpv6ReadsTheSystemGroup() throws Exception {
        assertNetSnmpIdentity(query(SnmpSettings.builder().port(snmpd.port).timeout(Duration.ofMillis(1500)).retries(1)
                .version(SnmpVersion.V3).v3User("nsauthsha256")
                .auth(SnmpAuthProtocol.SHA256, "netscan-auth-pass-2").priv(SnmpPrivProtocol.AES256, "netscan-priv-pass-2")
                .build()));
    }

    @Test
    void aClosedIpv6PortIsNoAgentThroughIpv6RecvErrNotATimeout() throws Exception {
        int closed;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
            closed = probe.getLocalPort(); // free once closed: nothing listens there
        }
        // a timeout far longer than the wait: only ICMPv6 port-unreachable can end it in time
        Outcomes.Result r = query(SnmpSettings.builder().port(closed).timeout(Duration.ofSeconds(60)).retries(0)
                .version(SnmpVersion.V2C).community(Snmpd.COMMUNITY).build());
        assertThat(r.outcome()).isEqualTo(SnmpOutcome.NO_AGENT);
        assertThat(r.ipv4()).isEqualTo(agentKey);
    }
}
