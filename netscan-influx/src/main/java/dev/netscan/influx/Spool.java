package dev.netscan.influx;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A durable FIFO of batches on disk: append-only segment files {@code <seq>.seg} in one directory,
 * each record framed by length and protected by a CRC32C, and a small {@code head} file saying
 * how far the FIFO has been consumed.
 *
 * <p>Segment layout: 8-byte magic {@code NSSPOOL1}, then records
 * {@code [int payloadLength][int crc32c(payload)][payload]}, payload =
 * {@code [byte flags][int points][body bytes]}. A record whose length runs past the end of the
 * file, or whose checksum does not match, is torn (a crash mid-append) or corrupt: it is never
 * returned, it is counted, and the rest of that segment is skipped; a torn tail of the newest
 * segment is truncated on open.
 *
 * <p>The head file ({@code [long seq][long offset][int crc32c]}) is rewritten in place after each
 * consumed record. If a crash leaves it unreadable, consumption restarts at the oldest segment:
 * records may then be delivered twice, never lost.
 *
 * <p>Size cap: after an append pushes the total file size past {@code maxBytes}, whole oldest
 * segments are deleted (never the one being appended to) and their unconsumed points reported as
 * dropped.
 *
 * <p>Disk full: a failed append (device full, I/O error) is cut back off the segment, so no torn
 * record remains; the caller may then {@link #dropOldestSegment()} to make room (the writer's
 * policy) and try again. A segment that cannot be started leaves the current one in use.
 *
 * <p>Not thread-safe: owned by the writer's flush thread.
 */
final class Spool implements Closeable {

    static final int FLAG_GZIP = 1;
    static final int FLAG_HEALTH = 2;
    /** Bits 2-3 of the flags: the {@link Precision} ordinal the body was encoded with. */
    static final int PRECISION_SHIFT = 2;

    private static final byte[] MAGIC = "NSSPOOL1".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER = MAGIC.length;
    private static final int RECORD_OVERHEAD = 8 + 5;
    private static final int MAX_PAYLOAD = 256 << 20;

    /** Why a leased record's segment was deleted under it. */
    static final int DROPPED_BY_CAP = 1;
    static final int DROPPED_BY_DISK_FULL = 2;

    /** One record as read back or appended. {@code droppedBy} is set when its segment was deleted while leased. */
    static final class Record {
        final long seq;
        final long offset;
        final long nextOffset;
        final int flags;
        final int points;
        final byte[] body;
        int droppedBy;

        Record(long seq, long offset, long nextOffset, int flags, int points, byte[] body) {
            this.seq = seq;
            this.offset = offset;
            this.nextOffset = nextOffset;
            this.flags = flags;
            this.points = points;
            this.body = body;
        }
    }

    private static final class Segment {
        final long seq;
        final Path path;
        long size;
        /** End of the readable records (== size unless a corrupt record cut it short). */
        long validEnd;
        long points;
        long consumedPoints;

        Segment(long seq, Path path) {
            this.seq = seq;
            this.path = path;
        }
    }

    /** Outcome counters the writer turns into its own: unconsumed points lost to the cap, to damage. */
    long droppedCapPoints;
    long droppedCorruptPoints;
    long capReachedEvents;
    long corruptRecords;

    private final Path dir;
    private final long segmentBytes;
    private final long maxBytes;
    private final boolean fsync;
    private final CRC32C crc = new CRC32C();
    private final ArrayDeque<Segment> segments = new ArrayDeque<>();
    private final ByteBuffer headBuf = ByteBuffer.allocate(20);
    private FileChannel headChannel;
    private FileChannel appendChannel;
    private Segment active;
    private FileChannel readChannel;
    private Segment readSegment;
    private long headOffset;
    private long totalBytes;
    private long pendingPoints;
    private Record leased;

