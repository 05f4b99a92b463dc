package org.fieldgate.export;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * One table of an export: CSV (RFC 4180, a header line, UTF-8, LF line ends; empty cell = no value) or JSON Lines
 * (one object per row, the same names, null = no value). Numbers are written as Java prints them, so the same data
 * gives the same bytes on every run.
 */
final class TableFile implements Closeable {
    private static final ObjectMapper JSON = new ObjectMapper().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** How an export writes its tables. */
    enum Format {
        CSV("csv", ".csv"), JSON("json", ".jsonl");

        final String label;
        final String extension;

        Format(String label, String extension) {
            this.label = label;
            this.extension = extension;
        }

        static Format of(String label) {
            for (Format f : values()) {
                if (f.label.equals(label)) {
                    return f;
                }
            }
            throw new IllegalArgumentException("format '" + label + "': expected csv or json");
        }
    }

    private final Format format;
    private final List<String> columns;
    private final BufferedWriter out;
    private long rows;

    TableFile(Path file, Format format, List<String> columns) throws IOException {
        this.format = format;
        this.columns = List.copyOf(columns);
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
        if (format == Format.CSV) {
            for (int i = 0; i < columns.size(); i++) {
                out.write(i == 0 ? "" : ",");
                out.write(csv(columns.get(i)));
            }
            out.write('\n');
        }
    }

    void row(List<?> values) throws IOException {
        if (values.size() != columns.size()) {
            throw new IllegalArgumentException(values.size() + " values for " + columns.size() + " columns " + columns);
        }
        if (format == Format.CSV) {
            for (int i = 0; i < values.size(); i++) {
                out.write(i == 0 ? "" : ",");
                Object v = values.get(i);
                out.write(v == null ? "" : csv(String.valueOf(v)));
            }
        } else {
            var node = JSON.createObjectNode();
            for (int i = 0; i < values.size(); i++) {
                node.set(columns.get(i), JSON.valueToTree(values.get(i)));
            }
            out.write(JSON.writeValueAsString(node));
        }
        out.write('\n');
        rows++;
    }

    long rows() {
        return rows;
    }

    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** Data rows of a table file as written here: CSV records (newlines inside quotes do not count) less the header. */
    static long countRows(Path file, Format format) throws IOException {
        long records = 0;
        boolean quoted = false;
        boolean pending = false;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (format == Format.CSV && b == '"') {
                        quoted = !quoted;
                    }
                    if (b == '\n' && !quoted) {
                        records++;
                        pending = false;
                    } else {
                        pending = true;
                    }
                }
            }
        }
        if (pending) {
            records++;
        }
        return format == Format.CSV ? Math.max(0, records - 1) : records;
    }

    /** A table read back: its columns and rows, each cell as written (null = empty cell or JSON null). */
    record Table(String file, List<String> columns, List<List<String>> rows) {
        boolean has(String column) {
            return columns.contains(column);
        }

        /** The cell of {@code row} in {@code column}; null when the column is absent or the cell empty. */
        String get(List<String> row, String column) {
            int i = columns.indexOf(column);
            return i < 0 || i >= row.size() || row.get(i) == null || row.get(i).isEmpty() ? null : row.get(i);
        }

        /** The cell as a finite number, or null (absent, empty, not a number, NaN or infinite). */
        Double number(List<String> row, String column) {
            String s = get(row, column);
            if (s == null) {
                return null;
            }
            try {
                double v = Double.parseDouble(s);
                return Double.isFinite(v) ? v : null;
            } catch (NumberFormatException e) {
                return null; // a text cell where a number was looked for: shown as no value
            }
        }
    }

    /** Reads a table this class wrote (CSV or JSON Lines, by its extension). */
    static Table read(Path file) throws IOException {
        String name = file.getFileName().toString();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> columns = new java.util.ArrayList<>();
        List<List<String>> rows = new java.util.ArrayList<>();
        if (name.endsWith(Format.JSON.extension)) {
            for (String line : text.split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                var node = JSON.readTree(line);
                node.fieldNames().forEachRemaining(f -> {
                    if (!columns.contains(f)) {
                        columns.add(f);
                    }
                });
                List<String> row = new java.util.ArrayList<>();
                for (String c : columns) {
                    var v = node.get(c);
                    row.add(v == null || v.isNull() ? null : v.asText());
                }
                rows.add(row);
            }
        } else {
            List<List<String>> records = parseCsv(text);
            if (!records.isEmpty()) {
                columns.addAll(records.get(0));
                rows.addAll(records.subList(1, records.size()));
            }
        }
        return new Table(name, List.copyOf(columns), rows);
    }

    /** RFC 4180 records: quoted cells may hold commas, quotes (doubled) and line ends. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> records = new java.util.ArrayList<>();
        List<String> record = new java.util.ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            any = true;
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                record.add(cell.toString());
                cell.setLength(0);
            } else if (c == '\n') {
                record.add(cell.toString());
                cell.setLength(0);
                records.add(record);
                record = new java.util.ArrayList<>();
                any = false;
            } else if (c != '\r') {
                cell.append(c);
            }
        }
        if (any) {
            record.add(cell.toString());
            records.add(record);
        }
        return records;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
