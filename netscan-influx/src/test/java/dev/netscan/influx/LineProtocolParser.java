package dev.netscan.influx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-side line protocol parser, written from the spec independently of the encoder: reads what
 * the encoder wrote back into measurement, tags, typed fields and timestamp. Strict: anything
 * malformed throws with the position.
 */
final class LineProtocolParser {

    enum Type { FLOAT, INT, UINT, BOOL, STRING }

    record Field(Type type, Object value) {
        static Field f(double v) { return new Field(Type.FLOAT, v); }
        static Field i(long v) { return new Field(Type.INT, v); }
        static Field u(long v) { return new Field(Type.UINT, v); }
        static Field b(boolean v) { return new Field(Type.BOOL, v); }
        static Field s(String v) { return new Field(Type.STRING, v); }
    }

    record Point(String measurement, List<Map.Entry<String, String>> tags, Map<String, Field> fields, Long timestamp) {
        String tag(String key) {
            for (Map.Entry<String, String> e : tags) {
                if (e.getKey().equals(key)) return e.getValue();
            }
            return null;
        }
    }

    private final String s;
    private int p;

    private LineProtocolParser(String s) {
        this.s = s;
    }

    /** Parses a whole body: lines separated by '\n'; comment lines (#) and blank lines skipped. */
    static List<Point> parseAll(byte[] body) {
        return parseAll(new String(body, StandardCharsets.UTF_8));
    }

    static List<Point> parseAll(String body) {
        List<Point> out = new ArrayList<>();
        if (!body.isEmpty() && !body.endsWith("\n")) {
            throw new IllegalArgumentException("body does not end with a newline");
        }
        for (String line : body.split("\n", -1)) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            out.add(parseLine(line));
        }
        return out;
    }

    static Point parseLine(String line) {
        if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("line contains CR/LF: " + line);
        }
        return new LineProtocolParser(line).point();
    }

    private Point point() {
        String m = ident(", ", false);
        if (m.isEmpty()) throw err("empty measurement");
        List<Map.Entry<String, String>> tags = new ArrayList<>();
        while (p < s.length() && s.charAt(p) == ',') {
            p++;
            String k = ident(",= ", true);
            expect('=');
            String v = ident(",= ", true);
            if (k.isEmpty() || v.isEmpty()) throw err("empty tag key or value");
            tags.add(Map.entry(k, v));
        }
        expect(' ');
        Map<String, Field> fields = new LinkedHashMap<>();
        do {
            if (!fields.isEmpty()) p++;
            String k = ident(",= ", true);
            if (k.isEmpty()) throw err("empty field key");
            expect('=');
            if (fields.put(k, value()) != null) throw err("duplicate field " + k);
        } while (p < s.length() && s.charAt(p) == ',');
        Long ts = null;
        if (p < s.length()) {
            expect(' ');
            int start = p;
            if (p < s.length() && s.charAt(p) == '-') p++;
            while (p < s.length() && Character.isDigit(s.charAt(p))) p++;
            if (p != s.length() || start == p) throw err("bad timestamp");
            ts = Long.parseLong(s.substring(start));
        }
        return new Point(m, tags, fields, ts);
    }

    /** Reads an identifier up to an unescaped delimiter. Escape: '\' + (delimiter or '\') = that char. */
    private String ident(String delims, boolean keyCtx) {
        String escapable = keyCtx ? ",= \\" : ", \\";
        StringBuilder b = new StringBuilder();
        while (p < s.length()) {
            char c = s.charAt(p);
            if (c == '\\' && p + 1 < s.length() && escapable.indexOf(s.charAt(p + 1)) >= 0) {
                b.append(s.charAt(p + 1));
                p += 2;
                continue;
            }
            if (delims.indexOf(c) >= 0) break;
            b.append(c);
            p++;
        }
        return b.toString();
    }

    private Field value() {
        if (p < s.length() && s.charAt(p) == '"') {
            p++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (p >= s.length()) throw err("unterminated string");
                char c = s.charAt(p);
                if (c == '\\' && p + 1 < s.length() && (s.charAt(p + 1) == '"' || s.charAt(p + 1) == '\\')) {
                    b.append(s.charAt(p + 1));
                    p += 2;
                } else if (c == '"') {
                    p++;
                    return Field.s(b.toString());
                } else {
                    b.append(c);
                    p++;
                }
            }
        }
        int start = p;
        while (p < s.length() && s.charAt(p) != ',' && s.charAt(p) != ' ') p++;
        String t = s.substring(start, p);
        if (t.isEmpty()) throw err("empty field value");
        switch (t) {
            case "t", "T", "true", "True", "TRUE": return Field.b(true);
            case "f", "F", "false", "False", "FALSE": return Field.b(false);
            default:
        }
        char last = t.charAt(t.length() - 1);
        if (last == 'i') return Field.i(Long.parseLong(t.substring(0, t.length() - 1)));
        if (last == 'u') return Field.u(Long.parseUnsignedLong(t.substring(0, t.length() - 1)));
        for (int i = 0; i < t.length(); i++) {
            if ("0123456789.-+eE".indexOf(t.charAt(i)) < 0) throw err("bad number " + t);
        }
        return Field.f(Double.parseDouble(t));
    }

    private void expect(char c) {
        if (p >= s.length() || s.charAt(p) != c) throw err("expected '" + c + "'");
        p++;
    }

    private IllegalArgumentException err(String what) {
        return new IllegalArgumentException(what + " at " + p + " in: " + s);
    }
}
