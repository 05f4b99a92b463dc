package org.fieldgate.acquire.li7810;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The payloads of an LI-COR trace gas analyser's data topics, parsed; see {@link Li7810Stream} for the manual's
 * topics and what it leaves open. A header (topic {@code licor/niobrara/output/concentration/units}, "Header for the
 * data file") names the columns and their units; a record (topic {@code licor/niobrara/output/concentration}) holds
 * one value per column. Two spellings are read, chosen by the payload's first character:
 * <ul>
 *   <li>the instrument's data-file lines ({@code .data}, docs/instruments.md): a header payload of a {@code DATAH}
 *       line and a {@code DATAU} line, tab separated; a record payload of one {@code DATA} line in the header's
 *       column order;</li>
 *   <li>a JSON object: header {@code {"CO2":"ppm",...}}, record {@code {"CO2":415.2,...}}; a value may also be an
 *       array whose first element is the value.</li>
 * </ul>
 * Column names are compared case-insensitively. Any problem is an {@link IllegalArgumentException} naming the field
 * and the value.
 */
public final class Li7810Payloads {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest payload echoed in an error. */
    private static final int SNIPPET = 60;

    private Li7810Payloads() {
    }

    /** Column names (upper case) to their units as written, in the header's order. */
    public record Header(Map<String, String> units) {
        public List<String> names() {
            return List.copyOf(units.keySet());
        }
    }

    /** One record's values by column name (upper case); text values (REMARK, DATE, TIME) as written. */
    public record Values(Map<String, String> values) {
        /** The value of {@code column} as a finite number. */
        public double number(String column) {
            String v = values.get(column);
            if (v == null) {
                throw new IllegalArgumentException("field " + column + ": missing from the record");
            }
            try {
                double d = Double.parseDouble(v.strip());
                if (Double.isFinite(d)) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below with the value
            }
            throw new IllegalArgumentException("field " + column + ": value '" + snippet(v) + "': not a finite number");
        }

        /** The value of {@code column} as a whole number (DIAG, SECONDS, NANOSECONDS). */
        public long integer(String column) {
            double d = number(column);
            if (d != Math.rint(d) || Math.abs(d) > 9e15) {
                throw new IllegalArgumentException("field " + column + ": value '" + snippet(values.get(column))
                        + "': not a whole number");
            }
            return (long) d;
        }
    }

    public static Header header(byte[] payload) {
        String text = text(payload, "header");
        if (text.startsWith("{")) {
            Map<String, String> units = new LinkedHashMap<>();
            JsonNode n = json(text, "header");
            n.fields().forEachRemaining(e -> {
                JsonNode u = e.getValue().isArray() && e.getValue().size() > 0 ? e.getValue().get(0) : e.getValue();
                if (!u.isValueNode()) {
                    throw new IllegalArgumentException("header field " + e.getKey() + ": value '"
                            + snippet(e.getValue().toString()) + "': not a unit");
                }
                units.put(e.getKey().strip().toUpperCase(Locale.ROOT), u.asText().strip());
            });
            return new Header(units);
        }
        List<String> names = null;
        List<String> units = null;
        for (String line : text.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            List<String> cells = cells(line);
            switch (cells.get(0)) {
                case "DATAH" -> names = cells.subList(1, cells.size());
                case "DATAU" -> units = cells.subList(1, cells.size());
                default -> throw new IllegalArgumentException("header: line '" + snippet(line)
                        + "': neither a DATAH nor a DATAU line");
            }
        }
        if (names == null || units == null) {
            throw new IllegalArgumentException("header: value '" + snippet(text) + "': needs a DATAH and a DATAU line");
        }
        if (names.size() != units.size()) {
            throw new IllegalArgumentException("header: DATAH names " + names.size() + " columns, DATAU "
                    + units.size() + " units");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i).toUpperCase(Locale.ROOT);
            if (out.putIfAbsent(name, units.get(i)) != null) {
                throw new IllegalArgumentException("header field " + name + ": named twice on the DATAH line");
            }
        }
        return new Header(out);
    }

    /**
     * One record. A data-file record needs the header it follows ({@code header} null: an error saying so); a JSON
     * record names its own columns.
     */
    public static Values record(byte[] payload, Header header) {
        String text = text(payload, "record");
        Map<String, String> out = new LinkedHashMap<>();
        if (text.startsWith("{")) {
            JsonNode n = json(text, "record");
            n.fields().forEachRemaining(e -> {
                JsonNode v = e.getValue().isArray() && e.getValue().size() > 0 ? e.getValue().get(0) : e.getValue();
                out.put(e.getKey().strip().toUpperCase(Locale.ROOT), v.isValueNode() ? v.asText() : v.toString());
            });
            return new Values(out);
        }
        List<String> cells = cells(text.strip());
        if (!cells.get(0).equals("DATA")) {
            throw new IllegalArgumentException("record: value '" + snippet(text) + "': not a DATA line");
        }
        if (header == null) {
            throw new IllegalArgumentException("record: no header (DATAH/DATAU) received yet to name its columns");
        }
        List<String> names = header.names();
        if (cells.size() - 1 != names.size()) {
            throw new IllegalArgumentException("record: " + (cells.size() - 1) + " values, the header (DATAH) names "
                    + names.size() + " columns: '" + snippet(text) + "'");
        }
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), cells.get(i + 1));
        }
        return new Values(out);
    }

    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        for (String c : line.split("\t", -1)) {
            out.add(c.strip());
        }
        return out;
    }

    private static String text(byte[] payload, String what) {
        for (byte b : payload) {
            // the instrument writes printable ASCII, tabs and line ends; anything else is line noise or a foreign publisher
            if ((b < 0x20 || b == 0x7f) && b != '\t' && b != '\r' && b != '\n') {
                throw new IllegalArgumentException(what + ": value '" + snippet(new String(payload,
                        StandardCharsets.ISO_8859_1)) + "': control byte 0x" + String.format("%02x", b & 0xff));
            }
        }
        String text = new String(payload, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + ": value '': empty payload");
        }
        return text;
    }

    private static JsonNode json(String text, String what) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException(what + ": value '" + snippet(text) + "': not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new IllegalArgumentException(what + ": value '" + snippet(text) + "': not JSON ("
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                    : e.getMessage()) + ")");
        }
    }

    static String snippet(String s) {
        String t = s.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r");
        StringBuilder b = new StringBuilder();
        for (char c : t.toCharArray()) {
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.length() <= SNIPPET ? b.toString() : b.substring(0, SNIPPET) + "...";
    }
}
