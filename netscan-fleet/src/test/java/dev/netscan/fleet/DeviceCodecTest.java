package dev.netscan.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.Device;
import dev.netscan.core.SnmpInfo;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DeviceCodecTest {

    private static String text(SplittableRandom r) {
        if (r.nextInt(4) == 0) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(40);
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(r.nextInt(3) == 0 ? 0x20 + r.nextInt(0x2000) : 'a' + r.nextInt(26));
        }
        return sb.toString();
    }

    @Test
    void roundTripsRandomDevices() {
        SplittableRandom r = new SplittableRandom(17);
        for (int i = 0; i < 2_000; i++) {
            SnmpInfo snmp = r.nextBoolean() ? SnmpInfo.UNKNOWN
                    : new SnmpInfo(text(r), text(r), text(r), r.nextLong(-1, 1L << 40), text(r), text(r));
            Device d = new Device(r.nextInt(), r.nextLong(1L << 42), r.nextLong(1L << 42), snmp, r.nextLong(1L << 42),
                    r.nextInt(1 << 20), r.nextLong(1L << 42), r.nextInt(1 << 20), null);
            Device back = DeviceCodec.device(DeviceCodec.ipv4(DeviceCodec.key(d.ipv4())), DeviceCodec.value(d));
            assertThat(back).isEqualTo(snmp.isKnown() ? d : new Device(d.ipv4(), d.firstSeenEpochMillis(),
                    d.lastSeenEpochMillis(), SnmpInfo.UNKNOWN, d.snmpUpdatedEpochMillis(), d.failureStreak(),
                    d.suspendedUntilEpochMillis(), d.suspensions(), null));
        }
    }

    @Test
    void cutsOverlongTextAtACharacterBoundary() {
        String longName = "é".repeat(600); // 1,200 bytes
        Device d = new Device(1, 0, 0, new SnmpInfo(longName, null, null, -1, null, null), 0, 0, 0, 0, null);
        String back = DeviceCodec.device(1, DeviceCodec.value(d)).snmp().sysName();
        assertThat(back).isEqualTo("é".repeat(512));
    }

    @Test
    void refusesDamagedRecordsSayingWhat() {
        Device d = new Device(1, 5, 6, new SnmpInfo("n", "d", "o", 1, "c", "l"), 7, 1, 0, 0, null);
        byte[] good = DeviceCodec.value(d);
        SplittableRandom r = new SplittableRandom(3);
        for (int cut = 0; cut < good.length; cut++) {
            byte[] shorter = java.util.Arrays.copyOf(good, cut);
            assertThatThrownBy(() -> DeviceCodec.device(1, shorter)).isInstanceOf(IllegalArgumentException.class);
        }
        for (int i = 0; i < 5_000; i++) { // random bytes: either a device or a clear refusal, never anything else
            byte[] junk = new byte[r.nextInt(120)];
            r.nextBytes(junk);
            if (junk.length > 0 && r.nextBoolean()) {
                junk[0] = DeviceCodec.VERSION;
            }
            try {
                DeviceCodec.device(1, junk);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
        byte[] version2 = good.clone();
        version2[0] = 2;
        assertThatThrownBy(() -> DeviceCodec.device(1, version2)).hasMessageContaining("version 2");
        assertThatThrownBy(() -> DeviceCodec.ipv4(new byte[3])).hasMessageContaining("4 bytes");
    }
}
