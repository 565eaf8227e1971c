package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import dev.netscan.core.SnmpInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scanner against net-snmp's snmpd (see {@link Snmpd}): v1, v2c, v3 with SHA-1/SHA-256 and AES-128/AES-256. */
class SnmpScannerSnmpdTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static Snmpd snmpd;
    private static int agentIp;

    private final List<AutoCloseable> closeables = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startSnmpd() throws Exception {
        snmpd = Snmpd.obtain();
        agentIp = Ipv4.parse(snmpd.host);
    }

    @AfterAll
    static void stopSnmpd() throws Exception {
        if (snmpd != null) {
            snmpd.close();
        }
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    private SnmpSettings.Builder base() {
        return SnmpSettings.builder().port(snmpd.port).timeout(Duration.ofMillis(1500)).retries(1);
    }

    private Outcomes.Result query(SnmpSettings settings) throws Exception {
        Outcomes out = new Outcomes();
        SnmpScanner s = SnmpScanner.builder(settings).listener(out).bindAddress("127.0.0.1").warnings(m -> {}).build();
        closeables.add(s);
        s.start();
        assertThat(s.submit(agentIp)).isTrue();
        return out.next(WAIT);
    }

    private static void assertNetSnmpIdentity(Outcomes.Result r) {
        assertThat(r.outcome()).as(r.detail() == null ? "" : r.detail()).isEqualTo(SnmpOutcome.SUCCESS);
        SnmpInfo info = r.info();
        assertThat(info.sysName()).isEqualTo("netscan-snmpd");
        assertThat(info.sysLocation()).isEqualTo("loopback-lab");
        assertThat(info.sysContact()).isEqualTo("ops@example.invalid");
        assertThat(info.sysDescr()).isEqualTo("net-snmp test agent for netscan");
        assertThat(info.sysObjectId()).startsWith("1.3.6.1.4.1.8072.");
        assertThat(info.sysUpTimeHundredths()).isNotNegative();
    }

    @Test
    void v2cCommunityReadsTheSystemGroup() throws Exception {
        assertNetSnmpIdentity(query(base().version(SnmpVersion.V2C).community(Snmpd.COMMUNITY).build()));
    }

    @Test
    void v1CommunityReadsTheSystemGroup() throws Exception {
        assertNetSnmpIdentity(query(base().version(SnmpVersion.V1).community(Snmpd.COMMUNITY).build()));
    }

    @Test
    void v3AuthPrivWithSha1AndAes128() throws Exception {
        assertNetSnmpIdentity(query(base().version(SnmpVersion.V3).v3User("nsauthsha")
                .auth(SnmpAuthProtocol.SHA1, "netscan-auth-pass-1").priv(SnmpPrivProtocol.AES128, "netscan-priv-pass-1").build()));
    }

    @Test
    void v3AuthPrivWithSha256AndAes256MatchesNetSnmpKeyLocalisation() throws Exception {
        assertNetSnmpIdentity(query(base().version(SnmpVersion.V3).v3User("nsauthsha256")
                .auth(SnmpAuthProtocol.SHA256, "netscan-auth-pass-2").priv(SnmpPrivProtocol.AES256, "netscan-priv-pass-2").build()));
    }

    @Test
    void v3WithTheWeakMd5AndDesOfOldAgents() throws Exception {
        assertNetSnmpIdentity(query(base().version(SnmpVersion.V3).v3User("nsmd5des")
                .auth(SnmpAuthProtocol.MD5, "netscan-auth-pass-4").priv(SnmpPrivProtocol.DES, "netscan-priv-pass-4").build()));
    }

    @Test
    void v3AuthPrivWithSha512AndAes192MatchesNetSnmpKeyLocalisation() throws Exception {
        assertNetSnmpIdentity(query(base().version(SnmpVersion.V3).v3User("nsaes192")
                .auth(SnmpAuthProtocol.SHA512, "netscan-auth-pass-5").priv(SnmpPrivProtocol.AES192, "netscan-priv-pass-5").build()));
    }

    @Test
    void v3AuthNoPrivWithSha1() throws Exception {
        assertNetSnmpIdentity(query(base().version(SnmpVersion.V3).v3User("nsauthonly")
                .auth(SnmpAuthProtocol.SHA1, "netscan-auth-pass-3").build()));
    }

    @Test
    void wrongV3AuthPassphraseIsAnAuthenticationFailureNotATimeout() throws Exception {
        Outcomes.Result r = query(base().version(SnmpVersion.V3).v3User("nsauthsha256")
                .auth(SnmpAuthProtocol.SHA256, "wrong-auth-pass-XYZ").priv(SnmpPrivProtocol.AES256, "netscan-priv-pass-2").build());
        assertThat(r.outcome()).isEqualTo(SnmpOutcome.AUTH_FAILURE);
        assertThat(r.detail()).contains("usmStatsWrongDigests").doesNotContain("wrong-auth-pass-XYZ", "netscan-priv-pass-2");
    }

    @Test
    void wrongV3PrivPassphraseIsATimeoutBecauseNetSnmpCannotTellGarbageFromAMessage() throws Exception {
        // AES-CFB has no integrity check of its own: with the wrong privacy key snmpd decrypts
        // garbage, fails to parse it and drops it without a report (net-snmp's snmpget also says
        // "Timeout" here). The authentication part was right, so there is no wrong-digest report.
        Outcomes.Result r = query(base().version(SnmpVersion.V3).v3User("nsauthsha").timeout(Duration.ofMillis(500)).retries(0)
                .auth(SnmpAuthProtocol.SHA1, "netscan-auth-pass-1").priv(SnmpPrivProtocol.AES128, "wrong-priv-pass-XYZ").build());
        assertThat(r.outcome()).isEqualTo(SnmpOutcome.TIMEOUT);
        assertThat(r.detail()).doesNotContain("wrong-priv-pass-XYZ", "netscan-auth-pass-1");
    }

    @Test
    void unknownV3UserIsAnAuthenticationFailure() throws Exception {
        Outcomes.Result r = query(base().version(SnmpVersion.V3).v3User("nobody-here")
                .auth(SnmpAuthProtocol.SHA1, "netscan-auth-pass-1").build());
        assertThat(r.outcome()).isEqualTo(SnmpOutcome.AUTH_FAILURE);
        assertThat(r.detail()).contains("usmStatsUnknownUserNames");
    }

    @Test
    void wrongCredentialsCountInTheStreakWhileAConcurrentGoodScannerSucceeds() throws Exception {
        AtomicLong now = new AtomicLong();
        Outcomes badOut = new Outcomes();
        Outcomes goodOut = new Outcomes();
        List<String> logged = new CopyOnWriteArrayList<>();
        SnmpEnrichment bad = SnmpEnrichment.builder(base().version(SnmpVersion.V3).v3User("nsauthsha")
                        .auth(SnmpAuthProtocol.SHA1, "not-the-pass-123").priv(SnmpPrivProtocol.AES128, "netscan-priv-pass-1")
                        .maxConsecutiveFails(2).build())
                .listener(badOut).nanoClock(now::get).bindAddress("127.0.0.1").warnings(logged::add).build();
        SnmpEnrichment badCommunity = SnmpEnrichment.builder(base().version(SnmpVersion.V2C).community("not-the-community")
                        .timeout(Duration.ofMillis(200)).retries(0).maxConsecutiveFails(2).build())
                .listener(badOut).nanoClock(now::get).bindAddress("127.0.0.1").warnings(logged::add).build();
        SnmpEnrichment good = SnmpEnrichment.builder(base().version(SnmpVersion.V3).v3User("nsauthsha")
                        .auth(SnmpAuthProtocol.SHA1, "netscan-auth-pass-1").priv(SnmpPrivProtocol.AES128, "netscan-priv-pass-1").build())
                .listener(goodOut).nanoClock(now::get).bindAddress("127.0.0.1").build();
        closeables.addAll(List.of(bad, badCommunity, good));
        bad.start();
        badCommunity.start();
        good.start();

        for (int round = 1; round <= 2; round++) {
            assertThat(bad.deviceDiscovered(agentIp)).isTrue();
            assertThat(badCommunity.deviceDiscovered(agentIp)).isTrue();
            assertThat(good.deviceDiscovered(agentIp)).isTrue();
            assertNetSnmpIdentity(goodOut.next(WAIT));
            int r = round;
            Await.until("round " + round + " of the bad scanners ends", WAIT,
                    () -> bad.counters().completed() == r && badCommunity.counters().completed() == r);
        }

        assertThat(bad.counters().authFailures()).isEqualTo(2);
        assertThat(badCommunity.counters().timeouts()).isEqualTo(2);
        assertThat(bad.isSuspended(agentIp)).isTrue();
        assertThat(badCommunity.isSuspended(agentIp)).isTrue();
        assertThat(bad.suspendedCount()).isEqualTo(1);
        assertThat(bad.deviceDiscovered(agentIp)).as("suspended: not asked").isFalse();
        assertThat(good.counters().successes()).isEqualTo(2);
        assertThat(good.suspendedCount()).isZero();
        assertThat(good.failStreak(agentIp)).isZero();
        assertThat(logged).isEmpty();
    }
}
