package dev.netscan.influx;

import dev.netscan.core.AddressBook;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes InfluxDB line protocol straight into one reusable, growable byte buffer: no
 * {@code String} is built per point and, once the buffer has grown to its working size, nothing is
 * allocated per point (measured with JMH {@code -prof gc}; see {@code docs/bench/influx.md}).
 *
 * <p>A point is written as a call sequence
 * {@code measurement(..) [tag(..)]* field(..)+ endLine(timestamp)}. Calls out of order throw
 * {@link IllegalStateException}; bad values (NaN, infinities, empty names, a measurement starting
 * with {@code #}) throw {@link IllegalArgumentException}. Either way the partial line is removed,
 * so the buffer always holds whole lines only and the encoder can be used on.
 *
 * <h2>Escaping and sanitisation (exact rules)</h2>
 * <ul>
 *   <li>Measurement: {@code ,} and space are escaped with a backslash.</li>
 *   <li>Tag keys, tag values, field keys: {@code ,}, {@code =} and space are escaped with a
 *       backslash.</li>
 *   <li>A backslash in a measurement, tag key, tag value or field key is written as is, except
 *       when it is the last character or is followed by a character that would form an escape
 *       sequence (an escaped character or another backslash): then it is written as {@code \\},
 *       so the line always splits where it should.</li>
 *   <li>String field values: {@code "} and {@code \} are escaped with a backslash.</li>
 *   <li>Control characters U+0000-U+001F and U+007F (so newline, carriage return, tab) never reach
 *       the output: each is <em>replaced</em> by U+FFFD (the Unicode replacement character),
 *       everywhere (names, tags, string values).</li>
 *   <li>Invalid UTF-16 (a lone high or low surrogate) is replaced by U+FFFD; valid surrogate
 *       pairs are encoded as one 4-byte UTF-8 sequence.</li>
 *   <li>A tag with an empty value is left out (line protocol has no empty tag values).</li>
 * </ul>
 *
 * <h2>Numbers</h2>
 * Integer fields end in {@code i}, unsigned fields in {@code u}. Floats are written in the
 * shortest decimal form that parses back to the same {@code double} (fixed notation for ordinary
 * magnitudes, {@code 1.0E-7}-style otherwise); NaN and infinities are refused. Timestamps are epoch
 * nanoseconds converted to this encoder's {@link Precision}.
 *
 * <p>Not thread-safe: one encoder per thread (the writer's flush thread owns its encoders).
 */
public final class LineProtocolEncoder {

    private static final int STATE_IDLE = 0;
    private static final int STATE_TAGS = 1;
    private static final int STATE_FIELDS = 2;

    private static final int CTX_MEASUREMENT = 0;
    private static final int CTX_KEY = 1; // tag keys, tag values, field keys
    private static final int CTX_STRING = 2;

    private static final double TWO_POW_53 = 9007199254740992.0;
    private static final double[] POW10 = new double[23];

    static {
        double p = 1;
        for (int i = 0; i < POW10.length; i++) {
            POW10[i] = p;
            p *= 10;
        }
    }

    private static final long[] POW10_LONG = new long[19];
    private static final byte[] DIGIT_PAIRS = new byte[200];

    static {
        long p = 1;
        for (int i = 0; i < POW10_LONG.length; i++) {
            POW10_LONG[i] = p;
            p *= 10;
        }
        for (int i = 0; i < 100; i++) {
            DIGIT_PAIRS[2 * i] = (byte) ('0' + i / 10);
            DIGIT_PAIRS[2 * i + 1] = (byte) ('0' + i % 10);
        }
    }

    /**
     * A measurement name or key escaped once, ahead of time, for the hot path: writing it is a
     * copy of a few bytes. Immutable and thread-safe; make them constants.
     */
    public static final class Name {
        private final String text;
        private final byte[] asMeasurement;
        private final byte[] asKey;

        private Name(String text) {
            this.text = text;
            LineProtocolEncoder e = new LineProtocolEncoder(Precision.NANOSECONDS, 64);
            e.writeText(text, CTX_MEASUREMENT);
            this.asMeasurement = Arrays.copyOf(e.buf, e.size);
            e.size = 0;
            e.writeText(text, CTX_KEY);
            this.asKey = Arrays.copyOf(e.buf, e.size);
        }

        /**
         * Escapes {@code text} for use as a measurement or key.
         *
         * @throws IllegalArgumentException if it is empty or starts with {@code #}
         */
        public static Name of(String text) {
            if (text == null || text.isEmpty()) {
                throw new IllegalArgumentException("a name must not be empty");
            }
            if (text.charAt(0) == '#') {
                throw new IllegalArgumentException("a name must not start with '#': " + text);
            }
            return new Name(text);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    private final Precision precision;
    private final StringBuilder floatScratch = new StringBuilder(32);
    /** The bytes written; whole lines up to {@link #size}, possibly a partial line after {@link #lineStart}. */
    private byte[] buf;
    private int size;
    private int lineStart;
    private int measurementEnd;
    private int state = STATE_IDLE;
    private int lines;
    /** {@code ,key=value} pairs written after every measurement name; set before use. */
    private byte[] everyLineTags = new byte[0];

    /**
     * @param precision timestamp precision of every line written
     * @param initialCapacity initial buffer size in bytes (it grows as needed and never shrinks
     *     until {@link #trimTo(int)})
     */
    public LineProtocolEncoder(Precision precision, int initialCapacity) {
        if (precision == null) {
            throw new IllegalArgumentException("precision is required");
        }
        if (initialCapacity < 16) {
            throw new IllegalArgumentException("initialCapacity must be >= 16, was " + initialCapacity);
        }
        this.precision = precision;
        this.buf = new byte[initialCapacity];
    }

    /** An encoder with nanosecond precision and a 64 KiB initial buffer. */
    public LineProtocolEncoder() {
        this(Precision.NANOSECONDS, 64 * 1024);
    }

    /** The precision timestamps are written in. */
    public Precision precision() {
        return precision;
    }

    // ------------------------------------------------------------------------------------------
    // Point building

    /**
     * Starts a line with its measurement name.
     *
     * @throws IllegalStateException if a line is already in progress
     * @throws IllegalArgumentException if the name is empty or starts with {@code #} (a comment)
     */
    public LineProtocolEncoder measurement(CharSequence name) {
        if (state != STATE_IDLE) {
            String m = currentMeasurement();
            abortLine();
            throw new IllegalStateException("line for measurement '" + m + "' was not ended before a new measurement");
        }
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("measurement name must not be empty");
        }
        if (name.charAt(0) == '#') {
            throw new IllegalArgumentException("measurement name must not start with '#' (a comment in line protocol): " + name);
        }
        lineStart = size;
        writeText(name, CTX_MEASUREMENT);
        measurementEnd = size;
        writeBytes(everyLineTags);
        state = STATE_TAGS;
        return this;
    }

    /** Starts a line with a pre-escaped measurement name (the fast path). */
    public LineProtocolEncoder measurement(Name name) {
        if (state != STATE_IDLE) {
            String m = currentMeasurement();
            abortLine();
            throw new IllegalStateException("line for measurement '" + m + "' was not ended before a new measurement");
        }
        lineStart = size;
        writeBytes(name.asMeasurement);
        measurementEnd = size;
        writeBytes(everyLineTags);
        state = STATE_TAGS;
        return this;
    }

    /**
     * Adds a tag to every line started from now on, right after the measurement name (a fleet
     * member's {@code instance}). Not for the hot path: call it before use.
     *
     * @throws IllegalArgumentException for an empty key or value
     */
    public LineProtocolEncoder tagEveryLine(CharSequence key, CharSequence value) {
        LineProtocolEncoder e = new LineProtocolEncoder(precision, 64);
        e.measurement("m").tag(key, value); // escapes them as tags
        byte[] t = Arrays.copyOfRange(e.buf, 1, e.size);
        byte[] all = Arrays.copyOf(everyLineTags, everyLineTags.length + t.length);
        System.arraycopy(t, 0, all, everyLineTags.length, t.length);
        everyLineTags = all;
        return this;
    }

    /** Adds a tag whose value is an IPv4 address, with a pre-escaped key (the fast path). */
    public LineProtocolEncoder tagIpv4(Name key, int ipv4) {
        requireState(STATE_TAGS, "tag");
        ensure(key.asKey.length + 17);
        buf[size++] = ',';
        writeBytes(key.asKey);
        buf[size++] = '=';
        writeUnsignedSmall(ipv4 >>> 24);
        buf[size++] = '.';
        writeUnsignedSmall((ipv4 >>> 16) & 0xFF);
        buf[size++] = '.';
        writeUnsignedSmall((ipv4 >>> 8) & 0xFF);
        buf[size++] = '.';
        writeUnsignedSmall(ipv4 & 0xFF);
        return this;
    }

    /**
     * Adds a tag whose value is a device's address given by its key: dotted-quad for an IPv4
     * address, the RFC 5952 text for an IPv6 key of {@link AddressBook#shared()} (a key no longer
     * in the book, which the book's grace period makes impossible for a queued point, falls back
     * to dotted-quad). Allocation-free.
     */
    public LineProtocolEncoder tagAddress(Name key, int address) {
        if (!AddressBook.isIpv6Key(address)) {
            return tagIpv4(key, address);
        }
        requireState(STATE_TAGS, "tag");
        ensure(key.asKey.length + 2 + AddressBook.MAX_TEXT_BYTES);
        int mark = size;
        buf[size++] = ',';
        writeBytes(key.asKey);
        buf[size++] = '=';
        int n = AddressBook.shared().copyText(address, buf, size);
        if (n < 0) {
            size = mark;
            return tagIpv4(key, address);
        }
        size += n;
        return this;
    }

    /** Adds a signed integer field with a pre-escaped key. */
    public LineProtocolEncoder intField(Name key, long value) {
        fieldKey(key);
        writeLong(value);
        ensure(1);
        buf[size++] = 'i';
        return this;
    }

    /** Adds a float field with a pre-escaped key; NaN and infinities refused as in {@link #floatField(CharSequence, double)}. */
    public LineProtocolEncoder floatField(Name key, double value) {
        if (!Double.isFinite(value)) {
            return floatField(key.text, value);
        }
        fieldKey(key);
        writeDouble(value);
        return this;
    }

    /**
     * Adds a float field whose value is exactly {@code unscaled * 10^-scale}, written in decimal
     * without going through {@code double} (e.g. nanoseconds as milliseconds: scale 6). For values
     * of at most 15 significant digits this is the same text as the shortest form of the nearest
     * double, so readers see the same number.
     *
     * @param scale 0..18
     */
    public LineProtocolEncoder decimalField(Name key, long unscaled, int scale) {
        if (scale < 0 || scale > 18) {
            String m = currentMeasurement();
            abortLine();
            throw new IllegalArgumentException("scale must be 0..18, was " + scale + " (measurement '" + m + "')");
        }
        fieldKey(key);
        ensure(42);
        if (unscaled == 0) {
            buf[size++] = '0';
            return this;
        }
        if (unscaled < 0) {
            buf[size++] = '-';
            if (unscaled == Long.MIN_VALUE) {
                // cannot negate; go through the generic path
                size--;
                writeDouble(unscaled / POW10[scale]);
                return this;
            }
            unscaled = -unscaled;
        }
        writeFixed(unscaled, scale);
        return this;
    }

    /** Adds a boolean field with a pre-escaped key. */
    public LineProtocolEncoder boolField(Name key, boolean value) {
        fieldKey(key);
        writeBool(value);
        return this;
    }

    /** Adds a string field with a pre-escaped key. */
    public LineProtocolEncoder stringField(Name key, CharSequence value) {
        fieldKey(key);
        ensure(1);
        buf[size++] = '"';
        if (value != null) {
            writeText(value, CTX_STRING);
        }
        ensure(1);
        buf[size++] = '"';
        return this;
    }

    /**
     * Adds a tag. Tags must come before fields. A {@code null} or empty value leaves the tag out.
     *
     * @throws IllegalArgumentException if the key is empty
     */
    public LineProtocolEncoder tag(CharSequence key, CharSequence value) {
        requireState(STATE_TAGS, "tag");
        if (value == null || value.isEmpty()) {
            return this;
        }
        requireKey(key, "tag key");
        ensure(1);
        buf[size++] = ',';
        writeText(key, CTX_KEY);
        ensure(1);
        buf[size++] = '=';
        writeText(value, CTX_KEY);
        return this;
    }

    /** Adds a tag whose value is an IPv4 address in dotted-quad form, without building a String. */
    public LineProtocolEncoder tagIpv4(CharSequence key, int ipv4) {
        requireState(STATE_TAGS, "tag");
        requireKey(key, "tag key");
        ensure(1);
        buf[size++] = ',';
        writeText(key, CTX_KEY);
        ensure(16);
        buf[size++] = '=';
        writeUnsignedSmall(ipv4 >>> 24);
        buf[size++] = '.';
        writeUnsignedSmall((ipv4 >>> 16) & 0xFF);
        buf[size++] = '.';
        writeUnsignedSmall((ipv4 >>> 8) & 0xFF);
        buf[size++] = '.';
        writeUnsignedSmall(ipv4 & 0xFF);
        return this;
    }

    /** Adds a signed integer field ({@code 42i}). */
    public LineProtocolEncoder intField(CharSequence key, long value) {
        fieldKey(key);
        writeLong(value);
        ensure(1);
        buf[size++] = 'i';
        return this;
    }

    /** Adds an unsigned integer field ({@code 42u}); {@code value} is read as unsigned 64-bit. */
    public LineProtocolEncoder uintField(CharSequence key, long value) {
        fieldKey(key);
        writeUnsignedLong(value);
        ensure(1);
        buf[size++] = 'u';
        return this;
    }

    /**
     * Adds a float field in its shortest round-trip decimal form.
     *
     * @throws IllegalArgumentException for NaN or an infinity (line protocol cannot carry them)
     */
    public LineProtocolEncoder floatField(CharSequence key, double value) {
        if (!Double.isFinite(value)) {
            String m = currentMeasurement();
            abortLine();
            throw new IllegalArgumentException("field '" + key + "' of measurement '" + m + "' is " + value
                    + ": line protocol cannot represent NaN or infinities");
        }
        fieldKey(key);
        writeDouble(value);
        return this;
    }

    /** Adds a boolean field ({@code true} / {@code false}). */
    public LineProtocolEncoder boolField(CharSequence key, boolean value) {
        fieldKey(key);
        writeBool(value);
        return this;
    }

    private void writeBool(boolean value) {
        if (value) {
            writeAscii4('t', 'r', 'u', 'e');
        } else {
            ensure(5);
            buf[size++] = 'f';
            buf[size++] = 'a';
            buf[size++] = 'l';
            buf[size++] = 's';
            buf[size++] = 'e';
        }
    }

    /** Adds a string field; {@code null} is written as the empty string. */
    public LineProtocolEncoder stringField(CharSequence key, CharSequence value) {
        fieldKey(key);
        ensure(1);
        buf[size++] = '"';
        if (value != null) {
            writeText(value, CTX_STRING);
        }
        ensure(1);
        buf[size++] = '"';
        return this;
    }

    /**
     * Ends the line with a timestamp.
     *
     * @param timestampEpochNanos nanoseconds since the epoch, converted to this encoder's precision
     * @throws IllegalStateException if the line has no field
     */
    public void endLine(long timestampEpochNanos) {
        requireFields();
        ensure(1);
        buf[size++] = ' ';
        writeLong(precision.fromEpochNanos(timestampEpochNanos));
        ensure(1);
        buf[size++] = '\n';
        state = STATE_IDLE;
        lines++;
    }

    /** Ends the line without a timestamp (the server stamps it on arrival). */
    public void endLineWithoutTimestamp() {
        requireFields();
        ensure(1);
        buf[size++] = '\n';
        state = STATE_IDLE;
        lines++;
    }

    /** Drops the line in progress, if any. */
    public void abortLine() {
        if (state != STATE_IDLE) {
            size = lineStart;
            state = STATE_IDLE;
        }
    }

    /** True when a line has been started and not yet ended. */
    public boolean inLine() {
        return state != STATE_IDLE;
    }

    // ------------------------------------------------------------------------------------------
    // Buffer access

    /** Bytes of whole lines in the buffer (a line in progress is not counted). */
    public int size() {
        return state == STATE_IDLE ? size : lineStart;
    }

    /** Number of whole lines written since the last {@link #reset()}. */
    public int lines() {
        return lines;
    }

    /**
     * The internal buffer; valid bytes are {@code [0, size())}. The array is live: it is reused
     * and replaced as the encoder writes on. Read it only from the owning thread.
     */
    public byte[] array() {
        return buf;
    }

    /** A copy of the whole lines written. */
    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size());
    }

    /** The whole lines written, decoded as UTF-8 (for tests and diagnostics; allocates). */
    @Override
    public String toString() {
        return new String(buf, 0, size(), StandardCharsets.UTF_8);
    }

    /** Writes the whole lines to {@code out}. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, size());
    }

    /** Empties the buffer (keeps its capacity) and drops any line in progress. */
    public void reset() {
        size = 0;
        lineStart = 0;
        state = STATE_IDLE;
        lines = 0;
    }

    /** Empties the buffer and shrinks it to at most {@code capacity} bytes. */
    public void trimTo(int capacity) {
        reset();
        if (buf.length > capacity) {
            buf = new byte[Math.max(16, capacity)];
        }
    }

    // ------------------------------------------------------------------------------------------
    // Internals

    private void requireState(int expected, String what) {
        if (state != expected) {
            String m = currentMeasurement();
            boolean idle = state == STATE_IDLE;
            abortLine();
            throw new IllegalStateException(idle
                    ? what + " written before measurement"
                    : what + " written after the first field of measurement '" + m + "' (tags must come first)");
        }
    }

    private void requireKey(CharSequence key, String what) {
        if (key == null || key.isEmpty()) {
            String m = currentMeasurement();
            abortLine();
            throw new IllegalArgumentException(what + " must not be empty (measurement '" + m + "')");
        }
    }

    private void requireFields() {
        if (state != STATE_FIELDS) {
            String m = currentMeasurement();
            boolean idle = state == STATE_IDLE;
            abortLine();
            throw new IllegalStateException(idle ? "endLine without a line in progress"
                    : "measurement '" + m + "' has no field; line protocol needs at least one");
        }
    }

    private void fieldKey(CharSequence key) {
        if (state == STATE_IDLE) {
            throw new IllegalStateException("field written before measurement");
        }
        requireKey(key, "field key");
        ensure(1);
        buf[size++] = (byte) (state == STATE_TAGS ? ' ' : ',');
        state = STATE_FIELDS;
        writeText(key, CTX_KEY);
        ensure(1);
        buf[size++] = '=';
    }

    private void fieldKey(Name key) {
        if (state == STATE_IDLE) {
            throw new IllegalStateException("field written before measurement");
        }
        byte[] k = key.asKey;
        ensure(k.length + 2);
        buf[size++] = (byte) (state == STATE_TAGS ? ' ' : ',');
        state = STATE_FIELDS;
        System.arraycopy(k, 0, buf, size, k.length);
        size += k.length;
        buf[size++] = '=';
    }

    private void writeBytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
    }

    private String currentMeasurement() {
        return state == STATE_IDLE ? "" : new String(buf, lineStart, measurementEnd - lineStart, StandardCharsets.UTF_8);
    }

    private void ensure(int extra) {
        if (size + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + extra));
        }
    }

    private static boolean escapedIn(int ctx, char c) {
        return switch (ctx) {
            case CTX_MEASUREMENT -> c == ',' || c == ' ';
            case CTX_KEY -> c == ',' || c == '=' || c == ' ';
            default -> c == '"' || c == '\\';
        };
    }

    /** Writes text as UTF-8 with this context's escaping and the sanitisation rules above. */
    private void writeText(CharSequence s, int ctx) {
        int n = s.length();
        // Worst case 4 bytes per char pair, 3 bytes per lone char, 2 for an escaped ASCII char.
        ensure(n * 3 + 1);
        byte[] b = buf;
        int p = size;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c < 0x20 || c == 0x7F) {
                    b[p++] = (byte) 0xEF;
                    b[p++] = (byte) 0xBF;
                    b[p++] = (byte) 0xBD;
                } else if (escapedIn(ctx, c)) {
                    b[p++] = '\\';
                    b[p++] = (byte) c;
                } else if (c == '\\' && ctx != CTX_STRING) {
                    // A backslash that could merge with what follows is doubled; see class javadoc.
                    if (i + 1 == n) {
                        b[p++] = '\\';
                        b[p++] = '\\';
                    } else {
                        char next = s.charAt(i + 1);
                        if (next == '\\' || escapedIn(ctx, next)) {
                            b[p++] = '\\';
                        }
                        b[p++] = '\\';
                    }
                } else {
                    b[p++] = (byte) c;
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[p++] = (byte) (0xF0 | (cp >> 18));
                    b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[p++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    b[p++] = (byte) 0xEF;
                    b[p++] = (byte) 0xBF;
                    b[p++] = (byte) 0xBD;
                }
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        size = p;
    }

    private void writeAscii4(char a, char b2, char c, char d) {
        ensure(4);
        buf[size++] = (byte) a;
        buf[size++] = (byte) b2;
        buf[size++] = (byte) c;
        buf[size++] = (byte) d;
    }

    /** 0..255 without a bounds check (caller ensured capacity). */
    private void writeUnsignedSmall(int v) {
        if (v >= 100) {
            buf[size++] = (byte) ('0' + v / 100);
            buf[size++] = (byte) ('0' + (v / 10) % 10);
        } else if (v >= 10) {
            buf[size++] = (byte) ('0' + v / 10);
        }
        buf[size++] = (byte) ('0' + v % 10);
    }

    private void writeLong(long v) {
        ensure(20);
        if (v < 0) {
            buf[size++] = '-';
            if (v == Long.MIN_VALUE) {
                // |MIN_VALUE| does not fit a long; write it as unsigned.
                writeUnsignedLong(v);
                return;
            }
            v = -v;
        }
        writePositive(v);
    }

    private void writeUnsignedLong(long v) {
        ensure(20);
        if (v >= 0) {
            writePositive(v);
            return;
        }
        long q = Long.divideUnsigned(v, 10);
        writePositive(q);
        buf[size++] = (byte) ('0' + (v - q * 10));
    }

    /** v >= 0; capacity ensured by the caller (20 bytes). */
    private void writePositive(long v) {
        int digits = 1;
        while (digits < 19 && v >= POW10_LONG[digits]) {
            digits++;
        }
        int end = size + digits;
        int p = end;
        while (v >= 100) {
            int r = (int) (v % 100);
            v /= 100;
            buf[--p] = DIGIT_PAIRS[2 * r + 1];
            buf[--p] = DIGIT_PAIRS[2 * r];
        }
        if (v >= 10) {
            int r = (int) v;
            buf[--p] = DIGIT_PAIRS[2 * r + 1];
            buf[--p] = DIGIT_PAIRS[2 * r];
        } else {
            buf[--p] = (byte) ('0' + v);
        }
        size = end;
    }

    private void writeDouble(double v) {
        ensure(40);
        if (v == 0) {
            if (Double.doubleToRawLongBits(v) != 0) {
                buf[size++] = '-';
            }
            buf[size++] = '0';
            return;
        }
        double a = Math.abs(v);
        if (a >= 1e-7 && a < 1e15) {
            // Fixed notation: the fewest decimals k with round(a * 10^k) / 10^k == a. Because
            // m < 2^53 and 10^k are exact doubles, that division is the correctly rounded value of
            // the decimal m * 10^-k, which is exactly what a parser returns: it round-trips.
            for (int k = 0; k <= 17; k++) {
                double scaled = a * POW10[k];
                if (scaled >= TWO_POW_53) {
                    break;
                }
                long m = Math.round(scaled);
                if (m / POW10[k] == a) {
                    if (v < 0) {
                        buf[size++] = '-';
                    }
                    writeFixed(m, k);
                    return;
                }
            }
        }
        // Rare: 17 significant digits or extreme magnitudes. StringBuilder.append(double) gives the
        // shortest round-trip form (JDK 19+), into a reused builder.
        StringBuilder sb = floatScratch;
        sb.setLength(0);
        sb.append(v);
        int n = sb.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[size++] = (byte) sb.charAt(i);
        }
    }

    /** Writes m * 10^-k, m > 0, without trailing zeros in the fraction. */
    private void writeFixed(long m, int k) {
        if (k == 0) {
            writePositive(m);
            return;
        }
        while (k > 0 && m % 10 == 0) {
            m /= 10;
            k--;
        }
        if (k == 0) {
            writePositive(m);
            return;
        }
        int digits = 1;
        while (digits < 19 && m >= POW10_LONG[digits]) {
            digits++;
        }
        if (digits <= k) {
            buf[size++] = '0';
            buf[size++] = '.';
            for (int z = digits; z < k; z++) {
                buf[size++] = '0';
            }
            writePositive(m);
        } else {
            int intDigits = digits - k;
            int end = size + digits + 1;
            int p = end;
            for (int i = 0; i < k; i++) {
                buf[--p] = (byte) ('0' + (m % 10));
                m /= 10;
            }
            buf[--p] = '.';
            for (int i = 0; i < intDigits; i++) {
                buf[--p] = (byte) ('0' + (m % 10));
                m /= 10;
            }
            size = end;
        }
    }
}
