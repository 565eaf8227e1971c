package dev.netscan.state;

import dev.netscan.core.AddressBook;
import dev.netscan.core.Device;
import dev.netscan.core.Ipv4;
import dev.netscan.core.PingStats;
import dev.netscan.core.SnmpInfo;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The registry's on-disk snapshot, format version 2 (all integers big-endian):
 *
 * <pre>
 * header   magic "NSREG\r\n\032" (8 bytes) | version u32 = 2 | savedAt i64 epoch ms | count u32
 * record * count:
 *          address | firstSeen i64 | lastSeen i64 | snmpUpdated i64 | failureStreak i32
 *          | suspendedUntil i64 | suspensions i32 | flags u8 (bit 0: stats present)
 *          | sysName str | sysDescr str | sysObjectId str | sysUpTimeHundredths i64
 *          | sysContact str | sysLocation str
 *          | [stats: windowEndEpochNanos i64 | windowNanos i64 | sent i32 | received i32
 *             | lossPercent, rttMin, rttAvg, rttMax, rttStddev, jitter, rttP95 f64 * 7]
 * trailer  crc32c u32 of every byte before it
 * str      length i32 (-1 for null, else 0..65535) then that many bytes of UTF-8
 * address  family u8 = 4, then ipv4 i32
 *          | family u8 = 6, then the 16 bytes of the IPv6 address and its scope id i32 (0 for none)
 * </pre>
 *
 * Version 1, written before IPv6 devices, is read too: its records start with {@code ipv4 i32}
 * instead of {@code address}. IPv6 devices are stored by address, never by their in-process
 * {@link AddressBook} key, and interned again when read.
 *
 * The magic's CR LF and ^Z catch text-mode mangling, as PNG's do. Stateless; thread-safe.
 */
final class SnapshotFile {
    static final byte[] MAGIC = {'N', 'S', 'R', 'E', 'G', '\r', '\n', 0x1A};
    static final int VERSION = 2;
    /** The format before IPv6 devices, still read. */
    static final int VERSION_1 = 1;
    static final int FAMILY_IPV4 = 4;
    static final int FAMILY_IPV6 = 6;
    static final int HEADER_BYTES = MAGIC.length + 4 + 8 + 4;
    static final int TRAILER_BYTES = 4;
    /** Version 1: ipv4..flags, five null strings, uptime (version 2 adds the family byte). */
    static final int MIN_RECORD_BYTES = 4 + 8 + 8 + 8 + 4 + 8 + 4 + 1 + 5 * 4 + 8;
    static final int MAX_STRING_BYTES = 65_535;
    private static final int FLAG_STATS = 1;

    private SnapshotFile() {}

