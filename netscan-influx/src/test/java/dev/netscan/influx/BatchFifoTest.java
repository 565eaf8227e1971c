package dev.netscan.influx;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model tests of the writer's batch FIFO on real spool files: order, the in-flight lease, the disk-full bound. */
class BatchFifoTest {

    @TempDir
    Path dir;

    private final QueuedSink.Tally tally = new QueuedSink.Tally();

    private BatchFifo fifo(long memoryBatchBytes) {
        WriterConfig cfg = WriterConfig.v1(URI.create("http://127.0.0.1:9"), "db").dataDir(dir.resolve("data"))
                .memoryBatchBytes(memoryBatchBytes).spoolFsync(false).build();
        return new BatchFifo(cfg, System::nanoTime, tally);
    }

    private static BatchFifo.Batch batch(String name, int points, int bytes) {
        byte[] body = new byte[bytes];
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, body, 0, n.length);
        return new BatchFifo.Batch(0, points, body);
    }

    private static String name(byte[] body) {
        return new String(body, 0, 1, StandardCharsets.US_ASCII);
    }

    @Test
    void spoolComesBeforeMemoryAndOrderIsKept() throws Exception {
        BatchFifo f = fifo(1 << 20);
        f.add(batch("A", 10, 100));
        f.add(batch("B", 10, 100));
        assertThat(f.spill(null)).isNull();
        f.add(batch("C", 10, 100));
        Spool.Record a = f.peekSpool();
        assertThat(name(a.body)).isEqualTo("A");
        f.consumed(a);
        Spool.Record b = f.peekSpool();
        assertThat(name(b.body)).isEqualTo("B");
        f.consumed(b);
        assertThat(f.peekSpool()).isNull();
        assertThat(name(f.memoryHead().body())).isEqualTo("C");
        assertThat(tally.spooled).isEqualTo(20);
    }

    @Test
    void theInFlightMemoryHeadBecomesTheLeasedSpoolHead() throws Exception {
        BatchFifo f = fifo(1 << 20);
        BatchFifo.Batch a = batch("A", 7, 100);
        f.add(a);
        f.add(batch("B", 5, 100));
        Spool.Record leased = f.spill(a);
        assertThat(leased).isNotNull();
        assertThat(leased.points).isEqualTo(7);
        f.unconfirmed(leased); // the send failed: it stays the head
        Spool.Record again = f.peekSpool();
        assertThat(name(again.body)).isEqualTo("A");
        f.consumed(again);
        assertThat(name(f.peekSpool().body)).isEqualTo("B");
        assertThat(f.spoolPendingPoints()).isEqualTo(5);
    }

    /**
     * The cap deletes the segment of the record in flight and then newer segments: the in-flight
     * record is not dropped yet (its send decides), the newer ones are. A send that then succeeds
     * delivers it, so what arrives is that one batch, a gap of dropped batches, then the newest:
     * each point has exactly one outcome, but the dropped points are not a prefix.
     */
    @Test
    void aRecordInFlightWhenTheCapDeletesItsSegmentIsDecidedByItsSend() throws Exception {
        WriterConfig cfg = WriterConfig.v1(URI.create("http://127.0.0.1:9"), "db").dataDir(dir.resolve("data"))
                .spoolSegmentBytes(64 * 1024).spoolMaxBytes(256 * 1024).spoolFsync(false).build();
        BatchFifo f = new BatchFifo(cfg, System::nanoTime, tally);
        String names = "ABCDEFGHIJ";
        f.add(batch("A", 500, 40_000)); // one record per segment
        f.spill(null);
        Spool.Record inFlight = f.peekSpool();
        assertThat(name(inFlight.body)).isEqualTo("A");
        for (int i = 1; i < names.length(); i++) {
            f.add(batch(names.substring(i, i + 1), 500, 40_000));
            f.spill(null);
        }
        f.gauges(tally);
        assertThat(inFlight.droppedBy).isEqualTo(Spool.DROPPED_BY_CAP);
        long droppedWhileInFlight = tally.droppedSpoolCap;
        assertThat(droppedWhileInFlight).as("B.. dropped, A undecided").isEqualTo(1_500);

        f.consumed(inFlight); // its send succeeded: delivered, not dropped
        StringBuilder delivered = new StringBuilder("A");
        for (Spool.Record r; (r = f.peekSpool()) != null; ) {
            delivered.append(name(r.body));
            f.consumed(r);
        }
        f.gauges(tally);
        assertThat(delivered.toString()).isEqualTo("AEFGHIJ");
        assertThat(tally.droppedSpoolCap).isEqualTo(droppedWhileInFlight);
        assertThat(delivered.length() * 500L + tally.droppedSpoolCap).isEqualTo(names.length() * 500L);
        f.close();
    }

    @Test
    void theSendOfARecordWhoseSegmentTheCapDeletedFailsThenItIsDropped() throws Exception {
        WriterConfig cfg = WriterConfig.v1(URI.create("http://127.0.0.1:9"), "db").dataDir(dir.resolve("data"))
                .spoolSegmentBytes(64 * 1024).spoolMaxBytes(256 * 1024).spoolFsync(false).build();
        BatchFifo f = new BatchFifo(cfg, System::nanoTime, tally);
        f.add(batch("A", 500, 40_000));
        f.spill(null);
        Spool.Record inFlight = f.peekSpool();
        for (String n : new String[] {"B", "C", "D", "E", "F", "G", "H", "I"}) {
            f.add(batch(n, 500, 40_000));
            f.spill(null);
        }
        f.unconfirmed(inFlight); // its send failed: now it is dropped, counted once
        f.gauges(tally);
        StringBuilder delivered = new StringBuilder();
        for (Spool.Record r; (r = f.peekSpool()) != null; ) {
            delivered.append(name(r.body));
            f.consumed(r);
        }
        assertThat(delivered.toString()).isEqualTo("DEFGHI");
        assertThat(tally.droppedSpoolCap).isEqualTo(1_500); // B, C by the cap, then A
        f.close();
    }

    @Test
    void withoutADirectoryMemoryIsBoundedOldestFirstAndNeverTheInFlightBatch() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data").resolve("spool"), "not a directory");
        BatchFifo f = fifo(0); // bound: 4 MiB
        BatchFifo.Batch first = batch("A", 100, 1 << 20);
        f.add(first);
        long added = 100;
        for (int i = 0; i < 7; i++) {
            f.add(batch(String.valueOf((char) ('B' + i)), 100, 1 << 20));
            added += 100;
            f.spill(first);
        }
        f.gauges(tally);
        assertThat(tally.diskFull).isTrue();
        assertThat(f.memoryBytes()).isLessThanOrEqualTo(4L << 20);
        assertThat(name(f.memoryHead().body())).isEqualTo("A"); // in flight: kept
        assertThat(tally.droppedDiskFull).isEqualTo(400);
        assertThat(f.memoryPoints() + tally.droppedDiskFull + tally.spoolPending).isEqualTo(added);
    }
}
