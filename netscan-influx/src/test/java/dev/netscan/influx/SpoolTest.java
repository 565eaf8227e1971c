package dev.netscan.influx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolTest {

    @TempDir
    Path dir;

    private static byte[] body(int i) {
        return ("m f=" + i + "i " + i + "\n").repeat(10).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> drain(Spool s) throws Exception {
        List<String> out = new ArrayList<>();
        Spool.Record r;
        while ((r = s.peek()) != null) {
            out.add(new String(r.body, StandardCharsets.UTF_8).lines().findFirst().orElseThrow());
            s.commit(r);
        }
        return out;
    }

    @Test
    void fifoAcrossSegmentsAndRestarts() throws Exception {
        Spool s = new Spool(dir, 4096, 1 << 20, false);
        s.open();
        for (int i = 0; i < 100; i++) s.append(0, 10, body(i), 0, body(i).length);
        assertThat(s.segmentFiles().size()).isGreaterThanOrEqualTo(3);
        assertThat(s.pendingPoints()).isEqualTo(1_000);
        // consume 30, restart, the remaining 70 come back in order
        for (int i = 0; i < 30; i++) s.commit(s.peek());
        s.close();
        Spool again = new Spool(dir, 4096, 1 << 20, false);
        again.open();
        assertThat(again.pendingPoints()).isEqualTo(700);
        List<String> got = drain(again);
        assertThat(got).hasSize(70);
        assertThat(got.getFirst()).isEqualTo("m f=30i 30");
        assertThat(got.getLast()).isEqualTo("m f=99i 99");
        assertThat(again.isEmpty()).isTrue();
        again.close();
    }

    @Test
    void tornLastRecordIsDetectedSkippedAndTruncated() throws Exception {
        Spool s = new Spool(dir, 1 << 20, 4 << 20, false);
        s.open();
        for (int i = 0; i < 5; i++) s.append(0, 10, body(i), 0, body(i).length);
        Path seg = s.segmentFiles().getLast();
        s.close();
        // Crash mid-append: the last record is cut short.
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(f.length() - 7);
        }
        Spool again = new Spool(dir, 1 << 20, 4 << 20, false);
        again.open();
        assertThat(again.corruptRecords).isEqualTo(1);
        assertThat(drain(again)).containsExactly("m f=0i 0", "m f=1i 1", "m f=2i 2", "m f=3i 3");
        again.close();
    }

    @Test
    void flippedByteFailsTheChecksumAndIsNeverReturned() throws Exception {
        Spool s = new Spool(dir, 1 << 20, 4 << 20, false);
        s.open();
        for (int i = 0; i < 3; i++) s.append(0, 10, body(i), 0, body(i).length);
        s.append(0, 10, body(3), 0, body(3).length);
        Path seg = s.segmentFiles().getLast();
        s.close();
        long recordLen = 8 + 5 + body(0).length;
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            long pos = 8 + 3 * recordLen + 20; // inside the 4th record's body
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x40);
        }
        Spool again = new Spool(dir, 1 << 20, 4 << 20, false);
        again.open();
        assertThat(drain(again)).containsExactly("m f=0i 0", "m f=1i 1", "m f=2i 2");
        assertThat(again.corruptRecords).isEqualTo(1);
        again.close();
    }

    @Test
    void capDropsOldestSegmentsAndReportsPoints() throws Exception {
        Spool s = new Spool(dir, 4096, 8192, false);
        s.open();
        for (int i = 0; i < 100; i++) s.append(0, 10, body(i), 0, body(i).length);
        assertThat(s.capReachedEvents).isPositive();
        assertThat(s.bytes()).isLessThanOrEqualTo(8192 + 4096);
        long kept = s.pendingPoints();
        assertThat(s.droppedCapPoints + kept).isEqualTo(1_000);
        List<String> got = drain(s);
        assertThat(got.getLast()).isEqualTo("m f=99i 99");
        assertThat(got).hasSize((int) (kept / 10));
        s.close();
    }
}