    static void write(Path file, List<Device> devices, long savedAtEpochMillis) throws IOException {
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, target.getFileName().toString() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                Writer w = new Writer(ch);
                w.bytes(MAGIC);
                w.i32(VERSION);
                w.i64(savedAtEpochMillis);
                w.i32(devices.size());
                for (Device d : devices) {
                    w.record(d);
                }
                w.finish();
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically (file system does not support it)", e);
            }
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void forceDirectory(Path dir) {
        // Makes the rename durable on Linux; some platforms cannot open a directory, and the
        // rename is still atomic there, just not yet durable.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    /** Reads and fully validates a snapshot; either returns every device or throws. */
    static List<Device> read(Path file) throws IOException {
        long length = Files.size(file);
        if (length == 0) {
            throw new CorruptSnapshotException(file, "file is empty");
        }
        if (length < HEADER_BYTES + TRAILER_BYTES) {
            throw new CorruptSnapshotException(file, "truncated: " + length + " bytes, a snapshot has at least "
                    + (HEADER_BYTES + TRAILER_BYTES));
        }
        if (length > Integer.MAX_VALUE - 16) {
            throw new CorruptSnapshotException(file, "too large: " + length + " bytes");
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw new CorruptSnapshotException(file, "not a netscan registry snapshot (wrong magic bytes)");
            }
        }
        in.position(MAGIC.length);
        int version = in.getInt();
        if (version != VERSION && version != VERSION_1) {
            throw new CorruptSnapshotException(file, "unsupported format version " + Integer.toUnsignedString(version)
                    + " (this build reads versions " + VERSION_1 + " and " + VERSION + ")");
        }
        int bodyEnd = bytes.length - TRAILER_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bodyEnd);
        int stored = ByteBuffer.wrap(bytes, bodyEnd, TRAILER_BYTES).getInt();
        if ((int) crc.getValue() != stored) {
            throw new CorruptSnapshotException(file, String.format(
                    "checksum mismatch (stored CRC32C %08x, computed %08x): the file is truncated or damaged",
                    stored, (int) crc.getValue()));
        }
        in.getLong(); // savedAt: informational
        int count = in.getInt();
        long maxCount = (bodyEnd - HEADER_BYTES) / (MIN_RECORD_BYTES + (version == VERSION_1 ? 0 : 1));
        if (count < 0 || count > maxCount) {
            throw new CorruptSnapshotException(file, "device count " + Integer.toUnsignedString(count)
                    + " does not fit in " + length + " bytes");
        }
        in.limit(bodyEnd);
        List<Device> devices = new ArrayList<>(count);
        IntOpenHashSet seen = new IntOpenHashSet(count);
        for (int i = 0; i < count; i++) {
            int at = in.position();
            try {
                Device d = record(in, file, i, version);
                if (!seen.add(d.ipv4())) {
                    throw new CorruptSnapshotException(file, "record " + i + " at byte " + at + ": duplicate device "
                            + AddressBook.shared().text(d.ipv4()));
                }
                devices.add(d);
            } catch (BufferUnderflowException e) {
                throw new CorruptSnapshotException(file, "record " + i + " at byte " + at + " runs past the end of the data");
            }
        }
        if (in.hasRemaining()) {
            throw new CorruptSnapshotException(file, in.remaining() + " unexpected bytes after record " + count);
        }
        return devices;
    }

    private static Device record(ByteBuffer in, Path file, int index, int version) throws CorruptSnapshotException {
        int at = in.position();
        int ip = version == VERSION_1 ? in.getInt() : address(in, file, index, at);
        long firstSeen = in.getLong();
        long lastSeen = in.getLong();
        long snmpUpdated = in.getLong();
        int streak = in.getInt();
        long suspendedUntil = in.getLong();
        int suspensions = in.getInt();
        int flags = in.get() & 0xFF;
        String where = "record " + index + " at byte " + at + " (" + AddressBook.shared().text(ip) + ")";
        if (streak < 0 || suspensions < 0 || suspendedUntil < 0 || (flags & ~FLAG_STATS) != 0) {
            throw new CorruptSnapshotException(file, where + ": impossible values (failure streak " + streak
                    + ", suspensions " + suspensions + ", suspended until " + suspendedUntil + ", flags " + flags + ")");
        }
        String sysName = string(in, file, where);
        String sysDescr = string(in, file, where);
        String sysObjectId = string(in, file, where);
        long upTime = in.getLong();
        String sysContact = string(in, file, where);
        String sysLocation = string(in, file, where);
        SnmpInfo snmp = sysName == null && sysDescr == null && sysObjectId == null && upTime == -1
                        && sysContact == null && sysLocation == null
                ? SnmpInfo.UNKNOWN
                : new SnmpInfo(sysName, sysDescr, sysObjectId, upTime, sysContact, sysLocation);
        PingStats stats = null;
        if ((flags & FLAG_STATS) != 0) {
            stats = new PingStats(ip, in.getLong(), in.getLong(), in.getInt(), in.getInt(), in.getDouble(),
                    in.getDouble(), in.getDouble(), in.getDouble(), in.getDouble(), in.getDouble(), in.getDouble());
        }
        return new Device(ip, firstSeen, lastSeen, snmp, snmpUpdated, streak, suspendedUntil, suspensions, stats);
    }

    /** A version-2 address: an IPv4 address, or an IPv6 one interned in the shared book. */
    private static int address(ByteBuffer in, Path file, int index, int at) throws CorruptSnapshotException {
        int family = in.get() & 0xFF;
        if (family == FAMILY_IPV4) {
            int ip = in.getInt();
            if (AddressBook.isIpv6Key(ip)) {
                throw new CorruptSnapshotException(file, "record " + index + " at byte " + at + ": IPv4 address "
                        + Ipv4.format(ip) + " is in 240.0.0.0/4, never a device");
            }
            return ip;
        }
        if (family != FAMILY_IPV6) {
            throw new CorruptSnapshotException(file, "record " + index + " at byte " + at + ": address family " + family
                    + " is neither 4 nor 6");
        }
        byte[] b = new byte[16];
        in.get(b);
        int scope = in.getInt();
        try {
            InetAddress a = scope == 0 ? InetAddress.getByAddress(b) : Inet6Address.getByAddress(null, b, scope);
            if (!(a instanceof Inet6Address v6)) {
                throw new CorruptSnapshotException(file, "record " + index + " at byte " + at
                        + ": IPv6 record holds an IPv4-mapped address (" + a.getHostAddress() + ")");
            }
            return AddressBook.shared().intern(v6);
        } catch (UnknownHostException e) {
            throw new CorruptSnapshotException(file, "record " + index + " at byte " + at + ": bad IPv6 address");
        }
    }

    private static String string(ByteBuffer in, Path file, String where) throws CorruptSnapshotException {
        int len = in.getInt();
        if (len == -1) {
            return null;
        }
        if (len < 0 || len > MAX_STRING_BYTES) {
            throw new CorruptSnapshotException(file, where + ": string length " + len + " out of range");
        }
        if (len > in.remaining()) {
            throw new BufferUnderflowException();
        }
        ByteBuffer slice = in.slice(in.position(), len);
        in.position(in.position() + len);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice)
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CorruptSnapshotException(file, where + ": string is not valid UTF-8");
        }
    }

    /** Buffered big-endian writer that checksums everything it writes. */
    private static final class Writer {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private final CRC32C crc = new CRC32C();

        Writer(FileChannel ch) {
            this.ch = ch;
        }

        void record(Device d) throws IOException {
            room(MIN_RECORD_BYTES + 24 + 88);
            int key = d.ipv4();
            if (AddressBook.isIpv6Key(key)) {
                Inet6Address a = AddressBook.shared().ipv6(key);
                if (a == null) {
                    throw new IOException("device key " + Ipv4.format(key) + " is no longer in the address book");
                }
                buf.put((byte) FAMILY_IPV6);
                buf.put(a.getAddress());
                buf.putInt(a.getScopeId());
            } else {
                buf.put((byte) FAMILY_IPV4);
                buf.putInt(key);
            }
            buf.putLong(d.firstSeenEpochMillis());
            buf.putLong(d.lastSeenEpochMillis());
            buf.putLong(d.snmpUpdatedEpochMillis());
            buf.putInt(d.failureStreak());
            buf.putLong(d.suspendedUntilEpochMillis());
            buf.putInt(d.suspensions());
            PingStats st = d.lastStats();
            buf.put((byte) (st != null ? FLAG_STATS : 0));
            SnmpInfo s = d.snmp();
            string(s.sysName());
            string(s.sysDescr());
            string(s.sysObjectId());
            room(8);
            buf.putLong(s.sysUpTimeHundredths());
            string(s.sysContact());
            string(s.sysLocation());
            if (st != null) {
                room(88);
                buf.putLong(st.windowEndEpochNanos());
                buf.putLong(st.windowNanos());
                buf.putInt(st.sent());
                buf.putInt(st.received());
                buf.putDouble(st.lossPercent());
                buf.putDouble(st.rttMinMillis());
                buf.putDouble(st.rttAvgMillis());
                buf.putDouble(st.rttMaxMillis());
                buf.putDouble(st.rttStddevMillis());
                buf.putDouble(st.jitterMillis());
                buf.putDouble(st.rttP95Millis());
            }
        }

        void string(String s) throws IOException {
            if (s == null) {
                room(4);
                buf.putInt(-1);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > MAX_STRING_BYTES) {
                // SnmpInfo promises at most 1,024 bytes; refuse rather than write what we cannot read.
                throw new IOException("SNMP string of " + b.length + " bytes exceeds the snapshot limit of "
                        + MAX_STRING_BYTES);
            }
            room(4);
            buf.putInt(b.length);
            bytes(b);
        }

        void bytes(byte[] b) throws IOException {
            int off = 0;
            while (off < b.length) {
                if (!buf.hasRemaining()) {
                    drain();
                }
                int n = Math.min(buf.remaining(), b.length - off);
                buf.put(b, off, n);
                off += n;
            }
        }

        void i32(int v) throws IOException {
            room(4);
            buf.putInt(v);
        }

        void i64(long v) throws IOException {
            room(8);
            buf.putLong(v);
        }

        void finish() throws IOException {
            drain();
            buf.putInt((int) crc.getValue());
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }

        private void room(int n) throws IOException {
            if (buf.remaining() < n) {
                drain();
            }
        }

        private void drain() throws IOException {
            buf.flip();
            crc.update(buf.duplicate());
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
        }
    }
}
