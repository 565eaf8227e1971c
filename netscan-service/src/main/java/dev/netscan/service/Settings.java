package dev.netscan.service;

import dev.netscan.core.NetscanConfig;
import dev.netscan.discovery.snmp.SnmpAuthProtocol;
import dev.netscan.discovery.snmp.SnmpPrivProtocol;
import dev.netscan.discovery.snmp.SnmpSettings;
import dev.netscan.discovery.snmp.SnmpVersion;
import dev.netscan.influx.WriterConfig;
import java.net.URI;
import java.util.Locale;

/** Turns the one {@link NetscanConfig} into each part's own settings. */
public final class Settings {
    private Settings() {}

    /** SNMP settings from {@code snmp.*}, {@code snmp_*}. */
    public static SnmpSettings snmp(NetscanConfig c) {
        NetscanConfig.Snmp s = c.snmp();
        SnmpSettings.Builder b = SnmpSettings.builder()
                .version(switch (s.version()) {
                    case "1" -> SnmpVersion.V1;
                    case "3" -> SnmpVersion.V3;
                    default -> SnmpVersion.V2C;
                })
                .port(s.port()).timeout(s.timeout()).retries(s.retries()).maxInFlight(s.maxInFlight())
                .rateLimitPerSecond(s.rateLimitPerSecond()).burst(s.burstLimit())
                .interval(s.interval()).maxConsecutiveFails(s.maxConsecutiveFails()).backoff(s.backoff());
        if ("3".equals(s.version())) {
            b.v3User(s.user());
            if (s.authProtocol() != null) {
                b.auth(auth(s.authProtocol()), s.authPassphrase());
            }
            if (s.privProtocol() != null) {
                b.priv(priv(s.privProtocol()), s.privPassphrase());
            }
        } else {
            b.community(s.community());
        }
        return b.build();
    }

    private static SnmpAuthProtocol auth(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "SHA", "SHA1", "SHA-1" -> SnmpAuthProtocol.SHA1;
            case "SHA-224", "SHA224" -> SnmpAuthProtocol.SHA224;
            case "SHA-256", "SHA256" -> SnmpAuthProtocol.SHA256;
            case "SHA-384", "SHA384" -> SnmpAuthProtocol.SHA384;
            case "SHA-512", "SHA512" -> SnmpAuthProtocol.SHA512;
            default -> throw new IllegalArgumentException("snmp.auth_protocol: " + name + " is not supported; use SHA or SHA-224/256/384/512");
        };
    }

    private static SnmpPrivProtocol priv(String name) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case "AES", "AES128", "AES-128" -> SnmpPrivProtocol.AES128;
            case "AES256", "AES-256" -> SnmpPrivProtocol.AES256;
            default -> throw new IllegalArgumentException("snmp.priv_protocol: " + name + " is not supported; use AES or AES-256");
        };
    }

    /** Writer settings from {@code influxdb.*}; the spool lives in {@code data_dir/spool}. */
    public static WriterConfig writer(NetscanConfig c) {
        NetscanConfig.Influx i = c.influx();
        WriterConfig.Builder b = i.apiVersion() == 1
                ? WriterConfig.v1(URI.create(i.url()), i.database()).retentionPolicy(blankToNull(i.retentionPolicy()))
                        .credentials(blankToNull(i.username()), blankToNull(i.password()))
                        .healthDatabase(blankToNull(i.healthBucket()))
                : WriterConfig.v2(URI.create(i.url()), i.org(), i.bucket(), i.token())
                        .healthBucket(blankToNull(i.healthBucket()));
        return b.batchSize(c.batchSize()).flushInterval(c.flushInterval()).queueCapacity(c.queueCapacity())
                .spoolMaxBytes(c.spoolMaxBytes()).dataDir(c.dataDir().resolve("spool")).build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
