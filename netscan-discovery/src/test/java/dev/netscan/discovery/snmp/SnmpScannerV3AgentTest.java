package dev.netscan.discovery.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.netscan.core.Ipv4;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivAES256;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.OctetString;

/**
 * Every SHA-1/SHA-2 x AES-128/AES-256 combination against snmp4j-agent's v3 engine in this JVM
 * (net-snmp's snmpd covers SHA/AES and SHA-256/AES-256 in {@link SnmpScannerSnmpdTest}; its test
 * configuration has no SHA-224/384/512 users).
 */
class SnmpScannerV3AgentTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String AUTH = "agent-auth-pass";
    private static final String PRIV = "agent-priv-pass";
    private static TestAgent agent;
    private SnmpScanner scanner;

    @BeforeAll
    static void startAgent() throws Exception {
        agent = TestAgent.startV3(
                user("u-sha1", AuthSHA.ID, PrivAES128.ID),
                user("u-sha224", AuthHMAC128SHA224.ID, PrivAES128.ID),
                user("u-sha256", AuthHMAC192SHA256.ID, PrivAES256.ID),
                user("u-sha384", AuthHMAC256SHA384.ID, PrivAES256.ID),
                user("u-sha512", AuthHMAC384SHA512.ID, PrivAES256.ID),
                new UsmUser(new OctetString("u-sha512-auth"), AuthHMAC384SHA512.ID, new OctetString(AUTH), null, null));
        agent.withSystemGroup("v3-agent");
    }

    private static UsmUser user(String name, org.snmp4j.smi.OID auth, org.snmp4j.smi.OID priv) {
        return new UsmUser(new OctetString(name), auth, new OctetString(AUTH), priv, new OctetString(PRIV));
    }

    @AfterAll
    static void stopAgent() throws Exception {
        agent.close();
    }

    @AfterEach
    void closeScanner() {
        if (scanner != null) {
            scanner.close();
        }
    }

    private Outcomes.Result query(String user, SnmpAuthProtocol auth, String authPass, SnmpPrivProtocol priv, String privPass)
            throws Exception {
        Outcomes out = new Outcomes();
        scanner = SnmpScanner.builder(SnmpSettings.builder().version(SnmpVersion.V3).port(agent.port())
                        .timeout(Duration.ofSeconds(3)).retries(0).v3User(user).auth(auth, authPass).priv(priv, privPass).build())
                .listener(out).bindAddress("127.0.0.1").build();
        scanner.start();
        scanner.submit(Ipv4.parse("127.0.0.1"));
        return out.next(WAIT);
    }

    @ParameterizedTest
    @CsvSource({
        "u-sha1, SHA1, AES128",
        "u-sha224, SHA224, AES128",
        "u-sha256, SHA256, AES256",
        "u-sha384, SHA384, AES256",
        "u-sha512, SHA512, AES256",
        "u-sha512-auth, SHA512, NONE",
    })
    void readsTheSystemGroupWithEachProtocol(String user, SnmpAuthProtocol auth, SnmpPrivProtocol priv) throws Exception {
        Outcomes.Result r = query(user, auth, AUTH, priv, priv == SnmpPrivProtocol.NONE ? null : PRIV);
        assertThat(r.outcome()).as(String.valueOf(r.detail())).isEqualTo(SnmpOutcome.SUCCESS);
        assertThat(r.info().sysName()).isEqualTo("v3-agent");
    }

    @ParameterizedTest
    @CsvSource({"u-sha384, SHA384, AES256", "u-sha224, SHA224, AES128"})
    void wrongAuthPassphraseIsAnAuthenticationFailure(String user, SnmpAuthProtocol auth, SnmpPrivProtocol priv) throws Exception {
        Outcomes.Result r = query(user, auth, "not-the-auth-pass", priv, PRIV);
        assertThat(r.outcome()).isEqualTo(SnmpOutcome.AUTH_FAILURE);
        assertThat(r.detail()).contains("usmStatsWrongDigests").doesNotContain("not-the-auth-pass", PRIV);
    }
}
