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
        ByteBuffer.wrap(b).putInt(SnapshotFile.MAGIC.length, 2);
        Files.write(file, b);
        assertThatThrownBy(() -> DeviceRegistry.load(file, builder()))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("unsupported format version 2");
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
        int second = first + SnapshotFile.MIN_RECORD_BYTES;
        bb.putInt(second, bb.getInt(first));
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        bb.putInt(b.length - 4, (int) crc.getValue());
        Files.write(file, b);
        assertThatThrownBy(() -> DeviceRegistry.load(file, builder()))
                .isInstanceOf(CorruptSnapshotException.class)
                .hasMessageContaining("record 1").hasMessageContaining("duplicate device");
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
