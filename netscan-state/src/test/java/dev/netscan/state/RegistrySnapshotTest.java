package dev.netscan.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.netscan.core.Device;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistrySnapshotTest {
    static final long T0 = 1_700_000_000_000L;
    final ManualClock clock = new ManualClock(T0);

    @TempDir
    Path dir;

    DeviceRegistry.Builder builder() {
        return DeviceRegistry.builder().clock(clock).expiryTimer(false).failureThreshold(2);
    }

    /** A registry with a mix of everything the format carries. */
    DeviceRegistry populated() {
        DeviceRegistry r = builder().build();
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            int ip = 0x0A000000 + i * 3;
            r.add(ip);
            clock.advanceMillis(rnd.nextInt(5));
            if (i % 3 == 0) {
                r.updateSnmp(ip, new SnmpInfo("dev-" + i, "Linux é ünïcode " + i, "1.3.6.1.4.1.8072.3.2." + i,
                        rnd.nextLong(1, 1L << 40), i % 2 == 0 ? null : "ops@example.net", "room " + i));
            }
            if (i % 4 == 0) {
                r.updateStats(ip, new PingStats(ip, T0 * 1_000_000 + i, 30_000_000_000L, 10, 10 - i % 3,
                        (i % 3) * 10.0, 0.1, 0.25, 0.4 + i, 0.05, i % 5 == 0 ? Double.NaN : 0.02, 0.39));
            }
            if (i % 7 == 0) {
                r.recordPingFailure(ip);
                r.recordPingFailure(ip); // suspended
            } else if (i % 11 == 0) {
                r.recordPingFailure(ip); // streak 1
            }
        }
        for (int i = 0; i < 100; i++) {
            int key = r.add(v6("2001:db8:5::" + Integer.toHexString(i + 1)));
            clock.advanceMillis(rnd.nextInt(3));
            if (i % 5 == 0) {
                r.updateSnmp(key, new SnmpInfo("v6-" + i, null, null, i, null, null));
            }
            if (i % 7 == 0) {
                r.recordPingFailure(key);
                r.recordPingFailure(key);
            }
        }
        return r;
    }

    static List<Device> sorted(DeviceRegistry r) {
        return r.snapshot().stream().sorted(Comparator.comparingInt(Device::ipv4)).toList();
    }

    @Test
    void roundTripKeepsEveryDeviceAndField() throws IOException {
        DeviceRegistry r = populated();
        Path file = dir.resolve("registry.bin");
        r.save(file);
        DeviceRegistry back = DeviceRegistry.load(file, builder());
        assertThat(sorted(back)).isEqualTo(sorted(r));
        assertThat(back.suspendedCount()).isEqualTo(r.suspendedCount()).isPositive();
        back.checkInvariants();
        try (var files = Files.list(dir)) {
            assertThat(files).as("no temporary file left behind").containsExactly(file);
        }
    }

    @Test
    void saveReplacesAnExistingSnapshot() throws IOException {
        Path file = dir.resolve("registry.bin");
        DeviceRegistry first = builder().build();
        first.add(1);
        first.save(file);
        DeviceRegistry second = populated();
        second.save(file);
        assertThat(sorted(DeviceRegistry.load(file, builder()))).isEqualTo(sorted(second));
    }

    @Test
    void emptyRegistryRoundTrips() throws IOException {
        Path file = dir.resolve("empty.bin");
        builder().build().save(file);
        assertThat(DeviceRegistry.load(file, builder()).size()).isZero();
    }

    @Test
    void suspensionsThatEndedWhileStoppedLoadAsEnded() throws IOException {
        DeviceRegistry r = builder().build();
        r.add(1);
        r.recordPingFailure(1);
        r.recordPingFailure(1);
        r.add(2);
        Path file = dir.resolve("registry.bin");
        r.save(file);
        clock.advance(Duration.ofMinutes(6));
        DeviceRegistry back = DeviceRegistry.load(file, builder());
        assertThat(back.suspendedCount()).isZero();
        assertThat(back.isSuspended(1)).isFalse();
        assertThat(back.get(1).suspensions()).as("doubling remembered").isEqualTo(1);
        assertThat(back.failureStreak(1)).isEqualTo(2);
        back.checkInvariants();
    }

    @Test
    void loadingMoreThanCapacityKeepsTheMostRecentlySeen() throws IOException {
        DeviceRegistry r = builder().build();
        for (int i = 0; i < 10; i++) {
            r.add(i);
            clock.advanceMillis(1);
        }
        Path file = dir.resolve("registry.bin");
        r.save(file);
        DeviceRegistry back = DeviceRegistry.load(file, builder().maxDevices(4));
        IntListAssert.containsExactlyInAnyOrder(back, 6, 7, 8, 9);
        back.checkInvariants();
    }

    @Test
    void missingFileIsReportedAsMissing() {
        assertThatThrownBy(() -> DeviceRegistry.load(dir.resolve("nope.bin"), builder()))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void emptyFileIsRefused() throws IOException {
        Path file = Files.createFile(dir.resolve("registry.bin"));
        assertThatThrownBy(() -> DeviceRegistry.load(file, builder()))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("file is empty");
    }

    @Test
    void wrongMagicIsRefused() throws IOException {
        Path file = dir.resolve("registry.bin");
        Files.writeString(file, "this is a text file, not a registry snapshot at all\n");
        assertThatThrownBy(() -> DeviceRegistry.load(file, builder()))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("wrong magic");
    }

    @Test
    void unknownVersionIsRefused() throws IOException {
        Path file = dir.resolve("registry.bin");
        populated().save(file);
        byte[] b = Files.readAllBytes(file);
        ByteBuffer.wrap(b).putInt(SnapshotFile.MAGIC.length, 3);
        Files.write(file, b);
        assertThatThrownBy(() -> DeviceRegistry.load(file, builder()))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("unsupported format version 3");
    }

    @Test
    void everyTruncationIsRefused() throws IOException {
        Path file = dir.resolve("registry.bin");
        populated().save(file);
        byte[] whole = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.bin");
        SplittableRandom rnd = new SplittableRandom(3);
        int[] lengths = new int[60];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = i < 30 ? i + 1 : rnd.nextInt(1, whole.length);
        }
        lengths[lengths.length - 1] = whole.length - 1;
        for (int len : lengths) {
            Files.write(cut, java.util.Arrays.copyOf(whole, len));
            assertThatThrownBy(() -> DeviceRegistry.load(cut, builder()))
                    .as("truncated to %d of %d bytes", len, whole.length)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining(cut.toString());
        }
    }

    @Test
    void aFlippedByteAnywhereIsRefused() throws IOException {
        Path file = dir.resolve("registry.bin");
        populated().save(file);
        byte[] whole = Files.readAllBytes(file);
        SplittableRandom rnd = new SplittableRandom(11);
        for (int n = 0; n < 200; n++) {
            int at = n < 40 ? n : n < 44 ? whole.length - 1 - (n - 40) : rnd.nextInt(whole.length);
            byte[] b = whole.clone();
            b[at] ^= (byte) (1 << rnd.nextInt(8));
            Files.write(file, b);
            assertThatThrownBy(() -> DeviceRegistry.load(file, builder()))
                    .as("bit flipped at byte %d", at)
                    .isInstanceOf(CorruptSnapshotException.class);
        }
    }

    @Test
    void recordsThatContradictThemselvesAreRefusedEvenWithAValidChecksum() throws IOException {
        DeviceRegistry r = builder().build();
        r.add(1);
        r.add(2);
        Path file = dir.resolve("registry.bin");
        r.save(file);
        byte[] b = Files.readAllBytes(file);
        // make the second record's address equal the first's, then fix up the checksum
        ByteBuffer bb = ByteBuffer.wrap(b);
        int first = SnapshotFile.HEADER_BYTES;
        int second = first + SnapshotFile.MIN_RECORD_BYTES + 1; // version 2: the family byte
        bb.putInt(second + 1, bb.getInt(first + 1));
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        bb.putInt(b.length - 4, (int) crc.getValue());
        Files.write(file, b);
        assertThatThrownBy(() -> DeviceRegistry.load(file, builder()))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("record 1").hasMessageContaining("duplicate device");
    }

    static java.net.Inet6Address v6(String text) {
        try {
            return (java.net.Inet6Address) java.net.InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void bothFamiliesRoundTripAndIpv6IsStoredByAddress() throws IOException {
        DeviceRegistry r = builder().build();
        r.add(0x0A000001);
        int key = r.add(v6("2001:db8::7"));
        r.updateSnmp(key, new SnmpInfo("six", null, null, 5, null, null));
        Path file = dir.resolve("registry.bin");
        r.save(file);
        byte[] b = Files.readAllBytes(file);
        assertThat(ByteBuffer.wrap(b).getInt(SnapshotFile.MAGIC.length)).isEqualTo(SnapshotFile.VERSION);
        assertThat(indexOf(b, v6("2001:db8::7").getAddress())).as("the real address is in the file").isPositive();
        DeviceRegistry loaded = DeviceRegistry.load(file, builder());
        assertThat(sorted(loaded)).isEqualTo(sorted(r));
        assertThat(loaded.get(key).address()).isEqualTo("2001:db8::7");
        assertThat(loaded.get(key).snmp().sysName()).isEqualTo("six");
    }

    @Test
    void ipv6DevicesSurviveTheirKeysBeingReassigned() throws IOException {
        // A snapshot written by one process is read by another, where the address book gives
        // other keys: the file must not depend on them.
        DeviceRegistry r = builder().build();
        int key = r.add(v6("2001:db8:77::1"));
        Path file = dir.resolve("registry.bin");
        r.save(file);
        r.remove(key);
        clock.advanceMillis(1);
        DeviceRegistry loaded = DeviceRegistry.load(file, builder());
        assertThat(loaded.snapshot()).singleElement().satisfies(d -> assertThat(d.address()).isEqualTo("2001:db8:77::1"));
    }

    @Test
    void readsTheVersion1FormatWrittenBeforeIpv6() throws IOException {
        // registry-v1.bin was written by the registry of commit bdfdcf4 (format version 1).
        Path file = dir.resolve("old.bin");
        try (var in = RegistrySnapshotTest.class.getResourceAsStream("registry-v1.bin")) {
            Files.write(file, in.readAllBytes());
        }
        assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(SnapshotFile.MAGIC.length)).isEqualTo(1);
        DeviceRegistry loaded = DeviceRegistry.load(file, builder());
        assertThat(loaded.snapshot()).extracting(Device::address).containsExactlyInAnyOrder("192.168.1.10", "10.0.0.1");
        Device sw = loaded.get(0x0A000001);
        assertThat(sw.snmp().sysName()).isEqualTo("core-sw");
        assertThat(sw.snmp().sysLocation()).isEqualTo("rack 4");
        assertThat(sw.lastSeenEpochMillis()).isEqualTo(T0 + 1000);
        Device failing = loaded.get(0xC0A8010A);
        assertThat(failing.suspensions()).isEqualTo(1);
        assertThat(failing.suspendedUntilEpochMillis()).isEqualTo(T0 + 1000 + Duration.ofMinutes(5).toMillis());
        // and what it writes back is version 2, read the same
        loaded.save(file);
        assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(SnapshotFile.MAGIC.length)).isEqualTo(2);
        assertThat(sorted(DeviceRegistry.load(file, builder()))).isEqualTo(sorted(loaded));
    }

    @Test
    void aClassEAddressStoredAsIpv4IsRefused() throws IOException {
        DeviceRegistry r = builder().build();
        r.add(0x0A000001);
        Path file = dir.resolve("registry.bin");
        r.save(file);
        byte[] b = Files.readAllBytes(file);
        ByteBuffer bb = ByteBuffer.wrap(b);
        bb.putInt(SnapshotFile.HEADER_BYTES + 1, 0xF0000001);
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        bb.putInt(b.length - 4, (int) crc.getValue());
        Files.write(file, b);
        assertThatThrownBy(() -> DeviceRegistry.load(file, builder()))
                .isInstanceOf(CorruptSnapshotException.class).hasMessageContaining("240.0.0.1 is in 240.0.0.0/4");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Tiny helper so the capacity test reads well. */
    static final class IntListAssert {
        static void containsExactlyInAnyOrder(DeviceRegistry r, int... ips) {
            it.unimi.dsi.fastutil.ints.IntArrayList all = new it.unimi.dsi.fastutil.ints.IntArrayList();
            r.addresses(all);
            assertThat(all.toIntArray()).containsExactlyInAnyOrder(ips);
        }
    }
}