    Spool(Path dir, long segmentBytes, long maxBytes, boolean fsync) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.maxBytes = maxBytes;
        this.fsync = fsync;
    }

    /** Opens the directory: reads the head, scans segments, truncates a torn tail. */
    void open() throws IOException {
        Files.createDirectories(dir);
        List<Long> seqs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.seg")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                try {
                    seqs.add(Long.parseLong(name.substring(0, name.length() - 4)));
                } catch (NumberFormatException e) {
                    // not ours; leave it alone
                }
            }
        }
        seqs.sort(null);
        headChannel = FileChannel.open(dir.resolve("head"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        long headSeq = -1;
        long headOff = HEADER;
        headBuf.clear();
        if (headChannel.read(headBuf, 0) == 20) {
            headBuf.flip();
            long s = headBuf.getLong();
            long o = headBuf.getLong();
            int c = headBuf.getInt();
            crc.reset();
            crc.update(headBuf.array(), 0, 16);
            if ((int) crc.getValue() == c) {
                headSeq = s;
                headOff = o;
            }
        }
        for (int i = 0; i < seqs.size(); i++) {
            long seq = seqs.get(i);
            Path path = dir.resolve(name(seq));
            if (headSeq >= 0 && seq < headSeq) {
                Files.deleteIfExists(path);
                continue;
            }
            Segment seg = new Segment(seq, path);
            boolean last = i == seqs.size() - 1;
            long start = (seq == headSeq) ? headOff : HEADER;
            scan(seg, start, last);
            segments.add(seg);
            totalBytes += seg.size;
        }
        Segment first = segments.peekFirst();
        headOffset = first == null ? HEADER : (first.seq == headSeq ? headOff : HEADER);
        long nextSeq = segments.isEmpty() ? Math.max(0, headSeq + 1) : segments.peekLast().seq + 1;
        startSegment(nextSeq);
    }

    private void scan(Segment seg, long start, boolean last) throws IOException {
        try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            seg.size = size;
            ByteBuffer magic = ByteBuffer.allocate(HEADER);
            if (size < HEADER || ch.read(magic, 0) != HEADER || !java.util.Arrays.equals(magic.array(), MAGIC)) {
                corruptRecords++;
                seg.validEnd = HEADER;
                seg.size = Math.max(size, HEADER);
                return;
            }
            long pos = Math.max(HEADER, Math.min(start, size));
            ByteBuffer hdr = ByteBuffer.allocate(8);
            while (pos < size) {
                hdr.clear();
                if (size - pos < 8 || ch.read(hdr, pos) != 8) {
                    break;
                }
                hdr.flip();
                int len = hdr.getInt();
                int sum = hdr.getInt();
                if (len < 5 || len > MAX_PAYLOAD || pos + 8 + len > size) {
                    break;
                }
                ByteBuffer payload = ByteBuffer.allocate(len);
                ch.read(payload, pos + 8);
                crc.reset();
                crc.update(payload.array(), 0, len);
                if ((int) crc.getValue() != sum) {
                    break;
                }
                seg.points += payload.getInt(1);
                pos += 8 + len;
            }
            seg.validEnd = pos;
            if (pos < size) {
                corruptRecords++;
                if (last) {
                    // A torn tail from a crash mid-append: cut it off so nothing half-written remains.
                    ch.truncate(pos);
                    seg.size = pos;
                }
            }
            pendingPoints += seg.points;
        }
    }

    private static String name(long seq) {
        return String.format("%016d.seg", seq);
    }

    private void startSegment(long seq) throws IOException {
        Segment seg = new Segment(seq, dir.resolve(name(seq)));
        FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        try {
            ByteBuffer magic = ByteBuffer.wrap(MAGIC);
            while (magic.hasRemaining()) {
                ch.write(magic, magic.position());
            }
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(seg.path);
            throw e;
        }
        FileChannel previous = appendChannel;
        appendChannel = ch;
        if (previous != null) {
            // The previous segment's records are written; a failed force or close must not leave
            // the spool without a segment to append to.
            try (previous) {
                if (fsync) {
                    previous.force(false);
                }
            } catch (IOException e) {
                System.getLogger(Spool.class.getName()).log(System.Logger.Level.WARNING,
                        "closing spool segment failed: " + e.getMessage());
            }
        }
        seg.size = HEADER;
        seg.validEnd = HEADER;
        segments.addLast(seg);
        totalBytes += HEADER;
        active = seg;
        if (segments.size() == 1) {
            headOffset = HEADER;
        }
    }

    /** Appends one batch; returns its record. May drop oldest segments to respect the cap. */
    Record append(int flags, int points, byte[] body, int off, int len) throws IOException {
        int payloadLen = 5 + len;
        if (active.size > HEADER && active.size + 8 + payloadLen > segmentBytes) {
            startSegment(active.seq + 1);
        }
        ByteBuffer rec = ByteBuffer.allocate(8 + payloadLen);
        rec.putInt(payloadLen).putInt(0).put((byte) flags).putInt(points).put(body, off, len);
        crc.reset();
        crc.update(rec.array(), 8, payloadLen);
        rec.putInt(4, (int) crc.getValue());
        rec.flip();
        long pos = active.size;
        try {
            while (rec.hasRemaining()) {
                appendChannel.write(rec, pos + rec.position());
            }
            if (fsync) {
                appendChannel.force(false);
            }
        } catch (IOException e) {
            try {
                appendChannel.truncate(pos); // no torn record stays behind
            } catch (IOException ignored) {
                // the scan at the next open finds and cuts a torn tail anyway
            }
            throw e;
        }
        active.size += 8 + payloadLen;
        active.validEnd = active.size;
        active.points += points;
        totalBytes += 8 + payloadLen;
        pendingPoints += points;
        byte[] copy = body;
        if (off != 0 || len != body.length) {
            copy = java.util.Arrays.copyOfRange(body, off, off + len);
        }
        Record r = new Record(active.seq, pos, active.size, flags, points, copy);
        enforceCap();
        return r;
    }

    private void enforceCap() throws IOException {
        boolean reported = false;
        while (totalBytes > maxBytes && segments.size() > 1) {
            droppedCapPoints += removeOldest(DROPPED_BY_CAP);
            if (!reported) {
                capReachedEvents++;
                reported = true;
            }
        }
        if (reported) {
            writeHead(segments.peekFirst().seq, headOffset);
        }
    }

    /**
     * Deletes the oldest segment to make room on a full device (never the one being appended to).
     * Returns the unconsumed points lost with it (a leased record in it is marked instead and left
     * to the caller), or -1 when there is no such segment.
     */
    long dropOldestSegment() throws IOException {
        if (segments.size() < 2) {
            return -1;
        }
        long lost = removeOldest(DROPPED_BY_DISK_FULL);
        writeHead(segments.peekFirst().seq, headOffset);
        return lost;
    }

    private long removeOldest(int reason) throws IOException {
        Segment oldest = segments.pollFirst();
        long lost = oldest.points - oldest.consumedPoints;
        pendingPoints -= lost;
        if (leased != null && leased.seq == oldest.seq) {
            leased.droppedBy = reason;
            lost -= leased.points;
        }
        totalBytes -= oldest.size;
        if (readSegment == oldest) {
            closeRead();
        }
        Files.deleteIfExists(oldest.path);
        headOffset = HEADER;
        return lost;
    }

    /**
     * The oldest unconsumed record, verified, or null when the spool is empty. The record stays
     * at the head until {@link #commit(Record)}. Corrupt records are skipped and counted.
     */
    Record peek() throws IOException {
        while (true) {
            Segment seg = segments.peekFirst();
            if (seg == null) {
                return null;
            }
            long end = seg == active ? seg.size : seg.validEnd;
            if (headOffset >= end) {
                if (seg == active) {
                    return null;
                }
                dropConsumed(seg);
                continue;
            }
            if (readSegment != seg) {
                closeRead();
                readChannel = FileChannel.open(seg.path, StandardOpenOption.READ);
                readSegment = seg;
            }
            ByteBuffer hdr = ByteBuffer.allocate(8);
            if (end - headOffset < 8 || readChannel.read(hdr, headOffset) != 8) {
                skipRest(seg);
                continue;
            }
            hdr.flip();
            int len = hdr.getInt();
            int sum = hdr.getInt();
            if (len < 5 || len > MAX_PAYLOAD || headOffset + 8 + len > end) {
                skipRest(seg);
                continue;
            }
            ByteBuffer payload = ByteBuffer.allocate(len);
            while (payload.hasRemaining()) {
                if (readChannel.read(payload, headOffset + 8 + payload.position()) < 0) {
                    break;
                }
            }
            crc.reset();
            crc.update(payload.array(), 0, payload.position());
            if (payload.hasRemaining() || (int) crc.getValue() != sum) {
                skipRest(seg);
                continue;
            }
            byte[] p = payload.array();
            int flags = p[0];
            int points = payload.getInt(1);
            byte[] body = java.util.Arrays.copyOfRange(p, 5, len);
            leased = new Record(seg.seq, headOffset, headOffset + 8 + len, flags, points, body);
            return leased;
        }
    }

    private void skipRest(Segment seg) throws IOException {
        corruptRecords++;
        // Points of the unreadable rest are unknown exactly; count what the scan attributed.
        long lost = seg.points - seg.consumedPoints;
        droppedCorruptPoints += Math.max(0, lost);
        pendingPoints -= Math.max(0, lost);
        seg.consumedPoints = seg.points;
        if (seg == active) {
            // Our own file went bad underneath us: start a fresh one and abandon this one.
            seg.validEnd = headOffset;
            startSegment(seg.seq + 1);
        } else {
            seg.validEnd = headOffset;
        }
        dropConsumed(seg);
    }

    private void dropConsumed(Segment seg) throws IOException {
        if (seg == active) {
            return;
        }
        segments.remove(seg);
        if (readSegment == seg) {
            closeRead();
        }
        totalBytes -= seg.size;
        Files.deleteIfExists(seg.path);
        Segment next = segments.peekFirst();
        headOffset = HEADER;
        writeHead(next.seq, HEADER);
    }

    /** Marks {@code r} (the record last returned by {@link #peek()}) consumed. */
    void commit(Record r) throws IOException {
        if (leased != r) {
            throw new IllegalStateException("commit of a record that is not the head");
        }
        leased = null;
        if (r.droppedBy != 0) {
            return;
        }
        Segment seg = segments.peekFirst();
        headOffset = r.nextOffset;
        seg.consumedPoints += r.points;
        pendingPoints -= r.points;
        if (seg != active && headOffset >= seg.validEnd) {
            dropConsumed(seg);
        } else {
            writeHead(seg.seq, headOffset);
        }
    }

    /**
     * Leases {@code r}, a record just appended, as if returned by {@link #peek()}; it must be the
     * head (the spool held nothing older).
     */
    void leaseAppended(Record r) throws IOException {
        Segment first = segments.peekFirst();
        while (first != null && first != active && first.seq != r.seq && headOffset >= first.validEnd) {
            dropConsumed(first);
            first = segments.peekFirst();
        }
        if (first == null || first.seq != r.seq || headOffset != r.offset) {
            throw new IllegalStateException("record is not the spool head");
        }
        leased = r;
    }

    /** Forgets the lease without consuming (the send failed; the record stays at the head). */
    void release(Record r) {
        if (leased == r) {
            leased = null;
        }
    }

    private void writeHead(long seq, long off) throws IOException {
        headBuf.clear();
        headBuf.putLong(seq).putLong(off);
        crc.reset();
        crc.update(headBuf.array(), 0, 16);
        headBuf.putInt((int) crc.getValue());
        headBuf.flip();
        headChannel.write(headBuf, 0);
    }

    private void closeRead() throws IOException {
        if (readChannel != null) {
            readChannel.close();
            readChannel = null;
            readSegment = null;
        }
    }

    /** True when no unconsumed record remains. */
    boolean isEmpty() {
        if (pendingPoints > 0) {
            return false;
        }
        // Points may be 0 for empty batches; fall back to offsets.
        Segment first = segments.peekFirst();
        if (first == null) {
            return true;
        }
        if (segments.size() > 1) {
            return false;
        }
        return headOffset >= first.size;
    }

    long bytes() {
        return totalBytes;
    }

    long pendingPoints() {
        return pendingPoints;
    }

    @Override
    public void close() throws IOException {
        closeRead();
        if (appendChannel != null) {
            if (fsync) {
                appendChannel.force(false);
            }
            appendChannel.close();
            appendChannel = null;
        }
        if (headChannel != null) {
            headChannel.close();
            headChannel = null;
        }
    }

    /** Lists segment files (for tests). */
    List<Path> segmentFiles() {
        List<Path> out = new ArrayList<>();
        for (Iterator<Segment> it = segments.iterator(); it.hasNext();) {
            out.add(it.next().path);
        }
        return out;
    }
}
