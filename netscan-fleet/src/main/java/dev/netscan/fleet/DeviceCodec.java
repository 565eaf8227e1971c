package dev.netscan.fleet;

import dev.netscan.core.Device;
import dev.netscan.core.SnmpInfo;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The changelog's record format, part of the fleet's wire contract. Key: the IPv4 address, 4
 * bytes big-endian. Value (version 1): a version byte, then first seen, last seen, SNMP updated,
 * suspended until (epoch millis, 8 bytes each), failure streak and suspensions (4 bytes each),
 * sysUpTime in hundredths (8 bytes), then sysName, sysDescr, sysObjectID, sysContact,
 * sysLocation, each a 2-byte length (0xFFFF: absent) and that many bytes of UTF-8, at most
 * {@value #MAX_TEXT_BYTES}. A null value is a tombstone. The last ping-statistics window is not
 * kept. Decoding checks every length and refuses anything else. Thread-safe (stateless).
 */
final class DeviceCodec {
    static final byte VERSION = 1;
    static final int MAX_TEXT_BYTES = 1_024;
    private static final int ABSENT = 0xFFFF;
    private static final int FIXED = 1 + 4 * 8 + 2 * 4 + 8;

    private DeviceCodec() {}

    static byte[] key(int ipv4) {
        return ByteBuffer.allocate(4).putInt(ipv4).array();
    }

    /** The address in a key. @throws IllegalArgumentException unless the key is 4 bytes */
    static int ipv4(byte[] key) {
        if (key == null || key.length != 4) {
            throw new IllegalArgumentException("changelog key must be 4 bytes, got "
                    + (key == null ? "none" : key.length + " bytes"));
        }
        return ByteBuffer.wrap(key).getInt();
    }

    static byte[] value(Device d) {
        SnmpInfo s = d.snmp();
        byte[][] texts = {utf8(s.sysName()), utf8(s.sysDescr()), utf8(s.sysObjectId()), utf8(s.sysContact()),
            utf8(s.sysLocation())};
        int size = FIXED;
        for (byte[] t : texts) {
            size += 2 + (t == null ? 0 : t.length);
        }
        ByteBuffer b = ByteBuffer.allocate(size).put(VERSION).putLong(d.firstSeenEpochMillis())
                .putLong(d.lastSeenEpochMillis()).putLong(d.snmpUpdatedEpochMillis())
                .putLong(d.suspendedUntilEpochMillis()).putInt(d.failureStreak()).putInt(d.suspensions())
                .putLong(s.sysUpTimeHundredths());
        for (byte[] t : texts) {
            if (t == null) {
                b.putShort((short) ABSENT);
            } else {
                b.putShort((short) t.length).put(t);
            }
        }
        return b.array();
    }

    /** The device of {@code ipv4} in {@code value}. @throws IllegalArgumentException saying what is wrong */
    static Device device(int ipv4, byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        try {
            byte version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("unknown changelog record version " + version);
            }
            long first = b.getLong();
            long last = b.getLong();
            long snmpUpdated = b.getLong();
            long suspendedUntil = b.getLong();
            int streak = b.getInt();
            int suspensions = b.getInt();
            long upTime = b.getLong();
            String[] t = new String[5];
            for (int i = 0; i < t.length; i++) {
                t[i] = text(b);
            }
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(b.remaining() + " bytes after the record");
            }
            if (first < 0 || last < 0 || snmpUpdated < 0 || suspendedUntil < 0 || streak < 0 || suspensions < 0) {
                throw new IllegalArgumentException("negative time or count");
            }
            SnmpInfo snmp = new SnmpInfo(t[0], t[1], t[2], upTime, t[3], t[4]);
            return new Device(ipv4, first, last, snmp.isKnown() ? snmp : SnmpInfo.UNKNOWN, snmpUpdated, streak,
                    suspendedUntil, suspensions, null);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("changelog record cut short at byte " + b.position());
        }
    }

    private static String text(ByteBuffer b) {
        int n = Short.toUnsignedInt(b.getShort());
        if (n == ABSENT) {
            return null;
        }
        if (n > MAX_TEXT_BYTES || n > b.remaining()) {
            throw new IllegalArgumentException("text of " + n + " bytes (at most " + MAX_TEXT_BYTES + ")");
        }
        ByteBuffer slice = b.slice(b.position(), n);
        b.position(b.position() + n);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("text is not UTF-8");
        }
    }

    /** UTF-8 of {@code s}, cut at a character boundary to {@value #MAX_TEXT_BYTES} bytes; null stays null. */
    private static byte[] utf8(String s) {
        if (s == null) {
            return null;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length <= MAX_TEXT_BYTES) {
            return b;
        }
        int end = MAX_TEXT_BYTES;
        while (end > 0 && (b[end] & 0xC0) == 0x80) {
            end--; // do not split a character
        }
        return java.util.Arrays.copyOf(b, end);
    }
}
