package dev.netscan.influx;

import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Reusable gzip (RFC 1952) compressor: one {@link Deflater} kept across batches instead of a new
 * {@code GZIPOutputStream} (and its native zlib state) per batch. Not thread-safe.
 */
final class Gzip implements AutoCloseable {
    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private byte[] out = new byte[64 * 1024];

    Gzip(int level) {
        deflater = new Deflater(level, true);
    }

    /** Compresses {@code [off, off+len)} and returns a new array holding exactly the gzip member. */
    byte[] compress(byte[] in, int off, int len) {
        deflater.reset();
        crc.reset();
        crc.update(in, off, len);
        deflater.setInput(in, off, len);
        deflater.finish();
        int n = 10;
        out[0] = 0x1f;
        out[1] = (byte) 0x8b;
        out[2] = 8;
        Arrays.fill(out, 3, 10, (byte) 0);
        out[9] = (byte) 0xff; // OS unknown
        while (!deflater.finished()) {
            if (n == out.length) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            n += deflater.deflate(out, n, out.length - n);
        }
        byte[] res = Arrays.copyOf(out, n + 8);
        int c = (int) crc.getValue();
        res[n] = (byte) c;
        res[n + 1] = (byte) (c >>> 8);
        res[n + 2] = (byte) (c >>> 16);
        res[n + 3] = (byte) (c >>> 24);
        res[n + 4] = (byte) len;
        res[n + 5] = (byte) (len >>> 8);
        res[n + 6] = (byte) (len >>> 16);
        res[n + 7] = (byte) (len >>> 24);
        return res;
    }

    /** Decompresses a gzip body (used only for rejected batches). */
    static byte[] decompress(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    @Override
    public void close() {
        deflater.end();
    }
}
